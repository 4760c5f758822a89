"""The token store and ``control-room token``: hashed, listed without secrets, revocable."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from control_room.auth import Auth
from control_room.cli import main
from control_room.tokens import TokenError, TokenRole, TokenStore, mask, split


def test_a_created_token_is_kept_only_as_a_salted_hash(tmp_path: Path) -> None:
    store = TokenStore(tmp_path)
    entry, token = store.create("Technicien Morlaix", TokenRole.SITE, channels=["parcours-1"])
    text = (tmp_path / "tokens.json").read_text()
    parts = split(token)  # the secret may itself hold "_" (urlsafe base64)
    assert parts is not None
    secret = parts[1]
    assert secret not in text and token not in text
    assert (tmp_path / "tokens.json").stat().st_mode & 0o077 == 0
    assert store.find(token) == entry
    assert store.find(token + "x") is None and store.find("cr_nope_nope") is None


def test_two_tokens_of_the_same_secret_length_hash_differently(tmp_path: Path) -> None:
    store = TokenStore(tmp_path)
    store.create("A", TokenRole.MODERATOR, channels=["main"])
    store.create("B", TokenRole.MODERATOR, channels=["main"])
    data = json.loads((tmp_path / "tokens.json").read_text())["tokens"]
    assert data[0]["salt"] != data[1]["salt"] and data[0]["sha256"] != data[1]["sha256"]


def test_a_scoped_token_needs_a_channel_and_a_unique_name(tmp_path: Path) -> None:
    store = TokenStore(tmp_path)
    with pytest.raises(TokenError, match="--channel"):
        store.create("Anne", TokenRole.MODERATOR)
    with pytest.raises(TokenError, match="unknown channels"):
        store.create("Anne", TokenRole.SITE, channels=["nope"], known_channels=["main"])
    store.create("Anne", TokenRole.MODERATOR, channels=["main"])
    with pytest.raises(TokenError, match="exists"):
        store.create("Anne", TokenRole.MODERATOR, channels=["main"])
    with pytest.raises(TokenError, match="everywhere"):
        store.create("Boss", TokenRole.OPERATOR, channels=["main"])


def test_the_auth_check_says_who_and_forgets_a_revoked_token_at_once(tmp_path: Path) -> None:
    auth = Auth.for_data_dir("operator-secret", tmp_path)
    store = TokenStore(tmp_path)  # another process's view: the CLI
    _, token = store.create("Technicien Morlaix", TokenRole.SITE, channels=["main"])
    assert auth.store is not None
    auth.store.refresh(force=True)
    found = auth.check(token)
    assert found is not None and found.role is TokenRole.SITE and found.name == "Technicien Morlaix"
    assert found.channels == frozenset({"main"})
    operator = auth.check("operator-secret")
    assert operator is not None and operator.is_operator
    store.revoke("Technicien Morlaix")
    auth.store.refresh(now=float("inf"))  # the next look, a second later
    assert auth.check(token) is None


def test_a_store_that_cannot_be_read_lets_no_token_in(tmp_path: Path) -> None:
    store = TokenStore(tmp_path)
    _, token = store.create("Anne", TokenRole.MODERATOR, channels=["main"])
    (tmp_path / "tokens.json").write_text("{not json")
    os.utime(tmp_path / "tokens.json", ns=(1, 1))
    store.refresh(force=True)
    assert store.find(token) is None


def test_a_token_is_masked_to_its_ends() -> None:
    assert mask("abcdefghijklmnopqrstuvwxyz") == "abcd…wxyz"
    assert mask("short") == "…"


def test_the_cli_prints_a_token_once_lists_without_secrets_and_revokes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = str(tmp_path)
    args = ["token", "create", "--data-dir", data, "--role", "site", "--channel", "parcours-1"]
    assert main([*args, "--name", "Technicien Morlaix"]) == 0
    token = capsys.readouterr().out.strip()
    assert token.startswith("cr_")
    assert main(["token", "list", "--data-dir", data]) == 0
    listed = capsys.readouterr().out
    assert "Technicien Morlaix" in listed and "site" in listed and "parcours-1" in listed
    parts = split(token)
    assert parts is not None
    assert token not in listed and parts[1] not in listed
    assert main(["token", "revoke", "--data-dir", data, "Technicien Morlaix"]) == 0
    assert "revoked" in capsys.readouterr().out
    assert TokenStore(tmp_path).find(token) is None
    assert main(["token", "revoke", "--data-dir", data, "Technicien Morlaix"]) == 1
    assert "no token named" in capsys.readouterr().err
