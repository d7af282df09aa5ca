"""``python -m data users add|grant|revoke|list|remove|token|password``: accounts from the shell.

The first admin is made here (README "Community data"):
``python -m data users add admin --role admin`` (asks for the password twice; ``--password-stdin``
reads it from standard input for scripts).
"""

from __future__ import annotations

import argparse
import getpass
import sys

from data import accounts, queries
from data.community_tables import ROLES
from data.settings import Settings


def add_parser(sub: argparse._SubParsersAction) -> None:
    """The ``users`` command and its sub-commands."""
    u = sub.add_parser("users", help="accounts of contributors, reviewers and admins")
    act = u.add_subparsers(dest="action", required=True)
    add = act.add_parser("add", help="create an account")
    add.add_argument("username")
    add.add_argument("--role", choices=ROLES, default="contributor")
    add.add_argument("--organisation", default="")
    add.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    for name, text in (("grant", "let a user submit for countries"), ("revoke", "withdraw them")):
        g = act.add_parser(name, help=text)
        g.add_argument("username")
        g.add_argument("countries", nargs="+", metavar="ISO3")
    act.add_parser("list", help="list accounts")
    rm = act.add_parser("remove", help="delete an account (its submissions stay)")
    rm.add_argument("username")
    tok = act.add_parser("token", help="make an API token (shown once)")
    tok.add_argument("username")
    tok.add_argument("--label", default="")
    tok.add_argument("--revoke", action="store_true", help="revoke every token of the user")
    pw = act.add_parser("password", help="set a new password")
    pw.add_argument("username")
    pw.add_argument("--password-stdin", action="store_true")


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("password: ")
    if getpass.getpass("again: ") != first:
        raise accounts.AccountError("the two passwords differ")
    return first


def _out(text: str) -> None:
    """One line of the command's output (this module is the CLI: it writes to stdout)."""
    sys.stdout.write(text + "\n")


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run one ``users`` sub-command; exit code 1 with the reason when refused."""
    store = queries.configure(settings)
    try:
        if args.action == "add":
            pw = _password(args.password_stdin)
            user = accounts.add_user(store, args.username, pw, args.role, args.organisation)
            _out(f"added {user.username} ({user.role})")
        elif args.action in ("grant", "revoke"):
            user = getattr(accounts, args.action)(store, args.username, args.countries)
            _out(f"{user.username} may submit for: {', '.join(user.countries) or 'none'}")
        elif args.action == "list":
            _out("username,role,organisation,countries")
            for u in accounts.list_users(store):
                _out(f'{u.username},{u.role},"{u.organisation}",{" ".join(u.countries)}')
        elif args.action == "remove":
            accounts.remove_user(store, args.username)
            _out(f"removed {args.username}")
        elif args.action == "token" and args.revoke:
            _out(f"revoked {accounts.revoke_tokens(store, args.username)} token(s)")
        elif args.action == "token":
            _out(accounts.create_token(store, args.username, args.label))
        elif args.action == "password":
            accounts.set_password(store, args.username, _password(args.password_stdin))
            _out(f"password of {args.username} changed")
    except accounts.AccountError as exc:
        sys.stderr.write(f"users {args.action}: {exc}\n")
        return 1
    return 0
