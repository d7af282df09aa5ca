"""Community submissions: an uploaded file goes from draft to pending to published (or rejected).

Nothing is lost and nothing is overwritten in place:
- the uploaded bytes are kept under ``GAPMAP_DATA_DIR/submissions`` (written to a temporary
  file, flushed, then renamed: a killed process leaves the old state or the whole file), and
  the submission row that names them is written only after;
- every state change is one transaction holding the submission row and its audit entry (who,
  when, what, the file's SHA-256; each entry's hash chains it to the one before);
- publishing adds a dataset (source type ``community``, the organisation as source) in the same
  transaction that marks the submission published; reverting withdraws that dataset in the same
  transaction that marks it reverted. The file, the row and the audit entries stay.

The readers validate an upload exactly like an import (``pipeline.read_files``), with the upload
limits (``GAPMAP_MAX_UPLOAD_MB``, ``GAPMAP_MAX_UPLOAD_ROWS``); the country grant is checked here,
on the server, whatever a browser or a script sends.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import os
import secrets
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd
import sqlalchemy as sa

from data import pipeline
from data.accounts import User, now
from data.community_tables import AUDIT, SUBMISSIONS
from data.schema import DIMENSIONS, UNMAPPED_PREFIX, Problem, ReadResult
from data.settings import Settings
from data.store import Provenance, Store, options_json

STATUSES = ("draft", "pending", "published", "rejected", "reverted")
# Provenance a contributor gives, after the Copenhagen Framework on Citizen Data (UN Statistical
# Commission, 2025): who collected the data and how, whom they cover, consent and licence.
PROVENANCE_FIELDS: tuple[str, ...] = (
    "title",
    "collected_by",
    "method",
    "sampling",
    "population",
    "period",
    "sample_size",
    "washington_group",
    "consent",
    "anonymisation",
    "licence",
)
OPTIONAL_FIELDS: tuple[str, ...] = ("contact", "notes")
MAX_FIELD = 2000
_BINARY_MAGIC = (b"%PDF", b"\x89PNG", b"MZ", b"\x7fELF", b"GIF8", b"\xff\xd8\xff", b"\xd0\xcf\x11")


class SubmissionError(Exception):
    """A submission step was refused; ``problems`` (or the message) says why."""

    def __init__(self, message: str, problems: list[Problem] | None = None, status: int = 400):
        super().__init__(message)
        self.problems = problems or []
        self.status = status


def sniff(raw: bytes) -> str | None:
    """The kind of an uploaded file from its bytes (never its name): csv, csv.gz, xlsx or None."""
    if raw[:2] == b"\x1f\x8b":
        return "csv.gz"
    if raw[:4] == b"PK\x03\x04":
        try:
            names = zipfile.ZipFile(io.BytesIO(raw)).namelist()
        except zipfile.BadZipFile:
            return None
        return "xlsx" if "xl/workbook.xml" in names else None
    if raw.startswith(_BINARY_MAGIC) or not raw.strip():
        return None
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):  # UTF-16 text carries NULs
        return "csv"
    return None if b"\x00" in raw[:65536] else "csv"


def audit(
    conn: sa.Connection,
    actor: str,
    action: str,
    *,
    submission_id: int | None = None,
    dataset_id: int | None = None,
    checksum: str = "",
    detail: dict[str, Any] | None = None,
) -> None:
    """Append one audit entry in the caller's transaction (chained to the one before)."""
    last = conn.execute(sa.select(AUDIT.c.entry_hash).order_by(AUDIT.c.id.desc()).limit(1))
    previous = last.scalar() or ""
    entry = {
        "at": now(),
        "actor": actor,
        "action": action,
        "submission_id": submission_id,
        "dataset_id": dataset_id,
        "checksum": checksum,
        "detail": json.dumps(detail or {}, sort_keys=True),
    }
    digest = hashlib.sha256((previous + json.dumps(entry, sort_keys=True)).encode()).hexdigest()
    conn.execute(AUDIT.insert().values(**entry, entry_hash=digest))


def audit_entries(store: Store, limit: int = 200) -> list[dict[str, Any]]:
    """The newest audit entries first."""
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(AUDIT).order_by(AUDIT.c.id.desc()).limit(limit))
        return [dict(r) for r in rows.mappings()]


def directory(settings: Settings) -> Path:
    """Where uploaded files are kept."""
    return Path(settings.data_dir) / "submissions"


