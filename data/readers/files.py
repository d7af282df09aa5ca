"""Turn the bytes of a file into a ``Table`` of text cells, once, whatever the container.

Readers never touch bytes: this module sniffs gzip and XLSX (see ``xlsx``) by content, the encoding
(UTF-8 with or without BOM, UTF-16 with BOM, cp1252 as a reported guess) and the delimiter, and
keeps for every data row the line (CSV) or sheet row (XLSX) it came from, so that a problem can
point at the place in the file a person sees in an editor. Leading blank lines and lines starting
with ``#`` before the header are skipped (their lines still count). A CSV record that spans lines
(a quoted newline) is numbered by the line it starts on.
"""

from __future__ import annotations

import csv
import gzip
import io
import zlib
from dataclasses import dataclass

import numpy as np
import pandas as pd

from data.schema import Problem

BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)


@dataclass
class Table:
    """A sheet of text cells: the header row as in the file and the data rows.

    ``cells`` has positional columns 0..k-1 (headers may repeat), str values, "" for blank;
    ``rows`` holds the 1-based line (CSV) or sheet row (XLSX) of each data row.
    """

    headers: list[str]
    cells: pd.DataFrame
    rows: np.ndarray
    sheet: str = ""

    def release(self) -> None:
        """Drop the cells (keeping headers and row numbers) once a reader has taken its columns.

        A big file's grid is then freed before the canonical frame is built beside it.
        """
        self.cells = empty_cells(self.cells.shape[1])  # a slice would keep the buffers


def is_xlsx(raw: bytes) -> bool:
    """Whether bytes look like a zip container (XLSX)."""
    return raw[:4] == b"PK\x03\x04"


def gunzip(raw: bytes, file: str) -> tuple[bytes | None, list[Problem]]:
    """Decompress gzip bytes (transparently: .csv.gz); other bytes are returned unchanged."""
    if raw[:2] != b"\x1f\x8b":
        return raw, []
    try:
        return gzip.decompress(raw), []
    except (OSError, EOFError, zlib.error) as exc:
        return None, [file_problem(file, f"a readable gzip file ({exc})", "bad_format")]


def decode(raw: bytes, file: str) -> tuple[bytes | None, list[Problem]]:
    """UTF-8 bytes of a text file: BOM-marked UTF-8/UTF-16, else UTF-8, else cp1252 (warned).

    UTF-8 input is only validated, not copied, so big files stay bytes until pandas parses them.

    Returns:
        (utf-8 bytes without BOM, problems); None with a ``bad_encoding`` error when the bytes
        are not text in any of those encodings (e.g. UTF-16 without BOM, binary data).
    """
    for bom, enc in BOMS:
        if raw.startswith(bom):
            body = raw[len(bom) :]
            try:
                text = body.decode(enc)
            except UnicodeDecodeError as exc:
                return None, [_bad_encoding(file, f"valid {enc} after its byte-order mark", exc)]
            return _checked(text, file, enc, body if enc == "utf-8" else None)
    try:
        raw.decode("utf-8")
        return _checked(raw[:65536].decode("utf-8", "ignore"), file, "utf-8", raw)
    except UnicodeDecodeError:
        pass
    try:
        text = raw.decode("cp1252")
    except UnicodeDecodeError as exc:
        return None, [_bad_encoding(file, "text in UTF-8, UTF-16 (with BOM) or cp1252", exc)]
    data, problems = _checked(text, file, "cp1252", None)
    if data is not None:
        problems.append(
            Problem(
                file,
                None,
                None,
                None,
                "UTF-8 text; the file was read as cp1252 (Windows-1252): check accented letters",
                "warning",
                "bad_encoding",
            )
        )
    return data, problems


def _checked(
    text: str, file: str, enc: str, raw: bytes | None
) -> tuple[bytes | None, list[Problem]]:
    """Refuse text holding NUL characters: binary data or UTF-16 without a BOM.

    Other control characters in text are cleaned cell by cell, each with a located warning
    (``readers._clean_control_characters``).
    """
    head = text[:65536]
    if "\x00" in head:
        return None, [
            Problem(
                file,
                None,
                None,
                None,
                "text (UTF-8, cp1252, or UTF-16 with BOM); found "
                f"control characters when read as {enc}: binary data or UTF-16 without "
                "a byte-order mark?",
                "error",
                "bad_encoding",
            )
        ]
    return (raw if raw is not None else text.encode("utf-8")), []


def _bad_encoding(file: str, expected: str, exc: UnicodeDecodeError) -> Problem:
    value = exc.object[exc.start : exc.start + 8].hex(" ")
    return Problem(
        file,
        None,
        None,
        value,
        f"{expected} (undecodable bytes at offset {exc.start})",
        "error",
        "bad_encoding",
    )


