"""The served configuration (gunicorn.conf.py) survives slow clients (issue 11, item 5)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _served(port: int, data_dir: Path) -> tuple[list[str], dict[str, str]]:
    """The command and environment of the project's gunicorn on ``port``."""
    env = {
        **os.environ,
        "GAPMAP_DATA_DIR": str(data_dir),
        "GAPMAP_CACHE_TYPE": "SimpleCache",
        "GAPMAP_WARM_POLL": "0",
    }
    cmd = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "-b", f"127.0.0.1:{port}"]
    return cmd, env


@pytest.fixture(scope="module")
def gunicorn(tmp_path_factory):
    port = _free_port()
    cmd, env = _served(port, tmp_path_factory.mktemp("gu"))
    log = open(tmp_path_factory.mktemp("log") / "gunicorn.log", "w")  # noqa: SIM115
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300  # preload_app: the port opens once the master is warm
    while True:
        try:
            urllib.request.urlopen(url + "/_dash-layout", timeout=5).read()
            break
        except OSError:
            assert proc.poll() is None and time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.3)
    yield port, url
    proc.terminate()
    proc.wait(timeout=30)
    log.close()


def test_slow_clients_do_not_block_others(gunicorn):
    port, url = gunicorn
    slow = []
    for _ in range(4):  # more slow clients than workers
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ")  # headers never finished
        slow.append(s)
    try:
        with urllib.request.urlopen(url + "/_dash-layout", timeout=20) as r:
            assert r.status == 200
            assert r.headers["Server"] == "gunicorn"  # no version in the header
    finally:
        for s in slow:
            s.close()


def test_a_second_server_on_the_same_port_refuses_to_start(gunicorn, tmp_path):
    """Each worker binds its own socket (``reuse_port``): without the check in ``on_starting``
    a second deployment on the port would bind too and silently take part of its traffic."""
    port, url = gunicorn
    cmd, env = _served(port, tmp_path / "other")
    second = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert second.returncode != 0
    assert f"127.0.0.1:{port} is in use" in second.stderr
    assert "Booting worker" not in second.stderr
    urllib.request.urlopen(url + "/_dash-layout", timeout=10).read()  # the first one still serves
