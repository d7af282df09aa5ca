"""Soak: N simulated users on the served app (gunicorn) for a fixed time, plus slow clients.

Starts gunicorn with the project's own ``gunicorn.conf.py`` (README "Deploying": threaded
workers; here bound to 127.0.0.1 on a free port, ``-w`` from ``--workers``) on a temporary
store: the demo datasets (``python -m data demo``), the real UN extract imported first
(``--extract``), or an existing store (``--data-dir``). The page cache is the README's
``FileSystemCache`` in the temporary directory.

Realistic traffic: Debian's Chromium loads ``/``, ``/matrix`` and a country page once and the
script records the callback requests it sends (``POST /_dash-update-component``), the option
lists of every filter and the countries the matrix links to. Each simulated user then loops:
load a page with a random filter state in its URL (the HTML, ``/_dash-layout``,
``/_dash-dependencies``, the Pages routing callback, the page's sync callback and, on the
overview, the map and table callbacks it triggers, each fed the state the server returned, as
the browser does), then change one to three filters, with a think time between actions. The
first visit of a user also fetches the static files (a browser caches them afterwards).

A slow-client check runs in the middle fifth of the soak: ``--slow-clients`` connections send a
request's headers one line every few seconds and never finish them (slowloris style). The p95
of the other users' requests before, during and after that window is printed.

Worker RSS (``/proc/<pid>/status``) is sampled every ``--sample`` seconds, with the requests,
errors and p95 of that interval. Errors are responses other than 2xx/3xx and exceptions.

Plain threads and ``requests`` (a runtime dependency already) rather than locust: a user here
chains callbacks on the server's answers, the script samples ``/proc`` and drives raw sockets
for the slow clients, and locust would add gevent (monkey-patching) and a second process model
for no gain at 50 users who mostly think. The client shares the machine's cores with the
server; its own CPU time is printed so the figures can be read with that in mind.

    python bench/bench_soak.py [--users 50] [--minutes 10] [--workers 2] [--extract]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlparse

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
EXTRACT = ROOT.parent / "shared" / "data" / "sdg-global-extract" / "sdg_disaggregated_long.csv.gz"
LICENCE = "CC BY 4.0 (UN SDG Global Database terms of use)"
ATTRIBUTION = "United Nations Statistics Division, Global SDG Indicators Database"
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--no-first-run", "--disable-quic",
]  # fmt: skip
UPDATE = "/_dash-update-component"
JSON_HEADERS = {"Content-Type": "application/json", "Accept-Encoding": "gzip"}
# first output id of a callback -> the kind its timings are filed under
KINDS = {
    "_pages_content": "cb pages",
    "overview-url": "cb overview sync",
    "overview-map-graph": "cb map",
    "overview-map-table": "cb map table",
    "matrix-url": "cb matrix",
    "country-url": "cb country",
}
PAGE_WEIGHTS = {"overview": 5, "matrix": 2, "country": 3}
# every app sends these; "cb map" and "cb map table" only where the map has its own callbacks;
# "cb pages" (Dash's router) only where the page does not come with the layout
REQUIRED = {"cb overview sync", "cb matrix", "cb country"}


# -- the server ---------------------------------------------------------------------------------


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def gapmap_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of the server and the CLI: the store in ``data_dir``, its cache beside."""
    return {
        **os.environ,
        "GAPMAP_DATA_DIR": str(data_dir),
        "GAPMAP_CACHE_TYPE": "FileSystemCache",
        "GAPMAP_CACHE_DIR": str(data_dir / "cache"),
        **extra,
    }


def cli(env: dict[str, str], *args: str) -> float:
    """Run ``python -m data ARGS``; returns seconds; raises when it fails."""
    t0 = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "data", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise RuntimeError(f"python -m data {args[0]} failed:\n{done.stdout}\n{done.stderr}")
    return time.perf_counter() - t0


def import_extract(env: dict[str, str], path: Path, *flags: str) -> float:
    """``python -m data import`` of the extract with the README's licence and attribution."""
    return cli(env, "import", str(path), "--licence", LICENCE, "--attribution", ATTRIBUTION, *flags)


