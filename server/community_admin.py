"""``/admin/users``: admins manage accounts in the browser (the CLI's ``users`` commands).

Add an account, grant or revoke countries, make an API token (shown once), remove an account.
Every change goes through ``data.accounts`` and is an audit entry naming the admin.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, flash, redirect, request
from flask_login import current_user, login_required

from data import accounts, queries
from data.community_tables import ROLES
from layouts.community_text import reason
from layouts.i18n import language, t
from server.auth import page

ADMIN_PATH = "/admin/users"


def register(server: Flask, _reviewer_only: Callable[[Any], Any]) -> None:
    """The admin routes."""

    def admin() -> Any:
        return current_user.user

    @server.route(ADMIN_PATH)
    @login_required
    def admin_users() -> Any:
        if not admin().is_admin:
            return page(
                "community_denied.html", 403, title=t("community.title.denied"), user=admin()
            )
        return page(
            "community_admin.html",
            title=t("community.nav.accounts"),
            user=admin(),
            users=accounts.list_users(queries.store()),
            roles=ROLES,
            min_password=accounts.MIN_PASSWORD,
            token=None,
        )

    @server.route(f"{ADMIN_PATH}/<action>", methods=["POST"])
    @login_required
    def admin_action(action: str) -> Any:
        me = admin()
        if not me.is_admin:
            return page("community_denied.html", 403, title=t("community.title.denied"), user=me)
        store = queries.store()
        form = request.form
        name = form.get("username", "")
        countries = form.get("countries", "").replace(",", " ").split()
        try:
            if action == "add":
                accounts.add_user(
                    store, name, form.get("password", ""), form.get("role", ""),
                    form.get("organisation", ""), actor=me.username,
                )  # fmt: skip
                if countries:
                    accounts.grant(store, name, countries, actor=me.username)
                flash(t("community.flash.added", name=name), "success")
            elif action == "grant":
                accounts.grant(store, name, countries, actor=me.username)
                flash(
                    t("community.flash.granted", name=name, countries=", ".join(countries)),
                    "success",
                )
            elif action == "revoke":
                accounts.revoke(store, name, countries, actor=me.username)
                flash(t("community.flash.revoked", name=name), "success")
            elif action == "remove":
                if name == me.username:
                    raise accounts.AccountError("you cannot remove your own account")
                accounts.remove_user(store, name, actor=me.username)
                flash(t("community.flash.removed", name=name), "success")
            elif action == "token":
                token = accounts.create_token(store, name, form.get("label", ""), me.username)
                return page(
                    "community_admin.html",
                    title=t("community.nav.accounts"),
                    user=me,
                    users=accounts.list_users(store),
                    roles=ROLES,
                    min_password=accounts.MIN_PASSWORD,
                    token={"username": name, "value": token},
                )
            else:
                return page(
                    "community_denied.html", 404, title=t("community.title.not_found"), user=me
                )
        except accounts.AccountError as exc:
            flash(t("community.flash.not_done", reason=reason(str(exc), language())), "danger")
        return redirect(ADMIN_PATH)
