"""The community pages' HTML (issue #9): Jinja2 templates ``templates/community_*.html``.

Rendered by the brief's environment (autoescape on): every text from a file, an account or a
note is escaped, so a label such as ``<script>`` or ``=HYPERLINK(...)`` shows as typed and does
nothing. The pages load only this site's stylesheet (no script at all), so they pass the
Content-Security-Policy unchanged.
"""

from __future__ import annotations

from typing import Any

from layouts.brief import environment

# what each provenance field asks (Copenhagen Framework on Citizen Data, UN Statistical
# Commission 2025: who collected the data and how, whom they cover, consent, licence)
FIELD_LABELS: dict[str, tuple[str, str]] = {
    "title": ("Title of the data", "e.g. Disability and work survey, Nairobi 2023"),
    "collected_by": ("Who collected the data", "your organisation, partners, enumerators"),
    "method": ("How it was collected", "e.g. household survey, face-to-face interviews"),
    "sampling": ("Sampling", "e.g. random sample of households in 40 settlements"),
    "population": ("Population covered", "who and where: e.g. adults 15+ in informal settlements"),
    "period": ("Period of data collection", "e.g. March to May 2023"),
    "sample_size": ("Sample size (respondents)", "a whole number"),
    "washington_group": ("Washington Group questions used", "yes or no"),
    "consent": ("Consent", "how informed consent was obtained"),
    "anonymisation": ("Anonymisation", "how respondents are protected from re-identification"),
    "licence": ("Licence", "e.g. CC BY 4.0"),
    "contact": ("Contact (optional)", "who answers questions about the data"),
    "notes": ("Notes (optional)", "anything a reader of the values must know"),
}


def render(template: str, **context: Any) -> str:
    """One community page as HTML."""
    return environment().get_template(template).render(labels=FIELD_LABELS, **context)
