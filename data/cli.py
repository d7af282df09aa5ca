"""Command-line interface: validate, import, inspect, export and compute data gaps.

python -m data validate FILE... [--format F] [--country ISO3] [--json]
python -m data import FILE... [--format F] [--source-type official|community] [--country ISO3]
python -m data datasets | remove ID | demo
python -m data gaps [--group G] [--series S] [--country ISO3] [--format csv|json]
python -m data coverage [--group G] [--format csv|json]
python -m data progress --group G [--country ISO3] [--since YEAR] [--format csv|json]
python -m data export [--series S] [--country ISO3] [--format csv|json]
python -m data fetch-sdg --series CODE [CODE...]
python -m data users add|grant|revoke|list|remove|token|password ...
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
from tqdm import tqdm

from data import accounts_cli, pipeline, queries, sdgapi
from data.schema import DIMENSIONS, ImportError_
from data.settings import Settings
from data.store import StoreError
from data.vocab import groups

FORMATS = ("un", "opensdg", "sdmx", "template")
EXPORT_COLUMNS = [
    "series",
    "iso3",
    "m49",
    "period",
    "year",
    "value",
    "value_flag",
    "lower",
    "upper",
    "n",
    "source_type",
    "nature",
    "unit",
    "dataset",
    "source_row",
    *DIMENSIONS,
    "other_dims",
]


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m data", description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="command", required=True)
    for name in ("validate", "import"):
        c = sub.add_parser(name, help=f"{name} data files")
        c.add_argument("files", nargs="+")
        c.add_argument("--format", choices=FORMATS)
        c.add_argument("--country", help="ISO3 for files without a country column (Open SDG)")
        c.add_argument("--indicator", help="indicator id when the file name does not give it")
        c.add_argument("--source-type", choices=("official", "community"), default="official")
        c.add_argument(
            "--keep-conflicts",
            action="store_true",
            help="keep rows that share every key but differ in value (warn instead of refuse)",
        )
        if name == "validate":
            c.add_argument("--json", action="store_true", help="problems as JSON")
            c.add_argument("--strict", action="store_true", help="exit 1 on warnings too")
        else:
            _demo_options(c)
            c.add_argument("--licence", default="")
            c.add_argument("--attribution", default="")
    sub.add_parser("datasets", help="list imported datasets")
    r = sub.add_parser("remove", help="remove a dataset")
    r.add_argument("id", type=int)
    sub.add_parser("demo", help="build the illustrative demo store")
    g = sub.add_parser("gaps", help="status per country x series x group")
    g.add_argument("--group", choices=list(groups()))
    g.add_argument("--series")
    g.add_argument("--country")
    g.add_argument("--source", choices=queries.SOURCES, default="all")
    g.add_argument("--format", choices=("csv", "json"), default="csv")
    c = sub.add_parser("coverage", help="coverage per country x group")
    c.add_argument("--group", choices=list(groups()))
    c.add_argument("--source", choices=queries.SOURCES, default="all")
    c.add_argument("--format", choices=("csv", "json"), default="csv")
    pr = sub.add_parser("progress", help="coverage by year (official splits) for one group")
    pr.add_argument("--group", choices=list(groups()), required=True)
    pr.add_argument("--country")
    pr.add_argument("--since", type=int, default=2015, help="first year (default 2015)")
    pr.add_argument("--format", choices=("csv", "json"), default="csv")
    e = sub.add_parser("export", help="canonical observations")
    e.add_argument("--series")
    e.add_argument("--country")
    e.add_argument("--format", choices=("csv", "json"), default="csv")
    f = sub.add_parser("fetch-sdg", help="download series from the UN SDG API and import them")
    f.add_argument("--series", nargs="+", required=True)
    _demo_options(f)
    accounts_cli.add_parser(sub)  # python -m data users ... (issue #9)
    return p


def _demo_options(parser: argparse.ArgumentParser) -> None:
    """--replace-demo / --keep-demo: what an import does with illustrative demo datasets."""
    demo = parser.add_mutually_exclusive_group()
    demo.add_argument(
        "--replace-demo",
        dest="demo",
        action="store_const",
        const="replace",
        help="remove the illustrative demo datasets in the same transaction",
    )
    demo.add_argument(
        "--keep-demo",
        dest="demo",
        action="store_const",
        const="keep",
        help="keep the demo datasets next to real data (the dashboard keeps its banner)",
    )
    parser.set_defaults(demo="refuse")


def main(argv: Sequence[str] | None = None, settings: Settings | None = None) -> int:
    """Run one command; returns the process exit code."""
    args = _parser().parse_args(argv)
    settings = settings or Settings.from_env()
    handler = {
        "validate": _validate,
        "import": _import,
        "progress": _progress,
        "datasets": _datasets,
        "remove": _remove,
        "demo": _demo,
        "gaps": _gaps,
        "coverage": _coverage,
        "export": _export,
        "fetch-sdg": _fetch,
        "users": accounts_cli.run,
    }[args.command]
    try:
        return handler(args, settings)
    except StoreError as exc:  # a vanished, corrupted or read-only store, a full disk
        print(f"{args.command} failed: {exc}", file=sys.stderr)
        return 1


def _read_options(args: argparse.Namespace) -> dict[str, object]:
    """The ``readers.read`` options given on the command line."""
    return {
        "format": args.format,
        "source_type": args.source_type,
        "country": args.country,
        "indicator": args.indicator,
        "keep_conflicts": args.keep_conflicts,
    }


def _validate(args: argparse.Namespace, settings: Settings) -> int:
    results = pipeline.read_files(args.files, settings, **_read_options(args))
    problems = [p for _, r in results for p in r.problems]
    if args.json:
        print(json.dumps([p.to_dict() for p in problems], indent=1))
    else:
        for path, r in results:
            errs = len(r.errors)
            print(
                f"{path}: {r.format or '?'}, {len(r.frame)} rows, {errs} error(s), "
                f"{len(r.problems) - errs} warning(s)"
            )
        for p in problems:
            print(p)
    failing = problems if args.strict else [p for p in problems if p.severity == "error"]
    return 1 if failing else 0


def _import(args: argparse.Namespace, settings: Settings) -> int:
    store = queries.configure(settings)
    bar = tqdm(total=len(args.files), desc="reading", unit="file", file=sys.stderr)
    rows_bar = tqdm(desc="writing", unit="row", file=sys.stderr, disable=None)
    try:
        summaries = pipeline.import_files(
            store,
            args.files,
            settings,
            licence=args.licence,
            attribution=args.attribution,
            demo=args.demo,
            progress=lambda _: bar.update(1),
            rows_progress=rows_bar.update,
            **_read_options(args),
        )
    except ImportError_ as exc:
        bar.close()
        rows_bar.close()
        print(f"import refused, nothing was changed: {exc}", file=sys.stderr)
        print("every problem: python -m data validate FILE...", file=sys.stderr)
        return 1
    bar.close()
    rows_bar.close()
    for s in summaries:
        _print_summary(s)
    return 0


def _print_summary(s: pipeline.ImportSummary) -> None:
    state = "imported as" if s.created else "already imported as"
    print(
        f"{s.file}: {s.format}, {s.rows} rows {state} dataset {s.dataset}, "
        f"{len(s.warnings)} warning(s)"
    )
    for (dim, label), count in sorted(s.unmapped.items()):
        print(f"  unmapped {dim} label {label!r}: {count} row(s) kept as given")
    kinds = Counter(w.code for w in s.warnings if w.code not in ("unknown_label",))
    for code, count in sorted(kinds.items()):
        print(f"  {count} {code} warning(s) (python -m data validate lists them)")
    for w in s.warnings:
        if w.code == "already_imported":
            print(f"  {w}")


def _datasets(args: argparse.Namespace, settings: Settings) -> int:
    frame = queries.configure(settings).datasets()
    print(frame.drop(columns=["options"]).to_csv(index=False), end="")
    return 0


def _remove(args: argparse.Namespace, settings: Settings) -> int:
    if queries.configure(settings).remove(args.id):
        print(f"removed dataset {args.id}")
        return 0
    print(f"no dataset {args.id}", file=sys.stderr)
    return 1


def _demo(args: argparse.Namespace, settings: Settings) -> int:
    results = pipeline.build_demo(queries.configure(settings))
    made = sum(created for _, created in results)
    print(f"demo store: {len(results)} illustrative datasets ({made} new)")
    return 0


def _emit(frame: pd.DataFrame, fmt: str) -> None:
    if fmt == "json":
        print(frame.to_json(orient="records", indent=1))
    else:
        print(frame.to_csv(index=False), end="")


def _gaps(args: argparse.Namespace, settings: Settings) -> int:
    queries.configure(settings)
    ids = [args.group] if args.group else list(groups())
    frame = pd.concat([queries.statuses(g, args.source) for g in ids], ignore_index=True)
    if args.series:
        frame = frame[frame["series"] == args.series]
    if args.country:
        iso3 = args.country.upper()
        frame = frame[frame["iso3"] == iso3]
        # series that apply only to other countries, said as such (not counted as gaps)
        others = pd.DataFrame(
            [
                {"iso3": iso3, "series": s, "group": g, "status": "", "reason": "not_expected_here"}
                for g in ids
                for s in queries.not_expected_here(g, iso3)
                if not args.series or s == args.series
            ],
            columns=["iso3", "series", "group", "status", "reason"],
        )
        frame = pd.concat([frame, others], ignore_index=True) if len(others) else frame
    cols = ["iso3", "series", "group", "status", "reason", "age", "latest_year"]
    _emit(frame[cols], args.format)
    return 0


def _progress(args: argparse.Namespace, settings: Settings) -> int:
    queries.configure(settings)
    frame = queries.progress(args.group, args.since)
    if args.country:
        frame = frame[frame["iso3"] == args.country.upper()]
    _emit(frame, args.format)
    return 0


def _coverage(args: argparse.Namespace, settings: Settings) -> int:
    queries.configure(settings)
    ids = [args.group] if args.group else list(groups())
    frame = pd.concat([queries.coverage(g, args.source) for g in ids], ignore_index=True)
    _emit(frame, args.format)
    return 0


def _export(args: argparse.Namespace, settings: Settings) -> int:
    queries.configure(settings)
    obs = queries.observations()
    if args.series:
        obs = obs[obs["series"] == args.series]
    if args.country:
        obs = obs[obs["iso3"] == args.country.upper()]
    _emit(obs[EXPORT_COLUMNS].astype(dict.fromkeys(EXPORT_COLUMNS, object)), args.format)
    return 0


def _fetch(args: argparse.Namespace, settings: Settings) -> int:
    try:
        frame = sdgapi.fetch_series(args.series, settings.sdg_api_url)
    except sdgapi.SdgApiError as exc:  # offline, HTTP error or an answer that is not JSON
        print(f"fetch-sdg: {exc}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"sdg-api-{'-'.join(args.series)}.csv"
        sdgapi.write_un_csv(frame, path)
        ns = argparse.Namespace(
            files=[str(path)],
            format="un",
            source_type="official",
            country=None,
            indicator=None,
            keep_conflicts=False,
            demo=args.demo,
            licence="UN SDG Global Database terms of use",
            attribution="United Nations Statistics Division, Global SDG Indicators Database",
        )
        return _import(ns, settings)
