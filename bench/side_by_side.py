"""The project side by side with the standard approach (bench/baseline_app.py), one table (#12).

One command, public tools only (gunicorn, Debian's Chromium through Playwright, locust):

    python bench/side_by_side.py [--scale real|10m|both] [--only import,server,browser,start,load]
                                 [--quick] [--dir /tmp/gapmap-bench]
                                 [--store-from DIR | --reuse-store] [--table RESULTS_JSON]

For each scale (``real``: the UN extract in ../shared/data/sdg-global-extract; ``10m``: 10
million observations written by bench/generate.py) it prints one table: every line the project,
the baseline, their ratio (project / baseline: below 1 the project is cheaper) and the issue's
target. Sections (``--only``, default all):

- ``import``: ``python -m data import`` of the files into a fresh store, wall time and peak RSS
  in a child process; baseline: ``pandas.read_csv(dtype=str)`` of the same files (the standard
  app reads its CSV at start). The store built is kept for the other sections.
- ``server``: both apps under gunicorn, 1 worker each, started side by side (the project with
  the repo's ``gunicorn.conf.py``, the baseline with ``bench/gunicorn_baseline.conf.py``: the
  same worker class, threads and keep-alive, without the project's preload and hooks).
  Chromium walks the project through the main interactions once (bench_dashboard) to
  record the callbacks each sends; then each interaction is replayed over loopback, the two
  apps interleaved, ``--repeat`` times: cache miss (the project's page cache, a
  ``FileSystemCache``, emptied before each replay) and cache hit. The baseline has no cache:
  its one figure stands in both rows. Time of an interaction = the sum of its callbacks; bytes
  per update = their bodies and headers as sent (``Accept-Encoding: gzip, deflate, br``) to
  the first visitor (the miss: the target's line), and, where they differ, to later visitors
  (asked again ``KEPT_AFTER`` s later: kept pages compressed again at a better level).
- ``browser``: time until the map is drawn (>= 100 country shapes) in Chromium over an emulated
  1.6 Mbit/s down, 750 kbit/s up, 150 ms RTT link (CDP ``Network.emulateNetworkConditions``),
  with a cold browser cache (new context) and warm (the same page opened again), median of
  ``--visits`` (on the servers of ``server``); bytes transferred (CDP ``encodedDataLength``)
  on first load and on the repeat visit (all, and static files only).
- ``start``: gunicorn with 4 workers started on the store: process start to the first map drawn
  in Chromium (no emulation); until the workers' CPU is idle (warm-up over); worker RSS.
- ``load``: on that server, locust headless (bench/locustfile.py): 50 users, varied filter
  states, 3 s think time, ``--load-seconds`` on 127.0.0.1; p50/p95/p99, failures, worker
  restarts.

Everything generated (the 10M files, the stores, logs, results JSON) stays under ``--dir``
(default ``$GAPMAP_BENCH_DIR`` or /tmp/gapmap-bench), reused by later runs: a store is rebuilt
when the data layer's code (``git rev-parse HEAD:data``) changed, unless ``--store-from DIR`` or
``--reuse-store`` names an existing one (used as it is once the current code reads it; the header
says which store and which code were measured). ``--table RESULTS_JSON`` prints a run's table
again. A figure that could not be measured reads ``-`` with the reason printed above the table.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict
from pathlib import Path

import requests

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(ROOT))

import bench_dashboard  # noqa: E402
import bench_soak  # noqa: E402
import generate  # noqa: E402

EXTRACT = ROOT.parent / "shared" / "data" / "sdg-global-extract" / "sdg_disaggregated_long.csv.gz"
CHROMIUM = bench_dashboard.CHROMIUM
ARGS = bench_dashboard.ARGS
UPDATE = "/_dash-update-component"
ENCODINGS = {"Content-Type": "application/json", "Accept-Encoding": "gzip, deflate, br"}
SECTIONS = ("import", "server", "browser", "start", "load")
# gunicorn: method, path, status, ms in the worker, worker pid
ACCESS_FORMAT = "%(m)s %(U)s %(s)s %(M)s %(p)s"
# the main interactions: table label -> bench_dashboard's interaction name
INTERACTIONS = {
    "first load: layout + callbacks": "first load /",
    "map mode": "mode values",
    "group": "group older",
    "series": "pick a series",
    "region": "region Africa",
    "matrix": "open /matrix",
    "country page": "open /country/KEN",
    # the project sends a country's status matrix when its <details> is first opened; the
    # baseline's page carries it: the page and that answer together, against its page
    "country page, status matrix opened": ("open /country/KEN", "open the status matrix"),
}
MAP_INTERACTIONS = ("map mode", "group", "series", "region")
LINK = {"offline": False, "latency": 150, "downloadThroughput": 1.6e6 / 8}
LINK["uploadThroughput"] = 0.75e6 / 8
SHAPES = {"project": "#overview-map-graph path.choroplethlocation", "baseline": "#map path"}


def log(text: str) -> None:
    """A progress line with the time."""
    print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)


def pct(values: list[float], q: int) -> float:
    """The q-th percentile (inclusive); nan for none."""
    if not values:
        return float("nan")
    return bench_dashboard.pct(values, q)


# -- data and stores ----------------------------------------------------------------------------


def data_hash() -> str:
    """The git tree of data/ (a store is rebuilt when the data layer changed)."""
    done = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD:data"], cwd=ROOT, capture_output=True, text=True
    )
    return done.stdout.strip() or "nogit"


def input_files(scale: str, root: Path) -> list[Path]:
    """The files of a scale: the real extract, or the generated 10M files (made when missing)."""
    if scale == "real":
        if not EXTRACT.exists():
            raise FileNotFoundError(f"{EXTRACT} not found (see ../shared/data/README.md)")
        return [EXTRACT]
    out = root / "10m" / "files"
    if not (out / generate.MANIFEST).exists():
        log(f"generating 10M observations into {out} (bench/generate.py)")
        shutil.rmtree(out, ignore_errors=True)
        t0 = time.perf_counter()
        generate.generate(out, 10_000_000, 1_000_000)
        log(f"generated in {time.perf_counter() - t0:.0f} s")
    return sorted(out.glob("gen-*.csv.gz"))


_PEAK = (
    "\nimport resource, sys\nu = resource.getrusage(resource.RUSAGE_SELF)\n"
    "print('CPU', u.ru_utime + u.ru_stime, 'PEAK', u.ru_maxrss, file=sys.stderr)"
)


def run_measured(code: str, env: dict[str, str]) -> tuple[float, float, float]:
    """Wall seconds, peak RSS (MB) and CPU seconds of Python ``code`` in a fresh process."""
    t0 = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code + _PEAK], cwd=ROOT, env=env, capture_output=True, text=True
    )
    wall = time.perf_counter() - t0
    if done.returncode != 0 or "PEAK" not in done.stderr:
        raise RuntimeError(f"child failed ({done.returncode}): {done.stderr[-1500:]}")
    cpu = float(done.stderr.rsplit("CPU", 1)[1].split()[0])
    return wall, int(done.stderr.rsplit("PEAK", 1)[1].split()[0]) / 1024, cpu


def existing_store(scale: str, root: Path) -> Path | None:
    """The newest ``store-*`` directory of a scale under ``root`` (any data layer), if any."""
    found = [d for d in (root / scale).glob("store-*") if (d / "gapmap.sqlite").exists()]
    return max(found, key=lambda d: (d / "gapmap.sqlite").stat().st_mtime, default=None)


def store_origin(store: Path) -> str:
    """Which data layer imported a store, as far as its directory name tells."""
    name = store.name
    if name.startswith("store-") and len(name) > 6:
        return f"imported by data layer {name[6:]}"
    return "importing code unknown"


def check_store(store: Path) -> str:
    """Check that the current code reads ``store`` (``python -m data datasets``); its summary.

    Raises when it cannot: a store written by an older data layer may need a new import.
    """
    env = {**os.environ, "GAPMAP_DATA_DIR": str(store), "GAPMAP_DEMO_ON_EMPTY": "0"}
    cmd = [sys.executable, "-m", "data", "datasets"]
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    rows = list(csv.DictReader(done.stdout.splitlines())) if done.returncode == 0 else []
    if not rows:
        raise RuntimeError(
            f"the current code cannot read the store {store} (python -m data datasets: "
            f"{done.returncode}): {(done.stderr or done.stdout)[-800:]}; import it again "
            "(--only import) or pass another store"
        )
    total = sum(int(r.get("rows") or 0) for r in rows)
    return f"{len(rows)} dataset(s), {total:,} observations"


def store_for(
    scale: str, root: Path, files: list[Path], measure: bool, res: dict, given: Path | None = None
) -> Path:
    """The store of a scale (built, and its import measured, when asked or missing).

    ``given``: an existing store used as it is, whatever data layer wrote it, once the current
    code has read it (``--store-from`` / ``--reuse-store``); never rebuilt nor deleted.
    """
    if given is not None and not measure:
        log(f"reusing the given store {given} (data layer now {data_hash()})")
        log(f"  readable by the current code: {check_store(given)}")
        return given
    store = root / scale / f"store-{data_hash()}"
    if store.exists() and not measure:
        log(f"reusing the store {store}")
        return store
    fresh = Path(tempfile.mkdtemp(prefix="store-", dir=root / scale))
    env = {**os.environ, "GAPMAP_DATA_DIR": str(fresh), "GAPMAP_DEMO_ON_EMPTY": "0"}
    names = [str(f) for f in files]
    log(f"import of {len(files)} file(s) into a fresh store (python -m data import)")
    code = f"from data.cli import main\nassert main(['import', *{names!r}]) == 0"
    res["import"] = run_measured(code, env)
    log(f"  {res['import'][0]:.1f} s, peak {res['import'][1]:.0f} MB, {res['import'][2]:.0f} CPU-s")
    log("baseline: pandas.read_csv(dtype=str) of the same file(s)")
    code = (
        "import pandas as pd\n"
        f"df = pd.concat([pd.read_csv(f, dtype=str, keep_default_na=False) for f in {names!r}])"
    )
    res["import_base"] = run_measured(code, env)
    log(
        f"  {res['import_base'][0]:.1f} s, peak {res['import_base'][1]:.0f} MB, "
        f"{res['import_base'][2]:.0f} CPU-s"
    )
    shutil.rmtree(store, ignore_errors=True)
    fresh.rename(store)
    return store


# -- servers ------------------------------------------------------------------------------------


class Server(bench_soak.Gunicorn):
    """gunicorn on 127.0.0.1: the project (the repo's gunicorn.conf.py) or the baseline."""

    def __init__(
        self,
        app: str,
        store: Path,
        workers: int,
        logfile: Path,
        preload: bool = False,
        worker_copies: bool = True,
    ) -> None:
        self.app = app
        self.cache_dir = Path(tempfile.mkdtemp(prefix=f"cache-{app}-", dir=logfile.parent))
        env = bench_soak.gapmap_env(store, GAPMAP_CACHE_DIR=str(self.cache_dir))
        if not worker_copies:  # emptying the cache directory then makes a real miss
            env["GAPMAP_RECENT_PAYLOADS"] = "0"
        env["BASELINE_DATA_DIR"] = str(store)
        self.port = bench_soak.free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = open(logfile, "w")  # noqa: SIM115 (closed in stop)
        self.logfile = logfile
        conf = "gunicorn.conf.py" if app == "project" else "bench/gunicorn_baseline.conf.py"
        cmd = [sys.executable, "-m", "gunicorn", "-c", conf]
        cmd += ["-b", f"127.0.0.1:{self.port}", "-w", str(workers), "--no-control-socket"]
        if preload:  # the baseline's frame loaded once in the master (too little memory for 4)
            cmd.append("--preload")
        # server-side time of every request (%(M)s: ms in the worker), beside locust's own
        self.access = logfile.with_suffix(".access")
        cmd += ["--access-logfile", str(self.access), "--access-logformat", ACCESS_FORMAT]
        self.started = time.monotonic()
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=self.log, stderr=self.log)

    def wait_up(self, limit: float = 3600.0) -> float:
        """Seconds from process start until ``GET /`` answers 200."""
        while True:
            try:
                if requests.get(self.base + "/", timeout=10).status_code == 200:
                    return time.monotonic() - self.started
            except requests.RequestException:
                pass
            if self.proc.poll() is not None or time.monotonic() - self.started > limit:
                raise RuntimeError(f"{self.app} did not start, see {self.logfile}")
            time.sleep(0.2)

    def clear_cache(self) -> None:
        """Empty the project's page cache (FileSystemCache files)."""
        for entry in self.cache_dir.iterdir():
            entry.unlink(missing_ok=True)

    def boots(self) -> int:
        """Worker boots the log reports (more than the worker count = restarts)."""
        self.log.flush()
        return self.logfile.read_text(errors="replace").count("Booting worker")

    def worker_rss(self) -> float:
        """Largest worker RSS in MB."""
        return max((bench_soak.rss_mb(p) for p in self.workers()), default=float("nan"))

    def memory(self) -> dict[str, float]:
        """The largest worker's /proc smaps_rollup (MB: Rss, Pss, shared and private pages) and
        the master's RSS: what the worker RSS is made of."""
        pids = self.workers()
        if not pids:
            return {}
        pid = max(pids, key=bench_soak.rss_mb)
        out = {"master_rss": bench_soak.rss_mb(self.proc.pid)}
        try:
            text = Path(f"/proc/{pid}/smaps_rollup").read_text()
        except OSError:
            return out
        for line in text.splitlines()[1:]:
            key, _, rest = line.partition(":")
            if rest.strip().endswith("kB"):
                out[key.strip()] = int(rest.split()[0]) / 1024
        return out

    def served(self, since: int = 0) -> list[tuple[str, str, int, float, str]]:
        """(method, path, status, ms in the worker, worker) of each request logged after byte
        ``since``."""
        out = []
        try:
            with open(self.access, "rb") as fh:
                fh.seek(since)
                text = fh.read().decode(errors="replace")
        except OSError:
            return out
        for line in text.splitlines():
            parts = line.split()
            if len(parts) == 5 and parts[2].isdigit():
                out.append((parts[0], parts[1], int(parts[2]), float(parts[3]), parts[4]))
        return out

    def access_size(self) -> int:
        """Bytes in the access log so far (to read only a later part)."""
        try:
            return self.access.stat().st_size
        except OSError:
            return 0

    def worker_cpu(self) -> float:
        """CPU seconds of all workers together."""
        return sum(bench_soak.cpu_seconds(p) for p in self.workers())

    def worker_pss(self) -> float:
        """Largest worker PSS in MB (pages shared copy-on-write with the master counted in part)."""
        found = []
        for pid in self.workers():
            try:
                text = Path(f"/proc/{pid}/smaps_rollup").read_text()
            except OSError:
                continue
            found += [int(x.split()[1]) / 1024 for x in text.splitlines() if x.startswith("Pss:")]
        return max(found, default=float("nan"))


