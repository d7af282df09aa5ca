"""Validate and import files into the store; build the demo store.

The CLI and the app's upload both go through here, so "an import commits whole or changes
nothing" holds everywhere: every file is read and checked first, and only when none has an
error are they written, in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from data import demo, readers, reference
from data.readers.limits import Limits
from data.schema import ImportError_, Problem, ReadResult, empty_frame
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
    source_type = options.get("source_type", "official")
    # the options that change the rows, normalised: GBR, gbr and 826 are the same import
    key = options_json(
        country=_country_key(options.get("country")), indicator=options.get("indicator")
    )
    before = store.datasets()
    dropped = tuple(demo_ids) if demo == "replace" else ()
    if len(paths) < 2 or store.read_only:
        results = read_files(paths, settings, progress=progress, **options)
        errors = [p for _, r in results for p in r.errors]
        if errors:
            raise ImportError_(errors)
        items = [
            (r.frame, _provenance(path, r, source_type, key, licence, attribution))
            for path, r in results
        ]
        stored = store.import_many(items, progress=rows_progress, remove=dropped)
        done = [
            (path, r, prov, len(r.frame))
            for (path, r), (_, prov) in zip(results, items, strict=True)
        ]
    else:
        # several files (e.g. ten of a million rows): each is read, checked and written in turn
        # inside the one transaction, so that only one file's rows are in memory at a time. A
        # file with errors stops the writing; the rest are still read for their problems and
        # the transaction is rolled back: the store is unchanged, as when nothing was written.
        done = []
        stream = _checked_files(
            paths,
            settings,
            progress,
            options,
            done,
            lambda path, r: _provenance(path, r, source_type, key, licence, attribution),
        )
        stored = store.import_many(stream, progress=rows_progress, remove=dropped)
    return [
        ImportSummary(
            file=str(path),
            format=r.format,
            dataset=ds,
            created=created,
            rows=rows,
            warnings=[p for p in r.problems if p.severity != "error"]
            + _also_imported(before, prov, path.name),
            unmapped=r.unmapped,
        )
        for (path, r, prov, rows), (ds, created) in zip(done, stored, strict=True)
    ]


def _provenance(
    path: Path, r: ReadResult, source_type: str, key: str, licence: str, attribution: str
) -> Provenance:
    return Provenance(
        name=str(r.metadata.get("name") or path.name),
        file_name=path.name,
        checksum=file_checksum(path),
        format=r.format,
        source_type=source_type,
        licence=licence or str(r.metadata.get("licence", "")),
        attribution=attribution or str(r.metadata.get("attribution", "")),
        options=key,
        declared=tuple(tuple(x) for x in r.metadata.get("declared", ())),
    )


def _checked_files(
    paths: Sequence[str | Path],
    settings: Settings,
    progress: Callable[[str], None] | None,
    options: dict[str, Any],
    done: list[tuple[Path, ReadResult, Provenance, int]],
    provenance: Callable[[Path, ReadResult], Provenance],
) -> Iterator[tuple[pd.DataFrame, Provenance]]:
    """(frame, provenance) of each file, while no file has had an error.

    Raises ``ImportError_`` at the end with every error of every file (inside the store's
    transaction, which is then rolled back). ``done`` receives (path, result without its
    frame, provenance, rows) of each file yielded.
    """
    vocab = vocabulary(tuple(settings.label_maps))
    limits = Limits.from_settings(settings)
    errors: list[Problem] = []
    for path in paths:
        if progress:
            progress(str(path))
        path = Path(path)
        result = readers.read(path, vocab=vocab, limits=limits, **options)
        errors += result.errors
        if errors:
            result.frame = empty_frame()  # only its problems are needed now
            continue
        prov = provenance(path, result)
        frame, result.frame = result.frame, empty_frame()
        done.append((path, result, prov, len(frame)))
        yield frame, prov
        del frame
    if errors:
        raise ImportError_(errors)


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