class Gunicorn:
    """``gunicorn -c gunicorn.conf.py`` on 127.0.0.1, its workers and their memory and CPU."""

    def __init__(self, env: dict[str, str], workers: int, log: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = open(log, "w")  # noqa: SIM115 (closed in stop)
        cmd = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"]
        cmd += ["-b", f"127.0.0.1:{self.port}", "-w", str(workers)]
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=self.log, stderr=self.log)
        self.logfile = log

    def wait_ready(self, limit: float = 300.0) -> float:
        """Wait until ``/_dash-layout`` answers 200; returns seconds."""
        t0 = time.monotonic()
        while True:
            try:
                if requests.get(self.base + "/_dash-layout", timeout=5).status_code == 200:
                    return time.monotonic() - t0
            except requests.RequestException:
                pass
            if self.proc.poll() is not None or time.monotonic() - t0 > limit:
                raise RuntimeError(f"gunicorn did not start, see {self.logfile}")
            time.sleep(0.3)

    def workers(self) -> list[int]:
        """Pids of the workers (children of the master), from /proc."""
        pids = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == self.proc.pid:
                pids.append(int(entry))
        return sorted(pids)

    def wait_idle(self, limit: float = 600.0, quiet: float = 3.0) -> float:
        """Wait until the workers' background warm-up ends (CPU < 5 % for ``quiet`` s)."""
        t0 = time.monotonic()
        while time.monotonic() - t0 < limit:
            before = sum(cpu_seconds(p) for p in self.workers())
            time.sleep(quiet)
            if sum(cpu_seconds(p) for p in self.workers()) - before < 0.05 * quiet:
                return time.monotonic() - t0
        print(f"  warning: workers still busy after {limit:.0f} s")
        return time.monotonic() - t0

    def stop(self) -> None:
        """Terminate the master (it stops its workers) and close the log."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=40)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


def rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` in MB (0 when it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of ``pid`` (0 when it is gone)."""
    try:
        fields_ = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields_[11]) + int(fields_[12])) / os.sysconf("SC_CLK_TCK")


# -- what a browser sends -----------------------------------------------------------------------


@dataclass
class Templates:
    """Callback bodies a real Chromium sent, the filters' options and the static files."""

    bodies: dict[str, tuple[str, dict]] = field(default_factory=dict)  # kind -> (url, body)
    options: dict[str, list[str]] = field(default_factory=dict)  # control id -> values
    countries: list[str] = field(default_factory=list)
    assets: list[str] = field(default_factory=list)
    # page ("/", "/matrix", "/country") -> callback kinds Chromium sent while loading it; None:
    # not recorded (every page's own callback is sent on load). A page that draws its first
    # state in its layout (prevent_initial_call) sends its callback only on a change.
    on_load: dict[str, list[str]] | None = None

    def body(self, kind: str) -> tuple[str, dict]:
        """A fresh copy of the recorded body of ``kind`` and the URL it was posted to."""
        url, body = self.bodies[kind]
        return url, json.loads(json.dumps(body))


def _kind(method: str, url: str, post_data: str | None) -> str | None:
    """The kind of a request Chromium sent (None: not a callback of a known kind)."""
    if method != "POST" or urlparse(url).path != UPDATE or not post_data:
        return None
    body = json.loads(post_data)
    return KINDS.get(body["outputs"][0]["id"] if body.get("outputs") else "")


def components(tree) -> dict[str, dict]:
    """Every component of a Dash layout (JSON) by id: its props, the shape of a callback's
    response (``{id: {prop: value}}``)."""
    found: dict[str, dict] = {}
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            props = node.get("props")
            if isinstance(props, dict):
                if isinstance(props.get("id"), str):
                    found[props["id"]] = props
                stack.extend(v for v in props.values() if isinstance(v, (dict, list)))
            else:
                stack.extend(v for v in node.values() if isinstance(v, (dict, list)))
    return found


