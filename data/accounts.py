"""Accounts of the people who bring community data in, and who review it.

Passwords are hashed with Argon2id (argon2-cffi, maintained, the OWASP first choice); API
tokens are random 256-bit strings shown once and kept only as their SHA-256 (a token is not a
password: it has full entropy, so a fast hash is enough and lets a request find its account by
one indexed lookup). Every change is an audit entry (``data.submissions.audit``).

Roles: ``contributor`` (belongs to an organisation, submits for the countries granted),
``reviewer`` (publishes, rejects, reverts) and ``admin`` (a reviewer who also manages accounts).
"""

from __future__ import annotations

import functools
import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from data import reference
from data.community_tables import GRANTS, ROLES, TOKENS, USERS
from data.store import Store

_HASHER = PasswordHasher()
_USERNAME = re.compile(r"^[A-Za-z0-9_.@-]{2,64}$")
MIN_PASSWORD = 10
# a password check for an unknown user still costs one hash (no user enumeration by timing)


@functools.cache
def _dummy() -> str:
    """A hash to verify against for unknown users (equal timing), made on the first login.

    Not at import: an argon2 hash costs ~0.2-0.6 CPU-s, paid by every process that imported
    this module (each ``python -m data import``, each app start).
    """
    return _HASHER.hash("not a password of anyone")


class AccountError(ValueError):
    """An account operation was refused; the message says why."""


@dataclass(frozen=True)
class User:
    """An account as the web app and the CLI see it (never with its password hash)."""

    id: int
    username: str
    role: str
    organisation: str
    countries: tuple[str, ...]

    @property
    def can_review(self) -> bool:
        """Reviewers and admins publish, reject and revert."""
        return self.role in ("reviewer", "admin")

    @property
    def is_admin(self) -> bool:
        """Admins manage accounts."""
        return self.role == "admin"


