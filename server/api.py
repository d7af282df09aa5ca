"""The read-only data API under ``/api/v1/``: the dashboard's tables as CSV or JSON.

Endpoints (``ENDPOINTS``): ``observations``, ``gaps``, ``coverage``, ``disparities``,
``series``, ``countries``, ``groups``, ``datasets``, and ``openapi.json`` describing them.
Filters have the dashboard URLs' names (``group, goal, series, year, region, source``) plus
``country`` (ISO3); every table comes from ``data.tables``, the functions the pages and the
downloads use, so the numbers are the gap engine's. A parameter that is unknown, repeated or
not one of the allowed values is answered 400 with a JSON body naming it and the values
allowed.

Every answer says where its numbers come from: JSON has top-level ``citation``, ``licence``,
``datasets``, ``retrieved`` and ``as_of`` beside ``rows``; CSV starts with rows whose single
cell begins with ``#`` (the first says on which line the table starts), which a spreadsheet
shows, and its text cells are made safe for spreadsheets like the downloads'
(``server.downloads.neutralise``). Answers are streamed in chunks of rows (gzip-compressed on
the fly when the client accepts it), so a world-size table never sits whole in memory as text.
"""

from __future__ import annotations

import json
import math
import zlib
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import pandas as pd
from flask import Blueprint, Response, request, stream_with_context

from data import queries, reference, tables
from data.vocab import groups as all_groups
from server import downloads

PREFIX = "/api/v1"
FORMATS = ("json", "csv")
CHUNK_ROWS = 5000
PARAM_HELP: dict[str, str] = {
    "group": "LNOB group id (see /api/v1/groups); absent: every group",
    "goal": "SDG goal number, or 'all'",
    "series": "SDG series code (see /api/v1/series)",
    "year": "a year of the data ('latest' or absent: every year)",
    "region": "UN M49 code of a region (001 = World, the default)",
    "source": "source type: all, official or community",
    "country": "ISO 3166-1 alpha-3 code of a country (see /api/v1/countries)",
    "format": "json (default) or csv; without it, the Accept header decides",
}
# endpoint -> (summary, filter parameters, what each row is)
ENDPOINTS: dict[str, tuple[str, tuple[str, ...], str]] = {
    "observations": (
        "Stored observations with their provenance",
        ("country", "series", "goal", "year", "region", "source"),
        "one observation: value, breakdowns, dataset, source, Nature, footnote, source row",
    ),
    "gaps": (
        "Data-gap status and reason per country x series x group (the gap engine)",
        ("group", "country", "series", "goal", "region", "source"),
        "one expected split: status, reason, age, latest year",
    ),
    "coverage": (
        "Coverage per country and group: expected series and how many have each status",
        ("group", "country", "goal", "region", "source"),
        "one country x group: expected, a count per status, share disaggregated",
    ),
    "disparities": (
        "Every group value matched with its reference value, the gap, and their provenance",
        ("group", "country", "series", "goal", "year", "region", "source"),
        "one pair: value, reference, difference, ratio, direction, dataset, source rows",
    ),
    "series": ("The series catalogue", ("group", "goal"), "one series"),
    "countries": ("Countries and areas with ISO3 and M49 codes", ("region",), "one country"),
    "groups": ("The LNOB groups and the codes that define them", (), "one group"),
    "datasets": ("Imported datasets with source, attribution and licence", (), "one dataset"),
}


class BadParameter(Exception):
    """A query parameter the API does not accept."""

    def __init__(self, param: str, value: str, allowed: list[str], message: str):
        super().__init__(message)
        self.body = {"error": message, "parameter": param, "value": value, "allowed": allowed}


def _choices() -> Any:
    from layouts.pages import content

    return content.choices()


def allowed_values(param: str, given: Mapping[str, str]) -> list[str]:
    """The values ``param`` accepts (given the group and goal already checked)."""
    ch = _choices()
    if param == "group":
        return list(ch.groups)
    if param == "goal":
        return ["all", *ch.goals]
    if param == "series":
        goal = given.get("goal", "all")
        if given.get("group"):
            return tables.series_in(given["group"], goal)
        goals = tables.series_goals()
        return sorted(s for s, gs in goals.items() if goal == "all" or goal in gs)
    if param == "year":
        return ["latest", *(str(y) for y in ch.years)]
    if param == "region":
        return list(ch.regions)
    if param == "source":
        return list(queries.SOURCES)
    if param == "country":
        return sorted(reference.countries()["iso3"])
    return list(FORMATS)