def _write_atomic(folder: Path, name: str, data: bytes) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".upload-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, folder / name)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def stage(
    store: Store, settings: Settings, user: User, data: bytes, file_name: str, country: str = ""
) -> int:
    """Keep an uploaded file as a draft submission of ``user``; returns its id."""
    if len(data) > settings.max_upload_mb * 1024 * 1024:
        raise SubmissionError(f"a file of at most {settings.max_upload_mb} MB", status=413)
    kind = sniff(data)
    if kind is None:
        raise SubmissionError("a CSV (optionally gzipped) or XLSX file; this file is neither")
    checksum = hashlib.sha256(data).hexdigest()
    stored = f"{secrets.token_hex(16)}.{kind}"
    _write_atomic(directory(settings), stored, data)  # the file first, then the row naming it
    with store.engine.begin() as conn:
        new = conn.execute(
            SUBMISSIONS.insert().values(
                user_id=user.id,
                username=user.username,
                organisation=user.organisation,
                status="draft",
                file_name=str(file_name)[:255],
                stored_name=stored,
                checksum=checksum,
                size=len(data),
                kind=kind,
                country=(country or "").strip().upper()[:3],
                created_at=now(),
            )
        )
        sub_id = int(new.inserted_primary_key[0])
        audit(conn, user.username, "upload", submission_id=sub_id, checksum=checksum)
    return sub_id


def upload_settings(settings: Settings) -> Settings:
    """The settings with the upload limits in place of the import limits."""
    return dataclasses.replace(
        settings,
        max_import_mb=min(settings.max_import_mb, settings.max_upload_mb),
        max_rows=min(settings.max_rows, settings.max_upload_rows),
    )


def read(settings: Settings, sub: dict[str, Any]) -> ReadResult:
    """Read a submission's file (validation included) with its label map applied."""
    path = directory(settings) / sub["stored_name"]
    [(_, result)] = pipeline.read_files(
        [path],
        upload_settings(settings),
        source_type="community",
        country=sub["country"] or None,
        name=sub["file_name"],
    )
    apply_map(result.frame, json.loads(sub["label_map"] or "{}"))
    return result


def apply_map(frame: pd.DataFrame, label_map: dict[str, dict[str, str]]) -> None:
    """Replace labels kept as given (``raw:<label>``) by the canonical codes chosen for them."""
    for dim, mapping in label_map.items():
        if dim not in DIMENSIONS or dim not in frame.columns:
            continue
        column = frame[dim].astype(object)
        for label, code in mapping.items():
            if code:
                column = column.where(column != UNMAPPED_PREFIX + label, code)
        frame[dim] = column


def grant_problems(frame: pd.DataFrame, user: User, file_name: str) -> list[Problem]:
    """Rows for countries the user is not granted (or for no country at all): errors."""
    problems = []
    iso3 = frame["iso3"].astype(object)
    for code in sorted(set(iso3) - set(user.countries)):
        rows = frame.loc[iso3 == code, "source_row"]
        problems.append(
            Problem(
                file_name,
                int(rows.iloc[0]),
                "iso3",
                code or "(a region, not a country)",
                f"a country you may submit for ({', '.join(user.countries) or 'none granted'}); "
                f"{len(rows)} row(s)",
                code="not_granted",
            )
        )
    return problems


def check(store: Store, settings: Settings, sub: dict[str, Any], user: User) -> dict[str, Any]:
    """Everything the wizard and the API report about a submission's file.

    Returns:
        ``problems`` (the readers' and the grant's, as ``Problem``), ``errors`` (their count),
        ``unmapped`` (dimension, label, rows, chosen code), ``countries``, ``rows``,
        ``frame`` (canonical rows, label map applied).
    """
    result = read(settings, sub)
    label_map = json.loads(sub["label_map"] or "{}")
    problems = list(result.problems)
    if len(result.frame):
        problems += grant_problems(result.frame, User(*_owner(store, sub, user)), sub["file_name"])
    unmapped = [
        {"dimension": d, "label": lab, "rows": n, "code": label_map.get(d, {}).get(lab, "")}
        for (d, lab), n in sorted(result.unmapped.items())
    ]
    return {
        "problems": problems,
        "errors": sum(p.severity == "error" for p in problems),
        "unmapped": unmapped,
        "countries": sorted(set(result.frame["iso3"].astype(object)) - {""}),
        "rows": len(result.frame),
        "format": result.format,
        "frame": result.frame,
    }