def file_problem(file: str, expected: str, code: str) -> Problem:
    """An error about the whole file (no row, no column)."""
    return Problem(file, None, None, None, expected, "error", code)


def sniff_delimiter(header_line: str) -> str:
    """The most frequent of , ; tab | outside quotes in the header line (default ",")."""
    counts = dict.fromkeys(",;\t|", 0)
    quoted = False
    for ch in header_line:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(counts, key=lambda c: counts[c])
    return best if counts[best] else ","


def _skip_preamble(data: bytes) -> tuple[int, int]:
    """(number of leading blank/'#' lines, byte offset of the header line)."""
    skipped, pos = 0, 0
    while pos < len(data):
        end = data.find(b"\n", pos)
        end = len(data) if end < 0 else end + 1
        line = data[pos:end].strip()
        if line and not line.startswith(b"#"):
            break
        skipped, pos = skipped + 1, end
    return skipped, pos


def csv_table(data: bytes, file: str) -> tuple[Table | None, list[Problem]]:
    """Parse UTF-8 CSV bytes (delimiter sniffed) into a ``Table``; ragged rows are problems."""
    skipped, pos = _skip_preamble(data)
    body = data[pos:]
    if not body.strip():
        return None, [file_problem(file, "a header row and data rows", "empty_file")]
    first = body[:65536].split(b"\n", 1)[0].decode("utf-8", "replace")
    sep = sniff_delimiter(first)
    grid = _arrow_grid(body, sep, first)
    if grid is not None:  # a regular file, parsed once: no row is short or long
        lines = _line_numbers(grid, body, skipped)
        headers = [str(h).strip() for h in grid.iloc[0]]
        cells = grid.iloc[1:].reset_index(drop=True)
        del grid
        cells.columns = range(cells.shape[1])
        return finish_table(headers, cells, lines[1:], ""), []
    try:
        grid = pd.read_csv(
            io.BytesIO(body),
            sep=sep,
            header=None,
            dtype=str,
            encoding="utf-8",
            keep_default_na=False,
            skip_blank_lines=False,
            engine="c",
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError, OverflowError):
        return _csv_module_table(body.decode("utf-8"), skipped, sep, file)
    grid = grid.fillna("")
    lines = _line_numbers(grid, body, skipped)
    headers = [str(h).strip() for h in grid.iloc[0]]
    cells = grid.iloc[1:].reset_index(drop=True)
    cells.columns = range(cells.shape[1])
    return finish_table(headers, cells, lines[1:], ""), _short_rows(body, sep, lines, file)


