"""Tables of community submissions: accounts, country grants, API tokens, submissions, audit.

They live in the same database as the data (``Store`` creates them with its own schema, so a
fresh machine needs no extra step). Their own ``MetaData`` keeps them apart from the
observation tables, and nothing here refers to a dataset by foreign key: a dataset withdrawn by
a revert leaves its submission and audit entries in place (nothing is lost).
"""

from __future__ import annotations

import sqlalchemy as sa

META = sa.MetaData()

ROLES: tuple[str, ...] = ("contributor", "reviewer", "admin")

USERS = sa.Table(
    "users",
    META,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("username", sa.String(64), nullable=False, unique=True),
    sa.Column("password_hash", sa.Text, nullable=False),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("organisation", sa.Text, nullable=False, default=""),
    sa.Column("created_at", sa.String(32), nullable=False),
)
GRANTS = sa.Table(
    "user_countries",
    META,
    sa.Column("user_id", sa.Integer, nullable=False, primary_key=True),
    sa.Column("iso3", sa.String(3), nullable=False, primary_key=True),
)
TOKENS = sa.Table(
    "api_tokens",
    META,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("user_id", sa.Integer, nullable=False, index=True),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),  # SHA-256, never the token
    sa.Column("label", sa.Text, nullable=False, default=""),
    sa.Column("created_at", sa.String(32), nullable=False),
    sa.Column("revoked_at", sa.String(32), nullable=True),
)
# status: draft (uploaded, not submitted) -> pending -> published | rejected; published -> reverted
SUBMISSIONS = sa.Table(
    "submissions",
    META,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("user_id", sa.Integer, nullable=False, index=True),
    sa.Column("username", sa.String(64), nullable=False),
    sa.Column("organisation", sa.Text, nullable=False),
    sa.Column("status", sa.String(16), nullable=False, index=True),
    sa.Column("file_name", sa.Text, nullable=False),  # as uploaded (shown as text only)
    sa.Column("stored_name", sa.Text, nullable=False),  # in GAPMAP_DATA_DIR/submissions
    sa.Column("checksum", sa.String(64), nullable=False),
    sa.Column("size", sa.Integer, nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),  # sniffed: csv, csv.gz, xlsx
    sa.Column("country", sa.String(3), nullable=False, default=""),  # for files without one
    sa.Column("countries", sa.Text, nullable=False, default=""),  # ISO3s of the rows, comma
    sa.Column("rows", sa.Integer, nullable=False, default=0),
    sa.Column("provenance", sa.Text, nullable=False, default="{}"),  # JSON
    sa.Column("label_map", sa.Text, nullable=False, default="{}"),  # JSON dim -> label -> code
    sa.Column("created_at", sa.String(32), nullable=False),
    sa.Column("submitted_at", sa.String(32), nullable=True),
    sa.Column("reviewed_by", sa.String(64), nullable=True),
    sa.Column("reviewed_at", sa.String(32), nullable=True),
    sa.Column("note", sa.Text, nullable=False, default=""),  # the reviewer's, for the contributor
    sa.Column("dataset_id", sa.Integer, nullable=True),
)
# Append-only: every change is one row; entry_hash chains each entry to the one before it.
AUDIT = sa.Table(
    "audit_log",
    META,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.String(32), nullable=False),
    sa.Column("actor", sa.String(64), nullable=False),
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("submission_id", sa.Integer, nullable=True),
    sa.Column("dataset_id", sa.Integer, nullable=True),
    sa.Column("checksum", sa.String(64), nullable=False, default=""),
    sa.Column("detail", sa.Text, nullable=False, default="{}"),
    sa.Column("entry_hash", sa.String(64), nullable=False),
)