# -- server time and bytes ----------------------------------------------------------------------


# the baseline's input each map interaction of the walk changes
CHANGED = {
    "group older": "group",
    "mode values": "mode",
    "pick a series": "series",
    "region Africa": "region",
}


def walk_state(url: str) -> dict[str, str | None]:
    """The map's state at a project address, in the baseline's terms (mode, group, series,
    region): the baseline is asked for the map the project showed after the same interaction.
    """
    from urllib.parse import parse_qs, urlparse

    from layouts.state import DEFAULTS

    query = {k: v[0] for k, v in parse_qs(urlparse(url).query).items()}
    mode = query.get("mode", DEFAULTS["mode"])
    region = query.get("region", DEFAULTS["region"])
    return {
        "mode": "coverage" if mode == "gaps" else mode,  # the baseline's name for it
        "group": query.get("group", DEFAULTS["group"]),
        "series": query.get("series") or None,
        "region": "" if region == DEFAULTS["region"] else region,  # the baseline's world
    }


def baseline_calls(urls: dict[str, str]) -> dict[str, list[dict]]:
    """The baseline's callback bodies per interaction, in the state the project's walk reached
    (``urls``: the project's address after each interaction, ``bench_dashboard.drive``).

    Until the eleventh round the series and region steps asked the baseline for a values map
    while the walk had switched the project to disparity ("mode disparity" comes before
    them): the two apps drew different maps.
    """
    from baseline_app import dash_body

    def page(path: str) -> dict:
        return dash_body("page.children", {"url.pathname": path}, "url.pathname")

    def opts(group: str) -> dict:
        return dash_body("series.options", {"group.value": group}, "group.value")

    def fig(url: str, changed: str) -> dict:
        at = walk_state(url)
        state = {f"{k}.value": at[k] for k in ("mode", "group", "series", "region")}
        return dash_body("map.figure", state, f"{changed}.value")

    matrix = dash_body("matrix.children", {"matrix-region.value": ""}, "matrix-region.value")
    maps = {name: [fig(urls.get(name, "/"), changed)] for name, changed in CHANGED.items()}
    maps["group older"].insert(0, opts(walk_state(urls.get("group older", "/"))["group"]))
    return {
        "first load /": [page("/"), opts("disability"), fig("/", "mode")],  # the defaults
        **maps,
        "open /matrix": [page("/matrix"), matrix],
        "open /country/KEN": [page("/country/KEN")],
        "open the status matrix": [],  # in the page already
    }


