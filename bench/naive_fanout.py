"""The naive fan-out the issue compares control-room with: a Starlette websocket endpoint
and ``for ws in clients: await ws.send_text(text)`` on every change (websockets'
broadcast topic's first example), on plain uvicorn (websockets-sansio).

    python bench/naive_fanout.py PORT PAYLOAD_BYTES

``POST /change?n=N`` broadcasts a text of PAYLOAD_BYTES holding ``bench-N``; a new
websocket gets one text of the same size (its snapshot). Used by bench/fanout.py.
"""

from __future__ import annotations

import sys

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

CLIENTS: set[WebSocket] = set()
SIZE = int(sys.argv[2]) if len(sys.argv) > 2 else 2000


def payload(marker: str) -> str:
    head = '{"type":"state","slate":"' + marker + '","pad":"'
    return head + "x" * max(0, SIZE - len(head) - 2) + '"}'


async def ws_endpoint(websocket: WebSocket) -> None:
    await websocket.accept()
    await websocket.send_text(payload("snapshot"))
    CLIENTS.add(websocket)
    try:
        while True:
            await websocket.receive_text()
    except WebSocketDisconnect:
        pass
    finally:
        CLIENTS.discard(websocket)


async def change(request: Request) -> JSONResponse:
    text = payload(f"bench-{request.query_params['n']}")
    for websocket in list(CLIENTS):  # the naive loop: one await per client
        try:
            await websocket.send_text(text)
        except Exception:  # noqa: BLE001 - a gone client
            CLIENTS.discard(websocket)
    return JSONResponse({"ok": True, "clients": len(CLIENTS)})


async def health(request: Request) -> JSONResponse:
    return JSONResponse({"ok": True, "clients": len(CLIENTS)})


app = Starlette(
    routes=[
        WebSocketRoute("/ws", ws_endpoint),
        Route("/change", change, methods=["POST"]),
        Route("/-/health", health),
    ]
)

if __name__ == "__main__":
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=int(sys.argv[1]),
        ws="websockets-sansio",
        ws_per_message_deflate=False,
        log_level="warning",
        backlog=4096,
    )
