"""A websocket client on a plain blocking socket that can refuse to read.

Used to play the misbehaving screen: a laptop that froze, a tab the browser
throttled, a network that swallows everything. It completes the opening
handshake (websockets' sans-I/O ``ClientProtocol``), can send messages, and
otherwise never reads from its socket, so the server's writes pile up in the
kernel buffers and pings go unanswered.
"""

from __future__ import annotations

import json
import socket
from typing import Any

from websockets.client import ClientProtocol
from websockets.http11 import Response
from websockets.uri import parse_uri

__all__ = ["RawClient"]


class RawClient:
    """Connect to ``ws://127.0.0.1:port/ws``, handshake, then read nothing.

    Args:
        port: the server's port.
        query: a query string for the websocket URL (``role=timer&channels=main``).
        rcvbuf: a small SO_RCVBUF makes the client's kernel buffer fill up sooner.
    """

    def __init__(self, port: int, *, query: str = "", rcvbuf: int | None = None) -> None:
        uri = parse_uri(f"ws://127.0.0.1:{port}/ws" + (f"?{query}" if query else ""))
        self.protocol = ClientProtocol(uri)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if rcvbuf is not None:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.sock.settimeout(10)
        self.sock.connect(("127.0.0.1", port))
        self.protocol.send_request(self.protocol.connect())
        self._flush()
        while not any(isinstance(e, Response) for e in self.protocol.events_received()):
            data = self.sock.recv(4096)  # only until the handshake response is read
            if not data:
                raise ConnectionError("closed during the handshake")
            self.protocol.receive_data(data)
        self.sock.setblocking(False)
        self._out = bytearray()

    def _flush(self) -> None:
        for chunk in self.protocol.data_to_send():
            self.sock.sendall(chunk)

    def send(self, message: dict[str, Any]) -> bool:
        """Queue a message and write what the socket takes now.

        Returns:
            True if everything queued so far is written; False if some waits (call again).
        """
        self.protocol.send_text(json.dumps(message).encode())
        self._out += b"".join(self.protocol.data_to_send())
        return self.drain()

    def drain(self) -> bool:
        """Write what the socket takes now; True when nothing is left to write."""
        while self._out:
            try:
                sent = self.sock.send(self._out)
            except (BlockingIOError, InterruptedError):
                return False
            del self._out[:sent]
        return True

    def close(self) -> None:
        self.sock.close()
