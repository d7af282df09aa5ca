"""Browser fixtures: the app on the demo store in-process, Debian's Chromium through Playwright.

Every request that leaves 127.0.0.1 is aborted and counted; a test fails if any was made.
Never downloads a browser: Chromium is Debian's (/usr/bin/chromium), installed by .ci/test.
"""

from __future__ import annotations

import logging
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from data.settings import Settings

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


class LiveServer:
    """The app served by werkzeug in a daemon thread."""

    def __init__(self, settings: Settings):
        from app import create_app

        self.app = create_app(settings, warm=True)  # as served: the warm-up runs in the background
        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no access log per request
        self.server = make_server("127.0.0.1", 0, self.app.server, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()

    def at(self, path: str) -> str:
        """Absolute URL of a path of the app."""
        return self.url + path


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> Iterator[LiveServer]:
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("browser-store"),
        demo_on_empty=True,
        cache_type="SimpleCache",
    )
    server = LiveServer(settings)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Debian's Chromium is not installed at {CHROMIUM}: run `bash .ci/test`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def external_requests() -> list[str]:
    return []


@pytest.fixture
def page(browser, external_requests):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")

    def guard(route):
        host = urlparse(route.request.url).hostname or ""
        if route.request.url.startswith(("data:", "blob:")) or host in LOCAL_HOSTS:
            route.continue_()
        else:
            external_requests.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    pg = context.new_page()
    pg.set_default_timeout(20_000)
    # assertions wait as long as actions: a loaded 2-core CI machine answers some callbacks
    # in more than expect()'s default 5 s
    expect.set_options(timeout=20_000)
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    # plotly.js only logs a console error when the map file cannot be fetched (a blank map);
    # blocked external requests are reported above, so they are not counted twice here
    # An unknown path answers 404 on purpose (with the friendly page): Chromium logs that
    # status of the document itself as an error; any other failed load still counts.
    pg.on(
        "console",
        lambda msg: (
            errors.append(f"console: {msg.text}")
            if msg.type == "error"
            and not external_requests
            and not ("status of 404" in msg.text and msg.location.get("url") == pg.url)
            else None
        ),
    )
    yield pg
    context.close()
    assert external_requests == [], f"requests left 127.0.0.1: {external_requests}"
    assert errors == [], f"JavaScript errors: {errors}"


class ProcessServer:
    """The app run as a user runs it (``python app.py``) in its own process, on a free port.

    Its own process, not a thread: ``data.queries`` holds one store per process, and the
    in-process ``live_server`` (demo store) is used by other tests of the same session.
    """

    def __init__(self, data_dir: Path):
        import os
        import socket
        import subprocess
        import sys
        import time
        import urllib.request

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        root = Path(__file__).resolve().parents[2]
        env = {
            **os.environ,
            "GAPMAP_DATA_DIR": str(data_dir),
            "GAPMAP_PORT": str(port),
            "GAPMAP_DEMO_ON_EMPTY": "0",
            "GAPMAP_CACHE_TYPE": "SimpleCache",
        }
        self.log = open(Path(data_dir) / "server.log", "w")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [sys.executable, "app.py"], cwd=root, env=env, stdout=self.log, stderr=self.log
        )
        self.url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(self.url + "/_dash-layout", timeout=5).read()
                break
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    log = (Path(data_dir) / "server.log").read_text()[-3000:]
                    pytest.fail(f"the app did not start on the real-shape store:\n{log}")
                time.sleep(0.3)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except Exception:
            self.proc.kill()
        self.log.close()

    def at(self, path: str) -> str:
        """Absolute URL of a path of the app."""
        return self.url + path


@pytest.fixture(scope="session")
def realshape_server(tmp_path_factory) -> Iterator[ProcessServer]:
    """The app on the real-shape store (tests/realshape.py), in its own process.

    The store is built in a child process too, so this process's ``data.queries`` keeps
    answering from the demo store of ``live_server``.
    """
    import subprocess
    import sys

    data_dir = tmp_path_factory.mktemp("realshape-browser")
    root = Path(__file__).resolve().parents[2]
    code = "import sys; from pathlib import Path; from tests import realshape; "
    code += "realshape.build(Path(sys.argv[1]))"
    subprocess.run([sys.executable, "-c", code, str(data_dir)], cwd=root, check=True)
    server = ProcessServer(data_dir)
    yield server
    server.stop()