def post_sample(
    http: requests.Session, base: str, bodies: list[bytes], layout: bool = False
) -> tuple[float, int]:
    """POST the bodies in turn; (total ms, bytes as sent: body + headers).

    ``layout``: first GET Dash's layout as the page ``/`` does (with its ``Referer``): the
    project's layout carries the page, which the baseline's router callback sends instead.
    """
    total, size = 0.0, 0
    for body in [None, *bodies] if layout else bodies:
        t0 = time.perf_counter()
        if body is None:
            head = {**ENCODINGS, "Referer": base + "/"}
            resp = http.get(base + "/_dash-layout", headers=head, stream=True, timeout=600)
        else:
            resp = http.post(base + UPDATE, data=body, headers=ENCODINGS, stream=True, timeout=600)
        raw = resp.raw.read(decode_content=False)
        total += (time.perf_counter() - t0) * 1000
        if resp.status_code not in (200, 204):
            raise RuntimeError(f"{base}: callback answered {resp.status_code}: {raw[:300]!r}")
        head = sum(len(k) + len(v) + 4 for k, v in resp.headers.items()) + 17
        size += len(raw) + head
    return total, size


def one_worker(store: Path, workdir: Path, repeat: int, visits: int, res: dict, only) -> None:
    """Both apps with 1 worker each: the ``server`` and ``browser`` sections."""
    # the replays' cache misses must be misses: no worker-local copies of map answers
    project = Server("project", store, 1, workdir / "project-w1.log", worker_copies=False)
    baseline = Server("baseline", store, 1, workdir / "baseline-w1.log")
    try:
        log(f"project up in {project.wait_up():.1f} s; baseline up in {baseline.wait_up():.1f} s")
        log(f"project warm-up over after {project.wait_idle(limit=3600):.0f} s more")
        res["w1_memory"] = {"project": project.memory(), "baseline": baseline.memory()}
        log(f"  1 worker each, memory (MB): {res['w1_memory']}")
        for section, run in (("server", server_section), ("browser", browser_section)):
            if section in only:
                try:
                    run(project, baseline, repeat if section == "server" else visits, res)
                except Exception as exc:  # the other sections still run; the table says "-"
                    log(f"section {section} failed: {type(exc).__name__}: {exc}")
    finally:
        project.stop()
        baseline.stop()