def _owner(store: Store, sub: dict[str, Any], user: User) -> tuple[Any, ...]:
    """The submitting account (its grants decide, also when a reviewer looks)."""
    from data.accounts import get_user

    owner = user if user.id == sub["user_id"] else get_user(store, int(sub["user_id"]))
    if owner is None:  # the account was removed: no grant holds
        return (sub["user_id"], sub["username"], "contributor", sub["organisation"], ())
    return dataclasses.astuple(owner)


def get(store: Store, sub_id: int, user: User) -> dict[str, Any] | None:
    """A submission the user may see: reviewers any, others their organisation's."""
    with store.engine.connect() as conn:
        row = conn.execute(sa.select(SUBMISSIONS).where(SUBMISSIONS.c.id == sub_id)).mappings()
        found = row.first()
    if found is None or not visible(dict(found), user):
        return None
    return dict(found)


def visible(sub: dict[str, Any], user: User) -> bool:
    """Reviewers see every submission; a contributor their organisation's (drafts: their own)."""
    if user.can_review:
        return sub["status"] != "draft" or sub["user_id"] == user.id
    if sub["status"] == "draft":
        return sub["user_id"] == user.id
    return bool(user.organisation) and sub["organisation"] == user.organisation


def listing(store: Store, user: User, status: str | None = None) -> list[dict[str, Any]]:
    """Submissions the user may see, newest first (optionally of one status)."""
    query = sa.select(SUBMISSIONS).order_by(SUBMISSIONS.c.id.desc())
    if status:
        query = query.where(SUBMISSIONS.c.status == status)
    with store.engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(query).mappings()]
    return [r for r in rows if visible(r, user)]


def set_label_map(store: Store, sub_id: int, user: User, label_map: dict[str, Any]) -> None:
    """Save the codes chosen for unknown labels (a draft of the user's own only)."""
    from data.submission_preview import code_options

    clean: dict[str, dict[str, str]] = {}
    for dim, mapping in label_map.items():
        if dim not in DIMENSIONS or not isinstance(mapping, dict):
            continue
        allowed = {c for c, _ in code_options(dim)}
        for label, code in mapping.items():
            if code and code not in allowed:
                raise SubmissionError(f"{code!r} is not a code of {dim}")
            if code:
                clean.setdefault(dim, {})[str(label)] = str(code)
    with store.engine.begin() as conn:
        done = conn.execute(
            SUBMISSIONS.update()
            .where(
                SUBMISSIONS.c.id == sub_id,
                SUBMISSIONS.c.user_id == user.id,
                SUBMISSIONS.c.status == "draft",
            )
            .values(label_map=json.dumps(clean, sort_keys=True))
        ).rowcount
        if not done:
            raise SubmissionError("no draft of yours with this number", status=404)
        audit(conn, user.username, "map_labels", submission_id=sub_id, detail=clean)


def provenance_problems(values: dict[str, Any]) -> tuple[dict[str, str], list[str]]:
    """The provenance a contributor gave, cleaned, and what is missing or wrong."""
    clean = {k: str(values.get(k) or "").strip()[:MAX_FIELD] for k in PROVENANCE_FIELDS}
    clean.update({k: str(values.get(k) or "").strip()[:MAX_FIELD] for k in OPTIONAL_FIELDS})
    wrong = [k for k in PROVENANCE_FIELDS if not clean[k]]
    if clean["sample_size"] and not (clean["sample_size"].isdigit() and int(clean["sample_size"])):
        wrong.append("sample_size")
    if clean["washington_group"] and clean["washington_group"] not in ("yes", "no"):
        wrong.append("washington_group")
    return clean, wrong


def submit(
    store: Store, settings: Settings, sub_id: int, user: User, provenance: dict[str, Any]
) -> dict[str, Any]:
    """Draft -> pending, with its provenance, when the file has no error; returns the check."""
    sub = get(store, sub_id, user)
    if sub is None or sub["status"] != "draft" or sub["user_id"] != user.id:
        raise SubmissionError("no draft of yours with this number", status=404)
    clean, wrong = provenance_problems(provenance)
    report = check(store, settings, sub, user)
    if report["errors"] or wrong:
        raise SubmissionError(
            "the file has errors" if report["errors"] else f"missing or wrong: {', '.join(wrong)}",
            report["problems"],
            status=403 if any(p.code == "not_granted" for p in report["problems"]) else 422,
        )
    with store.engine.begin() as conn:
        done = conn.execute(
            SUBMISSIONS.update()
            .where(SUBMISSIONS.c.id == sub_id, SUBMISSIONS.c.status == "draft")
            .values(
                status="pending",
                provenance=json.dumps(clean, sort_keys=True),
                countries=",".join(report["countries"]),
                rows=report["rows"],
                submitted_at=now(),
            )
        ).rowcount
        if not done:
            raise SubmissionError("this draft was submitted already", status=409)
        audit(conn, user.username, "submit", submission_id=sub_id, checksum=sub["checksum"])
    return report


