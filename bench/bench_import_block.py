"""Do imports block readers? Latency of readers before, during and after a big import.

Serves a fresh demo store with gunicorn (the project's ``gunicorn.conf.py``, 127.0.0.1, as in
``bench_soak.py``), records the callbacks Chromium sends, then starts ``--readers`` readers that
keep loading pages and sending callbacks (a short pause between actions) and a probe that posts
the default map callback every half second. After ``--before`` seconds it runs the README's
import of the real UN extract into the same store::

    python -m data import sdg_disaggregated_long.csv.gz --replace-demo \
        --licence "CC BY 4.0 ..." --attribution "United Nations Statistics Division, ..."

and keeps reading until the probe has answered with the new data for 10 s (every worker has
switched to the new version: it computes its results in the background first, README
"Deploying") and ``--after`` seconds more.

Prints, for each phase (before / import running / import done, workers switching / after the
switch): requests, errors, p50, p99 and max latency, and the longest gap (the longest time in
which no reader request completed); the slowest requests; worker RSS and CPU over time; the
import's own output lines with their times. Exits non-zero only when the bench itself could not
run. ``--keep DIR`` leaves the store with the extract in DIR (``bench_soak.py --data-dir DIR``).

    python bench/bench_import_block.py [--readers 4] [--file FILE] [--keep DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench_soak import (
    ATTRIBUTION,
    CHROMIUM,
    EXTRACT,
    LICENCE,
    Client,
    Gunicorn,
    Log,
    capture,
    cli,
    cpu_seconds,
    gapmap_env,
    pct,
    rss_mb,
    user_loop,
)

ROOT = Path(__file__).resolve().parents[1]


class Probe:
    """Posts the default map callback every ``every`` s; notes when its answer changes."""

    def __init__(self, client: Client, every: float = 0.5) -> None:
        self.client, self.every = client, every
        self.seen: list[tuple[float, str]] = []  # (end time, digest of the body)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        url, body = self.client.tpl.body("cb map")
        while not self.stop.wait(self.every):
            resp = self.client.request("probe map", "POST", url, body)
            if resp is not None and resp.status_code == 200:
                digest = hashlib.sha256(resp.content).hexdigest()[:12]
                self.seen.append((self.client.log.now(), digest))

    def switched_since(self, t: float, old: str, steady: float = 10.0) -> float | None:
        """When the probe last saw ``old``, if only new answers came for ``steady`` s after."""
        last_old = max((ts for ts, d in self.seen if d == old), default=t)
        news = [ts for ts, d in self.seen if ts > last_old and d != old]
        if news and news[-1] - last_old >= steady:
            return last_old
        return None


def run_import(env: dict[str, str], path: Path, log: Log, lines: list) -> int:
    """The README's import of the extract, its output lines stamped; returns the exit code."""
    cmd = [sys.executable, "-m", "data", "import", str(path), "--replace-demo"]
    cmd += ["--licence", LICENCE, "--attribution", ATTRIBUTION]
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    for line in proc.stdout:
        lines.append((log.now(), line.rstrip()))
    return proc.wait()


def phase_table(log: Log, phases: list[tuple[str, float, float]]) -> None:
    """Per phase: requests, errors, percentiles, max and the longest gap between completions."""
    print(
        f"{'phase':34} {'secs':>5} {'requests':>8} {'errors':>6} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'max ms':>8} {'gap ms':>8}"
    )
    for name, lo, hi in phases:
        part = [s for s in log.samples if lo <= s.end < hi]
        ms = [s.ms for s in part]
        ends = [lo, *sorted(s.end for s in part), hi]
        gap = max(b - a for a, b in zip(ends, ends[1:], strict=False)) * 1000
        # a request that started in the phase and ended after it counts too
        longest = max(
            (s.ms for s in log.samples if lo <= s.start < hi or lo <= s.end < hi), default=0
        )
        print(
            f"{name:34} {hi - lo:5.0f} {len(ms):8d} {sum(not s.ok for s in part):6d} "
            f"{pct(ms, 50):8.1f} {pct(ms, 99):8.1f} {longest:8.1f} "
            f"{gap:8.0f}"
        )