# seconds before asking a kept page once more: its background compression at a better level
# (server/page_responses.py, ~30 ms) is over
KEPT_AFTER = 0.5


def server_section(project: Server, baseline: Server, repeat: int, res: dict) -> None:
    """Callback times of both apps interleaved, cache miss and hit; bytes per update."""
    log("Chromium walks the project's interactions (bench_dashboard.drive)")
    rec, urls = bench_dashboard.drive(project.base)
    calls = bench_dashboard.captured_callbacks(rec)
    log(f"captured {len(calls)} callbacks")
    for name in CHANGED:  # both apps draw the same map
        log(f"  {name}: {urls.get(name)} -> the baseline's {walk_state(urls.get(name, '/'))}")
    steps = {k: (v,) if isinstance(v, str) else v for k, v in INTERACTIONS.items()}
    ours = {
        label: [c.body for c in calls if c.interaction in names] for label, names in steps.items()
    }
    base = baseline_calls(urls)
    theirs = {
        label: [json.dumps(b).encode() for name in names for b in base[name]]
        for label, names in steps.items()
    }
    http = requests.Session()
    out: dict[str, dict] = {}
    for label in INTERACTIONS:
        row = {"miss": [], "hit": [], "base": [], "bytes": 0, "base_bytes": 0}
        first = label == "first load: layout + callbacks"  # both apps' layout requests too
        if not ours[label] and not first:  # the project's first load may be its layout alone
            log(f"  no callback recorded for {label!r}: the app changed?")
        for _ in range(repeat):
            if ours[label] or first:
                project.clear_cache()
                ms, row["bytes"] = post_sample(http, project.base, ours[label], first)
                row["miss"].append(ms)
                row["hit"].append(post_sample(http, project.base, ours[label], first)[0])
            ms, row["base_bytes"] = post_sample(http, baseline.base, theirs[label], first)
            row["base"].append(ms)
        if ours[label] or first:  # what later visitors get: kept pages compressed again
            time.sleep(KEPT_AFTER)
            row["kept_bytes"] = post_sample(http, project.base, ours[label], first)[1]
        out[label] = row
        log(
            f"  {label:22} miss p95 {pct(row['miss'], 95):7.1f}  hit p95 "
            f"{pct(row['hit'], 95):6.1f}  baseline p95 {pct(row['base'], 95):7.1f} ms"
        )
    res["server"] = out
    res["first_load_walk"] = bench_dashboard.first_load_report(rec)
    res["external"] = len(rec.external)