def _reviewable(store: Store, sub_id: int, reviewer: User, status: str) -> dict[str, Any]:
    if not reviewer.can_review:
        raise SubmissionError("only reviewers publish, reject or revert", status=403)
    sub = get(store, sub_id, reviewer)
    if sub is None or sub["status"] != status:
        raise SubmissionError(f"no {status} submission with this number", status=404)
    return sub


def publish(store: Store, settings: Settings, sub_id: int, reviewer: User, note: str = "") -> int:
    """Add a pending submission's rows as a community dataset; returns the dataset id."""
    sub = _reviewable(store, sub_id, reviewer, "pending")
    result = read(settings, sub)
    if result.errors:  # e.g. the label maps changed since: never publish a file with errors
        raise SubmissionError("the file has errors now", result.errors, status=422)
    prov = json.loads(sub["provenance"])
    org = sub["organisation"]
    frame = result.frame.copy()
    given = frame["source"].astype(object)
    frame["source"] = [org if not s or s == org else f"{org}: {s}" for s in given]
    provenance = Provenance(
        name=f"{org}: {prov.get('title') or sub['file_name']}",
        file_name=sub["file_name"],
        checksum=sub["checksum"],
        format=result.format,
        source_type="community",
        licence=prov.get("licence", ""),
        attribution=org,
        options=options_json(submission=sub_id),
    )

    def mark(conn: sa.Connection, results: list[tuple[int, bool]]) -> None:
        dataset_id = results[0][0]
        done = conn.execute(
            SUBMISSIONS.update()
            .where(SUBMISSIONS.c.id == sub_id, SUBMISSIONS.c.status == "pending")
            .values(
                status="published",
                dataset_id=dataset_id,
                reviewed_by=reviewer.username,
                reviewed_at=now(),
                note=note[:MAX_FIELD],
            )
        ).rowcount
        if not done:  # another reviewer was quicker: roll the dataset back too
            raise SubmissionError("this submission was reviewed meanwhile", status=409)
        audit(
            conn,
            reviewer.username,
            "publish",
            submission_id=sub_id,
            dataset_id=dataset_id,
            checksum=sub["checksum"],
            detail={"rows": len(frame), "note": note[:MAX_FIELD]},
        )

    [(dataset_id, _)] = store.import_many([(frame, provenance)], within=mark)
    return int(dataset_id)


def reject(store: Store, sub_id: int, reviewer: User, note: str) -> None:
    """Pending -> rejected, with a note the contributor sees."""
    sub = _reviewable(store, sub_id, reviewer, "pending")
    with store.engine.begin() as conn:
        conn.execute(
            SUBMISSIONS.update()
            .where(SUBMISSIONS.c.id == sub_id, SUBMISSIONS.c.status == "pending")
            .values(
                status="rejected",
                reviewed_by=reviewer.username,
                reviewed_at=now(),
                note=note[:MAX_FIELD],
            )
        )
        audit(
            conn,
            reviewer.username,
            "reject",
            submission_id=sub_id,
            checksum=sub["checksum"],
            detail={"note": note[:MAX_FIELD]},
        )


def revert(store: Store, sub_id: int, reviewer: User, note: str) -> None:
    """Published -> reverted: its dataset is withdrawn (file, row and audit entries stay)."""
    sub = _reviewable(store, sub_id, reviewer, "published")

    def mark(conn: sa.Connection, gone: bool) -> None:
        conn.execute(
            SUBMISSIONS.update()
            .where(SUBMISSIONS.c.id == sub_id, SUBMISSIONS.c.status == "published")
            .values(status="reverted", reviewed_by=reviewer.username, reviewed_at=now())
        )
        audit(
            conn,
            reviewer.username,
            "revert",
            submission_id=sub_id,
            dataset_id=sub["dataset_id"],
            checksum=sub["checksum"],
            detail={"note": note[:MAX_FIELD], "dataset_was_there": gone},
        )

    store.remove(int(sub["dataset_id"]), within=mark)
