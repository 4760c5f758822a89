"""/openapi.json is a valid OpenAPI document generated from the wire models, it covers every
route of the API, and /api/docs renders it as a page that needs no script."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from openapi_spec_validator import validate
from starlette.routing import Route, WebSocketRoute

from control_room.app import api_routes
from control_room.wire import SERVER_MESSAGES


@pytest.fixture
async def document(client: httpx.AsyncClient) -> dict[str, Any]:
    response = await client.get("/openapi.json")
    assert response.status_code == 200
    found: dict[str, Any] = response.json()
    return found


def test_the_document_is_valid_openapi(document: dict[str, Any]) -> None:
    validate(document)
    assert document["openapi"].startswith("3.1")


def test_every_http_route_of_the_api_is_in_the_document(document: dict[str, Any]) -> None:
    for route in api_routes():
        if isinstance(route, WebSocketRoute):
            assert route.path in document["x-websockets"]
            continue
        assert isinstance(route, Route)
        methods = {m.lower() for m in route.methods or ()} - {"head"}
        assert methods <= set(document["paths"].get(route.path, {})), route.path


def test_commands_take_the_command_union_and_need_the_bearer_token(
    document: dict[str, Any],
) -> None:
    post = document["paths"]["/api/commands"]["post"]
    assert post["security"] == [{"bearer": []}]
    assert document["components"]["securitySchemes"]["bearer"] == {
        "type": "http",
        "scheme": "bearer",
        "description": post_description(document),
    }
    body = post["requestBody"]["content"]["application/json"]["schema"]
    schemas = document["components"]["schemas"]
    union = schemas[body["$ref"].rsplit("/", 1)[-1]]
    refs = {s.get("$ref", "").rsplit("/", 1)[-1] for s in union["anyOf"]}
    assert "CommandEnvelope" in refs
    command_types = set(schemas["Command"]["discriminator"]["mapping"])
    assert {"take", "extend", "slate", "message", "reset"} <= command_types
    assert set(post["responses"]) == {"200", "400", "401", "409", "500"}
    assert post["responses"]["401"]["headers"]["WWW-Authenticate"]
    error = post["responses"]["409"]["content"]["application/json"]["schema"]["$ref"]
    assert error.endswith("/ErrorBody")


def post_description(document: dict[str, Any]) -> str:
    description: str = document["components"]["securitySchemes"]["bearer"]["description"]
    assert "token" in description
    return description


def test_the_command_examples_name_the_shows_own_channels(document: dict[str, Any]) -> None:
    content = document["paths"]["/api/commands"]["post"]["requestBody"]["content"]
    examples = content["application/json"]["examples"]
    assert examples["extend"]["value"] == {"type": "extend", "channel": "main", "minutes": 5}


def test_the_websocket_messages_are_described_too(document: dict[str, Any]) -> None:
    server = document["components"]["schemas"]["ServerMessage"]
    names = {s["$ref"].rsplit("/", 1)[-1] for s in server["anyOf"]}
    assert names == {model.__name__ for model in SERVER_MESSAGES}


async def test_the_docs_page_lists_every_endpoint_and_runs_no_script(
    client: httpx.AsyncClient, document: dict[str, Any]
) -> None:
    page = await client.get("/api/docs")
    assert page.status_code == 200
    assert "script-src" not in page.headers["content-security-policy"]
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert "<script" not in page.text
    for path in document["paths"]:
        assert f"<code>{path}</code>" in page.text
    assert 'id="schema-ChannelVariables"' in page.text
    assert (await client.get("/api/docs.css")).headers["content-type"].startswith("text/css")