# -- the browser over a slow link ---------------------------------------------------------------


def visit(context, base: str, app: str) -> tuple[float, int, int]:
    """Open ``/`` over the emulated link: (seconds to the map drawn, bytes, static-file bytes)."""
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", LINK)
    urls: dict[str, str] = {}
    sizes = {"all": 0, "static": 0}

    def received(event: dict) -> None:
        urls[event["requestId"]] = event["response"]["url"]

    def finished(event: dict) -> None:
        size = int(event.get("encodedDataLength", 0))
        sizes["all"] += size
        if any(p in urls.get(event["requestId"], "") for p in ("/assets/", "/_dash-component")):
            sizes["static"] += size

    cdp.on("Network.responseReceived", received)
    cdp.on("Network.loadingFinished", finished)
    page.set_default_timeout(180_000)
    t0 = time.perf_counter()
    page.goto(base + "/")
    page.wait_for_function("s => document.querySelectorAll(s).length >= 100", arg=SHAPES[app])
    took = time.perf_counter() - t0
    page.wait_for_timeout(1500)  # late requests (bytes only)
    page.close()
    return took, sizes["all"], sizes["static"]


def browser_section(project: Server, baseline: Server, visits: int, res: dict) -> None:
    """Map drawn over the slow link, cold and warm cache, both apps; bytes transferred."""
    from playwright.sync_api import sync_playwright

    out: dict[str, dict] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        for _ in range(visits):
            for app, server in (("project", project), ("baseline", baseline)):
                row = out.setdefault(app, {"cold": [], "warm": []})
                context = browser.new_context(viewport={"width": 1280, "height": 900})
                cold, row["first"], _ = visit(context, server.base, app)
                warm, row["repeat"], row["repeat_static"] = visit(context, server.base, app)
                context.close()
                row["cold"].append(cold)
                row["warm"].append(warm)
        browser.close()
    for app, row in out.items():
        log(f"  {app}: map drawn cold {row['cold']} s, warm {row['warm']} s")
    res["browser"] = out


# -- cold start, worker RSS and load ------------------------------------------------------------


def start_and_load(
    store: Path, workdir: Path, seconds: int, users: int, res: dict, load: bool
) -> None:
    """4 workers: process start to the map drawn; warm-up; worker RSS; locust."""
    from playwright.sync_api import sync_playwright

    templates = workdir / "templates.json"
    out: dict[str, dict] = {}
    for app in ("project", "baseline"):
        row: dict = {}
        preload = app == "baseline" and baseline_needs_preload(res)
        if preload:
            row["preload"] = True
            log("  baseline: 4 workers would not fit in memory: gunicorn --preload (one frame)")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
            page = browser.new_page()
            page.set_default_timeout(1_800_000)
            server = Server(app, store, 4, workdir / f"{app}-w4.log", preload)
            try:
                server.wait_up()
                page.goto(server.base + "/")
                page.wait_for_function(
                    "s => document.querySelectorAll(s).length >= 100", arg=SHAPES[app]
                )
                row["cold_start"] = time.monotonic() - server.started
                browser.close()
            except Exception:
                server.stop()
                raise
        try:
            row["idle"] = server.wait_idle(limit=3600) + row["cold_start"]
            row["rss_idle"], row["pss_idle"] = server.worker_rss(), server.worker_pss()
            row["memory_idle"] = server.memory()
            log(f"  {app}: map after {row['cold_start']:.1f} s, idle after {row['idle']:.0f} s")
            if app == "project":
                tpl = bench_soak.capture(server.base)
                templates.write_text(json.dumps(asdict(tpl)))
            else:
                tpl = json.loads(templates.read_text()) if templates.exists() else {}
                regions = ["", "002", "019", "142", "150", "009"]
                countries = tpl.get("countries") or ["KEN"]
                options = {"mode": ["coverage", "values", "disparity"], "region": regions}
                options["group"] = list(tpl.get("options", {}).get("country-group", []))
                options["group"] = options["group"] or ["disability", "women", "older"]
                templates.with_name("templates-baseline.json").write_text(
                    json.dumps({"options": options, "countries": countries})
                )
            if load:
                row.update(locust(app, server, workdir, seconds, users))
                row["rss_load"], row["pss_load"] = server.worker_rss(), server.worker_pss()
                row["restarts"] = server.boots() - 4
            log(f"  {app}: load {row}")
        finally:
            server.stop()
        out[app] = row
    res["start_load"] = out


def mem_available() -> float:
    """MemAvailable of the machine in MB."""
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) / 1024
    return float("inf")


