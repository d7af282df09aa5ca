"""Brief benchmark: the country brief page, its PDF and the offline pack on the real UN extract.

Imports ``../shared/data/sdg-global-extract/sdg_disaggregated_long.csv.gz`` into a temporary
store (or reuses ``--data-dir``), builds the app with NullCache (every request computes its
answer: the uncached cost a first visitor pays once per store version) and times, through
Flask's test client, for each country:

- the brief page (``/country/<ISO3>/brief``): findings, tables and the SVG charts (kaleido
  on the local Chromium: one browser kept for the process, its start counted in the first);
- its PDF (``brief.pdf``: the page again plus Chromium's print-to-PDF);
- the offline pack (``pack.zip``: the page again plus the CSV files);
- Chromium's print-to-PDF alone (what the PDF costs once the page's context is cached, as
  it is in the served app with SimpleCache/FileSystemCache after someone opened the brief).

Baseline in the same run: the country page's own payloads for the same country and group
(``static_payload`` + ``detail_payload`` + ``missing_payload``, uncached), i.e. what the
dashboard pays to show the same numbers on screen. Budgets (issue #8): brief <= 2 s,
PDF <= 5 s, pack <= 5 s. Usage: ``python bench/bench_brief.py [--data-dir DIR] [--runs 3]``.
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
EXTRACT = ROOT.parent / "shared" / "data" / "sdg-global-extract" / "sdg_disaggregated_long.csv.gz"
COUNTRIES = ("KEN", "NPL", "IND", "BGD", "VNM")
BUDGETS = {"brief": 2.0, "pdf": 5.0, "pack": 5.0}


def _store(data_dir: str | None) -> Path:
    from data import queries
    from data.pipeline import import_files
    from data.settings import Settings

    if data_dir:
        return Path(data_dir)
    path = Path(tempfile.mkdtemp(prefix="bench-brief-"))
    settings = Settings(data_dir=path, demo_on_empty=False, cache_type="NullCache")
    t0 = time.perf_counter()
    import_files(queries.configure(settings), [EXTRACT], settings)
    print(f"imported the extract in {time.perf_counter() - t0:.1f} s into {path}")  # noqa: T201
    return path


def _timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def main() -> None:
    """Time the brief, its PDF and the pack per country and print them against the budgets."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", help="a store that already holds the extract")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--group", default="disability")
    args = parser.parse_args()
    from app import create_app
    from data.settings import Settings
    from layouts.pages import content, country

    settings = Settings(data_dir=_store(args.data_dir), demo_on_empty=False, cache_type="NullCache")
    app = create_app(settings, warm=False)
    client = app.server.test_client()
    group = args.group

    def get(path: str) -> None:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code, response.data[:200])

    def page(iso3: str) -> None:
        ver = content.version()
        with app.server.app_context():
            country.static_payload.uncached(ver, iso3, "all", None)
            series = country.pick_series(
                iso3, {"group": group, "source": "all", "goal": "all", "series": ""}
            )
            country.detail_payload.uncached(ver, iso3, group, series, "all", None)
            country.missing_payload.uncached(ver, iso3, "all", None)

    from datetime import date

    from layouts import brief as build
    from server import brief

    def printed(iso3: str) -> float:
        """Chromium's print-to-PDF alone (the PDF of a brief whose context is cached)."""
        day = date.today().isoformat()
        ctx = brief.context.uncached(content.version(), iso3, group, "all", None, day)
        html = build.render(ctx, standalone=True)
        return _timed(lambda: brief.pdf(html, brief.chromium()))

    first = _timed(lambda: get(f"/country/KEN/brief?group={group}"))
    print(f"first brief (gap engine for the group + chart browser start): {first:.2f} s")  # noqa: T201
    rows = []
    for iso3 in COUNTRIES:
        q = f"?group={group}"
        found = {
            "page (baseline)": [_timed(lambda: page(iso3)) for _ in range(args.runs)],
            "brief": [_timed(lambda: get(f"/country/{iso3}/brief{q}")) for _ in range(args.runs)],
            "pdf": [_timed(lambda: get(f"/country/{iso3}/brief.pdf{q}")) for _ in range(args.runs)],
            "pack": [_timed(lambda: get(f"/country/{iso3}/pack.zip{q}")) for _ in range(args.runs)],
            "print": [printed(iso3) for _ in range(args.runs)],
        }
        rows.append((iso3, {k: statistics.median(v) for k, v in found.items()}))
    print(f"\nmedian of {args.runs} runs, seconds (group {group}, NullCache: uncached)")  # noqa: T201
    print("| country | country page (baseline) | brief | PDF | pack | print-to-PDF alone |")  # noqa: T201
    print("|---|---|---|---|---|---|")  # noqa: T201
    for iso3, m in rows:
        cells = [f"{m['page (baseline)']:.2f}"]
        for key in ("brief", "pdf", "pack"):
            mark = "" if m[key] <= BUDGETS[key] else " (over budget)"
            cells.append(f"{m[key]:.2f}{mark}")
        cells.append(f"{m['print']:.2f}")
        print(f"| {iso3} | " + " | ".join(cells) + " |")  # noqa: T201
    worst = {k: max(m[k] for _, m in rows) for k in BUDGETS}
    print(  # noqa: T201
        "worst: "
        + ", ".join(f"{k} {v:.2f} s (budget {BUDGETS[k]:.0f} s)" for k, v in worst.items())
    )
    from server import images

    images.close()


if __name__ == "__main__":
    main()