def _arrow_grid(body: bytes, sep: str, first: str) -> pd.DataFrame | None:
    """The cell grid (header row first) parsed by pyarrow, when every record is regular.

    One multi-threaded parse into text columns instead of pandas' parse plus a second one
    checking row lengths. None (the caller then takes the pandas path, with its checks and
    messages) when any record has fewer or more cells than the header, a line is blank, the
    parse fails, the text holds NUL characters or the last line has no line end: those files
    keep the exact old handling.
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv

    if b"\x00" in body:
        return None
    if not body.endswith((b"\n", b"\r")):
        # a last line without its end may be cut off (inside a quoted field pyarrow reads it
        # as complete): the exact path checks and explains it
        return None
    irregular: list[int] = []

    def invalid(row: pacsv.InvalidRow) -> str:
        irregular.append(row.number or 0)
        return "skip"

    # every column text: the header line has at most one field more than separators
    types = {f"f{i}": pa.large_string() for i in range(first.count(sep) + 1)}
    try:
        table = pacsv.read_csv(
            io.BytesIO(body),
            read_options=pacsv.ReadOptions(autogenerate_column_names=True, block_size=1 << 24),
            parse_options=pacsv.ParseOptions(
                delimiter=sep,
                newlines_in_values=True,
                ignore_empty_lines=False,
                invalid_row_handler=invalid,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=types, strings_can_be_null=False, quoted_strings_can_be_null=False
            ),
        )
    except Exception:  # noqa: BLE001 - the pandas path decides and explains
        return None
    if irregular or any(not pa.types.is_large_string(t) for t in table.schema.types):
        return None
    columns = {}
    for i in range(table.num_columns):
        columns[i] = pd.Series(table.column(0), dtype="str")
        table = table.remove_column(0)  # each column's memory handed over, not kept twice
    return pd.DataFrame(columns, copy=False)


def _short_rows(body: bytes, sep: str, lines: np.ndarray, file: str) -> list[Problem]:
    """Rows with fewer cells than the header, and a last line cut off in the middle.

    pandas pads a short row with empty cells, which read as totals: a group value would
    become a national figure. pyarrow's CSV parser names each such row; nothing is padded.
    """
    import pyarrow.csv as pacsv

    found: list[tuple[int, int, int, str]] = []

    def invalid(row: pacsv.InvalidRow) -> str:
        found.append((row.number or 0, row.expected_columns, row.actual_columns, row.text))
        return "skip"

    try:
        pacsv.read_csv(
            io.BytesIO(body),
            read_options=pacsv.ReadOptions(autogenerate_column_names=True, use_threads=False),
            parse_options=pacsv.ParseOptions(
                delimiter=sep, newlines_in_values=True, invalid_row_handler=invalid
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={}, strings_can_be_null=False, auto_dict_encode=False
            ),
        )
    except Exception:  # noqa: BLE001 - a validation pass only: the main parse decides
        return []
    problems = []
    last = len(lines)
    for number, expected, actual, text in found:
        if actual >= expected or number < 1:
            continue
        line = int(lines[number - 1]) if number <= last else None
        cut = number == last and not body.endswith((b"\n", b"\r"))
        open_quote = text.count('"') % 2 == 1
        what = (
            "a complete last line: the file ends inside a quoted field (was it cut off?)"
            if open_quote
            else f"a complete last line with {expected} cells: it has {actual} and no line end "
            "(was the file cut off?)"
            if cut
            else f"{expected} cells like the header row, got {actual}: missing cells would "
            "read as blank, and a blank breakdown as a total (a group value as a national one)"
        )
        problems.append(Problem(file, line, None, text[:80], what, "error", "short_row"))
    return problems


def _line_numbers(grid: pd.DataFrame, body: bytes, skipped: int) -> np.ndarray:
    """1-based line of each record; records spanning lines push later numbers down."""
    n = len(grid)
    span = np.ones(n, dtype=np.int64)
    if body.count(b"\n") + (not body.endswith(b"\n")) != n:
        for col in grid.columns:
            span += grid[col].str.count("\n").to_numpy(dtype=np.int64)
    return skipped + np.concatenate(([1], 1 + np.cumsum(span)[:-1])).astype(np.int64)


def _csv_module_table(
    body: str, skipped: int, sep: str, file: str
) -> tuple[Table | None, list[Problem]]:
    """Slow, exact path for irregular CSV: numbers lines and reports rows with extra cells."""
    problems: list[Problem] = []
    records: list[list[str]] = []
    lines: list[int] = []
    reader = csv.reader(io.StringIO(body, newline=""), delimiter=sep)
    start = 1
    try:
        for rec in reader:
            records.append(rec)
            lines.append(skipped + start)
            start = reader.line_num + 1
    except csv.Error as exc:
        problems.append(
            Problem(
                file, skipped + start, None, None, f"well-formed CSV ({exc})", "error", "bad_format"
            )
        )
    if not records:
        return None, problems + [file_problem(file, "a header row", "empty_file")]
    headers = [h.strip() for h in records[0]]
    width = len(headers)
    for rec, line in zip(records[1:], lines[1:], strict=True):
        if len(rec) > width and any(c.strip() for c in rec[width:]):
            problems.append(
                Problem(
                    file,
                    line,
                    None,
                    sep.join(rec[width:])[:80],
                    f"{width} cells like the header row, got {len(rec)}",
                    "error",
                    "bad_format",
                )
            )
    if len(records) > 1 and _ends_in_open_quote(body, lines[-1] - skipped):
        problems.append(
            Problem(
                file,
                lines[-1],
                None,
                sep.join(records[-1])[:80],
                "a complete last line: the file ends inside a quoted field (was it cut off?)",
                "error",
                "short_row",
            )
        )
    data = [(rec + [""] * width)[:width] for rec in records[1:]]
    cells = pd.DataFrame(data, columns=range(width), dtype=str) if data else empty_cells(width)
    return finish_table(headers, cells, np.asarray(lines[1:], dtype=np.int64), ""), problems


def _ends_in_open_quote(body: str, first_line: int) -> bool:
    """Whether the record starting at ``first_line`` (1-based) leaves a quote open at the end."""
    tail = "\n".join(body.splitlines()[first_line - 1 :])
    return tail.count('"') % 2 == 1


def empty_cells(width: int) -> pd.DataFrame:
    """A cell grid with ``width`` text columns and no rows."""
    return pd.DataFrame({i: pd.Series([], dtype=str) for i in range(width)})


def finish_table(headers: list[str], cells: pd.DataFrame, rows: np.ndarray, sheet: str) -> Table:
    """Strip cells, drop rows that are entirely blank (their numbers go with them)."""
    for col in cells.columns:
        cells[col] = cells[col].astype(str).str.strip()
    if cells.shape[1]:
        keep = (cells != "").any(axis=1).to_numpy()
    else:
        keep = np.zeros(len(cells), dtype=bool)
    cells = cells[keep].reset_index(drop=True)
    return Table(headers=headers, cells=cells, rows=np.asarray(rows)[keep], sheet=sheet)
