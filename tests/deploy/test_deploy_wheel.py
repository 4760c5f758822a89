"""A real install: the wheel built, installed into a fresh venv, served from elsewhere.

``pip wheel`` builds the project (from a copy of its tracked layout, so the checkout gets no
``build/``), ``python -m venv`` makes an empty environment, ``pip install WHEEL`` fills it
from PyPI, and ``control-room serve`` runs from a directory that is not the checkout, with
no ``PYTHONPATH``: every screen and every static asset must come from the installed package.
The wheel and the venv are made once for the module (about half a minute).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.deploy.serving import AT, SCHEDULE, Served, fetch, stop, wait_served
from tests.support.server import REPO

pytestmark = pytest.mark.install

#: What the wheel is built from: the project's tracked layout (control_room/web -> ../web).
SOURCES = ("pyproject.toml", "README.md", "control_room", "web")


@dataclass
class Installed:
    venv: Path
    wheel: Path
    build_log: str


def run(args: list[str], *, cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, f"{args} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


def clean_env() -> dict[str, str]:
    """The environment without anything that would make the checkout importable."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    root = tmp_path_factory.mktemp("install")
    source = root / "source"
    source.mkdir()
    for name in SOURCES:
        path = REPO / name
        if path.is_dir():
            shutil.copytree(
                path, source / name, symlinks=True, ignore=shutil.ignore_patterns("__pycache__")
            )
        else:
            shutil.copy2(path, source / name)
    dist = root / "dist"
    build_log = run(
        [sys.executable, "-m", "pip", "wheel", "-v", "--no-deps", "-w", str(dist), str(source)],
        cwd=root,
        env=clean_env(),
    )
    (wheel,) = dist.glob("control_room-*.whl")
    venv = root / "venv"
    run([sys.executable, "-m", "venv", str(venv)], cwd=root, env=clean_env())
    run([str(venv / "bin" / "pip"), "install", "-q", str(wheel)], cwd=root, env=clean_env())
    return Installed(venv, wheel, build_log)


@pytest.fixture(scope="module")
def served(installed: Installed, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    log_path = elsewhere / "server.log"
    token = "wheel-test-token"
    env = {**clean_env(), "CONTROL_ROOM_TOKEN": token, "PYTHONUNBUFFERED": "1"}
    command = [str(installed.venv / "bin" / "control-room"), "serve", str(SCHEDULE)]
    command += ["--host", "127.0.0.1", "--port", "0", "--data-dir", "data", "--at", AT]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, cwd=elsewhere, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        yield wait_served(process, log_path, token)
    finally:
        stop(process)


def test_the_build_prints_no_deprecation_warning(installed: Installed) -> None:
    assert "Successfully built control-room" in installed.build_log
    # Older setuptools says SetuptoolsDeprecationWarning, newer BuildBackendWarning
    # ("`project.license` as a TOML table is deprecated").
    assert "SetuptoolsDeprecationWarning" not in installed.build_log
    assert "BuildBackendWarning" not in installed.build_log
    assert "deprecated" not in installed.build_log.lower()


def test_the_wheel_holds_every_package_and_every_screen_file(installed: Installed) -> None:
    import zipfile

    names = set(zipfile.ZipFile(installed.wheel).namelist())
    packages = {p.parent.relative_to(REPO) for p in (REPO / "control_room").rglob("__init__.py")}
    assert all(f"{package.as_posix()}/__init__.py" in names for package in packages), packages
    assert "control_room/py.typed" in names
    for path in (REPO / "web").rglob("*"):
        if path.is_file():
            assert f"control_room/web/{path.relative_to(REPO / 'web').as_posix()}" in names


def test_the_installed_package_is_the_one_served(installed: Installed, served: Served) -> None:
    where = run(
        [
            str(installed.venv / "bin" / "python"),
            "-c",
            "import control_room; print(control_room.__file__)",
        ],
        cwd=installed.venv,
        env=clean_env(),
    )
    assert where.strip().startswith(str(installed.venv / "lib"))


@pytest.mark.parametrize(
    ("path", "page"),
    [
        ("/", "programme"),
        ("/regie", "regie"),
        ("/overlay/main", "overlay"),
        ("/timer/main", "timer"),
    ],
)
def test_every_screen_is_served_from_the_installed_package(
    served: Served, path: str, page: str
) -> None:
    status, headers, body = fetch(served.base_url + path)
    assert status == 200, body
    assert headers["content-type"].startswith("text/html")
    assert f'data-page="{page}"' in body
    assert f'src="/static/{page}.js?v=' in body


def test_every_static_asset_is_served_as_shipped(served: Served) -> None:
    static = REPO / "web" / "static"
    assets = [p for p in static.rglob("*") if p.is_file()]
    assert len(assets) > 10
    for asset in assets:
        status, headers, body = fetch(
            f"{served.base_url}/static/{asset.relative_to(static).as_posix()}"
        )
        assert status == 200, asset
        assert body == asset.read_text(encoding="utf-8"), asset
    status, headers, _ = fetch(served.base_url + "/static/client.js")
    assert "javascript" in headers["content-type"]
