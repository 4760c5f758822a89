"""The switcher configuration file (TOML): what it accepts, what it refuses."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from control_room.schedule_file import load_schedule
from control_room.switcher import (
    ObsBinding,
    SwitcherConfigError,
    load_switcher_config,
    parse_switcher_config,
    switcher_check_main,
)
from control_room.switcher.config import CHANNEL_KEYS, TOP_KEYS

ROOT = Path(__file__).resolve().parents[2]
DAY = load_schedule(ROOT / "schedules" / "rnct-2026-07-07.yaml")
DOC = (ROOT / "docs" / "switcher.md").read_text(encoding="utf-8")


def test_a_full_config_is_read() -> None:
    config = parse_switcher_config(
        """
        preview_lead = "45s"
        [channels.main]
        url = "ws://10.0.0.10:4455"
        password_env = "OBS_PASSWORD_MAIN"
        [channels.parcours-1]
        url = "wss://obs.example:4455"
        password_file = "secrets/p1.pw"
        preview_lead = 10
        request_timeout = 1.5
        """,
        base_dir=Path("/etc/control-room"),
        schedule=DAY,
    )
    main, p1 = config.channels["main"], config.channels["parcours-1"]
    assert main == ObsBinding(
        "main", "ws://10.0.0.10:4455", password_env="OBS_PASSWORD_MAIN",
        preview_lead=dt.timedelta(seconds=45),
    )  # fmt: skip
    assert p1.password_file == Path("/etc/control-room/secrets/p1.pw")
    assert p1.preview_lead == dt.timedelta(seconds=10) and p1.request_timeout == 1.5


def test_every_problem_is_listed() -> None:
    with pytest.raises(SwitcherConfigError) as caught:
        parse_switcher_config(
            """
            preview_lad = "30s"
            [channels.main]
            url = "http://10.0.0.10:4455"
            [channels.parcours-9]
            url = "ws://h:1"
            [channels.parcours-1]
            url = "ws://h:4455"
            password = "hunter2"
            [channels.parcours-2]
            url = "ws://h:4455"
            password_env = "A"
            password_file = "b"
            """,
            source="sw.toml",
            schedule=DAY,
        )
    lines = str(caught.value).splitlines()
    assert "sw.toml: preview_lad: unknown key (typo?)" in lines
    assert any(line.startswith("sw.toml: channels.main.url: expected ws://") for line in lines)
    assert any(line.startswith("sw.toml: channels.parcours-9: no such channel") for line in lines)
    assert any("channels.parcours-1.password: never write a password here" in x for x in lines)
    assert "sw.toml: channels.parcours-2: give password_env or password_file, not both" in lines
    assert "hunter2" not in str(caught.value)


def test_passwords_come_from_the_environment_or_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "p1.pw").write_text("from-a-file\n")
    (tmp_path / "sw.toml").write_text(
        '[channels.main]\nurl = "ws://h:1"\npassword_env = "CR_TEST_PW"\n'
        '[channels.parcours-1]\nurl = "ws://h:2"\npassword_file = "p1.pw"\n'
        '[channels.parcours-2]\nurl = "ws://h:3"\n'
    )
    config = load_switcher_config(tmp_path / "sw.toml", schedule=DAY)
    monkeypatch.delenv("CR_TEST_PW", raising=False)
    with pytest.raises(SwitcherConfigError, match="CR_TEST_PW is not set"):
        config.channels["main"].password()
    monkeypatch.setenv("CR_TEST_PW", "from-the-env")
    assert config.channels["main"].password() == "from-the-env"
    assert config.channels["parcours-1"].password() == "from-a-file"
    assert config.channels["parcours-2"].password() is None
    (tmp_path / "p1.pw").unlink()
    with pytest.raises(SwitcherConfigError, match="cannot read password file"):
        config.channels["parcours-1"].password()


def test_every_config_key_is_documented() -> None:
    for key in sorted(CHANNEL_KEYS | TOP_KEYS):
        documented = re.search(rf"`{key}(\.<id>)?`", DOC)
        assert documented, f"docs/switcher.md does not document {key!r}"


def test_switcher_check_refuses_a_bad_config(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "sw.toml").write_text('[channels.nope]\nurl = "ws://h:1"\n')
    day = str(ROOT / "schedules" / "rnct-2026-07-07.yaml")
    assert switcher_check_main([day, "--config", str(tmp_path / "sw.toml")]) == 2
    assert "channels.nope: no such channel" in capsys.readouterr().err