def _normal(param: str, value: str) -> str:
    value = value.strip()
    if param == "country":
        return value.upper()
    if param == "region" and value.isdigit():
        return value.zfill(3)
    return value


def parse(endpoint: str, args: Mapping[str, list[str]]) -> dict[str, str]:
    """Checked parameters of a request (raises ``BadParameter``).

    Args:
        endpoint: a key of ``ENDPOINTS``.
        args: the query string, every value of every name (``request.args.to_dict(flat=False)``).
    """
    names = [*ENDPOINTS[endpoint][1], "format"]
    for name, values in args.items():
        if name not in names:
            raise BadParameter(name, values[0], names, f"unknown parameter {name!r}")
        if len(values) > 1:
            raise BadParameter(name, values[0], [], f"parameter {name!r} given more than once")
    given: dict[str, str] = {}
    for name in names:  # in order: series is checked against group and goal
        if name not in args or args[name][0].strip() == "":
            continue
        value = _normal(name, args[name][0])
        allowed = allowed_values(name, given)
        if value not in allowed:
            raise BadParameter(name, value, allowed, f"{name}={value!r} is not allowed")
        given[name] = value
    return given


def filters(endpoint: str, given: Mapping[str, str]) -> dict[str, Any]:
    """Keyword arguments of the ``data.tables`` function for the checked parameters."""
    out: dict[str, Any] = {
        k: v for k, v in given.items() if k in ENDPOINTS[endpoint][1] and k != "year"
    }
    if given.get("year", "latest") != "latest":
        out["year"] = int(given["year"])
    return out


def table(endpoint: str, given: Mapping[str, str]) -> tuple[pd.DataFrame, list[int] | None]:
    """The rows of an endpoint, and the datasets they come from (None: every dataset)."""
    kw = filters(endpoint, given)
    if endpoint == "observations":
        frame = tables.observations_table(**kw)
        return frame, sorted({int(d) for d in frame["dataset"]})
    if endpoint == "disparities":
        frame = tables.disparities_table(**kw)
        return frame, sorted({int(d) for d in frame["dataset"]})
    if endpoint == "gaps":
        return tables.gaps_table(**kw), None
    if endpoint == "coverage":
        return tables.coverage_table(**kw), None
    if endpoint == "series":
        frame = tables.series_table()
        if "group" in kw:
            frame = frame[frame["series"].isin(tables.series_in(kw["group"], "all"))]
        if kw.get("goal", "all") != "all":
            goals = tables.series_goals()
            frame = frame[[kw["goal"] in goals.get(s, ()) for s in frame["series"]]]
        return frame.reset_index(drop=True), None
    if endpoint == "countries":
        frame = tables.countries_table()
        if "region" in kw:
            frame = frame[frame["iso3"].isin(set(reference.members(kw["region"])))]
        return frame.reset_index(drop=True), None
    if endpoint == "groups":
        return tables.groups_table(), None
    return tables.datasets_table(), None


def _scalar(value: Any) -> Any:
    if isinstance(value, str | int | bool):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if hasattr(value, "item"):
        return _scalar(value.item())
    if isinstance(value, tuple | list | frozenset | set):
        return list(value)
    return value


def json_chunks(frame: pd.DataFrame, head: Mapping[str, Any]) -> Iterator[str]:
    """``{...head, "count": n, "columns": [...], "rows": [...]}`` in chunks of rows.

    Numbers are written as Python writes floats (the shortest text that reads back the same
    value): no rounding.
    """
    meta = {**head, "count": len(frame), "columns": [str(c) for c in frame.columns]}
    yield json.dumps(meta, ensure_ascii=False, default=_scalar)[:-1] + ', "rows": ['
    cols = [str(c) for c in frame.columns]
    first = True
    for start in range(0, len(frame), CHUNK_ROWS):
        part = frame.iloc[start : start + CHUNK_ROWS]
        # column lists are Python values already (tolist); missing or infinite -> null
        values = [[_scalar(v) for v in part[c].tolist()] for c in part.columns]
        records = [dict(zip(cols, row, strict=True)) for row in zip(*values, strict=True)]
        text = json.dumps(records, ensure_ascii=False, allow_nan=False, default=_scalar)
        yield ("" if first else ",") + text[1:-1]
        first = False
    yield "]}"


