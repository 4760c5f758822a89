"""The shipped deployment files say what docs/deploy.md says they do.

Docker is not on the test machines: the image is not built here; these tests read the
Dockerfile's essential lines, and parse the command lines of the Dockerfile and of the
systemd unit with the real ``serve`` parser (so they never name an option that is gone).
"""

from __future__ import annotations

import configparser
import json
import re
import shlex

import pytest

from control_room.cli import build_parser
from tests.support.server import REPO

DOCKERFILE = (REPO / "Dockerfile").read_text(encoding="utf-8")
UNIT = REPO / "deploy" / "control-room.service"


def instructions(name: str) -> list[str]:
    """The arguments of every ``NAME`` instruction of the Dockerfile (continuations joined)."""
    joined = re.sub(r"\\\n\s*", " ", DOCKERFILE)
    return [m.group(1).strip() for m in re.finditer(rf"^{name}\s+(.+)$", joined, re.MULTILINE)]


def unit() -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    text = re.sub(r"\\\n\s*", " ", UNIT.read_text(encoding="utf-8"))
    parser.read_string(text)
    return parser


def test_the_image_is_python_3_11_slim_and_runs_as_a_user_of_its_own() -> None:
    assert instructions("FROM")[-1] == "python:3.11-slim"
    assert instructions("USER") == ["control-room"]
    assert "useradd --system" in DOCKERFILE


def test_the_image_keeps_its_journal_in_the_data_volume_and_checks_its_health() -> None:
    assert instructions("VOLUME") == ['["/data"]']
    assert instructions("EXPOSE") == ["8000"]
    (health,) = instructions("HEALTHCHECK")
    assert "http://127.0.0.1:8000/-/health" in health


def test_the_image_runs_control_room_serve_with_valid_options() -> None:
    assert json.loads(instructions("ENTRYPOINT")[0]) == ["control-room", "serve"]
    cmd = json.loads(instructions("CMD")[-1])
    args = build_parser().parse_args(["serve", *cmd])
    assert (args.host, args.port, args.data_dir) == ("0.0.0.0", 8000, "/data/live")
    assert args.file.startswith("/srv/schedules/")
    assert (REPO / "schedules" / args.file.removeprefix("/srv/schedules/")).is_file()


def test_the_build_context_holds_what_the_image_copies() -> None:
    ignored = (REPO / ".dockerignore").read_text(encoding="utf-8").split()
    for copied in ("pyproject.toml", "README.md", "web", "control_room", "schedules"):
        assert copied in DOCKERFILE and copied not in ignored


def test_the_unit_restarts_on_failure_as_a_dedicated_user() -> None:
    service = unit()["Service"]
    assert service["Restart"] == "on-failure"
    assert service["User"] == service["Group"] == "control-room"
    assert service["StateDirectory"] == "control-room"
    assert unit()["Install"]["WantedBy"] == "multi-user.target"


def test_the_unit_serves_on_loopback_behind_caddy_with_valid_options() -> None:
    command = shlex.split(unit()["Service"]["ExecStart"])
    assert command[:2] == ["/opt/control-room/bin/control-room", "serve"]
    args = build_parser().parse_args(command[1:])
    assert args.host == "127.0.0.1" and args.port == 8000
    assert args.data_dir.startswith("/var/lib/control-room/")
    assert args.public_url == "https://regie.example.org"
    assert "reverse_proxy 127.0.0.1:8000" in (REPO / "deploy" / "Caddyfile").read_text()


@pytest.mark.parametrize("name", ["Dockerfile", "deploy/Caddyfile", "deploy/control-room.service"])
def test_every_deployment_file_is_described_in_the_deploy_guide(name: str) -> None:
    assert name in (REPO / "docs" / "deploy.md").read_text(encoding="utf-8")
