"""Community data in the browser (issue #9): log in, upload, check, describe, submit, review.

Server-rendered pages (Jinja2 templates ``layouts/templates/community_*.html``, autoescaped: a
label, file name or note is always text) beside the Dash pages. Every decision is made here on
the server with ``data.submissions``: the country grant, who may see or publish what. The
browser only sends forms, each with a CSRF token (``server.auth``).

Routes: ``/login``, ``/logout``, ``/contribute`` (upload and the contributor's submissions),
``/contribute/<id>`` (validation report, label mapping, provenance, preview, submit),
``/contribute/template.csv``, ``/review`` and its publish/reject/revert posts, ``/admin/users``.
The token API is ``server.submissions_api``.
"""

from __future__ import annotations

import json
from functools import wraps
from pathlib import Path
from typing import Any

from flask import Flask, Response, abort, flash, redirect, request, send_file
from flask_login import current_user, login_required, login_user, logout_user

from data import queries
from data import submission_preview as preview
from data import submissions as subs
from data.accounts import authenticate
from data.submissions import SubmissionError
from layouts.community_text import reason as _reason_in
from layouts.i18n import code_words, language, t
from server import auth, community_admin, submissions_api
from server.auth import page

TEMPLATE_FILE = Path(__file__).resolve().parents[1] / "data" / "raw" / "template_example.csv"


def me() -> Any:
    """The logged-in ``accounts.User``."""
    return current_user.user


