"""A real PostgreSQL server for the tests, on a free loopback port in a temporary directory.

Debian's PostgreSQL binaries (``apt-get install postgresql``, done by ``.ci/test``) run as the
``postgres`` system user: PostgreSQL refuses to run as root, and the tests do run as root in
CI, so ``initdb`` and ``postgres`` are started through ``runuser -u postgres --`` on a data
directory chowned to that user. Nothing is mocked; a missing binary is a failure with the
command that installs it, never a skip. Durability settings are off (``fsync=off``): the
tests kill clients, never the server, and a committed transaction is still visible to every
other connection at once.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import psycopg

INSTALL = "apt-get install postgresql (what .ci/test does)"


def _bin_dir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        raise RuntimeError(
            "PostgreSQL is not installed: /usr/lib/postgresql/*/bin/initdb is missing. "
            f"Install it with: {INSTALL}."
        )
    return Path(found[-1]).parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PgServer:
    """One PostgreSQL cluster: ``start()``, ``create_database()``, ``url(name)``, ``stop()``."""

    def __init__(self) -> None:
        self.bin = _bin_dir()
        self.user = "postgres"
        self.root = Path(tempfile.mkdtemp(prefix="gapmap-pg-"))
        self.data = self.root / "data"
        self.sockets = self.root / "run"
        self.port = 0
        self.proc: subprocess.Popen | None = None

    def _as_postgres(self) -> list[str]:
        if os.geteuid() != 0:
            return []  # an ordinary user runs PostgreSQL as itself
        if shutil.which("runuser") is None:
            raise RuntimeError("runuser (util-linux) is needed to run PostgreSQL as postgres")
        return ["runuser", "-u", self.user, "--"]

    def start(self) -> PgServer:
        """Initialise the cluster and start the server; returns once it accepts connections."""
        self.sockets.mkdir(parents=True)
        if os.geteuid() == 0:
            shutil.chown(self.root, self.user)
            shutil.chown(self.sockets, self.user)
        else:
            self.user = os.environ.get("USER", "postgres")
        done = subprocess.run(
            [*self._as_postgres(), str(self.bin / "initdb"), "-D", str(self.data),
             "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"],
            capture_output=True,
            text=True,
            timeout=120,
        )  # fmt: skip
        if done.returncode != 0:
            raise RuntimeError(f"initdb failed: {done.stderr.strip()}")
        for _attempt in range(5):  # a port found free may be taken by the time we bind it
            self.port = _free_port()
            self.proc = subprocess.Popen(
                [*self._as_postgres(), str(self.bin / "postgres"), "-D", str(self.data),
                 "-h", "127.0.0.1", "-p", str(self.port), "-k", str(self.sockets),
                 "-c", "fsync=off", "-c", "synchronous_commit=off",
                 "-c", "full_page_writes=off", "-c", "max_connections=200"],
                stdout=subprocess.DEVNULL,
                stderr=open(self.root / "server.log", "ab"),  # noqa: SIM115 - the server's
            )  # fmt: skip
            if self._wait_ready():
                return self
            self.proc.kill()
            self.proc.wait(10)
        log = (self.root / "server.log").read_text(errors="replace")[-2000:]
        raise RuntimeError(f"PostgreSQL did not start on a loopback port:\n{log}")

    def _wait_ready(self, timeout: float = 60.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                return False
            try:
                psycopg.connect(self.dsn("postgres"), connect_timeout=2).close()
                return True
            except psycopg.OperationalError:
                time.sleep(0.1)
        return False

    def dsn(self, database: str) -> str:
        """libpq connection string of ``database`` on this server."""
        return f"host=127.0.0.1 port={self.port} user=postgres dbname={database}"

    def url(self, database: str) -> str:
        """SQLAlchemy URL (psycopg 3 driver) of ``database`` on this server."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self) -> str:
        """A new empty database (a copy of template0); returns its name."""
        name = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.dsn("postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
        return name

    def drop_database(self, name: str) -> None:
        """Drop ``name``, ending any connection a test left open to it."""
        with psycopg.connect(self.dsn("postgres"), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        """Stop the server (fast shutdown) and delete its directory."""
        if self.proc is not None and self.proc.poll() is None:
            subprocess.run(  # through pg_ctl: a signal to runuser might not reach postgres
                [*self._as_postgres(), str(self.bin / "pg_ctl"), "stop", "-D", str(self.data),
                 "-m", "immediate", "-w"],
                capture_output=True,
                timeout=60,
            )  # fmt: skip
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        shutil.rmtree(self.root, ignore_errors=True)
