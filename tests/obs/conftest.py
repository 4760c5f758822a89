"""Fixtures running a real OBS Studio under Xvfb (marker ``obs``).

- ``xvfb``: one virtual display for the whole session.
- ``obs``: one OBS for the whole session (most tests only switch scenes; each
  test resets the program scene itself).
- ``obs_factory``: OBS instances of a test's own (tests that kill/restart OBS,
  or need studio mode); stopped at the end of the test.

When ``obs`` or ``Xvfb`` is missing the tests fail (never skip): ``make test``
installs them.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # obs_harness, rehearsal
sys.path.insert(0, str(Path(__file__).parents[2]))  # tests.support.server

from obs_harness import ObsFactory, ObsProcess, Xvfb, missing_binaries  # noqa: E402

#: Scenes the session OBS starts with (client tests); switcher tests add theirs.
BASE_SCENES = ("Idle", "Alpha", "Beta")


@pytest.fixture(scope="session")
def xvfb() -> Iterator[Xvfb]:
    missing = missing_binaries()
    if missing:
        # `make test` installs them; a missing OBS is a failure, never a silent skip.
        pytest.fail(f"{', '.join(missing)} not installed (make system-deps)")
    display = Xvfb.start()
    yield display
    display.stop()


@pytest.fixture(scope="session")
def obs(xvfb: Xvfb, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ObsProcess]:
    instance = ObsProcess(display=xvfb.display, root=tmp_path_factory.mktemp("obs-session"))
    instance.start()
    try:
        instance.setup_scenes_sync(BASE_SCENES, program="Idle")
        yield instance
    finally:
        instance.stop()


@pytest.fixture
def obs_factory(xvfb: Xvfb, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ObsFactory]:
    started: list[ObsProcess] = []

    def make(*, studio_mode: bool = False) -> ObsProcess:
        """A new OBS, not started yet: ``await instance.astart()``."""
        instance = ObsProcess(
            display=xvfb.display,
            root=tmp_path_factory.mktemp("obs"),
            studio_mode=studio_mode,
        )
        started.append(instance)
        return instance

    yield make
    for instance in started:
        instance.stop()