def capture(base: str) -> Templates:
    """Load /, /matrix and a country page in Chromium; record what it sends and offers."""
    from playwright.sync_api import sync_playwright

    tpl, seen = Templates(), []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        page = browser.new_page()
        page.set_default_timeout(600_000)  # a 10M cache miss on a loaded machine
        page.on("request", lambda r: seen.append((r.method, r.url, r.post_data)))

        def values(selector: str) -> list[str]:
            found = page.eval_on_selector_all(selector, "os => os.map(o => o.value)")
            return [v for v in found if v not in ("", None)]

        def change(select: str) -> None:
            """Pick another option of a select, as a visitor does (its page's callback runs)."""
            others = [v for v in values(f"{select} option") if v != page.input_value(select)]
            if others:
                with page.expect_response(lambda r: UPDATE in r.url):
                    page.select_option(select, others[0])
                page.wait_for_timeout(1500)

        on_load: dict[str, list[str]] = {}

        def loaded(name: str) -> None:
            """Note the kinds sent while ``name`` loaded; what follows is a change."""
            page.wait_for_timeout(1500)
            on_load[name] = [k for k in (_kind(*r) for r in seen[mark[0] :]) if k]
            mark[0] = len(seen)

        mark = [0]
        page.goto(base + "/")
        try:
            page.wait_for_function(
                "s => document.querySelectorAll(s).length >= 100",
                arg="#overview-map-graph path.choroplethlocation",
            )
        except Exception as exc:
            text = page.inner_text("body")[:600].replace("\n", " | ")
            raise RuntimeError(f"the map did not draw; the page says: {text}") from exc
        loaded("/")
        for name in ("group", "goal", "year", "region", "source", "base"):
            tpl.options[f"filters-{name}"] = values(f"#filters-{name} option")
        tpl.options["filters-mode"] = values("#filters-mode input")
        change("#filters-group")
        mark[0] = len(seen)
        page.goto(base + "/matrix")
        page.wait_for_selector("#matrix-table a[href^='/country/']", state="attached")
        loaded("/matrix")
        for name in ("region", "source", "sort"):
            tpl.options[f"matrix-{name}"] = values(f"#matrix-{name} option")
        change("#matrix-region")
        hrefs = page.eval_on_selector_all(
            "#matrix-table a[href^='/country/']", "as => as.map(a => a.getAttribute('href'))"
        )
        tpl.countries = sorted({urlparse(h).path.split("/")[2] for h in hrefs})
        mark[0] = len(seen)
        page.goto(base + f"/country/{tpl.countries[0]}")
        page.wait_for_selector("#country-group option", state="attached")
        loaded("/country")
        tpl.options["country-group"] = values("#country-group option")
        change("#country-group")
        browser.close()
    tpl.on_load = on_load
    for method, url, post_data in seen:
        parsed = urlparse(url)
        if method == "POST" and parsed.path == UPDATE:
            body = json.loads(post_data)
            kind = _kind(method, url, post_data)
            if kind and kind not in tpl.bodies:
                tpl.bodies[kind] = (
                    parsed.path + ("?" + parsed.query if parsed.query else ""),
                    body,
                )
        elif method == "GET" and parsed.path.startswith(("/assets/", "/_dash-component")):
            tpl.assets.append(parsed.path + ("?" + parsed.query if parsed.query else ""))
    tpl.assets = list(dict.fromkeys(tpl.assets))
    missing = sorted(REQUIRED - set(tpl.bodies))
    if missing:
        raise RuntimeError(f"the browser sent no callback of kind {missing}: the app changed?")
    return tpl


# -- measurements -------------------------------------------------------------------------------


@dataclass
class Sample:
    """One request: when it ended (s since the start), its kind, latency, outcome."""

    start: float
    end: float
    kind: str
    ms: float
    ok: bool
    user: int


class Log:
    """Every request of the run (list.append is atomic in CPython) and the errors seen."""

    def __init__(self) -> None:
        self.t0 = time.monotonic()
        self.samples: list[Sample] = []
        self.errors: Counter = Counter()
        self.examples: dict[tuple, str] = {}

    def now(self) -> float:
        """Seconds since the start of the run."""
        return time.monotonic() - self.t0


