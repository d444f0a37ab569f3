"""A loopback TCP proxy that adds latency and counts round trips (benchmark only).

Each chunk read from one side is written to the other side `delay_s` later (order kept), so
`delay_s = 0.05` makes a 100 ms round trip. A new connection's first client bytes are not sent
before one round trip after the connection was opened, standing in for the TCP handshake a
remote server would cost (the kernel completes the loopback handshake with the proxy at once):
a client that sends at once waits that round trip on top, one that opened the connection a
round trip or more before its first bytes (a connection begun early) does not, as over TCP.

Round trips are counted per connection as the changes of direction client->server->client:
each time the server sends after the client has sent. That is an upper bound on the round
trips that cost latency: for example HTTP/2's SETTINGS acknowledgements also flip the
direction without the client waiting for them.

    proxy = LatencyProxy("127.0.0.1", 5432, delay_s=0.05).start()   # runs in its own thread
    proxy.port ... proxy.snapshot() ... proxy.reset() ... proxy.stop()
"""

from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import dataclass, field


@dataclass
class ConnStats:
    round_trips: int = 0
    bytes_up: int = 0
    bytes_down: int = 0
    last: str = ""  # "up" (client->server) or "down"


@dataclass
class Stats:
    connections: list[ConnStats] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.connections)

    @property
    def round_trips(self) -> int:
        return sum(c.round_trips for c in self.connections)


class LatencyProxy:
    def __init__(self, target_host: str, target_port: int, delay_s: float,
                 handshake_rtt: bool = True) -> None:
        self.target = (target_host, target_port)
        self.delay_s = delay_s
        self.handshake_rtt = handshake_rtt
        self.port = 0
        self.name = f"{target_host}:{target_port}"
        self._stats = Stats()
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.base_events.Server | None = None
        self._thread: threading.Thread | None = None

    # --- control, from the benchmark's thread ---------------------------------------------
    def start(self) -> LatencyProxy:
        ready = threading.Event()

        def run() -> None:
            self._loop = asyncio.new_event_loop()
            self._server = self._loop.run_until_complete(
                asyncio.start_server(self._handle, "127.0.0.1", 0))
            self.port = self._server.sockets[0].getsockname()[1]
            ready.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=run, name=f"proxy->{self.target[1]}", daemon=True)
        self._thread.start()
        ready.wait(10)
        return self

    def stop(self) -> None:
        if self._loop and self._server:
            asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(10)
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread:
            self._thread.join(5)

    async def _shutdown(self) -> None:
        assert self._server
        self._server.close()
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def reset(self) -> None:
        with self._lock:
            self._stats = Stats()

    def snapshot(self) -> Stats:
        with self._lock:
            return Stats([ConnStats(c.round_trips, c.bytes_up, c.bytes_down, c.last)
                          for c in self._stats.connections])

    # --- the proxy itself ------------------------------------------------------------------
    async def _handle(self, c_reader: asyncio.StreamReader,
                      c_writer: asyncio.StreamWriter) -> None:
        conn = ConnStats()
        with self._lock:
            self._stats.connections.append(conn)
        try:
            s_reader, s_writer = await asyncio.open_connection(*self.target)
        except OSError:
            c_writer.close()
            return
        # The handshake's round trip, counted from the connection's opening.
        ready = time.monotonic() + (2 * self.delay_s if self.handshake_rtt else 0.0)
        pumps = [asyncio.ensure_future(self._pump(c_reader, s_writer, conn, "up", ready)),
                 asyncio.ensure_future(self._pump(s_reader, c_writer, conn, "down", 0.0))]
        try:
            # Either side closing ends the connection (after its last bytes are delivered).
            await asyncio.wait(pumps, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for p in pumps:
                p.cancel()
            await asyncio.gather(*pumps, return_exceptions=True)
            for w in (s_writer, c_writer):
                w.close()

    def _note(self, conn: ConnStats, direction: str, n: int) -> None:
        with self._lock:
            if direction == "up":
                conn.bytes_up += n
            else:
                conn.bytes_down += n
                if conn.last == "up":
                    conn.round_trips += 1
            conn.last = direction

    async def _pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                    conn: ConnStats, direction: str, ready: float) -> None:
        """Each chunk `delay_s` after it was read, none sent before `ready`."""
        queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()

        async def deliver() -> None:
            while True:
                due, data = await queue.get()
                wait = due - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                if not data:
                    return
                writer.write(data)
                await writer.drain()

        sender = asyncio.ensure_future(deliver())
        try:
            while True:
                data = await reader.read(65536)
                if data:
                    self._note(conn, direction, len(data))
                queue.put_nowait((max(time.monotonic(), ready) + self.delay_s, data))
                if not data:
                    break
            await sender
        except (OSError, ConnectionError):
            pass
        finally:
            sender.cancel()
