"""The community pages' HTML (issue #9): Jinja2 templates ``templates/community_*.html``.

Rendered by the brief's environment (autoescape on): every text from a file, an account or a
note is escaped, so a label such as ``<script>`` or ``=HYPERLINK(...)`` shows as typed and does
nothing. The pages load only this site's stylesheet (no script at all), so they pass the
Content-Security-Policy unchanged. Every word comes from the gettext catalogues in the
request's language (``server.auth.page``), like the dashboard's.
"""

from __future__ import annotations

from typing import Any

from layouts import community_text as text
from layouts.brief import environment
from layouts.i18n import direction


def render(template: str, lang: str = "en", **context: Any) -> str:
    """One community page as HTML in ``lang`` (``t`` bound to it, ``<html lang dir>``).

    The provenance fields' labels and help follow the Copenhagen Framework on Citizen Data
    (UN Statistical Commission 2025): who collected the data and how, whom they cover,
    consent, licence (``layouts.community_text``).
    """
    return (
        environment()
        .get_template(template)
        .render(
            lang=lang,
            dir=direction(lang),
            t=text.translator(lang),
            labels=text.field_labels(lang),
            word=lambda kind, value: text.word(kind, value, lang),
            fill_line=lambda fill, short=False: text.fill_line(fill, lang, short),
            problem_kind=lambda code: text.problem_kind(code, lang),
            **context,
        )
    )