def baseline_needs_preload(res: dict) -> bool:
    """True when 4 baseline workers, each with its own frame, would not fit in free memory
    (the 1-worker RSS of the ``server``/``browser`` run, x 4, over 80 % of MemAvailable)."""
    one = res.get("w1_memory", {}).get("baseline", {}).get("Rss")
    return bool(one) and 4 * one > 0.8 * mem_available()


def locust(app: str, server: Server, workdir: Path, seconds: int, users: int) -> dict:
    """locust headless against ``server``: the Aggregated line of its statistics."""
    name = "templates.json" if app == "project" else "templates-baseline.json"
    env = {**os.environ, "BENCH_APP": app, "BENCH_TEMPLATES": str(workdir / name)}
    samples_file = workdir / f"locust-{app}-samples.json"
    env["BENCH_SAMPLES"] = str(samples_file)
    prefix = workdir / f"locust-{app}"
    cmd = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(BENCH / "locustfile.py"),
        "--headless",
        "-u",
        str(users),
        "-r",
        str(max(1, users // 5)),
        "-t",
        f"{seconds}s",
        "--host",
        server.base,
        "--csv",
        str(prefix),
        "--only-summary",
        "--stop-timeout",
        "30",
    ]
    log(f"  locust: {users} users for {seconds} s on the {app}")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    mark, entries = server.access_size(), sum(1 for _ in server.cache_dir.iterdir())
    workers_before, t0 = server.worker_cpu(), time.perf_counter()
    with open(workdir / f"locust-{app}.log", "w") as fh:
        subprocess.run(cmd, cwd=ROOT, env=env, stdout=fh, stderr=subprocess.STDOUT)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    client_cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    server_cpu = server.worker_cpu() - workers_before
    served = server.served(mark)
    callbacks = [ms for _, path, _, ms, _ in served if path == UPDATE]
    inside = [ms for _, _, _, ms, _ in served]
    per_worker = sorted(Counter(w for _, path, *_, w in served if path == UPDATE).values())
    new_entries = sum(1 for _ in server.cache_dir.iterdir()) - entries
    with open(f"{prefix}_stats.csv") as fh:
        rows = {r["Name"]: r for r in csv.DictReader(fh)}
    agg = rows["Aggregated"]
    samples = json.loads(samples_file.read_text()) if samples_file.exists() else []
    cbs = [ms for kind, ms, _ in samples if kind.startswith("cb ")]
    log(f"  locust CPU {client_cpu:.0f} s, workers' CPU {server_cpu:.0f} s in {wall:.0f} s")
    log(f"  callbacks per worker: {per_worker} (keep-alive connections stay on one worker)")
    return {
        "client_cpu": client_cpu,
        "server_cpu": server_cpu,
        "load_wall": wall,
        "server_p50": pct(inside, 50),
        "server_p95": pct(inside, 95),
        "callback_server_p50": pct(callbacks, 50),
        "callback_server_p95": pct(callbacks, 95),
        "callbacks": len(callbacks),
        "callbacks_per_worker": per_worker,
        "cb_p50": pct(cbs, 50),
        "cb_p95": pct(cbs, 95),
        "cb_p99": pct(cbs, 99),
        "cache_entries_added": new_entries,
        "per_kind": {
            r["Name"]: [int(r["Request Count"]), float(r["50%"]), float(r["95%"])]
            for name, r in rows.items()
            if name != "Aggregated"
        },
        "requests": int(agg["Request Count"]),
        "failures": int(agg["Failure Count"]),
        "p50": float(agg["50%"]),
        "p95": float(agg["95%"]),
        "p99": float(agg["99%"]),
    }


# -- the table ----------------------------------------------------------------------------------


def table(scale: str, res: dict) -> list[str]:
    """The side-by-side table as Markdown lines."""
    lines = [
        "| line | project | baseline | ratio | target | verdict |",
        "|---|---:|---:|---:|---|---|",
    ]

    def add(name, ours, theirs, unit, target="", ok=None, fmt="{:.1f}"):
        def show(v):
            return "-" if v is None or v != v else fmt.format(v) + unit

        known = ours is not None and ours == ours
        ratio = f"{ours / theirs:.2f}x" if known and theirs else "-"
        verdict = "" if ok is None else ("met" if ok else "MISSED") if known else "-"
        lines.append(f"| {name} | {show(ours)} | {show(theirs)} | {ratio} | {target} | {verdict} |")

    if "import" in res:
        (w, m, cpu), (bw, bm, bcpu) = res["import"], res["import_base"]
        real = scale == "real"
        add(
            "import: wall time",
            w,
            bw,
            " s",
            "<= 20 s (real)" if real else "",
            w <= 20 if real else None,
        )
        add(
            "import: peak RSS",
            m,
            bm,
            " MB",
            "<= 1 GB (real)" if real else "",
            m <= 1024 if real else None,
            "{:.0f}",
        )
        add("import: CPU seconds (user + system)", cpu, bcpu, " s", fmt="{:.0f}")
    for label, row in res.get("server", {}).items():
        is_map = label in MAP_INTERACTIONS
        # several updates in a row (a page, then a part of it opened): compared, no target
        one = isinstance(INTERACTIONS.get(label, ""), str)
        for kind, q in (("miss", 50), ("miss", 95), ("hit", 50), ("hit", 95)):
            ours, theirs = pct(row[kind], q), pct(row["base"], q)
            target, ok = "", None
            if q == 95 and kind == "miss" and is_map:
                target = "<= 30 ms (at 10M) and <= 0.10x"
                ok = ours <= 30 and ours / theirs <= 0.1
            elif q == 95 and kind == "hit" and one:
                target, ok = "<= 10 ms", ours <= 10
            add(f"{label}: cache {kind} p{q}", ours, theirs, " ms", target, ok)
        ours_kb = row["bytes"] / 1024 if row["miss"] else None
        theirs_kb = row["base_bytes"] / 1024
        ok = (
            ours_kb <= 20
            if label != "first load: layout + callbacks" and ours_kb is not None and one
            else None
        )
        what = "bytes per update" if one else "bytes, both updates"
        add(f"{label}: {what}", ours_kb, theirs_kb, " KB", "<= 20 KB" if one else "", ok)
        if row.get("kept_bytes") and row["kept_bytes"] != row["bytes"]:
            kept = row["kept_bytes"] / 1024
            add(f"{label}: {what}, later visitors", kept, theirs_kb, " KB", "", None)
    b = res.get("browser", {})
    if "project" in b and "baseline" in b:
        p_, q_ = b["project"], b["baseline"]
        first = p_["first"] / 1024
        add(
            "first load transferred",
            first,
            q_["first"] / 1024,
            " KB",
            "<= 800 KB",
            first <= 800,
            "{:.0f}",
        )
        cold, warm = statistics.median(p_["cold"]), statistics.median(p_["warm"])
        add(
            "map drawn, 1.6 Mbit/s 150 ms, cold cache",
            cold,
            statistics.median(q_["cold"]),
            " s",
            "<= 6 s",
            cold <= 6,
            "{:.2f}",
        )
        add(
            "map drawn, 1.6 Mbit/s 150 ms, warm cache",
            warm,
            statistics.median(q_["warm"]),
            " s",
            "<= 1.5 s",
            warm <= 1.5,
            "{:.2f}",
        )
        add(
            "repeat visit transferred (all)",
            p_["repeat"] / 1024,
            q_["repeat"] / 1024,
            " KB",
            fmt="{:.1f}",
        )
        rs = p_["repeat_static"] / 1024
        add(
            "repeat visit transferred (static files)",
            rs,
            q_["repeat_static"] / 1024,
            " KB",
            "<= 10 KB",
            rs <= 10,
        )
    s = res.get("start_load", {})
    if "project" in s and "baseline" in s:
        p_, q_ = s["project"], s["baseline"]
        add(
            "cold start to the first map (4 workers)",
            p_["cold_start"],
            q_["cold_start"],
            " s",
            "<= 5 s",
            p_["cold_start"] <= 5,
        )
        add("start to workers idle (warm-up over)", p_["idle"], q_["idle"], " s", fmt="{:.0f}")
        ten = scale == "10m"
        add(
            "worker RSS after warm-up (max of 4)",
            p_["rss_idle"],
            q_["rss_idle"],
            " MB",
            "<= 1.5 GB at 10M" if ten else "",
            p_["rss_idle"] <= 1536 if ten else None,
            "{:.0f}",
        )
        add(
            "worker PSS after warm-up (max of 4)",
            p_["pss_idle"],
            q_["pss_idle"],
            " MB",
            fmt="{:.0f}",
        )
        pm, qm = p_.get("memory_idle", {}), q_.get("memory_idle", {})
        if pm and qm:
            private = [m.get("Private_Clean", 0) + m.get("Private_Dirty", 0) for m in (pm, qm)]
            add("worker private pages after warm-up (largest)", *private, " MB", fmt="{:.0f}")
            add(
                "master RSS (4 workers; preloaded: shared with them)",
                pm.get("master_rss"),
                qm.get("master_rss"),
                " MB",
                fmt="{:.0f}",
            )
        if "requests" not in p_ or "requests" not in q_:
            return lines
        add(
            "worker RSS after the load (max of 4)",
            p_["rss_load"],
            q_["rss_load"],
            " MB",
            fmt="{:.0f}",
        )
        add(
            "worker PSS after the load (max of 4)",
            p_["pss_load"],
            q_["pss_load"],
            " MB",
            fmt="{:.0f}",
        )
        for q in ("p50", "p95", "p99"):
            ok = p_[q] <= 300 if q == "p95" else None
            target = "<= 300 ms" if q == "p95" else ""
            add(f"load 50 users, 4 workers: {q}", p_[q], q_[q], " ms", target, ok, "{:.0f}")
        if "cb_p95" in p_ and "cb_p95" in q_:
            for q in ("p50", "p95", "p99"):
                add(f"load: callbacks only, {q}", p_[f"cb_{q}"], q_[f"cb_{q}"], " ms", fmt="{:.0f}")
        add("load: requests", p_["requests"], q_["requests"], "", fmt="{:.0f}")
        if "server_p95" in p_ and "server_p95" in q_:
            for q in ("p50", "p95"):
                add(
                    f"load: {q} inside the workers (gunicorn access log, all requests)",
                    p_[f"server_{q}"],
                    q_[f"server_{q}"],
                    " ms",
                    fmt="{:.0f}",
                )
                add(
                    f"load: callbacks {q} inside the workers",
                    p_[f"callback_server_{q}"],
                    q_[f"callback_server_{q}"],
                    " ms",
                    fmt="{:.0f}",
                )
        if "client_cpu" in p_ and "client_cpu" in q_:
            cores = [r["server_cpu"] / r["load_wall"] for r in (p_, q_)]
            add("load: workers' CPU (cores busy on average)", *cores, "", fmt="{:.2f}")
            client = [r["client_cpu"] / r["load_wall"] for r in (p_, q_)]
            add("load: locust's own CPU (cores busy on average)", *client, "", fmt="{:.2f}")
            shares = [
                100 * max(r.get("callbacks_per_worker") or [0]) / max(r.get("callbacks", 0), 1)
                for r in (p_, q_)
            ]
            add("load: callbacks on the busiest worker (of 4)", *shares, " %", fmt="{:.0f}")
            per = [r["server_cpu"] * 1000 / max(r["requests"], 1) for r in (p_, q_)]
            add("load: workers' CPU per request", *per, " ms", fmt="{:.1f}")
        add("load: errors", p_["failures"], q_["failures"], "", "0", p_["failures"] == 0, "{:.0f}")
        ok = p_["restarts"] == 0
        add("load: worker restarts", p_["restarts"], q_["restarts"], "", "0", ok, "{:.0f}")
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=("real", "10m", "both"), default="both")
    parser.add_argument("--only", default=",".join(SECTIONS), help="comma-separated sections")
    parser.add_argument("--quick", action="store_true", help="fewer repeats, shorter load")
    parser.add_argument(
        "--dir", type=Path, default=Path(os.environ.get("GAPMAP_BENCH_DIR", "/tmp/gapmap-bench"))
    )
    parser.add_argument("--repeat", type=int, help="replays per interaction (30; quick 5)")
    parser.add_argument("--visits", type=int, help="browser visits per app (3; quick 1)")
    parser.add_argument("--load-seconds", type=int, help="locust run time (120; quick 30)")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument(
        "--table",
        type=Path,
        metavar="RESULTS_JSON",
        help="print the table of an earlier run's results.json again (no measurement)",
    )
    reuse = parser.add_mutually_exclusive_group()
    reuse.add_argument(
        "--store-from",
        type=Path,
        metavar="DIR",
        help="use this existing store (a data directory) as it is, whatever data layer wrote it, "
        "once the current code has read it; one --scale only",
    )
    reuse.add_argument(
        "--reuse-store",
        action="store_true",
        help="use the newest store-* of each scale under --dir, whatever data layer wrote it",
    )
    args = parser.parse_args(argv)
    # stopped with SIGTERM: unwind, so that every server started is stopped (finally blocks)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if args.table is not None:
        scale = "10m" if "10m" in args.table.parts else "real"
        print("\n".join(table(scale, json.loads(args.table.read_text()))))
        return
    only = set(args.only.split(","))
    if only - set(SECTIONS):
        parser.error(f"--only takes {', '.join(SECTIONS)}")
    bench_dashboard.QUIET = 2.0  # a loaded machine sends some callbacks late
    repeat = args.repeat or (5 if args.quick else 30)
    visits = args.visits or (1 if args.quick else 3)
    seconds = args.load_seconds or (30 if args.quick else 120)
    scales = ["real", "10m"] if args.scale == "both" else [args.scale]
    if args.store_from is not None and len(scales) > 1:
        parser.error("--store-from names the store of one scale: add --scale real or 10m")
    if (args.store_from or args.reuse_store) and "import" in only:
        parser.error("--store-from/--reuse-store reuse a store: leave import out of --only")
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    layer = data_hash()  # both as the run starts: others may commit while it runs
    for scale in scales:
        root = args.dir
        (root / scale).mkdir(parents=True, exist_ok=True)
        workdir = Path(tempfile.mkdtemp(prefix="run-", dir=root / scale))
        res: dict = {}
        log(f"scale {scale}: work files in {workdir}")
        files = input_files(scale, root)
        given = args.store_from or (existing_store(scale, root) if args.reuse_store else None)
        if args.reuse_store and given is None:
            log(f"no existing store under {root / scale}: one is built")
        store = store_for(scale, root, files, "import" in only, res, given)
        if only & {"server", "browser"}:
            one_worker(store, workdir, repeat, visits, res, only)
        if only & {"start", "load"}:
            try:
                start_and_load(store, workdir, seconds, args.users, res, "load" in only)
            except Exception as exc:  # the table says "-"
                log(f"section start/load failed: {type(exc).__name__}: {exc}")
        (workdir / "results.json").write_text(json.dumps(res, default=str))
        print()
        print(
            f"### {scale} — {stamp}, commit {commit}, {os.cpu_count()} CPUs shared with other work"
        )
        print(
            f"ratio = project / baseline (bench/baseline_app.py); {repeat} replays, "
            f"{visits} visit(s), load {seconds} s"
        )
        print(
            f"store {store} ({'given, ' if given else ''}{store_origin(store)}); "
            f"code at the start: data layer {layer}; sections run: {', '.join(sorted(only))}"
        )
        if "load" in only:
            pre = res.get("start_load", {}).get("baseline", {}).get("preload")
            print(
                f"load: locust, {args.users} users, one process on the same CPUs as the servers "
                "(not pinned), 3 s think time; uniform random filter states"
                + ("; baseline under gunicorn --preload (memory)" if pre else "")
            )
        print()
        print("\n".join(table(scale, res)))
        print()


if __name__ == "__main__":
    main()