def where(t: float, phases: list[tuple[str, float, float]]) -> str:
    """The name of the phase that holds ``t``."""
    return next((name for name, lo, hi in phases if lo <= t < hi), "-")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, default=EXTRACT, help="the file to import")
    parser.add_argument("--readers", type=int, default=4, help="reader threads")
    parser.add_argument("--pause", type=float, default=0.25, help="mean pause between actions")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--before", type=float, default=30.0, help="seconds read before")
    parser.add_argument("--after", type=float, default=20.0, help="seconds read after the switch")
    parser.add_argument("--after-max", type=float, default=400.0, help="longest wait for it")
    parser.add_argument("--keep", type=Path, help="leave the store (with the extract) here")
    args = parser.parse_args(argv)
    if not args.file.exists():
        print(f"failed: {args.file} not found (see ../shared/data/README.md)")
        return 1
    if not Path(CHROMIUM).exists():
        print(f"failed: Debian's Chromium not found at {CHROMIUM} (it records the callbacks)")
        return 1
    tmp = Path(tempfile.mkdtemp(prefix="gapmap-importblock-"))
    data_dir = args.keep or tmp / "store"
    data_dir.mkdir(parents=True, exist_ok=False)
    env = gapmap_env(data_dir)
    server = None
    try:
        cli(env, "demo")
        server = Gunicorn(env, args.workers, tmp / "gunicorn.log")
        server.wait_ready()
        server.wait_idle()
        tpl = capture(server.base)
        return measure(server, tpl, env, args)
    except Exception:
        if server:
            print("gunicorn log (end):\n" + server.logfile.read_text()[-3000:])
        raise
    finally:
        if server:
            server.stop()
            boots = server.logfile.read_text().count("Booting worker") - args.workers
            print(f"worker (re)boots beyond the first {args.workers}: {boots}")
        shutil.rmtree(tmp, ignore_errors=True)


def measure(server: Gunicorn, tpl, env: dict[str, str], args) -> int:
    """Readers and probe around the import; prints the tables."""
    log, stop, lines, usage = Log(), threading.Event(), [], []
    readers = [
        threading.Thread(
            target=user_loop,
            args=(Client(server.base, tpl, log, i, random.Random(i)), stop, args.pause),
            daemon=True,
        )
        for i in range(args.readers)
    ]
    probe = Probe(Client(server.base, tpl, log, -1, random.Random(0)))

    def sample() -> None:
        while not stop.wait(5):
            pids = server.workers()
            usage.append((log.now(), {p: (rss_mb(p), cpu_seconds(p)) for p in pids}))

    threading.Thread(target=sample, daemon=True).start()
    for thread in readers:
        thread.start()
    probe.thread.start()
    stop.wait(args.before)
    old = probe.seen[-1][1] if probe.seen else ""
    t_start = log.now()
    code = run_import(env, args.file, log, lines)
    t_end = log.now()
    switched = None
    while log.now() - t_end < args.after_max:
        switched = probe.switched_since(t_end, old)
        if switched is not None:
            break
        time.sleep(1)
    t_switch = switched if switched is not None else log.now()
    stop.wait(max(0.0, args.after - (log.now() - t_switch)))
    t_stop = log.now()
    stop.set()
    probe.stop.set()
    for thread in readers:
        thread.join(timeout=70)

    print(
        f"store: demo, then {args.file.name} imported with --replace-demo while "
        f"{args.readers} readers (pause {args.pause} s) and a probe read; gunicorn "
        f"-w {args.workers}; machine: 2 CPUs shared with other work"
    )
    print(f"import exit code {code}, ran {t_end - t_start:.1f} s; its output:")
    for t, line in lines:
        print(f"  {t - t_start:7.1f} s  {line}")
    if switched is None:
        print(f"the probe never showed new data within {args.after_max:.0f} s of the import")
    else:
        print(f"every worker served the new data {t_switch - t_end:.1f} s after the import ended")
    phases = [
        ("before the import", 0.0, t_start),
        ("import running", t_start, t_end),
        ("import done, workers switching", t_end, t_switch),
        ("after the switch", t_switch, t_stop),
    ]
    print()
    phase_table(log, phases)
    print("\nslowest reader requests (start relative to the import start):")
    for s in sorted(log.samples, key=lambda s: -s.ms)[:10]:
        print(f"  {s.start - t_start:8.1f} s  {s.ms:8.0f} ms  {s.kind:16} {where(s.start, phases)}")
    over = [s for s in log.samples if s.ms > 1000]
    print(f"reader requests over 1 s: {len(over)} of {len(log.samples)}")
    print("\nworkers over time (RSS MB, CPU % of one core over the last 5 s):")
    last: dict[int, float] = {}
    for i, (t, row) in enumerate(usage):
        cells = []
        for pid, (mb, cpu) in row.items():
            share = (cpu - last[pid]) / 5 * 100 if pid in last else float("nan")
            last[pid] = cpu
            cells.append(f"{pid}: {mb:6.0f} MB {share:4.0f}%")
        if i % 2 == 0:
            print(f"  {t - t_start:7.1f} s  {where(t, phases):32} " + "  ".join(cells))
    return 0 if log.samples and code == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
