"""Data API benchmark: one country's observations from ``/api/v1/`` on the real UN extract.

Imports ``../shared/data/sdg-global-extract/sdg_disaggregated_long.csv.gz`` into a temporary
store (or reuses ``--data-dir``), builds the app (``warm=False``: the requests below compute
what they need; the first of each is reported apart), and times whole responses through the
Flask test client (the body read to its end): ``/api/v1/observations?country=ISO3`` as JSON,
CSV and gzip-compressed JSON, and ``/api/v1/gaps?group=disability&country=ISO3``.

Baseline in the same run: a plain pandas filter of the same rows from the store's observations
frame plus ``to_csv`` (no provenance lookups, no citation, no formula neutralising). Prints
p50/p95 in ms and bytes; never fails on time.

    python bench/bench_api.py [--data-dir DIR] [--country KEN] [--repeat 50] [--file FILE]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEFAULT = ROOT.parent / "shared" / "data" / "sdg-global-extract" / "sdg_disaggregated_long.csv.gz"


def pct(values: list[float], q: int) -> float:
    """The q-th percentile (nearest rank) of ``values``."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def build_store(path: Path, data_dir: Path) -> None:
    """Import the extract into a fresh store in ``data_dir``."""
    from data import queries
    from data.pipeline import import_files
    from data.settings import Settings

    settings = Settings(data_dir=data_dir, demo_on_empty=False, cache_type="NullCache")
    t0 = time.perf_counter()
    [summary] = import_files(queries.configure(settings), [path], settings)
    print(f"imported {path.name}: {summary.rows} rows in {time.perf_counter() - t0:.1f} s")


def timed(fn, repeat: int) -> tuple[float, list[float], int]:
    """(first call ms, later calls ms, bytes of the last answer)."""
    t0 = time.perf_counter()
    size = fn()
    first = (time.perf_counter() - t0) * 1000
    later = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        size = fn()
        later.append((time.perf_counter() - t0) * 1000)
    return first, later, size


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, help="reuse a store that holds the extract")
    parser.add_argument("--file", type=Path, default=DEFAULT, help="the extract to import")
    parser.add_argument("--country", default="KEN")
    parser.add_argument("--repeat", type=int, default=50, help="timed calls per request")
    args = parser.parse_args(argv)
    data_dir = args.data_dir
    if data_dir is None:
        if not args.file.exists():
            sys.exit(f"{args.file} is absent: pass --file or --data-dir")
        data_dir = Path(tempfile.mkdtemp(prefix="bench-api-"))
        build_store(args.file, data_dir)

    from app import create_app
    from data import queries
    from data.settings import Settings

    settings = Settings(data_dir=data_dir, demo_on_empty=False, cache_type="SimpleCache")
    t0 = time.perf_counter()
    app = create_app(settings, warm=False)
    print(f"create_app: {time.perf_counter() - t0:.1f} s")
    client = app.server.test_client()
    iso3 = args.country

    def get(url: str, **headers: str):
        def call() -> int:
            r = client.get(url, headers=headers)
            assert r.status_code == 200, r.data[:200]
            return len(r.data)

        return call

    obs = queries.observations()

    def baseline() -> int:
        rows = obs[(obs["iso3"] == iso3).to_numpy()]
        return len(rows.to_csv(index=False).encode())

    n = int((obs["iso3"] == iso3).sum())
    cases = [
        ("pandas filter + to_csv (baseline)", baseline),
        ("observations JSON", get(f"/api/v1/observations?country={iso3}")),
        ("observations CSV", get(f"/api/v1/observations?country={iso3}&format=csv")),
        (
            "observations JSON, gzip",
            get(f"/api/v1/observations?country={iso3}", **{"Accept-Encoding": "gzip"}),
        ),
        ("gaps disability JSON", get(f"/api/v1/gaps?group=disability&country={iso3}")),
    ]
    print(f"\n{iso3}: {n:,} observations of {len(obs):,}; {args.repeat} timed calls each\n")
    print(f"{'request':38} {'first ms':>9} {'p50 ms':>8} {'p95 ms':>8} {'bytes':>11}")
    results = {}
    for label, fn in cases:
        first, later, size = timed(fn, args.repeat)
        results[label] = pct(later, 95)
        print(
            f"{label:38} {first:9.1f} {statistics.median(later):8.1f} "
            f"{pct(later, 95):8.1f} {size:11,}"
        )
    base = results["pandas filter + to_csv (baseline)"]
    print(
        f"\nobservations CSV p95 / baseline p95: {results['observations CSV'] / base:.1f}x; "
        f"JSON: {results['observations JSON'] / base:.1f}x"
    )


if __name__ == "__main__":
    main()