def pct(values: list[float], q: float) -> float:
    """The q-th percentile (inclusive method; nan for no values)."""
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=1000, method="inclusive")[int(q * 10) - 1]


class Client:
    """One simulated visitor: a ``requests`` session (keep-alive, like a browser tab)."""

    def __init__(self, base: str, tpl: Templates, log: Log, user: int, rng: random.Random):
        self.base, self.tpl, self.log, self.user, self.rng = base, tpl, log, user, rng
        self.http = requests.Session()

    def request(self, kind: str, method: str, path: str, body: dict | None = None, headers=None):
        """Send one request, file its latency; returns the response or None on an exception."""
        start = self.log.now()
        t0 = time.perf_counter()
        try:
            if body is None:
                resp = self.http.request(method, self.base + path, headers=headers, timeout=60)
            else:
                data = json.dumps(body)
                resp = self.http.post(self.base + path, data=data, headers=JSON_HEADERS, timeout=60)
            ok = resp.status_code < 400
            problem = None if ok else str(resp.status_code)
        except requests.RequestException as exc:
            resp, ok, problem = None, False, type(exc).__name__
            body = {"exception": str(exc)[:200], "body": body}
        ms = (time.perf_counter() - t0) * 1000
        self.log.samples.append(Sample(start, self.log.now(), kind, ms, ok, self.user))
        if problem:
            self.log.errors[(kind, problem)] += 1
            self.log.examples.setdefault(
                (kind, problem), f"{method} {path} {json.dumps(body)}"[:300]
            )
        return resp

    def page_url(self, path: str) -> str:
        """The absolute address of a page of the app."""
        return self.base + path

    def callback(self, kind: str, body: dict) -> dict:
        """POST a callback body; returns the outputs the server sent ({} when none)."""
        url, _ = self.tpl.bodies[kind]
        resp = self.request(kind, "POST", url, body)
        if resp is None or resp.status_code != 200:
            return {}
        try:
            return resp.json().get("response", {})
        except ValueError:
            return {}

    # -- pages --------------------------------------------------------------------------------

    def sends_on_load(self, page: str, kind: str) -> bool:
        """True when Chromium sent ``kind`` while loading ``page`` (or it was not recorded)."""
        return self.tpl.on_load is None or kind in self.tpl.on_load.get(page, [kind])

    def load(self, path: str, search: str, first: bool) -> dict[str, dict]:
        """What a browser requests to open ``path`` (static files only on the first visit);
        the page's components as ``{id: props}`` (the first state it draws)."""
        self.request("page", "GET", path + search)
        if first:
            for asset in self.tpl.assets:
                self.request("asset", "GET", asset)
        # the layout carries the page where the app puts it there (its address: the Referer);
        # filed with the callbacks, as it does the router callback's work
        referer = {"Referer": self.page_url(path + search)}
        layout = self.request("cb layout", "GET", "/_dash-layout", headers=referer)
        self.request("shell", "GET", "/_dash-dependencies")
        try:
            found = components(layout.json()) if layout is not None and layout.ok else {}
        except ValueError:
            found = {}
        if found.get("_pages_content", {}).get("children") or "cb pages" not in self.tpl.bodies:
            return found
        _, body = self.tpl.body("cb pages")
        body["inputs"][0]["value"], body["inputs"][1]["value"] = path, search
        return components(self.callback("cb pages", body))

    def pick(self, control: str) -> str:
        """A random option of a filter."""
        return self.rng.choice(self.tpl.options[control])

    def overview(self, first: bool, think) -> None:
        """Open the map with a random state, then change filters."""
        names = ("mode", "group", "goal", "year", "region", "source", "base")
        keys = self.rng.sample(names, self.rng.randint(0, 3))
        search = "?" + urlencode({k: self.pick(f"filters-{k}") for k in keys}) if keys else ""
        out = self.load("/", search, first)
        if self.sends_on_load("/", "cb overview sync"):
            _, sync = self.tpl.body("cb overview sync")
            sync["inputs"][0]["value"] = search
            sync["changedPropIds"] = sync["parsedChangedPropsIds"] = ["overview-url.search"]
            out = self.callback("cb overview sync", sync)
            self.overview_outputs(out, clicks=0)
        for _ in range(self.rng.randint(1, 3)):
            think()
            if not out:
                return
            cid = self.rng.choice(["series"] + [f"filters-{n}" for n in names])
            _, sync = self.tpl.body("cb overview sync")
            for item in sync["inputs"]:
                if item["property"] == "value" and item["id"] in out:
                    item["value"] = out[item["id"]].get("value", item["value"])
            if cid == "series":
                options = out.get("filters-series", {}).get("options") or [{"value": "all"}]
                cid, value = "filters-series", self.rng.choice(options)["value"]
            else:
                value = self.pick(cid)
            clicks = self.rng.choice([0, 0, 0, 1])  # the map's table shown or not
            for item in sync["inputs"]:
                if item["id"] == cid:
                    item["value"] = value
                elif item["property"] == "n_clicks":  # one callback answers map and table
                    item["value"] = clicks
            sync["inputs"][0]["value"] = out.get("overview-url", {}).get("search", search)
            sync["changedPropIds"] = sync["parsedChangedPropsIds"] = [f"{cid}.value"]
            sync["state"][0]["value"] = out.get("overview-state", {}).get("data")
            out = self.callback("cb overview sync", sync) or out
            self.overview_outputs(out, clicks=clicks)

    def overview_outputs(self, out: dict, clicks: int) -> None:
        """The map and the table callbacks fed the state the sync callback returned (apps
        whose map has callbacks of its own)."""
        data = out.get("overview-state", {}).get("data")
        if data is None or "cb map" not in self.tpl.bodies:
            return
        _, body = self.tpl.body("cb map")
        body["inputs"][0]["value"] = data
        self.callback("cb map", body)
        _, body = self.tpl.body("cb map table")
        body["inputs"][0]["value"], body["inputs"][1]["value"] = data, clicks
        self.callback("cb map table", body)

    def matrix(self, first: bool, think) -> None:
        """Open the matrix with a random region/source/sort, then change them."""
        keys = self.rng.sample(("region", "source", "sort"), self.rng.randint(0, 2))
        search = "?" + urlencode({k: self.pick(f"matrix-{k}") for k in keys}) if keys else ""
        out = self.load("/matrix", search, first)
        if self.sends_on_load("/matrix", "cb matrix"):
            _, body = self.tpl.body("cb matrix")
            body["inputs"][0]["value"] = search
            body["changedPropIds"] = body["parsedChangedPropsIds"] = ["matrix-url.search"]
            out = self.callback("cb matrix", body)
        for _ in range(self.rng.randint(0, 2)):
            think()
            if not out:
                return
            _, body = self.tpl.body("cb matrix")
            for item in body["inputs"][1:]:
                item["value"] = out.get(item["id"], {}).get("value", item["value"])
            item = self.rng.choice(body["inputs"][1:])
            item["value"] = self.pick(item["id"])
            body["inputs"][0]["value"] = out.get("matrix-url", {}).get("search", search)
            body["changedPropIds"] = body["parsedChangedPropsIds"] = [f"{item['id']}.value"]
            body["state"][0]["value"] = out.get("matrix-state", {}).get("data")
            out = self.callback("cb matrix", body) or out

    def country(self, first: bool, think) -> None:
        """Open a random country, sometimes with a group in the URL, then pick series/groups."""
        iso3 = self.rng.choice(self.tpl.countries)
        search = f"?group={self.pick('country-group')}" if self.rng.random() < 0.5 else ""
        path = f"/country/{iso3}"
        out = self.load(path, search, first)

        def body_for(out: dict | None, changed: str, search: str) -> dict:
            _, body = self.tpl.body("cb country")
            body["inputs"][0]["value"] = search
            for item in body["inputs"][1:]:
                if out:
                    item["value"] = out.get(item["id"], {}).get("value", item["value"])
            body["changedPropIds"] = body["parsedChangedPropsIds"] = [changed]
            body["state"][0]["value"] = iso3
            body["state"][1]["value"] = out.get("country-state", {}).get("data") if out else None
            body["state"][2]["value"] = path
            return body

        if self.sends_on_load("/country", "cb country"):
            out = self.callback("cb country", body_for(None, "country-url.search", search))
        for _ in range(self.rng.randint(0, 3)):
            think()
            if not out:
                return
            search = out.get("country-url", {}).get("search", search)
            if self.rng.random() < 0.6:
                options = out.get("country-series", {}).get("options") or []
                if not options:
                    continue
                body = body_for(out, "country-series.value", search)
                body["inputs"][2]["value"] = self.rng.choice(options)["value"]
            else:
                body = body_for(out, "country-group.value", search)
                body["inputs"][1]["value"] = self.pick("country-group")
            out = self.callback("cb country", body) or out