def now() -> str:
    """The current UTC time as stored (ISO 8601, seconds)."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def add_user(
    store: Store, username: str, password: str, role: str, organisation: str = "", actor: str = ""
) -> User:
    """Create an account; ``AccountError`` for a taken name, weak password or bad role."""
    from data.submissions import audit

    if not _USERNAME.match(username or ""):
        raise AccountError("a user name of 2-64 letters, digits or . _ @ -")
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}")
    if len(password or "") < MIN_PASSWORD:
        raise AccountError(f"a password of at least {MIN_PASSWORD} characters")
    if role == "contributor" and not organisation.strip():
        raise AccountError("a contributor belongs to an organisation (--organisation)")
    with store.engine.begin() as conn:
        if conn.execute(sa.select(USERS.c.id).where(USERS.c.username == username)).first():
            raise AccountError(f"user {username!r} exists already")
        new = conn.execute(
            USERS.insert().values(
                username=username,
                password_hash=_HASHER.hash(password),
                role=role,
                organisation=organisation.strip(),
                created_at=now(),
            )
        )
        audit(conn, actor or "cli", "user_add", detail={"user": username, "role": role})
    return get_user(store, int(new.inserted_primary_key[0]))  # type: ignore[return-value]


def _countries(codes: list[str]) -> list[str]:
    known = set(reference.countries()["iso3"])
    out = []
    for code in codes:
        c = code.strip().upper()
        if c not in known:
            raise AccountError(f"{code!r} is not an ISO 3166 alpha-3 country code")
        out.append(c)
    return out


def grant(store: Store, username: str, countries: list[str], actor: str = "") -> User:
    """Let a user submit for these countries (ISO3)."""
    from data.submissions import audit

    user = find_user(store, username)
    codes = _countries(countries)
    with store.engine.begin() as conn:
        for code in codes:
            if code not in user.countries:
                conn.execute(GRANTS.insert().values(user_id=user.id, iso3=code))
        audit(conn, actor or "cli", "grant", detail={"user": username, "countries": codes})
    return find_user(store, username)


def revoke(store: Store, username: str, countries: list[str], actor: str = "") -> User:
    """Withdraw country grants from a user."""
    from data.submissions import audit

    user = find_user(store, username)
    codes = [c.strip().upper() for c in countries]
    with store.engine.begin() as conn:
        conn.execute(GRANTS.delete().where(GRANTS.c.user_id == user.id, GRANTS.c.iso3.in_(codes)))
        audit(conn, actor or "cli", "revoke", detail={"user": username, "countries": codes})
    return find_user(store, username)


def remove_user(store: Store, username: str, actor: str = "") -> None:
    """Delete an account, its grants and tokens (its submissions and audit entries stay)."""
    from data.submissions import audit

    user = find_user(store, username)
    with store.engine.begin() as conn:
        conn.execute(GRANTS.delete().where(GRANTS.c.user_id == user.id))
        conn.execute(TOKENS.delete().where(TOKENS.c.user_id == user.id))
        conn.execute(USERS.delete().where(USERS.c.id == user.id))
        audit(conn, actor or "cli", "user_remove", detail={"user": username})


def list_users(store: Store) -> list[User]:
    """Every account, by name."""
    with store.engine.connect() as conn:
        ids = conn.execute(sa.select(USERS.c.id).order_by(USERS.c.username)).scalars().all()
    return [u for u in (get_user(store, int(i)) for i in ids) if u is not None]


def get_user(store: Store, user_id: int) -> User | None:
    """The account with this id, or None."""
    with store.engine.connect() as conn:
        row = conn.execute(sa.select(USERS).where(USERS.c.id == user_id)).mappings().first()
        if row is None:
            return None
        codes = conn.execute(
            sa.select(GRANTS.c.iso3).where(GRANTS.c.user_id == user_id).order_by(GRANTS.c.iso3)
        )
        countries = tuple(codes.scalars().all())
    return User(int(row["id"]), row["username"], row["role"], row["organisation"], countries)


def find_user(store: Store, username: str) -> User:
    """The account with this name; ``AccountError`` when there is none."""
    with store.engine.connect() as conn:
        found = conn.execute(sa.select(USERS.c.id).where(USERS.c.username == username)).first()
    if found is None:
        raise AccountError(f"no user {username!r}")
    return get_user(store, int(found[0]))  # type: ignore[return-value]


def authenticate(store: Store, username: str, password: str) -> User | None:
    """The account when the password is right, else None (same cost either way)."""
    with store.engine.connect() as conn:
        row = conn.execute(
            sa.select(USERS.c.id, USERS.c.password_hash).where(USERS.c.username == username)
        ).first()
    try:
        _HASHER.verify(row[1] if row else _dummy(), password or "")
    except (VerificationError, InvalidHashError):
        return None
    return get_user(store, int(row[0])) if row else None


def set_password(store: Store, username: str, password: str, actor: str = "") -> None:
    """Replace a user's password."""
    from data.submissions import audit

    if len(password or "") < MIN_PASSWORD:
        raise AccountError(f"a password of at least {MIN_PASSWORD} characters")
    user = find_user(store, username)
    with store.engine.begin() as conn:
        conn.execute(
            USERS.update().where(USERS.c.id == user.id).values(password_hash=_HASHER.hash(password))
        )
        audit(conn, actor or "cli", "password", detail={"user": username})


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(store: Store, username: str, label: str = "", actor: str = "") -> str:
    """A new API token for the user: returned once, stored only as its hash."""
    from data.submissions import audit

    user = find_user(store, username)
    token = "gm_" + secrets.token_urlsafe(32)
    with store.engine.begin() as conn:
        conn.execute(
            TOKENS.insert().values(
                user_id=user.id, token_hash=_token_hash(token), label=label, created_at=now()
            )
        )
        audit(conn, actor or "cli", "token_add", detail={"user": username, "label": label})
    return token


def user_for_token(store: Store, token: str) -> User | None:
    """The account an API token belongs to (None: unknown or revoked)."""
    if not token:
        return None
    with store.engine.connect() as conn:
        row = conn.execute(
            sa.select(TOKENS.c.user_id).where(
                TOKENS.c.token_hash == _token_hash(token), TOKENS.c.revoked_at.is_(None)
            )
        ).first()
    return get_user(store, int(row[0])) if row else None


def revoke_tokens(store: Store, username: str, actor: str = "") -> int:
    """Revoke every token of a user; returns how many were active."""
    from data.submissions import audit

    user = find_user(store, username)
    with store.engine.begin() as conn:
        n = conn.execute(
            TOKENS.update()
            .where(TOKENS.c.user_id == user.id, TOKENS.c.revoked_at.is_(None))
            .values(revoked_at=now())
        ).rowcount
        audit(conn, actor or "cli", "token_revoke", detail={"user": username, "tokens": n})
    return int(n)
