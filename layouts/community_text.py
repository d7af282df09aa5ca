"""The words of the community pages in the page's language (issue #10).

The templates (``templates/community_*.html``) call ``t`` (a community key) bound to the
request's language; this module adds what they need besides: the provenance fields' labels,
the language links of the header, the fill lines of the preview, and the reasons that come
from ``data/`` as English sentences (``SubmissionError``, ``AccountError``). Those reasons carry
no machine-readable code, so ``reason()`` recognises the known sentences (with their
parameters) and words them in the language; any other sentence is returned as it is, in
English. The "Expected" cells of a file check (``Problem.expected``) stay English too: the
readers build them as sentences (their parameters are not kept apart), so the page shows the
problem's kind (``Problem.code``) in the language, then that sentence marked ``lang="en"``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

from data.submissions import OPTIONAL_FIELDS, PROVENANCE_FIELDS
from layouts.i18n import LANGUAGES, group_title, language_name, t

# every provenance field a contributor fills in (data.submissions.PROVENANCE_FIELDS, then the
# optional ones), in the order of the form
FIELDS: tuple[str, ...] = (*PROVENANCE_FIELDS, *OPTIONAL_FIELDS)
ROLES = ("contributor", "reviewer", "admin")
STATUSES = ("draft", "pending", "published", "rejected", "reverted")
SEVERITIES = ("error", "warning")


def translator(lang: str) -> Callable[..., str]:
    """``t`` bound to ``lang``: what the templates call with a key and named values."""

    def bound(key: str, **fmt: Any) -> str:
        return t(key, lang, **fmt)

    return bound


def field_labels(lang: str) -> dict[str, tuple[str, str]]:
    """Provenance field -> (label, help) in ``lang``."""
    return {
        name: (t(f"community.field.{name}", lang), t(f"community.field.{name}.help", lang))
        for name in FIELDS
    }


def word(kind: str, value: str, lang: str) -> str:
    """A role, submission status or problem severity in ``lang`` (unknown values as they are)."""
    known = {"role": ROLES, "status": STATUSES, "severity": SEVERITIES}[kind]
    return t(f"community.{kind}.{value}", lang) if value in known else value


def problem_kind(code: str, lang: str) -> str:
    """What kind of problem a ``Problem.code`` is, in ``lang`` ("" when no key words it)."""
    from layouts.i18n import english

    key = f"community.problem.{code}"
    return t(key, lang) if key in english() else ""


def language_links(lang: str, path: str, args: Mapping[str, Sequence[str]]) -> list[dict[str, Any]]:
    """This page in each language: the query string kept, ``lang`` replaced (autonym names)."""
    kept = {k: list(v) for k, v in args.items() if k != "lang"}
    return [
        {
            "code": code,
            "name": language_name(code),
            "href": f"{path}?{urlencode({**kept, 'lang': code}, doseq=True)}",
            "current": code == lang,
        }
        for code in LANGUAGES
    ]


def fill_line(fill: Mapping[str, Any], lang: str, short: bool = False) -> str:
    """One line of ``data.submission_preview.fills``: group and country named in ``lang``.

    Args:
        fill: dict with ``group, iso3, country, expected, missing, filled``.
        lang: language.
        short: the review page's line (without the expected count).
    """
    from data.reference import area_name

    country = area_name(str(fill["iso3"]), lang) or fill["country"]
    values = {
        "filled": fill["filled"],
        "missing": fill["missing"],
        "group": group_title(str(fill["group"]), lang),
        "country": country,
    }
    if short:
        return t("community.review.fills", lang, **values)
    return t("community.fills.item", lang, expected=fill["expected"], **values)


def _fields(text: str, lang: str) -> dict[str, str]:
    names = [n.strip() for n in text.split(",")]
    words = [t(f"community.field.{n}", lang) if n in FIELDS else n for n in names]
    return {"fields": ", ".join(words)}


def _none(found: re.Match[str], lang: str) -> dict[str, str]:
    return {}


def _groups(found: re.Match[str], lang: str) -> dict[str, str]:
    return found.groupdict()


# the English sentences of data.submissions and data.accounts, and their keys
_REASONS = tuple(
    (re.compile(pattern), key, params)
    for pattern, key, params in (
        ("no draft of yours with this number", "no_draft", _none),
        ("this draft was submitted already", "submitted_already", _none),
        ("only reviewers publish, reject or revert", "reviewers_only", _none),
        ("the file has errors now", "errors_now", _none),
        ("the file has errors", "errors", _none),
        ("this submission was reviewed meanwhile", "reviewed_meanwhile", _none),
        (
            r"a CSV \(optionally gzipped\) or XLSX file; this file is neither",
            "not_a_file",
            _none,
        ),
        (r"a file of at most (?P<mb>\d+) MB", "too_big", _groups),
        (
            r"no (?P<status>\w+) submission with this number",
            "no_submission",
            lambda m, lang: {"status": word("status", m["status"], lang)},
        ),
        (r"missing or wrong: (?P<fields>.+)", "missing", lambda m, lang: _fields(m[1], lang)),
        ("you cannot remove your own account", "self_remove", _none),
        (r"a user name of 2-64 letters, digits or \. _ @ -", "username", _none),
        (r"a password of at least (?P<n>\d+) characters", "password", _groups),
        (
            r"a contributor belongs to an organisation \(--organisation\)",
            "organisation",
            _none,
        ),
        (r"user (?P<name>.+) exists already", "exists", _groups),
        (r"no user (?P<name>.+)", "no_user", _groups),
        (
            r"(?P<code>.+) is not an ISO 3166 alpha-3 country code",
            "not_iso3",
            _groups,
        ),
        (r"role must be one of (?P<roles>.+)", "role", _groups),
        (r"(?P<code>.+) is not a code of (?P<dim>\w+)", "not_a_code", _groups),
    )
)


def reason(message: str, lang: str) -> str:
    """A refusal's reason from ``data/`` in ``lang``; an unknown sentence stays as it is."""
    text = str(message).strip()
    for pattern, key, params in _REASONS:
        found = pattern.fullmatch(text)
        if found:
            return t(f"community.reason.{key}", lang, **params(found, lang))
    return text