def csv_chunks(frame: pd.DataFrame, head: Mapping[str, Any]) -> Iterator[str]:
    """The ``#`` provenance rows, then the table (text cells made safe for spreadsheets)."""
    about = [
        ("API", head["url"]),
        ("Retrieved", head["retrieved"]),
        ("Citation", head["citation"]),
        ("Licence", head["licence"]),
        ("Statuses as of", str(head["as_of"])),
    ]
    for d in head["datasets"]:
        text = f"{d['name']} ({d['source_type']}). {d['attribution']} Licence: {d['licence']}"
        about.append((f"Dataset {d['id']}", " ".join(text.split())))
    block = downloads.csv_header_block(about)
    start = block.count("\n") + 3  # this row, the block, a blank row: the header comes next
    first = f"the table starts at line {start} (after {start - 1} rows of provenance)"
    yield downloads.csv_header_block([("About", first)]) + block + "\r\n"
    yield from downloads.csv_chunks(frame, size=CHUNK_ROWS)


def _gzip(chunks: Iterator[str]) -> Iterator[bytes]:
    packer = zlib.compressobj(6, zlib.DEFLATED, 31)  # wbits 31: the gzip format
    for text in chunks:
        data = packer.compress(text.encode("utf-8"))
        if data:
            yield data
    yield packer.flush()


def _encoded(chunks: Iterator[str]) -> Iterator[bytes]:
    for text in chunks:
        yield text.encode("utf-8")


def respond(endpoint: str, args: Mapping[str, list[str]], accept: Any, gzip_ok: bool) -> Response:
    """The streamed answer of one endpoint, or a 400 naming the bad parameter."""
    try:
        given = parse(endpoint, args)
    except BadParameter as exc:
        return error(400, exc.body)
    fmt = given.get("format") or (
        "csv" if accept.best_match(["application/json", "text/csv"]) == "text/csv" else "json"
    )
    frame, ids = table(endpoint, given)
    url = request.url
    head = {"endpoint": endpoint, "parameters": given, **tables.citation(ids, url)}
    make: Callable[..., Iterator[str]] = json_chunks if fmt == "json" else csv_chunks
    chunks = make(frame, head)
    body = _gzip(chunks) if gzip_ok else _encoded(chunks)
    mimetype = "application/json" if fmt == "json" else "text/csv"
    response = Response(stream_with_context(body), mimetype=mimetype)
    if gzip_ok:
        response.headers["Content-Encoding"] = "gzip"
    response.headers["Vary"] = "Accept, Accept-Encoding"
    response.headers["Access-Control-Allow-Origin"] = "*"  # read-only public data
    if fmt == "csv":
        name = f"lnob-gap-map-{endpoint}.csv"
        response.headers["Content-Disposition"] = f'inline; filename="{name}"'
    return response


def error(status: int, body: Mapping[str, Any]) -> Response:
    """A JSON error answer."""
    return Response(
        json.dumps(body, ensure_ascii=False), status=status, mimetype="application/json"
    )


def blueprint() -> Blueprint:
    """The API's routes (a new blueprint per app: tests build several apps)."""
    bp = Blueprint("api_v1", __name__, url_prefix=PREFIX)

    @bp.route("/<endpoint>")
    def endpoint_route(endpoint: str) -> Response:
        if endpoint == "openapi.json":
            return Response(json.dumps(spec()), mimetype="application/json")
        if endpoint not in ENDPOINTS:
            return error(404, {"error": f"no endpoint {endpoint!r}", "endpoints": list(ENDPOINTS)})
        gzip_ok = "gzip" in request.headers.get("Accept-Encoding", "").lower()
        args = request.args.to_dict(flat=False)
        return respond(endpoint, args, request.accept_mimetypes, gzip_ok)

    @bp.route("/")
    def index() -> Response:
        return Response(
            json.dumps(
                {"endpoints": [f"{PREFIX}/{e}" for e in ENDPOINTS] + [f"{PREFIX}/openapi.json"]}
            ),
            mimetype="application/json",
        )

    return bp