def user_loop(client: Client, stop: threading.Event, think_mean: float) -> None:
    """Visit pages until ``stop`` is set, thinking between actions."""

    def think() -> None:
        stop.wait(think_mean * client.rng.uniform(0.5, 1.5))
        if stop.is_set():
            raise _Stop

    first = True
    stop.wait(client.rng.uniform(0, think_mean))  # users arrive spread over one think time
    try:
        while not stop.is_set():
            page = client.rng.choices(list(PAGE_WEIGHTS), weights=list(PAGE_WEIGHTS.values()))[0]
            getattr(client, page)(first, think)
            first = False
            think()
    except _Stop:
        pass


class _Stop(Exception):
    """The run is over (raised out of a think time)."""


# -- slow clients -------------------------------------------------------------------------------


class SlowClients:
    """Connections that send a request's headers one line every ``interval`` s, never finishing.

    Each is reopened when the server closes it; counts how often and how long it was held.
    """

    def __init__(self, port: int, count: int, interval: float) -> None:
        self.port, self.count, self.interval = port, count, interval
        self.stop = threading.Event()
        self.held: list[float] = []  # seconds a connection stayed open until the server closed it
        self.threads = [threading.Thread(target=self._run, daemon=True) for _ in range(count)]

    def start(self) -> None:
        """Open the connections."""
        for thread in self.threads:
            thread.start()

    def close(self) -> None:
        """Stop sending and close every connection."""
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=self.interval + 5)

    def _run(self) -> None:
        while not self.stop.is_set():
            t0 = time.monotonic()
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=10) as s:
                    s.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
                    n = 0
                    while not self.stop.wait(self.interval):
                        s.sendall(f"X-Slow-{n}: {'a' * 10}\r\n".encode())
                        n += 1
                    continue
            except OSError:
                self.held.append(time.monotonic() - t0)
                self.stop.wait(0.5)


