"""Addresses of a page's download menu: data files, chart images, brief, pack, embed code.

Pure functions of the view and its validated query string, so a page's layout carries its
links (``components.download_menu``) and its callback sends those of a change, without a
request of their own. The embed code is pasted into other sites, so its ``<iframe src>`` must
be absolute: the page's layout (memoised, shared by every host name the site answers to)
carries it relative (``origin=""``) and the browser prefixes its own origin
(``callbacks/clientside.py``); a change's callback sends it absolute.
"""

from __future__ import annotations

from urllib.parse import quote

from data import reference
from layouts import components, state
from layouts.i18n import t
from layouts.pages import content, embed

DATA_FORMATS = ("csv", "xlsx")  # server/downloads.py serves them
CHART_FORMATS = ("png", "svg")  # server/images.py draws them

# the property each part of a download menu sets (``components.download_menu``)
MENU_PROPS: dict[str, str] = {
    "csv": "href",
    "xlsx": "href",
    "png": "href",
    "svg": "href",
    "code": "value",
    "brief": "href",
    "pack": "href",
}


def data_url(view: str, fmt: str, search: str) -> str:
    """Link of the "Download data" file of a view (``map``, ``matrix``, ``country-KEN``).

    Args:
        view: ``map``, ``matrix`` or ``country-<ISO3>``.
        fmt: ``csv`` or ``xlsx``.
        search: the page's query string (``?group=women&...``, with or without ``?``).
    """
    query = search.lstrip("?")
    return f"/download/data/{quote(view, safe='-')}.{fmt}" + (f"?{query}" if query else "")


def chart_url(view: str, fmt: str, search: str = "") -> str:
    """Address of a view's chart image (``view``: ``map`` or ``country-<ISO3>``)."""
    query = search if not search or search.startswith("?") else f"?{search}"
    return f"/download/chart/{view}.{fmt}{query}"


def menu_links(view: str, search: str, origin: str, lang: str | None = None) -> dict[str, str]:
    """Addresses of a view's download links and its embed code, by menu part.

    Args:
        view: ``map``, ``matrix`` or ``country-<ISO3>``.
        search: the view's query string (the validated state, ``state.to_search``).
        origin: scheme and host of this site (the embed code is pasted elsewhere); "" for a
            relative ``src``, which the browser completes (``callbacks/clientside.py``).
        lang: language of the embed's title.
    """
    out = {fmt: data_url(view, fmt, search) for fmt in DATA_FORMATS}
    if view == "matrix":
        return out
    out |= {fmt: chart_url(view, fmt, search) for fmt in CHART_FORMATS}
    if view.startswith("country-"):
        iso3 = view.removeprefix("country-")
        src, what = embed.path("chart", search, iso3), reference.area_name(iso3, lang or "en")
        s, _ = state.parse_search(search, content.choices())
        brief = state.to_search({"group": s["group"], "source": s["source"]})
        out["brief"] = f"/country/{iso3}/brief{brief}"  # server/brief.py
        out["pack"] = f"/country/{iso3}/pack.zip{brief}"
    else:
        src, what = embed.path("map", search), t("downloads.what.map", lang)
    title = t("embed.iframe_title", lang, what=what)
    out["code"] = components.embed_snippet(origin.rstrip("/") + src, title)
    return out


def menu_values(parts: dict[str, str], links: dict[str, str]) -> list[str]:
    """``menu_links`` in the order of a page's menu ids (the callback's outputs)."""
    return [links[k] for k in parts if k in MENU_PROPS]
