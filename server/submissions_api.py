"""``POST /api/v1/submissions``: the upload wizard for scripts, with an API token.

``Authorization: Bearer <token>`` (``python -m data users token NAME`` or the admin page);
multipart form: ``file`` (CSV/XLSX), optional ``country``, ``label_map`` (JSON
``{"disability": {"With a disability": "PD"}}``), the provenance fields of
``data.submissions.PROVENANCE_FIELDS``, and ``dry_run=1`` to get the report only. The same
validation as the wizard, the same country grant; the answer is the report as JSON:
201 submitted (pending review), 200 dry run without error, 401 no or bad token, 403 a country
not granted, 413 too large, 422 errors in the file or missing provenance.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Flask, Response, request

from data import accounts, queries
from data import submission_preview as preview
from data import submissions as subs
from data.submissions import SubmissionError

PATH = "/api/v1/submissions"


def _json(payload: dict[str, Any], status: int) -> Response:
    return Response(json.dumps(payload, default=str), status=status, mimetype="application/json")


def register(server: Flask) -> None:
    """The route on the Flask server (CSRF-exempt: a token, never a cookie, authenticates)."""

    @server.route(PATH, methods=["POST"])
    def api_submit() -> Response:
        settings = queries.settings()
        store = queries.store()
        header = request.headers.get("Authorization", "")
        token = header[7:].strip() if header.lower().startswith("bearer ") else ""
        user = accounts.user_for_token(store, token)
        if user is None:
            return _json({"error": "a valid API token: Authorization: Bearer <token>"}, 401)
        upload = request.files.get("file")
        if upload is None:
            return _json({"error": "a file in the multipart field 'file'"}, 422)
        try:
            label_map = json.loads(request.form.get("label_map") or "{}")
            if not isinstance(label_map, dict):
                raise ValueError
        except ValueError:
            return _json({"error": "label_map as a JSON object"}, 422)
        data = upload.read(settings.max_upload_mb * 1024 * 1024 + 1)
        try:
            sub_id = subs.stage(
                store, settings, user, data, upload.filename or "upload",
                request.form.get("country", ""),
            )  # fmt: skip
            if label_map:
                subs.set_label_map(store, sub_id, user, label_map)
            sub = subs.get(store, sub_id, user)
            report = subs.check(store, settings, sub, user)  # type: ignore[arg-type]
        except SubmissionError as exc:
            return _json({"error": str(exc)}, exc.status)
        body = _report(sub_id, report)
        denied = any(p.code == "not_granted" for p in report["problems"])
        if report["errors"]:
            return _json({**body, "status": "draft"}, 403 if denied else 422)
        if request.form.get("dry_run") in ("1", "true", "yes"):
            return _json({**body, "status": "draft"}, 200)
        try:
            subs.submit(store, settings, sub_id, user, request.form.to_dict())
        except SubmissionError as exc:
            return _json({**body, "status": "draft", "error": str(exc)}, exc.status)
        return _json({**body, "status": "pending"}, 201)


def _report(sub_id: int, report: dict[str, Any]) -> dict[str, Any]:
    frame = report["frame"]
    return {
        "submission": sub_id,
        "format": report["format"],
        "rows": report["rows"],
        "countries": report["countries"],
        "errors": report["errors"],
        "problems": [p.to_dict() for p in report["problems"]],
        "unmapped": report["unmapped"],
        "fills": preview.fills(frame) if not report["errors"] else [],
        "changes": preview.changes(frame) if len(frame) else None,
    }
