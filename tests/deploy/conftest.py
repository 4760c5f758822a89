"""Fixtures of the deployment tests (helpers in :mod:`tests.deploy.serving`)."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.deploy.serving import Launch, Served, stop
from tests.deploy.serving import start as start_serving


@pytest.fixture
def launch(tmp_path: Path) -> Iterator[Launch]:
    """Start ``python -m control_room serve`` (this checkout) with extra options, stop after.

    ``launch(*options, context=None)``: ``context`` is the TLS context the health check uses.
    """
    started: list[Served] = []

    def start(*options: str, context: ssl.SSLContext | None = None) -> Served:
        started.append(start_serving(tmp_path, len(started), *options, context=context))
        return started[-1]

    yield start
    for served in started:
        stop(served.process)