# -- the run ------------------------------------------------------------------------------------


def sample_loop(server: Gunicorn, log: Log, stop: threading.Event, every: float, rows: list):
    """Every ``every`` s: worker RSS and CPU, requests, errors and p95 of the interval."""
    last_t, last_n = 0.0, 0
    while not stop.wait(every):
        now = log.now()
        done = log.samples[last_n:]
        last_n += len(done)
        workers = server.workers()
        row = {
            "t": now,
            "requests": len(done),
            "errors": sum(not s.ok for s in done),
            "p95": pct([s.ms for s in done], 95),
            "p95cb": pct([s.ms for s in done if s.kind.startswith("cb")], 95),
            "rss": {p: rss_mb(p) for p in workers},
            "master": rss_mb(server.proc.pid),
            "load": os.getloadavg()[0],
        }
        rows.append(row)
        print(format_row(row, now - last_t), flush=True)
        last_t = now


def format_row(row: dict, interval: float) -> str:
    """One line of the RSS-over-time table."""
    rss = " ".join(f"{pid}:{mb:6.1f}" for pid, mb in row["rss"].items())
    return (
        f"{row['t']:6.0f} {row['requests'] / max(interval, 1e-9):7.1f} {row['errors']:6d} "
        f"{row['p95']:8.1f} {row['p95cb']:8.1f} {row['master']:7.1f} {row['load']:5.2f}  {rss}"
    )


