"""Schemathesis against a live server: every operation of /openapi.json, generated from its
own schemas, answers without a 500 and with what the document says (status, content type,
headers, body). Bounded and reproducible: a fixed number of examples per operation,
derandomized, loopback only, with the operator token so commands reach the engine."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from control_room.schedule_file import load_schedule
from control_room.views.openapi import openapi_document
from tests.support.server import RunningServer, run_server

SHORT_DAY = Path(__file__).resolve().parents[1] / "e2e" / "short-day.yaml"
EXAMPLES_PER_OPERATION = 25
"""At most about 300 requests in all (12 operations; most have few distinct inputs)."""

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    data = tmp_path_factory.mktemp("schemathesis") / "data"
    # 10:07 on the short day: segments on air on every channel, a change every few minutes.
    with run_server(SHORT_DAY, data_dir=data, at="2026-07-07T10:07", speed=1) as running:
        assert running.base_url.startswith("http://127.0.0.1:")
        yield running


# The document the server serves for this schedule, built in-process so the cases can be
# generated at collection time (schemathesis' lazy fixture loader does not run on pytest 9);
# the first test proves the live server serves exactly this document.
DOCUMENT = openapi_document(load_schedule(SHORT_DAY))
schema = schemathesis.openapi.from_dict(DOCUMENT)
# Valid requests, and invalid ones (which must be refused with a documented status, not a 500).
schema.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE])


def test_the_live_server_serves_the_document_the_cases_come_from(server: RunningServer) -> None:
    assert server.get_json("/openapi.json") == json.loads(json.dumps(DOCUMENT))


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate, Phase.shrink],
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_as_its_document_says(case: Any, server: RunningServer) -> None:
    case.call_and_validate(
        base_url=server.base_url, headers={"Authorization": f"Bearer {server.token}"}, checks=CHECKS
    )


def test_the_documented_examples_reached_the_engine(server: RunningServer) -> None:
    status, journal = server.request("GET", "/api/journal", token=server.token)
    assert status == 200
    assert {entry["command"]["type"] for entry in journal["entries"]} >= {"extend", "slate"}
