"""``GET /api`` and ``/api/docs``: the data API described for people, in four languages (#10).

Built from ``server.api.spec()`` (the OpenAPI description ``/api/v1/openapi.json`` serves), so
the page cannot drift from the API: every path, its summary, what each row is, its parameters
with their meaning and allowed values, and an example URL that the API answers. Summaries and
parameter meanings are the catalogues' ``api.*`` keys in the request's language; a path or
parameter added to the API without a key shows its English text, marked ``lang="en"``.
Server-rendered (Jinja2, autoescape on, no script) like the community pages; the language
comes from the request as on the dashboard (``layouts.i18n.language``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from flask import Response, request

from layouts.community_text import language_links
from layouts.i18n import direction, english, language, t

PATHS = ("/api", "/api/docs")
MAX_LISTED = 30  # more allowed values than this: their count and the endpoint that lists them
LISTED_BY = {"group": "groups", "series": "series", "country": "countries"}
# values an example URL uses when the endpoint takes the parameter and the data offer them
EXAMPLE = {"group": "disability", "country": "KEN", "goal": "8", "year": "latest"}


def _text(key: str, fallback: str, lang: str) -> dict[str, str | None]:
    """The catalogue's text of ``key``, else the API's English text marked as English."""
    if key in english():
        return {"text": t(key, lang), "lang": None}
    return {"text": fallback, "lang": "en" if lang != "en" else None}


def _allowed(name: str, schema: Mapping[str, Any], prefix: str) -> dict[str, Any]:
    from server.api import allowed_values

    values = [str(v) for v in schema.get("enum") or allowed_values(name, {})]
    listed_by = f"{prefix}/{LISTED_BY[name]}" if name in LISTED_BY else None
    return {
        "choices": values[:MAX_LISTED],
        "count": len(values),
        "more": len(values) > MAX_LISTED,
        "listed_by": listed_by,
        "default": schema.get("default"),
    }


def _example(path: str, params: list[dict[str, Any]]) -> str:
    from server.api import allowed_values

    picked: dict[str, str] = {}
    for p in params:
        value = EXAMPLE.get(p["name"])
        if value and value in allowed_values(p["name"], picked):
            picked[p["name"]] = value
        if len(picked) == 2:
            break
    return f"{path}?{urlencode(picked)}" if picked else path


def endpoints(spec: Mapping[str, Any], lang: str) -> list[dict[str, Any]]:
    """Every path of an OpenAPI description, as the page shows it in ``lang``.

    Args:
        spec: ``server.api.spec()`` (paths with a ``get`` operation whose parameters are
            ``$ref`` s to ``components.parameters``).
        lang: language.

    Returns:
        Dicts ``path, id, summary, rows, params, example``; each param ``name, meaning,
        allowed`` (``choices, count, more, listed_by, default``).
    """
    from server.api import ENDPOINTS, PREFIX

    shared = spec["components"]["parameters"]
    out = []
    for path, item in spec["paths"].items():
        op = item["get"]
        name = op["operationId"]
        params = []
        for ref in op.get("parameters", []):
            p = shared[ref["$ref"].rsplit("/", 1)[-1]]
            params.append(
                {
                    "name": p["name"],
                    "meaning": _text(f"api.param.{p['name']}", p["description"], lang),
                    "allowed": _allowed(p["name"], p["schema"], PREFIX),
                }
            )
        row = ENDPOINTS[name][2] if name in ENDPOINTS else ""
        out.append(
            {
                "path": path,
                "id": f"api-{name}",
                "summary": _text(f"api.summary.{name}", op["summary"], lang),
                "rows": _text(f"api.row.{name}", row, lang) if row else None,
                "params": params,
                "example": _example(path, params),
            }
        )
    return out


def render(lang: str, languages: list[dict[str, Any]]) -> str:
    """The API documentation page in ``lang``."""
    from layouts.brief import environment
    from layouts.community_text import translator
    from server.api import PREFIX, spec

    return (
        environment()
        .get_template("api_docs.html")
        .render(
            lang=lang,
            dir=direction(lang),
            t=translator(lang),
            endpoints=endpoints(spec(), lang),
            openapi=f"{PREFIX}/openapi.json",
            languages=languages,
        )
    )


def register(app: Any) -> None:
    """``/api`` and ``/api/docs`` on the Dash app's Flask server."""

    def api_docs() -> Response:
        lang = language()
        links = language_links(lang, request.path, request.args.to_dict(flat=False))
        response = Response(render(lang, links), mimetype="text/html")
        response.vary.update(("Accept-Language", "Cookie"))
        return response

    for path in PATHS:
        app.server.add_url_rule(
            path, endpoint=f"api_docs{path.replace('/', '_')}", view_func=api_docs
        )
