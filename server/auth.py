"""Sessions, login, CSRF and rate limits for the community pages (issue #9).

Maintained libraries do the security work: Flask-Login keeps who is logged in (a signed
session cookie: HttpOnly, SameSite=Lax, Secure when ``GAPMAP_COOKIE_SECURE``), Flask-WTF's
``CSRFProtect`` checks a token on every form post, and Flask-Limiter counts login attempts per
client address (``GAPMAP_LOGIN_LIMIT``). Dash's JSON callbacks (``/_dash-update-component``,
which change nothing on the server) and the token API (no cookie, so nothing to forge) are the
only posts without a CSRF token.
"""

from __future__ import annotations

import logging
import os
import secrets
import tempfile
from pathlib import Path
from typing import Any

from flask import Flask, Response, request
from flask.sessions import SecureCookieSessionInterface
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, UserMixin
from flask_wtf.csrf import CSRFProtect

from data import accounts, queries
from data.settings import Settings

CSRF_EXEMPT = ("/_dash-update-component", "/api/v1/submissions")
LOGIN_PATH = "/login"
UPLOAD_PATHS = ("/contribute", "/api/v1/submissions")


class WebUser(UserMixin):
    """The logged-in account as Flask-Login wants it (``get_id``), around ``accounts.User``."""

    def __init__(self, user: accounts.User):
        self.user = user

    def get_id(self) -> str:
        """The id kept in the session."""
        return str(self.user.id)


class _Cookies(SecureCookieSessionInterface):
    """Session cookie flags from the settings (Talisman, set up later, cannot override them)."""

    def __init__(self, secure: bool):
        self.secure = secure

    def get_cookie_secure(self, app: Flask) -> bool:
        return self.secure

    def get_cookie_httponly(self, app: Flask) -> bool:
        return True

    def get_cookie_samesite(self, app: Flask) -> str:
        return "Lax"


def secret_key(settings: Settings) -> str:
    """``GAPMAP_SECRET_KEY``, else a random key made once in the data directory (0600).

    Kept on disk so that sessions survive a restart and every gunicorn worker shares it.
    """
    if settings.secret_key:
        return settings.secret_key
    path = Path(settings.data_dir) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    try:  # written whole, then linked: workers starting together all read the same key
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".secret-")  # mode 0600
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(tmp)
    except OSError:  # a read-only data directory: the site is served, nothing is submitted
        logging.getLogger(__name__).warning(
            "cannot keep a secret key in %s: log-ins last until this process ends", path
        )
        return secrets.token_hex(32)
    return path.read_text().strip()


def setup(app: Any, settings: Settings) -> Limiter:
    """Sessions, Flask-Login, CSRF and the limiter on the Dash app's server."""
    server: Flask = app.server
    server.secret_key = secret_key(settings)
    server.session_interface = _Cookies(settings.cookie_secure)
    server.config.update(
        WTF_CSRF_CHECK_DEFAULT=False,  # checked below for every post but the exempt ones
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SECURE=settings.cookie_secure,
        REMEMBER_COOKIE_SAMESITE="Lax",
    )
    logins = LoginManager(server)
    logins.login_view = "community_login"
    logins.session_protection = "strong"

    @logins.user_loader
    def load_user(user_id: str) -> WebUser | None:
        found = accounts.get_user(queries.store(), int(user_id)) if user_id.isdigit() else None
        return WebUser(found) if found else None

    csrf = CSRFProtect(server)
    upload_bytes = settings.max_upload_mb * 1024 * 1024 + 256 * 1024  # the file + form fields

    @server.before_request
    def check_csrf() -> Response | None:
        if request.path in UPLOAD_PATHS:  # before the form is read: uploads may be larger
            request.max_content_length = upload_bytes
        if request.method in ("POST", "PUT", "PATCH", "DELETE") and not request.path.startswith(
            CSRF_EXEMPT
        ):
            csrf.protect()
        return None

    return Limiter(
        get_remote_address,
        app=server,
        storage_uri=settings.ratelimit_storage,
        default_limits=[],
        headers_enabled=False,
    )


def page(template: str, status: int = 200, **context: Any) -> tuple[str, int]:
    """A community page in the request's language: the CSRF token, the flashed messages.

    The language is the dashboard's (``layouts.i18n.language``: ``?lang=``, the page a form
    was posted from, the cookie, ``Accept-Language``); the header links to this page in
    each language.
    """
    from flask import get_flashed_messages
    from flask_wtf.csrf import generate_csrf

    from layouts.community import render
    from layouts.community_text import language_links
    from layouts.i18n import language

    lang = language()
    messages = get_flashed_messages(with_categories=True)
    links = language_links(lang, request.path, request.args.to_dict(flat=False))
    html = render(
        template,
        lang,
        csrf_token=generate_csrf(),
        messages=messages,
        languages=links,
        **context,
    )
    return html, status
