"""``GET /api/docs``: the OpenAPI document as a plain HTML page, rendered on the server.

No script and no CDN: the page is jinja2 over the document of
:mod:`control_room.views.openapi`, styled by ``/api/docs.css``, under a CSP that loads
nothing but its own style sheet.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from control_room.views.openapi import cached_document

__all__ = ["DOCS_CSP", "api_docs", "api_docs_css"]

DOCS_CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)
"""The page runs no script at all, and loads only its own style sheet."""

_HEADERS = {
    "Cache-Control": "no-cache",
    "Content-Security-Policy": DOCS_CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def _type(schema: Any) -> str:
    """A JSON schema as a short type text: ``string | null``, ``list of SiteDoc``..."""
    if not isinstance(schema, dict):
        return "any"
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if "const" in schema:
        return repr(schema["const"]).replace("'", '"')
    if "enum" in schema:
        return " | ".join(repr(v).replace("'", '"') for v in schema["enum"])
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return " | ".join(_type(s) for s in schema[key])
    kind = schema.get("type")
    if kind == "array":
        return f"list of {_type(schema.get('items'))}"
    if kind == "object" and isinstance(schema.get("additionalProperties"), dict):
        return f"map of {_type(schema['additionalProperties'])}"
    return str(kind or "any")


def _fields(schema: dict[str, Any]) -> list[dict[str, str]]:
    required = set(schema.get("required", ()))
    return [
        {
            "name": name,
            "type": _type(prop),
            "required": "yes" if name in required else "",
            "about": str(prop.get("description", "")) if isinstance(prop, dict) else "",
        }
        for name, prop in schema.get("properties", {}).items()
    ]


_HERE = Path(__file__).resolve().parent
_PAGE = jinja2.Environment(
    loader=jinja2.FileSystemLoader(str(_HERE)),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
).get_template("api_docs.html")
_CSS = (_HERE / "api_docs.css").read_text(encoding="utf-8")


def _page_context(document: dict[str, Any]) -> dict[str, Any]:
    operations = []
    for path, methods in document["paths"].items():
        for method, op in methods.items():
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {})
            responses = []
            for status, response in op["responses"].items():
                media, content = next(iter(response["content"].items()))
                ref = content.get("schema", {}).get("$ref")
                name = str(ref).rsplit("/", 1)[-1] if ref else media
                responses.append(
                    {
                        "status": status,
                        "body": name,
                        "ref": bool(ref),
                        "description": response["description"],
                    }
                )
            operations.append(
                {
                    "id": op["operationId"],
                    "method": method,
                    "path": path,
                    "summary": op["summary"],
                    "description": op.get("description", ""),
                    "token": "security" in op,
                    "params": [{**p, "type": _type(p["schema"])} for p in op.get("parameters", [])],
                    "body": _type(body.get("schema")) if body else None,
                    "examples": [
                        (name, json.dumps(ex["value"], ensure_ascii=False))
                        for name, ex in body.get("examples", {}).items()
                    ],
                    "responses": responses,
                }
            )
    schemas = [
        {
            "name": name,
            "about": schema.get("description", ""),
            "fields": _fields(schema),
            "type": _type(schema),
        }
        for name, schema in document["components"]["schemas"].items()
    ]
    return {
        "info": document["info"],
        "openapi": document["openapi"],
        "operations": operations,
        "schemas": schemas,
        "websocket": document["x-websockets"]["/ws"],
    }


async def api_docs(request: Request) -> Response:
    body = _PAGE.render(**_page_context(cached_document(request)))
    return HTMLResponse(body, headers=_HEADERS)


async def api_docs_css(request: Request) -> Response:
    return Response(_CSS, media_type="text/css", headers={"Cache-Control": "no-cache"})
