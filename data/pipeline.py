"""Validate and import files into the store; build the demo store.

The CLI and the app's upload both go through here, so "an import commits whole or changes
nothing" holds everywhere: every file is read and checked first, and only when none has an
error are they written, in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from data import demo, readers, reference
from data.readers.limits import Limits
from data.schema import ImportError_, Problem, ReadResult
from data.settings import Settings
from data.store import Provenance, Store, file_checksum, options_json
from data.vocab import vocabulary


@dataclass
class ImportSummary:
    """What one file's import did."""

    file: str
    format: str
    dataset: int
    created: bool
    rows: int
    warnings: list[Problem] = field(default_factory=list)
    unmapped: dict[tuple[str, str], int] = field(default_factory=dict)


def read_files(
    paths: Sequence[str | Path],
    settings: Settings,
    *,
    progress: Callable[[str], None] | None = None,
    **options: Any,
) -> list[tuple[Path, ReadResult]]:
    """Read (and so validate) every file; never raises for bad input.

    ``options`` are ``readers.read``'s: format, source_type, country, indicator, keep_conflicts.
    """
    vocab = vocabulary(tuple(settings.label_maps))
    limits = Limits.from_settings(settings)
    out = []
    for path in paths:
        if progress:
            progress(str(path))
        out.append((Path(path), readers.read(path, vocab=vocab, limits=limits, **options)))
    return out


def import_files(
    store: Store,
    paths: Sequence[str | Path],
    settings: Settings,
    *,
    licence: str = "",
    attribution: str = "",
    progress: Callable[[str], None] | None = None,
    rows_progress: Callable[[int], None] | None = None,
    demo: str = "refuse",
    **options: Any,
) -> list[ImportSummary]:
    """Read every file; if none has an error, store them all in one transaction.

    ``options`` are ``readers.read``'s (format, source_type, country, indicator,
    keep_conflicts). ``progress`` is called with each file name before it is read,
    ``rows_progress`` with the number of rows written after each chunk. ``demo`` says what
    happens to illustrative demo datasets in the store: ``refuse`` (the default: the import
    is refused, naming them), ``replace`` (removed in the same transaction) or ``keep``
    (kept; the dashboard keeps its "illustrative data" banner while any remains).

    Raises:
        ImportError_: with every error of every file, or the demo datasets that would be
            mixed with real data; the store is unchanged.
    """
    if demo not in DEMO_CHOICES:
        raise ValueError(f"demo must be one of {DEMO_CHOICES}")
    demo_ids = demo_datasets(store)
    if demo_ids and demo == "refuse":
        raise ImportError_([_demo_problem(store, demo_ids)])
    results = read_files(paths, settings, progress=progress, **options)
    source_type = options.get("source_type", "official")
    errors = [p for _, r in results for p in r.errors]
    if errors:
        raise ImportError_(errors)
    # the options that change the rows, normalised: GBR, gbr and 826 are the same import
    key = options_json(
        country=_country_key(options.get("country")), indicator=options.get("indicator")
    )
    items = [
        (
            r.frame,
            Provenance(
                name=str(r.metadata.get("name") or path.name),
                file_name=path.name,
                checksum=file_checksum(path),
                format=r.format,
                source_type=source_type,
                licence=licence or str(r.metadata.get("licence", "")),
                attribution=attribution or str(r.metadata.get("attribution", "")),
                options=key,
                declared=tuple(tuple(x) for x in r.metadata.get("declared", ())),
            ),
        )
        for path, r in results
    ]
    before = store.datasets()
    dropped = tuple(demo_ids) if demo == "replace" else ()
    stored = store.import_many(items, progress=rows_progress, remove=dropped)
    return [
        ImportSummary(
            file=str(path),
            format=r.format,
            dataset=ds,
            created=created,
            rows=len(r.frame),
            warnings=[p for p in r.problems if p.severity != "error"]
            + _also_imported(before, prov, path.name),
            unmapped=r.unmapped,
        )
        for (path, r), (_, prov), (ds, created) in zip(results, items, stored, strict=True)
    ]


DEMO_CHOICES = ("refuse", "replace", "keep")


def demo_datasets(store: Store) -> list[int]:
    """Ids of the illustrative (demo) datasets in the store."""
    sets = store.datasets()
    return [int(i) for i in sets.loc[sets["illustrative"].astype(bool), "id"]]


def _demo_problem(store: Store, demo_ids: list[int]) -> Problem:
    return Problem(
        "store",
        None,
        None,
        f"{len(demo_ids)} illustrative demo dataset(s) (ids {', '.join(map(str, demo_ids))})",
        "no illustrative demo data next to real data: their invented values would be mixed "
        "into every figure. Re-run with --replace-demo to remove them in the same "
        "transaction, or --keep-demo to keep them (the dashboard then keeps its "
        "'illustrative data' banner)",
        code="demo_present",
    )


def _country_key(country: str | None) -> str | None:
    if not country:
        return None
    code = country.strip().upper()
    return (reference.iso3_for_m49(code) or code) if code.isdigit() else code


def _also_imported(before: pd.DataFrame, prov: Provenance, name: str) -> list[Problem]:
    """A warning when the same file is already in the store under other options."""
    same = before[(before["checksum"] == prov.checksum)]
    other = same[(same["options"] != prov.options) | (same["source_type"] != prov.source_type)]
    return [
        Problem(
            name,
            None,
            None,
            f"dataset {row.id}",
            f"each file once: the same file is already dataset {row.id} "
            f"({row.source_type}, options {row.options}); remove one if this is a mistake",
            severity="warning",
            code="already_imported",
        )
        for row in other.itertuples()
    ]


def build_demo(store: Store, seed: int = 0) -> list[tuple[int, bool]]:
    """Import the illustrative demo datasets (idempotent: same seed, same checksums)."""
    items = [
        (
            d.frame,
            Provenance(
                name=d.name,
                file_name=d.file_name,
                checksum=f"demo-{seed}-{d.file_name}",
                format="demo",
                source_type=d.source_type,
                licence=d.licence,
                attribution=d.attribution,
                illustrative=True,
            ),
        )
        for d in demo.demo_datasets(seed)
    ]
    return store.import_many(items)


def ensure_demo(store: Store) -> bool:
    """Build the demo store when the store is empty and the settings allow; True if built."""
    if not store.settings.demo_on_empty or not store.is_empty():
        return False
    build_demo(store)
    return True