def reviewer_only(view: Any) -> Any:
    """403 for anyone who is not a reviewer or admin (after the login check)."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not me().can_review:
            return page("community_denied.html", 403, title=t("community.title.denied"), user=me())
        return view(*args, **kwargs)

    return login_required(wrapped)


def _safe_next(target: str | None) -> str:
    """Only a path of this site (never ``//host`` or a scheme) is followed after login."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/contribute"


def register(app: Any) -> None:
    """The community routes on the Dash app's Flask server."""
    server: Flask = app.server
    settings = queries.settings()
    limiter = auth.setup(app, settings)

    @server.route(auth.LOGIN_PATH, methods=["GET", "POST"], endpoint="community_login")
    @limiter.limit(settings.login_limit, methods=["POST"])
    def login() -> Any:
        error = ""
        if request.method == "POST":
            user = authenticate(
                queries.store(), request.form.get("username", ""), request.form.get("password", "")
            )
            if user is not None:
                login_user(auth.WebUser(user))
                subs_audit(user.username, "login")
                return redirect(_safe_next(request.args.get("next")))
            error = t("community.login.wrong")
        status = 401 if error else 200
        return page(
            "community_login.html", status, title=t("community.login"), error=error, user=None
        )

    @server.route("/logout", methods=["POST"])
    def logout() -> Any:
        logout_user()
        return redirect("/")

    @server.route("/contribute/template.csv")
    def template_csv() -> Any:
        return send_file(TEMPLATE_FILE, mimetype="text/csv", as_attachment=True)

    @server.route("/contribute", methods=["GET", "POST"])
    @login_required
    def contribute() -> Any:
        if request.method == "POST":
            upload = request.files.get("file")
            if upload is None or not upload.filename:
                flash(t("community.flash.choose_file"), "danger")
                return redirect("/contribute")
            try:
                sub_id = subs.stage(
                    queries.store(),
                    settings,
                    me(),
                    upload.read(settings.max_upload_mb * 1024 * 1024 + 1),
                    upload.filename,
                    request.form.get("country", ""),
                )
            except SubmissionError as exc:
                flash(t("community.flash.refused", reason=reason(exc)), "danger")
                return redirect("/contribute")
            return redirect(f"/contribute/{sub_id}")
        mine = subs.listing(queries.store(), me())
        return page(
            "community_contribute.html",
            title=t("community.nav.contribute"),
            user=me(),
            submissions=mine,
            max_mb=settings.max_upload_mb,
            max_rows=settings.max_upload_rows,
        )

    @server.route("/contribute/<int:sub_id>")
    @login_required
    def draft(sub_id: int) -> Any:
        return _draft_page(sub_id)

    @server.route("/contribute/<int:sub_id>/labels", methods=["POST"])
    @login_required
    def labels(sub_id: int) -> Any:
        chosen: dict[str, dict[str, str]] = {}
        for key, code in request.form.items():
            if key.startswith("map:"):
                _, dim, label = key.split(":", 2)
                chosen.setdefault(dim, {})[label] = code
        try:
            subs.set_label_map(queries.store(), sub_id, me(), chosen)
        except SubmissionError as exc:
            return _draft_page(sub_id, error=reason(exc), status=exc.status)
        flash(t("community.flash.mapped"), "success")
        return redirect(f"/contribute/{sub_id}")

    @server.route("/contribute/<int:sub_id>/submit", methods=["POST"])
    @login_required
    def submit(sub_id: int) -> Any:
        try:
            subs.submit(queries.store(), settings, sub_id, me(), request.form.to_dict())
        except SubmissionError as exc:
            return _draft_page(sub_id, error=reason(exc), status=exc.status, form=request.form)
        flash(t("community.flash.submitted"), "success")
        return redirect(f"/contribute/{sub_id}")

    @server.route("/review")
    @reviewer_only
    def review() -> Any:
        store = queries.store()
        pending = []
        for sub in subs.listing(store, me(), "pending"):
            report = subs.check(store, settings, sub, me())
            pending.append(
                {
                    "sub": sub,
                    "prov": json.loads(sub["provenance"]),
                    "report": report,
                    "fills": preview.fills(report["frame"]) if not report["errors"] else [],
                    "changes": preview.changes(report["frame"]),
                }
            )
        return page(
            "community_review.html",
            title=t("community.title.review"),
            user=me(),
            pending=pending,
            published=subs.listing(store, me(), "published"),
            audit=subs.audit_entries(store, 50),
            poll=settings.warm_poll,
        )

    @server.route("/review/<int:sub_id>/<action>", methods=["POST"])
    @reviewer_only
    def decide(sub_id: int, action: str) -> Any:
        note = request.form.get("note", "")
        store = queries.store()
        try:
            if action == "publish":
                dataset = subs.publish(store, settings, sub_id, me(), note)
                flash(t("community.flash.published", id=sub_id, dataset=dataset), "success")
            elif action == "reject":
                subs.reject(store, sub_id, me(), note)
                flash(t("community.flash.rejected", id=sub_id), "success")
            elif action == "revert":
                subs.revert(store, sub_id, me(), note)
                flash(t("community.flash.reverted", id=sub_id), "success")
            else:
                abort(404)
        except SubmissionError as exc:
            flash(t("community.flash.not_done", reason=reason(exc)), "danger")
        return redirect("/review")

    community_admin.register(server, reviewer_only)
    submissions_api.register(server)

    @server.errorhandler(429)
    def too_many(_: Exception) -> Response:
        return page(
            "community_login.html",
            429,
            title=t("community.login"),
            error=t("community.login.too_many"),
            user=None,
        )


def reason(exc: Exception) -> str:
    """The reason of a refusal from ``data/`` in the request's language (when it is known)."""
    return _reason_in(str(exc), language())


def subs_audit(actor: str, action: str) -> None:
    """An audit entry of its own transaction (log-ins)."""
    with queries.store().engine.begin() as conn:
        subs.audit(conn, actor, action)


def _draft_page(
    sub_id: int, error: str = "", status: int = 200, form: Any = None
) -> tuple[str, int] | Any:
    settings = queries.settings()
    store = queries.store()
    sub = subs.get(store, sub_id, me())
    if sub is None:  # another organisation's, or none: the same answer
        return page("community_denied.html", 404, title=t("community.title.not_found"), user=me())
    report = subs.check(store, settings, sub, me())
    fills = preview.fills(report["frame"]) if not report["errors"] else []
    prov = dict(form) if form is not None else json.loads(sub["provenance"] or "{}")
    return page(
        "community_draft.html",
        status if not error or status >= 400 else 422,
        title=t("community.title.submission", id=sub_id),
        user=me(),
        sub=sub,
        report=report,
        fills=fills,
        changes=preview.changes(report["frame"]) if len(report["frame"]) else None,
        options={
            u["dimension"]: preview.code_options(u["dimension"], code_words(language()))
            for u in report["unmapped"]
        },
        prov=prov,
        fields=subs.PROVENANCE_FIELDS,
        error=error,
    )
