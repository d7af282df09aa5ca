"""A real redis-server for the tests, on a free loopback port in a temporary directory.

Debian's ``redis-server`` (``apt-get install redis-server``, done by ``.ci/test``) is started as a
child process with no persistence, bound to 127.0.0.1 only. Nothing is mocked; a missing binary
is a failure naming the command that installs it, never a skip. ``kill()`` is a SIGKILL (Redis
"going away" mid-run); ``start()`` again brings it back, empty, on the same port.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import redis

INSTALL = "apt-get install redis-server (what .ci/test does)"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RedisServer:
    """One redis-server: ``start()``, ``url``, ``client()``, ``kill()``, ``stop()``."""

    def __init__(self, directory: Path, port: int | None = None) -> None:
        self.binary = shutil.which("redis-server")
        if self.binary is None:
            raise RuntimeError(f"redis-server is not installed. Install it with: {INSTALL}.")
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.port = port or _free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        """``redis://127.0.0.1:<port>/0``."""
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        """A plain client of this server (for the tests' own look at it)."""
        return redis.Redis.from_url(self.url, socket_connect_timeout=2, socket_timeout=5)

    def start(self, timeout: float = 30.0) -> RedisServer:
        """Start it; returns once it answers PING."""
        log = open(self.directory / "redis.log", "ab")  # noqa: SIM115 (kept by the process)
        self.proc = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1",
             "--dir", str(self.directory), "--save", "", "--appendonly", "no",
             "--protected-mode", "yes", "--daemonize", "no"],
            stdout=log,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        log.close()
        deadline = time.monotonic() + timeout
        while True:
            try:
                if self.client().ping():
                    return self
            except redis.RedisError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                text = (self.directory / "redis.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"redis-server did not start on port {self.port}:\n{text}")
            time.sleep(0.05)

    def kill(self) -> None:
        """SIGKILL, and wait until the port refuses connections."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=30)
        self.proc = None

    def stop(self) -> None:
        """Terminate it (SIGTERM, then SIGKILL if it lingers)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=30)
        self.proc = None


@contextmanager
def redis_server(directory: Path) -> Iterator[RedisServer]:
    """A started redis-server on a free port in ``directory``; killed on exit."""
    server = RedisServer(directory).start()
    try:
        yield server
    finally:
        server.kill()
