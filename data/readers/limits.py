"""Bounded work on any file: size, decompressed size, rows, columns and cell length.

Every limit is checked before the expensive step it protects, and a refused file costs little
memory: the file size is read from disk metadata, a gzip stream is first inflated chunk by chunk
and counted without being kept (a gzip bomb stops at the limit), rows and columns are counted on
the raw bytes before any parsing, and an XLSX archive's declared sizes are checked before
openpyxl reads it. Settings: ``GAPMAP_MAX_IMPORT_MB``, ``GAPMAP_MAX_EXPANDED_MB``,
``GAPMAP_MAX_ROWS``, ``GAPMAP_MAX_COLUMNS``, ``GAPMAP_MAX_CELL_CHARS``.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from dataclasses import dataclass

import numpy as np

from data.schema import Problem

_MB = 1024 * 1024
_CHUNK = 1 << 20


@dataclass(frozen=True)
class Limits:
    """The largest input an import reads (defaults fit the real SDG extract several times)."""

    max_file_mb: int = 250
    max_expanded_mb: int = 500
    max_rows: int = 2_000_000
    max_columns: int = 300
    max_cell_chars: int = 10_000

    @classmethod
    def from_settings(cls, settings: object) -> Limits:
        """The limits of a ``Settings`` object (``max_*`` fields)."""
        return cls(
            max_file_mb=settings.max_import_mb,  # type: ignore[attr-defined]
            max_expanded_mb=settings.max_expanded_mb,  # type: ignore[attr-defined]
            max_rows=settings.max_rows,  # type: ignore[attr-defined]
            max_columns=settings.max_columns,  # type: ignore[attr-defined]
            max_cell_chars=settings.max_cell_chars,  # type: ignore[attr-defined]
        )


def _refuse(
    file: str,
    what: str,
    setting: str,
    row: int | None = None,
    column: str | None = None,
    value: str | None = None,
) -> Problem:
    return Problem(
        file, row, column, value, f"{what} (raise {setting} to allow more)", "error", "too_large"
    )


def file_size(size: int, file: str, limits: Limits) -> list[Problem]:
    """The file on disk, before it is read."""
    if size > limits.max_file_mb * _MB:
        return [
            _refuse(
                file,
                f"a file of at most {limits.max_file_mb} MB",
                "GAPMAP_MAX_IMPORT_MB",
                value=f"{size / _MB:.1f} MB",
            )
        ]
    return []


def gzip_size(raw: bytes, file: str, limits: Limits) -> list[Problem]:
    """Inflate a gzip stream without keeping it; refuse once it passes the limit."""
    if raw[:2] != b"\x1f\x8b":
        return []
    limit = limits.max_expanded_mb * _MB
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    total, view = 0, memoryview(raw)
    try:
        for start in range(0, len(raw), _CHUNK):
            chunk = view[start : start + _CHUNK]
            while chunk:
                total += len(inflater.decompress(chunk, _CHUNK))
                if total > limit:
                    return [
                        _refuse(
                            file,
                            f"at most {limits.max_expanded_mb} MB once decompressed",
                            "GAPMAP_MAX_EXPANDED_MB",
                            value=f"more than {limits.max_expanded_mb} MB",
                        )
                    ]
                chunk = inflater.unconsumed_tail
    except zlib.error:
        return []  # not readable gzip: the reader says so
    return []


def text_shape(data: bytes, sep_guess: bytes, file: str, limits: Limits) -> list[Problem]:
    """Rows and header columns counted on the bytes, before pandas parses them."""
    if len(data) > limits.max_expanded_mb * _MB:
        return [
            _refuse(
                file,
                f"at most {limits.max_expanded_mb} MB of text",
                "GAPMAP_MAX_EXPANDED_MB",
                value=f"{len(data) / _MB:.1f} MB",
            )
        ]
    lines = data.count(b"\n") + (not data.endswith(b"\n"))
    if lines - 1 > limits.max_rows:
        return [
            _refuse(
                file,
                f"at most {limits.max_rows:,} data rows",
                "GAPMAP_MAX_ROWS",
                value=f"{lines - 1:,} rows",
            )
        ]
    header = data[: 1 << 20].split(b"\n", 1)[0]
    columns = max(header.count(sep) for sep in (b",", b";", b"\t", b"|", sep_guess)) + 1
    if columns > limits.max_columns:
        return [
            _refuse(
                file,
                f"at most {limits.max_columns} columns",
                "GAPMAP_MAX_COLUMNS",
                row=1,
                value=f"{columns:,} columns",
            )
        ]
    return []


def xlsx_size(raw: bytes, file: str, limits: Limits) -> list[Problem]:
    """The archive's declared uncompressed size, before openpyxl inflates anything."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return []  # the XLSX reader says it is unreadable
    if total > limits.max_expanded_mb * _MB:
        return [
            _refuse(
                file,
                f"a workbook of at most {limits.max_expanded_mb} MB unpacked",
                "GAPMAP_MAX_EXPANDED_MB",
                value=f"{total / _MB:.1f} MB",
            )
        ]
    return []


def long_cells(
    cells: object, headers: list[str], rows: np.ndarray, file: str, limits: Limits
) -> list[Problem]:
    """Cells longer than the limit, each located (at most 20 reported)."""
    problems: list[Problem] = []
    for col in cells.columns:  # type: ignore[attr-defined]
        lengths = cells[col].str.len().to_numpy()  # type: ignore[index]
        for i in np.flatnonzero(lengths > limits.max_cell_chars)[:20]:
            name = headers[col] if col < len(headers) else str(col)
            problems.append(
                _refuse(
                    file,
                    f"a cell of at most {limits.max_cell_chars:,} characters",
                    "GAPMAP_MAX_CELL_CHARS",
                    int(rows[i]),
                    name,
                    f"{int(lengths[i]):,} characters",
                )
            )
        if len(problems) >= 20:
            break
    return problems
