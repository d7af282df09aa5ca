"""Dashboard benchmark: what the main interactions cost on the real UN extract.

Imports ``../shared/data/sdg-global-extract/sdg_disaggregated_long.csv.gz`` into a temporary
store (or reuses ``--data-dir``), builds the app with ``warm=True`` and waits for the warm-up
thread, serves it on 127.0.0.1 and drives Debian's Chromium through the main interactions
(first load, filters, matrix, country page). It records the bytes the browser received and every
``POST /_dash-update-component``, then replays each captured callback with the Flask test client
(``Accept-Encoding: gzip``): ``cached`` as a repeat visitor sees it, ``uncached`` with the page
cache (flask-caching) cleared before every call, i.e. a filter combination nobody asked for yet
(the gap engine's per-group results stay warm, as after the start-up warm-up).

Baseline in the same run: ``GET /_dash-layout`` (the app shell, no data work). Prints figures
and budget verdicts; never fails on time.

    python bench/bench_dashboard.py [--data-dir DIR] [--repeat 30] [--file FILE]
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEFAULT = ROOT.parent / "shared" / "data" / "sdg-global-extract" / "sdg_disaggregated_long.csv.gz"
CHROMIUM = "/usr/bin/chromium"
# As tests/browser/conftest.py: Debian's Chromium, offline, headless.
ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--no-first-run", "--disable-quic",
]  # fmt: skip
UPDATE = "/_dash-update-component"
BUDGET_MS, BUDGET_UPDATE, BUDGET_FIRST = 50.0, 20 * 1024, 1.5 * 1024 * 1024
# seconds with no request in flight that end an interaction (side_by_side.py raises it: on a
# loaded machine the browser may send a callback later than that)
QUIET = 0.6


@dataclass
class Captured:
    """One callback request the browser made."""

    interaction: str
    body: bytes
    outputs: str
    browser_ms: float
    cached: list[float] = field(default_factory=list)
    uncached: list[float] = field(default_factory=list)
    raw: int = 0
    gz: int = 0


class Recorder:
    """Every request of a browser context: in flight, finished, and which left 127.0.0.1."""

    def __init__(self) -> None:
        self.inflight = 0
        self.last = time.monotonic()
        self.finished: list = []  # (interaction, request)
        self.external: list[str] = []
        self.interaction = ""

    def attach(self, context) -> None:
        context.route("**/*", self._guard)
        context.on("request", self._start)
        context.on("requestfinished", self._end)
        context.on("requestfailed", lambda r: self._end(r, ok=False))

    def _guard(self, route) -> None:
        url = route.request.url
        if url.startswith(("data:", "blob:")) or urlparse(url).hostname in ("127.0.0.1",):
            route.continue_()
        else:
            self.external.append(url)
            route.abort()

    def _start(self, _request) -> None:
        self.inflight += 1
        self.last = time.monotonic()

    def _end(self, request, ok: bool = True) -> None:
        self.inflight -= 1
        self.last = time.monotonic()
        if ok:
            self.finished.append((self.interaction, request))

    def settle(self, page, quiet: float | None = None, limit: float = 90.0) -> None:
        """Wait until no request has been in flight for ``quiet`` (default QUIET) seconds."""
        quiet = QUIET if quiet is None else quiet
        start = time.monotonic()
        while time.monotonic() - start < limit:
            page.wait_for_timeout(100)
            if self.inflight <= 0 and time.monotonic() - self.last > quiet:
                return
        print(f"  warning: {self.interaction!r} still busy after {limit:.0f} s")


def interactions(base: str):
    """(name, action(page)) of the main interactions, in the order a person would do them."""
    shapes = "#overview-map-graph path.choroplethlocation"

    def first_load(page):
        page.goto(base + "/")
        # a function, not an expression string: the app's CSP forbids eval of strings
        page.wait_for_function("s => document.querySelectorAll(s).length >= 150", arg=shapes)

    def series(page):
        values = page.eval_on_selector_all("#filters-series option", "os => os.map(o => o.value)")
        real = [v for v in values if v not in ("", "all")]
        # a series of the older-persons group reported by ~50 countries; else the first one
        page.select_option("#filters-series", "SL_DOM_TSPD" if "SL_DOM_TSPD" in real else real[0])

    return [
        ("first load /", first_load),
        ("group older", lambda p: p.select_option("#filters-group", "older")),
        ("mode values", lambda p: p.check("#filters-mode input[value=values]")),
        ("mode disparity", lambda p: p.check("#filters-mode input[value=disparity]")),
        ("pick a series", series),
        ("region Africa", lambda p: p.select_option("#filters-region", "002")),
        ("source official", lambda p: p.select_option("#filters-source", "official")),
        ("mode progress", lambda p: p.check("#filters-mode input[value=progress]")),
        ("open /matrix", lambda p: p.click("#shell-nav-matrix")),
        ("open /country/KEN", lambda p: p.click("a[href^='/country/KEN']")),
        ("open the status matrix", lambda p: p.click("#country-status-matrix details > summary")),
    ]


def drive(base: str) -> tuple[Recorder, dict[str, str]]:
    """Walk through the interactions in Chromium; returns the recorder and final URLs."""
    from playwright.sync_api import sync_playwright

    rec, urls = Recorder(), {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
        rec.attach(context)
        page = context.new_page()
        page.set_default_timeout(300_000)  # 10M cache misses on 2 loaded cores
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        for name, action in interactions(base):
            rec.interaction = name
            action(page)
            rec.settle(page)
            urls[name] = page.url.removeprefix(base)
        # sizes() and timing are read after the fact: not from inside event handlers.
        rec.finished = [(n, r, r.sizes(), r.timing, _headers(r)) for n, r in rec.finished]
        browser.close()
    if errors:
        print(f"JavaScript errors: {errors}")
    return rec, urls


def _headers(request) -> dict[str, str]:
    response = request.response()
    return response.headers if response else {}


def first_load_report(rec: Recorder) -> int:
    """Print what the first load transferred (encoded bodies + headers); returns the total."""
    rows = [
        (r.url, s["responseBodySize"] + s["responseHeadersSize"], h.get("content-encoding", "-"))
        for n, r, s, _, h in rec.finished
        if n == "first load /"
    ]
    total = sum(b for _, b, _ in rows)
    print(f"first load of / : {len(rows)} responses, {total / 1024:.0f} KB transferred")
    for url, size, enc in sorted(rows, key=lambda x: -x[1])[:6]:
        path = urlparse(url).path
        print(f"  {size / 1024:8.1f} KB  {enc:5s} {path[:90]}")
    return total


def captured_callbacks(rec: Recorder) -> list[Captured]:
    """Every callback request of the session, with its outputs and browser-side wait."""
    out = []
    for name, req, _, timing, _ in rec.finished:
        if req.method != "POST" or urlparse(req.url).path != UPDATE:
            continue
        body = req.post_data_buffer or b""
        outputs = json.loads(body).get("outputs", [])
        outputs = outputs if isinstance(outputs, list) else [outputs]
        labels = list(dict.fromkeys(str(o.get("id")) for o in outputs))
        ms = timing["responseStart"] - timing["requestStart"]
        out.append(Captured(name, body, _short(labels), ms))
    return out


def _short(labels: list[str], width: int = 34) -> str:
    text = labels[0] + (f" +{len(labels) - 1}" if len(labels) > 1 else "")
    return text if len(text) <= width else text[: width - 1] + "\u2026"


def replay(app, calls: list[Captured], repeat: int) -> tuple[float, float]:
    """Time every captured callback with the Flask test client; returns the baseline p50/p95."""
    from data.cache import cache

    client = app.server.test_client()
    headers = {"Content-Type": "application/json", "Accept-Encoding": "gzip"}
    base = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        client.get("/_dash-layout", headers=headers)
        base.append((time.perf_counter() - t0) * 1000)
    for call in calls:
        for uncached in (True, False):
            for _ in range(repeat):
                if uncached:
                    with app.server.app_context():
                        cache.clear()
                t0 = time.perf_counter()
                resp = client.post(UPDATE, data=call.body, headers=headers)
                (call.uncached if uncached else call.cached).append(
                    (time.perf_counter() - t0) * 1000
                )
        data = resp.get_data()
        gzipped = resp.headers.get("Content-Encoding") == "gzip"
        call.raw = len(gzip.decompress(data)) if gzipped else len(data)
        call.gz = len(data) if gzipped else len(gzip.compress(data, 6))
    return pct(base, 50), pct(base, 95)


def pct(values: list[float], q: int) -> float:
    """The q-th percentile (inclusive method; the value itself for one sample)."""
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def table(calls: list[Captured], base50: float) -> None:
    """The per-callback table."""
    head = (
        f"{'interaction':18} {'callback outputs':34} {'req B':>6} {'first':>6} "
        f"{'unc p50':>7} {'unc p95':>7} {'hit p50':>7} {'hit p95':>7} {'x base':>6} "
        f"{'raw B':>8} {'gzip B':>7}"
    )
    print(head)
    print("-" * len(head))
    for c in calls:
        print(
            f"{c.interaction:18} {c.outputs:34} {len(c.body):6d} {c.browser_ms:6.0f} "
            f"{pct(c.uncached, 50):7.1f} {pct(c.uncached, 95):7.1f} "
            f"{pct(c.cached, 50):7.1f} {pct(c.cached, 95):7.1f} "
            f"{pct(c.uncached, 50) / base50:6.1f} {c.raw:8d} {c.gz:7d}"
        )


def verdicts(calls: list[Captured], first: int, external: list[str]) -> None:
    """Budget verdicts: p95 for cache hits and for uncached calls, bytes, first load, offline."""

    def mark(ok: bool) -> str:
        return "met" if ok else "MISSED"

    for label, attr in (("cache hit", "cached"), ("uncached", "uncached")):
        worst = max(calls, key=lambda c: pct(getattr(c, attr), 95))
        p95 = pct(getattr(worst, attr), 95)
        over = sum(pct(getattr(c, attr), 95) > BUDGET_MS for c in calls)
        print(
            f"budget p95 <= {BUDGET_MS:.0f} ms ({label}): worst {p95:.1f} ms "
            f"({worst.interaction}: {worst.outputs}); {over} of {len(calls)} callbacks over "
            f"-> {mark(p95 <= BUDGET_MS)}"
        )
    worst_gz = max(calls, key=lambda c: c.gz)
    print(
        f"budget update <= 20 KB gzip: worst {worst_gz.gz / 1024:.1f} KB "
        f"({worst_gz.interaction}: {worst_gz.outputs}) -> {mark(worst_gz.gz <= BUDGET_UPDATE)}"
    )
    print(
        f"budget first load <= 1.5 MB: {first / 1024 / 1024:.2f} MB -> "
        f"{mark(first <= BUDGET_FIRST)}"
    )
    print(f"requests leaving 127.0.0.1: {len(external)} -> {mark(not external)}")
    for url in external[:5]:
        print(f"  {url}")


def build_store(path: Path, data_dir: Path) -> None:
    """Import the extract into a fresh store in ``data_dir``."""
    from data import queries
    from data.pipeline import import_files
    from data.settings import Settings

    settings = Settings(data_dir=data_dir, demo_on_empty=False, cache_type="NullCache")
    t0 = time.perf_counter()
    [summary] = import_files(queries.configure(settings), [path], settings)
    print(f"imported {path.name}: {summary.rows} rows in {time.perf_counter() - t0:.1f} s")


def start_app(data_dir: Path):
    """The warm app on ``data_dir`` served in a daemon thread: (app, server, base URL)."""
    from werkzeug.serving import make_server

    from app import create_app
    from data.settings import Settings

    settings = Settings(data_dir=data_dir, demo_on_empty=False, cache_type="SimpleCache")
    t0 = time.perf_counter()
    app = create_app(settings, warm=True)
    built = time.perf_counter() - t0
    for thread in threading.enumerate():
        if thread.name == "gapmap-warm-up":
            thread.join()
    print(f"create_app: {built:.1f} s; warm-up finished after {time.perf_counter() - t0:.1f} s")
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return app, server, f"http://127.0.0.1:{server.server_port}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, help="reuse a store that holds the extract")
    parser.add_argument("--file", type=Path, default=DEFAULT, help="the extract to import")
    parser.add_argument("--repeat", type=int, default=30, help="replays per callback")
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print(f"skipped: Debian's Chromium not found at {CHROMIUM}")
        return
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = args.data_dir
        if data_dir is None:
            if not args.file.exists():
                print(f"skipped: {args.file} not found (see ../shared/data/README.md)")
                return
            data_dir = Path(tmp)
            build_store(args.file, data_dir)
        app, server, base = start_app(data_dir)
        try:
            rec, urls = drive(base)
        finally:
            server.shutdown()
        first = first_load_report(rec)
        topo = [r.url for _, r, *_ in rec.finished if "topojson/world_" in r.url]
        print(f"topojson fetches in the whole session: {len(topo)}")
        print("URL after each interaction: " + "; ".join(f"{k} -> {v}" for k, v in urls.items()))
        calls = captured_callbacks(rec)
        base50, base95 = replay(app, calls, args.repeat)
    print()
    print(
        f"baseline GET /_dash-layout: p50 {base50:.1f} ms, p95 {base95:.1f} ms "
        f"(x base = uncached p50 / baseline p50); {args.repeat} replays per callback; "
        "first = browser wait (ms) of the live call"
    )
    table(calls, base50)
    print()
    verdicts(calls, first, rec.external)


if __name__ == "__main__":
    main()