def summary(log: Log, minutes: float, slow_window: tuple[float, float], slow: SlowClients):
    """Print the totals, per-kind percentiles, errors and the slow-client check."""
    samples = log.samples
    errors = sum(not s.ok for s in samples)
    print(
        f"\nrequests: {len(samples)} in {minutes:.1f} min "
        f"({len(samples) / (minutes * 60):.1f}/s); errors: {errors}"
    )
    for (kind, problem), n in sorted(log.errors.items()):
        print(f"  {n:5d} x {kind}: {problem}   e.g. {log.examples[(kind, problem)]}")
    print(f"\n{'kind':18} {'count':>7} {'errors':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
          f"{'max ms':>8}")  # fmt: skip
    kinds = sorted({s.kind for s in samples}, key=lambda k: (k.startswith("cb"), k))
    for kind in [*kinds, "all"]:
        ms = [s.ms for s in samples if kind in ("all", s.kind)]
        bad = sum(not s.ok for s in samples if kind in ("all", s.kind))
        print(
            f"{kind:18} {len(ms):7d} {bad:6d} {pct(ms, 50):8.1f} {pct(ms, 95):8.1f} "
            f"{pct(ms, 99):8.1f} {max(ms):8.1f}"
        )
    a, b = slow_window
    print(
        f"\nslow clients: {slow.count} connections sending one header line every "
        f"{slow.interval:.0f} s from {a:.0f} s to {b:.0f} s; the server closed them "
        f"{len(slow.held)} times"
        + (f" (held {pct(slow.held, 50):.1f} s median)" if slow.held else " (held all window)")
    )
    print(f"{'other users':18} {'requests':>8} {'errors':>6} {'p50 ms':>8} {'p95 ms':>8} "
          f"{'p99 ms':>8} {'cb p95':>8}")  # fmt: skip
    for label, lo, hi in (("before", 0, a), ("during", a, b), ("after", b, 1e12)):
        part = [s for s in samples if lo <= s.start < hi]
        ms = [s.ms for s in part]
        cb = [s.ms for s in part if s.kind.startswith("cb")]
        print(
            f"{label:18} {len(ms):8d} {sum(not s.ok for s in part):6d} {pct(ms, 50):8.1f} "
            f"{pct(ms, 95):8.1f} {pct(ms, 99):8.1f} {pct(cb, 95):8.1f}"
        )


