"""The floor of this box: the least a Python server can do to fan one change out.

    python bench/floor_fanout.py PORT PAYLOAD_BYTES [THREADS]

No framework, no asyncio: one ``selectors`` loop on non-blocking sockets that answers a
websocket handshake (the accept key and nothing else checked), sends one snapshot text, and
on ``POST /change?n=N`` frames one text of PAYLOAD_BYTES holding ``bench-N`` once and calls
``send()`` on every socket in a plain loop (with THREADS > 1, the sockets are split between
that many threads, which run their ``send()`` calls side by side: the system call releases
the GIL). A socket that takes less than the whole frame keeps the rest and gets it when it
is writable again. What one change costs here is the system calls and the kernel's
loopback path, which is what any server on this box pays per client: bench/fanout.py runs
it in the same run as control-room and the naive loop.
"""

from __future__ import annotations

import base64
import hashlib
import selectors
import socket
import sys
from concurrent.futures import ThreadPoolExecutor

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def frame(text: bytes) -> bytes:
    """An unmasked server text frame."""
    n = len(text)
    if n < 126:
        return bytes([0x81, n]) + text
    if n < 65536:
        return bytes([0x81, 126]) + n.to_bytes(2, "big") + text
    return bytes([0x81, 127]) + n.to_bytes(8, "big") + text


class Floor:
    def __init__(self, port: int, size: int, threads: int) -> None:
        self.size = size
        self.sel = selectors.DefaultSelector()
        self.listener = socket.create_server(("127.0.0.1", port), backlog=4096)
        self.listener.setblocking(False)
        self.sel.register(self.listener, selectors.EVENT_READ, "accept")
        self.heads: dict[socket.socket, bytearray] = {}
        self.screens: list[socket.socket] = []
        self.late: dict[socket.socket, bytes] = {}
        self.threads = threads
        self.pool = ThreadPoolExecutor(threads - 1) if threads > 1 else None

    def payload(self, marker: str) -> bytes:
        head = '{"type":"state","slate":"' + marker + '","pad":"'
        return (head + "x" * max(0, self.size - len(head) - 2) + '"}').encode()

    def run(self) -> None:
        while True:
            for key, events in self.sel.select():
                sock = key.fileobj
                assert isinstance(sock, socket.socket)
                if key.data == "accept":
                    self.accept()
                elif events & selectors.EVENT_WRITE and sock in self.late:
                    self.flush(sock)
                else:
                    self.read(sock, key.data)

    def accept(self) -> None:
        for _ in range(64):
            try:
                sock, _ = self.listener.accept()
            except BlockingIOError:
                return
            sock.setblocking(False)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.heads[sock] = bytearray()
            self.sel.register(sock, selectors.EVENT_READ, "head")

    def read(self, sock: socket.socket, state: str) -> None:
        try:
            data = sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:
            self.drop(sock)
            return
        if state != "head":
            return  # a screen's frames (pongs, closes): nothing to do at the floor
        head = self.heads[sock]
        head += data
        end = head.find(b"\r\n\r\n")
        if end < 0:
            return
        request, rest = bytes(head[:end]), head[end + 4 :]
        head.clear()
        head += rest
        line, *fields = request.split(b"\r\n")
        headers = {k.strip().lower(): v.strip() for k, _, v in (f.partition(b":") for f in fields)}
        if b"sec-websocket-key" in headers:
            digest = hashlib.sha1(headers[b"sec-websocket-key"] + GUID).digest()
            accept = base64.b64encode(digest)
            sock.send(
                b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                b"Connection: Upgrade\r\nSec-WebSocket-Accept: "
                + accept
                + b"\r\n\r\n"
                + frame(self.payload("snapshot"))
            )
            del self.heads[sock]
            self.sel.modify(sock, selectors.EVENT_READ, "screen")
            self.screens.append(sock)
            return
        target = line.split(b" ")[1]
        if target.startswith(b"/change"):
            n = target.partition(b"n=")[2].decode()
            self.broadcast(frame(self.payload(f"bench-{n}")))
        body = b'{"ok":true,"clients":%d}' % len(self.screens)
        sock.send(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"
            % len(body)
            + body
        )

    def broadcast(self, data: bytes) -> None:
        for sock in self.late:  # behind: after what it still waits for
            self.late[sock] += data
        screens = [s for s in self.screens if s not in self.late]
        if self.pool is None:
            late = send_all(screens, data)
        else:
            parts = [screens[i :: self.threads] for i in range(self.threads)]
            futures = [self.pool.submit(send_all, part, data) for part in parts[1:]]
            late = send_all(parts[0], data)
            for future in futures:
                late.extend(future.result())
        for sock, rest in late:
            self.late[sock] = rest
            self.sel.modify(sock, selectors.EVENT_READ | selectors.EVENT_WRITE, "screen")

    def flush(self, sock: socket.socket) -> None:
        rest = self.late.pop(sock)
        try:
            sent = sock.send(rest)
        except BlockingIOError:
            sent = 0
        except OSError:
            self.drop(sock)
            return
        if sent < len(rest):
            self.late[sock] = rest[sent:]
        else:
            self.sel.modify(sock, selectors.EVENT_READ, "screen")

    def drop(self, sock: socket.socket) -> None:
        self.sel.unregister(sock)
        self.heads.pop(sock, None)
        self.late.pop(sock, None)
        if sock in self.screens:
            self.screens.remove(sock)
        sock.close()


def send_all(socks: list[socket.socket], data: bytes) -> list[tuple[socket.socket, bytes]]:
    """``send()`` to each socket; what a full socket did not take, with the socket."""
    late = []
    for sock in socks:
        try:
            sent = sock.send(data)
        except BlockingIOError:
            sent = 0
        except OSError:
            continue  # gone: its reader drops it
        if sent < len(data):
            late.append((sock, data[sent:]))
    return late


if __name__ == "__main__":
    Floor(int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else 1).run()