def register(app: Any) -> None:
    """Add the ``/api/v1/`` blueprint to the Dash app's Flask server."""
    app.server.register_blueprint(blueprint())


# ---- the OpenAPI description (hand-written from the tables above: one source of truth) ----


def _schema(name: str) -> dict[str, Any]:
    if name == "group":
        return {"type": "string", "enum": list(all_groups())}
    if name == "source":
        return {"type": "string", "enum": list(queries.SOURCES), "default": "all"}
    if name == "format":
        return {"type": "string", "enum": list(FORMATS)}
    patterns = {
        "region": r"^[0-9]{1,3}$",
        "country": r"^[A-Za-z]{3}$",
        "year": r"^(latest|[0-9]{4})$",
        "goal": r"^(all|[0-9]{1,2})$",
    }
    out: dict[str, Any] = {"type": "string"}
    if name in patterns:
        out["pattern"] = patterns[name]
    return out


_ROWS = {"type": "array", "items": {"type": "object", "additionalProperties": True}}
_TABLE = {
    "type": "object",
    "required": ["endpoint", "citation", "licence", "datasets", "count", "columns", "rows"],
    "properties": {
        "endpoint": {"type": "string"},
        "parameters": {"type": "object", "additionalProperties": {"type": "string"}},
        "citation": {"type": "string", "description": "how to cite this answer"},
        "licence": {"type": "string", "description": "licences of the datasets used"},
        "datasets": {"type": "array", "items": {"type": "object"}},
        "retrieved": {"type": "string", "format": "date"},
        "url": {"type": "string"},
        "as_of": {"type": "integer", "description": "the year statuses are computed as of"},
        "count": {"type": "integer"},
        "columns": {"type": "array", "items": {"type": "string"}},
        "rows": _ROWS,
    },
}
_ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {"type": "string"},
        "parameter": {"type": "string", "description": "the parameter that was refused"},
        "value": {"type": "string"},
        "allowed": {"type": "array", "items": {"type": "string"}},
    },
}


def _operation(name: str, summary: str, params: tuple[str, ...], row: str) -> dict[str, Any]:
    return {
        "operationId": name,
        "summary": summary,
        "description": f"Each row is {row}. JSON carries citation and licence as top-level "
        "fields; CSV starts with '#' rows (citation, licence, datasets).",
        "parameters": [{"$ref": f"#/components/parameters/{p}"} for p in (*params, "format")],
        "responses": {
            "200": {
                "description": summary,
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/Table"}},
                    "text/csv": {"schema": {"type": "string"}},
                },
            },
            "400": {
                "description": "a parameter is unknown, repeated or not an allowed value",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
            },
        },
    }


def spec() -> dict[str, Any]:
    """The OpenAPI 3.1 description of every endpoint and parameter."""
    paths = {
        f"{PREFIX}/{name}": {"get": _operation(name, *info)} for name, info in ENDPOINTS.items()
    }
    paths[f"{PREFIX}/openapi.json"] = {
        "get": {
            "operationId": "openapi",
            "summary": "This description",
            "responses": {"200": {"description": "OpenAPI 3.1 document"}},
        }
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"{tables.PROJECT} data API",
            "version": "1",
            "description": "Read-only: observations with provenance, data-gap statuses and "
            "reasons, coverage and disparities, with the dashboard's filter names.",
        },
        "paths": paths,
        "components": {
            "parameters": {
                n: {
                    "name": n,
                    "in": "query",
                    "required": False,
                    "description": h,
                    "schema": _schema(n),
                }
                for n, h in PARAM_HELP.items()
            },
            "schemas": {"Table": _TABLE, "Error": _ERROR},
        },
    }