def prepare_store(args, tmp: Path) -> tuple[Path, str]:
    """The store to serve: a fresh demo, the extract imported, or ``--data-dir``."""
    if args.data_dir:
        return args.data_dir, f"existing store {args.data_dir}"
    data_dir = tmp / "store"
    data_dir.mkdir()
    if args.extract:
        if not args.file.exists():
            raise SystemExit(f"skipped: {args.file} not found (see ../shared/data/README.md)")
        env = gapmap_env(data_dir, GAPMAP_DEMO_ON_EMPTY="0")
        secs = import_extract(env, args.file)
        return data_dir, f"real extract {args.file.name} (imported in {secs:.0f} s)"
    secs = cli(gapmap_env(data_dir), "demo")
    return data_dir, f"demo datasets (built in {secs:.0f} s)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50, help="simulated users (threads)")
    parser.add_argument("--minutes", type=float, default=10.0, help="duration of the soak")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (2-4)")
    parser.add_argument("--think", type=float, default=3.0, help="mean think time, seconds")
    parser.add_argument("--sample", type=float, default=30.0, help="seconds between RSS samples")
    parser.add_argument("--slow-clients", type=int, default=4, help="slowloris connections")
    parser.add_argument("--slow-interval", type=float, default=5.0, help="s between their lines")
    parser.add_argument("--extract", action="store_true", help="serve the real extract")
    parser.add_argument("--file", type=Path, default=EXTRACT, help="the extract (--extract)")
    parser.add_argument("--data-dir", type=Path, help="serve this existing store instead")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print(f"failed: Debian's Chromium not found at {CHROMIUM} (it records the callbacks)")
        return 1
    tmp = Path(tempfile.mkdtemp(prefix="gapmap-soak-"))
    server = None
    try:
        data_dir, what = prepare_store(args, tmp)
        server = Gunicorn(gapmap_env(data_dir), args.workers, tmp / "gunicorn.log")
        up = server.wait_ready()
        idle = server.wait_idle()
        tpl = capture(server.base)
        print(
            f"store: {what}; gunicorn -c gunicorn.conf.py -w {args.workers} on {server.base} "
            f"(up in {up:.1f} s, warm-up done {idle:.0f} s later); {os.cpu_count()} CPUs shared "
            f"with other work (load {os.getloadavg()[0]:.2f} at start)"
        )
        print(
            f"recorded from Chromium: {len(tpl.bodies)} callback kinds, {len(tpl.assets)} static "
            f"files, {len(tpl.countries)} countries, options: "
            + ", ".join(f"{k} {len(v)}" for k, v in tpl.options.items())
        )
        print(
            f"{args.users} users, think {args.think:.1f} s mean, {args.minutes:.1f} min; "
            f"slow clients in the middle fifth\n"
        )
        return run(server, tpl, args)
    except Exception:
        if server:
            print("gunicorn log (end):\n" + server.logfile.read_text()[-3000:])
        raise
    finally:
        if server:
            server.stop()
            restarts = server.logfile.read_text().count("Booting worker") - args.workers
            print(f"worker (re)boots beyond the first {args.workers}: {restarts}")
        shutil.rmtree(tmp, ignore_errors=True)


def run(server: Gunicorn, tpl: Templates, args) -> int:
    """The soak itself; prints the tables."""
    log, stop, rows = Log(), threading.Event(), []
    duration = args.minutes * 60
    window = (duration * 0.4, duration * 0.6)
    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    wcpu0 = {p: cpu_seconds(p) for p in server.workers()}
    users = [
        threading.Thread(
            target=user_loop,
            args=(Client(server.base, tpl, log, i, random.Random(args.seed * 1000 + i)), stop,
                  args.think),
            daemon=True,
        )
        for i in range(args.users)
    ]  # fmt: skip
    print(f"{'t s':>6} {'req/s':>7} {'errors':>6} {'p95 ms':>8} {'cb p95':>8} {'master':>7} "
          f"{'load':>5}  worker pid:RSS MB")  # fmt: skip
    sampler = threading.Thread(
        target=sample_loop, args=(server, log, stop, args.sample, rows), daemon=True
    )
    sampler.start()
    for thread in users:
        thread.start()
    slow = SlowClients(server.port, args.slow_clients, args.slow_interval)
    stop.wait(window[0])
    slow.start()
    stop.wait(window[1] - window[0])
    slow.close()
    stop.wait(duration - window[1])
    stop.set()
    for thread in users:
        thread.join(timeout=70)
    sampler.join(timeout=5)
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    client_cpu = cpu1.ru_utime + cpu1.ru_stime - cpu0.ru_utime - cpu0.ru_stime
    worker_cpu = sum(cpu_seconds(p) - c for p, c in wcpu0.items())
    summary(log, duration / 60, window, slow)
    first = {p: rows[0]["rss"].get(p, 0) for p in rows[0]["rss"]} if rows else {}
    last = rows[-1]["rss"] if rows else {}
    growth = ", ".join(f"{p}: {first.get(p, 0):.0f} -> {mb:.0f} MB" for p, mb in last.items())
    print(f"\nworker RSS first -> last sample: {growth}")
    print(
        f"CPU seconds over the run: client (this script) {client_cpu:.0f}, workers "
        f"{worker_cpu:.0f}, of {duration * (os.cpu_count() or 1):.0f} available"
    )
    return 0 if log.samples else 1


if __name__ == "__main__":
    sys.exit(main())
