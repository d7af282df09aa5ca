"""The app on a small store, through Flask's test client (no browser)."""

from __future__ import annotations

import gzip
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from data.settings import Settings
from data.store import Provenance, Store
from tests.conftest import obs_frame

GEOMETRY_MARKERS = ("coordinates", "geojson", '"arcs"', "MultiPolygon")


def _pair(iso3, m49, year, dim, group_code, ref_code, gv, rv, series, source="official"):
    base = {
        "series": series,
        "iso3": iso3,
        "m49": m49,
        "period": str(year),
        "year": year,
        "period_sort": float(year),
        "unit": "PERCENT",
        "source_type": source,
        "indicator": "8.5.2",
        "goal": "8",
        "target": "8.5",
        "series_title": f"{series} title",
        "nature": "C",
        "source": "LFS",
    }
    return [
        {**base, dim: group_code, "value": gv},
        {**base, dim: ref_code, "value": rv},
        {**base, "value": (gv + rv) / 2},
    ]


def build_small_store(data_dir: Path) -> Settings:
    """A store with 2 series in 4 countries (one community dataset), all illustrative."""
    settings = Settings(data_dir=data_dir, cache_type="NullCache", demo_on_empty=False)
    official = []
    for iso3, m49, year in (("KEN", "404", 2022), ("UGA", "800", 2012), ("FRA", "250", 2021)):
        official += _pair(iso3, m49, year, "disability", "PD", "PWD", 12.0, 8.0, "SL_TLF_UEMDIS")
        official += _pair(iso3, m49, year, "sex", "F", "M", 40.0, 45.0, "SE_TOT_CPLR")
    official += [
        {
            "series": "SL_TLF_UEMDIS",
            "iso3": "CHL",
            "m49": "152",
            "period": "2022",
            "year": 2022,
            "value": 7.0,
            "unit": "PERCENT",
        }
    ]
    community = _pair(
        "NPL",
        "524",
        2019,
        "disability",
        "PD",
        "PWD",
        30.0,
        20.0,
        "SL_TLF_UEMDIS",
        source="community",
    )
    store = Store(settings)
    store.import_frame(
        obs_frame(official),
        Provenance(
            "Official test set",
            "official.csv",
            "sum-1",
            "test",
            "official",
            "CC-BY-4.0",
            "Test attribution.",
            illustrative=True,
        ),
    )
    store.import_frame(
        obs_frame(community),
        Provenance(
            "Community test set",
            "community.csv",
            "sum-2",
            "test",
            "community",
            "CC0",
            "Community attribution.",
            illustrative=True,
        ),
    )
    return settings


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    from app import create_app

    return create_app(build_small_store(tmp_path_factory.mktemp("store")), warm=False)


@pytest.fixture
def client(app):
    c = app.server.test_client()
    c.get("/")  # registers the Pages router (Dash does it on the first request)
    return c


def callback_request(app, output_id, inputs, state=None, changed=None):
    """Body of /_dash-update-component for the callback that writes ``output_id``."""
    spec = next(cb for cb in app._callback_list if f"{output_id}." in cb["output"])
    values = {**inputs, **(state or {})}

    def fill(items):
        return [{**i, "value": values.get(f"{i['id']}.{i['property']}")} for i in items]

    outputs = [
        {"id": o.rsplit(".", 1)[0], "property": o.rsplit(".", 1)[1]}
        for o in spec["output"].strip(".").split("...")
    ]
    return {
        "output": spec["output"],
        "outputs": outputs if len(outputs) > 1 else outputs[0],
        "inputs": fill(spec["inputs"]),
        "state": fill(spec["state"]),
        "changedPropIds": changed or list(inputs)[:1],
    }


def post(client, body, gzip_ok=False):
    headers = {"Accept-Encoding": "gzip"} if gzip_ok else {}
    return client.post("/_dash-update-component", json=body, headers=headers)


def router_body(path, search=""):
    """The body of Dash's Pages router callback for an address."""
    return {
        "output": ".._pages_content.children..._pages_store.data..",
        "outputs": [
            {"id": "_pages_content", "property": "children"},
            {"id": "_pages_store", "property": "data"},
        ],
        "inputs": [
            {"id": "_pages_location", "property": "pathname", "value": path},
            {"id": "_pages_location", "property": "search", "value": search},
        ],
        "state": [],
        "changedPropIds": ["_pages_location.pathname"],
    }


def router(client, path, search="", headers=None):
    body = router_body(path, search)
    response = client.post("/_dash-update-component", json=body, headers=headers or {})
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.mark.parametrize(
    "url", ["/", "/matrix", "/country/KEN", "/country/ken", "/_dash-layout", "/_dash-dependencies"]
)
def test_pages_answer(client, url):
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("url", ["/no/such/page", "/country/XXX", "/country/KEN/more", "/404"])
def test_unknown_paths_answer_404_with_the_page(client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "_dash-app-content" in response.get_data(as_text=True) or "react-entry-point" in (
        response.get_data(as_text=True)
    )  # the app's page (its router draws "Page not found"), not a bare Flask error


@pytest.mark.parametrize(
    ("query", "location"),
    [
        ("Kenya", "/country/KEN"),
        ("kenya", "/country/KEN"),
        ("Narnia", "/country/Narnia"),
        ("", "/"),
    ],
)
def test_country_search_redirects(client, query, location):
    response = client.get("/find", query_string={"q": query})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(location)


def test_header_has_a_labelled_country_search_first_after_the_skip_link(client):
    layout = client.get("/_dash-layout").get_data(as_text=True)
    assert '"shell-search-input"' in layout and '"shell-search-list"' in layout
    assert '"Find a country"' in layout and '"action":"\\u002ffind"' in layout  # "/find"
    assert layout.index("shell-search-input") < layout.index("shell-nav-map")
    assert '"Kenya"' in layout  # a suggestion of the datalist


def test_a_failing_callback_shows_a_plain_message_and_no_traceback(
    app, client, caplog, monkeypatch
):
    from layouts.pages import content

    def broken(*_args):
        raise KeyError("a bug in the payload")

    monkeypatch.setattr(content, "overview_payload", broken)
    state = {"mode": "gaps", "group": "disability"}
    body = callback_request(app, "overview-map-graph", {"overview-state.data": state})
    with caplog.at_level("ERROR", logger="gapmap.callbacks"):
        response = post(client, body)
    assert response.status_code == 200
    out = json.loads(response.data)
    alert = json.dumps(out["sideUpdate"]["shell-error"])
    assert "Something went wrong" in alert and "Reload the page" in alert
    assert "Traceback" not in response.get_data(as_text=True)
    assert "KeyError" not in alert
    assert any(r.exc_info for r in caplog.records)  # the traceback is in the server log


def test_index_is_offline_and_has_lang(client):
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="en" dir="ltr">' in page
    for host in ("cdn.", "unpkg", "googleapis", "jsdelivr", "cdnjs", "plot.ly"):
        assert host not in page
    vendored = Path(__file__).resolve().parents[1] / "assets" / "vendor" / "bootstrap.min.css"
    assert vendored.exists() and "/assets/vendor/bootstrap.min.css" in page


def test_shell_has_banner_landmarks_and_footer(client):
    layout = client.get("/_dash-layout").get_data(as_text=True)
    for needle in (
        "shell-demo-banner",
        "Official test set",
        "Test attribution.",
        "CC-BY-4.0",
        "Community attribution.",
        '"Header"',
        '"Main"',
        '"Footer"',
        '"Nav"',
        "shell-skip-link",
    ):
        assert needle in layout


def test_router_renders_pages(client):
    overview = router(client, "/", "?group=women&year=1800")
    assert "overview-map-graph" in overview and "filters-group" in overview
    assert "1800" in overview  # the notice names the invalid value
    assert "Country not found" in router(client, "/country/XXX")
    ken = router(client, "/country/KEN", "?group=disability")
    assert "country-heading" in ken and "Kenya" in ken
    assert "country-scorecard" in ken and "country-missing" in ken
    assert "Page not found" in router(client, "/no/such/page")
    matrix = router(client, "/matrix", "?region=002")
    assert "matrix-heading" in matrix


def test_map_update_sends_codes_not_geometry(app, client):
    state = {
        "mode": "gaps",
        "group": "disability",
        "goal": "all",
        "series": "",
        "year": "latest",
        "region": "001",
        "source": "all",
    }
    body = callback_request(app, "overview-map-graph", {"overview-state.data": state})
    response = post(client, body, gzip_ok=True)
    assert response.status_code == 200
    raw = (
        gzip.decompress(response.data)
        if response.headers.get("Content-Encoding") == "gzip"
        else response.data
    )
    text = raw.decode()
    assert not any(marker in text for marker in GEOMETRY_MARKERS)
    figure = json.loads(text)["response"]["overview-map-graph"]["figure"]
    locations = {
        loc
        for trace in figure["data"]
        if trace["type"] == "choropleth"
        for loc in trace["locations"]
    }
    assert {"KEN", "UGA", "FRA", "CHL", "NPL"} <= locations and len(locations) > 150
    assert len(response.data) < 20_000  # compressed update budget


def test_filter_change_writes_url_and_resets_series(app, client):
    values = {
        "filters-mode.value": "gaps",
        "filters-group.value": "migrants",
        "filters-goal.value": "all",
        "filters-series.value": "SL_TLF_UEMDIS",
        "filters-year.value": "latest",
        "filters-region.value": "001",
        "filters-source.value": "all",
        "overview-url.search": "",
    }
    body = callback_request(
        app, "overview-url", values, {"overview-state.data": None}, changed=["filters-group.value"]
    )
    out = json.loads(post(client, body).data)["response"]
    assert "group=migrants" in out["overview-url"]["search"]
    assert out["filters-series"]["value"] == "all"  # not splittable by migratory status -> reset
    assert out["overview-state"]["data"]["group"] == "migrants"


def test_url_change_restores_state_without_rewriting(app, client):
    values = {
        "overview-url.search": "?mode=values&group=women&source=official",
        "filters-mode.value": "gaps",
        "filters-group.value": "disability",
        "filters-goal.value": "all",
        "filters-series.value": "all",
        "filters-year.value": "latest",
        "filters-region.value": "001",
        "filters-source.value": "all",
    }
    body = callback_request(
        app, "overview-url", values, {"overview-state.data": None}, changed=["overview-url.search"]
    )
    out = json.loads(post(client, body).data)["response"]
    assert "overview-url" not in out  # no_update: a URL change adds no history entry
    assert out["filters-mode"]["value"] == "values"
    assert out["filters-source"]["value"] == "official"


def test_map_click_opens_country_keeping_filters(app, client):
    state = {
        "mode": "values",
        "group": "women",
        "goal": "all",
        "series": "",
        "year": "latest",
        "region": "001",
        "source": "all",
    }
    body = callback_request(
        app,
        "overview-nav",
        {"overview-map-graph.clickData": {"points": [{"location": "KEN"}]}},
        {"overview-state.data": state},
    )
    out = json.loads(post(client, body).data)["response"]
    assert out["overview-nav"]["href"].startswith("/country/KEN?mode=values&group=women")


def test_matrix_and_country_updates(app, client):
    body = callback_request(
        app,
        "matrix-table",
        {
            "matrix-url.search": "?region=001&sort=disability",
            "matrix-region.value": "001",
            "matrix-source.value": "all",
            "matrix-sort.value": "name",
        },
        {"matrix-state.data": None},
        changed=["matrix-url.search"],
    )
    table = json.loads(post(client, body).data)["response"]["matrix-table"]["children"]
    assert table["type"] == "Div" and table["props"]["role"] == "region"
    md = table["props"]["children"]
    assert md["type"] == "Markdown" and md["props"]["dangerously_allow_html"] is True
    links = {a.get("href"): a.text for a in ET.fromstring(md["props"]["children"]).iter("dccLink")}
    assert links["/country/KEN?sort=disability"].endswith("/1)")  # "<share> (<n>/1)", a link
    assert "/country/KEN?group=women&sort=disability" in links
    body = callback_request(
        app,
        "country-detail",
        {
            "country-url.search": "",
            "country-group.value": "disability",
            "country-series.value": "SL_TLF_UEMDIS",
        },
        {"country-iso3.data": "KEN", "country-state.data": None},
        changed=["country-series.value"],
    )
    out = json.loads(post(client, body).data)["response"]
    assert "series=SL_TLF_UEMDIS" in out["country-url"]["search"]
    assert "country-timeseries" in json.dumps(out["country-detail"])
    assert "Official test set" in json.dumps(out["country-detail"])  # provenance


def test_the_country_status_matrix_is_sent_when_first_opened(app, client):
    """The page carries the matrix collapsed and empty; opening it once sends the table."""
    from layouts.pages import content, country

    page = router(client, "/country/KEN", "?source=official")
    assert '"country-status-matrix-show"' in page and "Show the status of all" in page
    assert "Loading the table" in page and "Table of statuses" not in page

    def opened(asked, iso3="KEN", current=None):
        body = callback_request(
            app,
            "country-status-matrix-body",
            {"country-status-matrix-asked.data": asked},  # the click that asked
            {"country-iso3.data": iso3, "country-state.data": current},
        )
        return post(client, body)

    official = {"group": "disability", "series": "", "source": "official", "goal": "all"}
    r = opened(1, current=official)
    assert r.status_code == 200
    table = json.loads(r.data)["response"]["country-status-matrix-body"]["children"]
    assert table["props"]["role"] == "region"
    assert table["props"]["aria-label"] == "Table of statuses, series by group (scrolls)"
    want = country.matrix_payload.uncached(content.version(), "KEN", "official", "en")
    assert table == want and want != country.matrix_payload.uncached(
        content.version(), "KEN", "community", "en"
    )  # the source the page shows
    # not asked for (a forged call), or an unknown country: nothing
    assert opened(None, current=official).status_code == 204
    assert opened(1, iso3="XXX").status_code == 204
    forged = opened(1, current={"source": "<script>", "group": 3})
    assert json.loads(forged.data)["response"]["country-status-matrix-body"]["children"] == (
        country.matrix_payload.uncached(content.version(), "KEN", "all", "en")
    )


def test_static_assets_are_compressed(client):
    response = client.get("/assets/app.css", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers.get("Content-Encoding") == "gzip"
    assert b"focus-visible" in gzip.decompress(response.data)


@pytest.mark.parametrize(
    "output_id,values,state",
    [
        (
            "overview-url",
            {"overview-url.search": "", "filters-group.value": "women"},
            {"overview-url.pathname": "/matrix", "overview-state.data": None},
        ),
        (
            "matrix-table",
            {"matrix-url.search": "", "matrix-region.value": "001"},
            {"matrix-url.pathname": "/country/KEN", "matrix-state.data": None},
        ),
        (
            "country-detail",
            {"country-url.search": "", "country-group.value": "women"},
            {
                "country-url.pathname": "/",
                "country-iso3.data": "KEN",
                "country-state.data": None,
            },
        ),
    ],
)
def test_a_page_being_left_does_not_recompute(app, client, output_id, values, state):
    # Dash Pages updates every dcc.Location before it swaps the page: the old page's URL
    # callback then sees another path and must not rebuild (e.g. the default world map)
    body = callback_request(app, output_id, values, state, changed=[list(values)[0]])
    response = post(client, body)
    assert response.status_code == 204  # PreventUpdate: nothing computed, nothing sent
    assert response.data == b""


def test_json_updates_are_compressed(app, client):
    body = callback_request(
        app,
        "matrix-table",
        {"matrix-url.search": "", "matrix-region.value": "001", "matrix-source.value": "all"},
        {"matrix-state.data": None, "matrix-url.pathname": "/matrix"},
    )
    response = post(client, body, gzip_ok=True)
    assert response.headers.get("Content-Encoding") == "gzip"
    text = gzip.decompress(response.data).decode()
    assert len(response.data) < len(text) / 4 and "dccLink" in text


def _overview(app, client, **changes):
    state = {
        "mode": "gaps",
        "group": "disability",
        "goal": "all",
        "series": "",
        "year": "latest",
        "region": "001",
        "source": "all",
        **changes,
    }
    body = callback_request(app, "overview-map-graph", {"overview-state.data": state})
    response = post(client, body)
    assert response.status_code == 200
    return json.loads(response.data)["response"]


def test_community_source_without_community_data_says_so(app, client):
    out = _overview(app, client, group="women", source="community")
    summary = out["overview-map-summary"]["children"]
    assert "No community-generated data for women and girls" in summary
    assert "--source-type community" in summary  # how to add some
    assert "Highest coverage" not in summary and "(0%)" not in summary


def test_coverage_summary_never_names_a_country_at_zero(app, client):
    summary = _overview(app, client)["overview-map-summary"]["children"]
    best = summary.split("Highest coverage:")[1]
    assert "(0%)" not in best


def test_one_legend_the_html_one_and_unit_names(app, client):
    out = _overview(app, client)
    figure = out["overview-map-graph"]["figure"]
    assert figure["layout"]["showlegend"] is False
    assert not any(t.get("showlegend") for t in figure["data"])
    legend = json.dumps(out["overview-map-legend"]["children"])
    assert "How to read the map" in legend and "10\\u201324%" in legend
    values = _overview(app, client, mode="values", series="SL_TLF_UEMDIS")
    bars = [
        t["colorbar"]["title"]["text"]
        for t in values["overview-map-graph"]["figure"]["data"]
        if t.get("showscale")
    ]
    assert bars == ["%"]  # the unit's name, not PERCENT


def test_filters_hide_year_in_gaps_mode_and_series_show_titles(app, client):
    controls = {
        "overview-url.search": "",
        "filters-mode.value": "values",
        "filters-group.value": "disability",
        "filters-goal.value": "all",
        "filters-series.value": "all",
        "filters-year.value": "latest",
        "filters-region.value": "001",
        "filters-source.value": "all",
    }
    for mode, style in (("gaps", {"display": "none"}), ("values", {})):
        body = callback_request(
            app,
            "filters-year-box",
            {**controls, "filters-mode.value": mode},
            {"overview-state.data": None, "overview-url.pathname": "/"},
            changed=["filters-mode.value"],
        )
        out = json.loads(post(client, body).data)["response"]
        assert out["filters-year-box"]["style"] == style, mode
    labels = [o["label"] for o in out["filters-series"]["options"]]
    [label] = [x for x in labels if "SL_TLF_UEMDIS" in x]
    assert label.startswith("Unemployment") and label.endswith("(SL_TLF_UEMDIS)")  # title first


def test_the_series_list_is_sent_only_when_what_it_depends_on_changes(app, client):
    """A series, year or region change keeps the select's options (~12 KB less per answer);
    a change of mode, group or goal sends the new list."""
    from layouts import state
    from layouts.pages import content, overview

    shown = overview.filter_state({**state.DEFAULTS, "mode": "values"})
    controls = {f"filters-{k}.value": v for k, v in shown.items()}
    controls |= {"overview-url.search": "?mode=values", "filters-series.value": "all"}

    def answer(changed: str, value: str) -> dict:
        body = callback_request(
            app,
            "filters-series",
            {**controls, f"filters-{changed}.value": value},
            {"overview-state.data": shown, "overview-url.pathname": "/"},
            changed=[f"filters-{changed}.value"],
        )
        out = json.loads(post(client, body).data)["response"]
        assert "overview-map-graph" in out  # the map of the change is in the answer
        return out

    with app.server.test_request_context():
        year = str(content.choices().years[0])
    for changed, value in (("series", "SL_TLF_UEMDIS"), ("region", "002"), ("year", year)):
        out = answer(changed, value)
        assert "options" not in out.get("filters-series", {}), changed
        assert out["overview-state"]["data"][changed] == value
    for changed, value in (("mode", "disparity"), ("group", "women"), ("goal", "8")):
        out = answer(changed, value)
        listed = [o["value"] for o in out["filters-series"]["options"]]
        now = {**{k: shown[k] for k in overview.OPTIONS_OF}, changed: value}
        with app.server.test_request_context():
            assert listed == [o["value"] for o in overview.series_options(**now)], changed


def test_a_map_frame_is_computed_once_per_answer_and_not_kept(app, client, monkeypatch):
    """The map and its table in one answer share one frame; the next answer computes its own
    (``content.per_request``: the shared cache does not keep map frames)."""
    from layouts.pages import overview_parts

    made = []
    plain = overview_parts.map_frame

    def counted(**kw):
        made.append(kw["series"])
        return plain(**kw)

    monkeypatch.setattr(overview_parts, "map_frame", counted)
    shown = {"mode": "values", "group": "disability", "goal": "all", "series": ""}
    shown |= {"year": "latest", "region": "001", "source": "all", "base": "2015"}
    controls = {f"filters-{k}.value": v for k, v in shown.items()}
    controls |= {"overview-url.search": "?mode=values", "filters-series.value": "SL_TLF_UEMDIS"}
    body = callback_request(
        app,
        "overview-map-table",
        {**controls, "overview-map-table-toggle.n_clicks": 1},
        {"overview-state.data": shown, "overview-url.pathname": "/"},
        changed=["filters-series.value"],
    )
    for answers in (1, 2):
        out = json.loads(post(client, body).data)["response"]
        assert out["overview-map-graph"]["figure"]["data"]  # the map ...
        assert "SL_TLF_UEMDIS" in json.dumps(out["overview-map-table"]["children"])  # its table
        assert made == ["SL_TLF_UEMDIS"] * answers


def test_matrix_sorts_lowest_first(app, client):
    def order(sort):
        body = callback_request(
            app,
            "matrix-table",
            {
                "matrix-url.search": f"?sort={sort}",
                "matrix-region.value": "001",
                "matrix-source.value": "all",
                "matrix-sort.value": "name",
            },
            {"matrix-state.data": None, "matrix-url.pathname": "/matrix"},
            changed=["matrix-url.search"],
        )
        out = json.loads(post(client, body).data)["response"]
        md = out["matrix-table"]["children"]["props"]["children"]["props"]["children"]
        rows = ET.fromstring(md).iter("tr")
        return [r.find("th/dccLink").text for r in rows if r.find("th/dccLink") is not None]

    high, low = order("disability"), order("disability-asc")
    assert high.index("Kenya") < high.index("Uganda")  # Kenya 100 %, Uganda 0 % (outdated)
    assert low.index("Uganda") < low.index("Kenya")


def test_progress_map_update_and_the_phone_zoom_is_clientside(app, client):
    from layouts import state as url_state
    from layouts.pages import overview

    state = {**overview.filter_state(url_state.DEFAULTS), "mode": "progress", "base": "2016"}
    body = callback_request(app, "overview-map-graph", {"overview-state.data": state})
    response = post(client, body)
    assert response.status_code == 200
    out = json.loads(response.data)["response"]
    assert out["overview-map-summary"]["children"].startswith("Since 2016, ")
    main = out["overview-map-graph"]["figure"]["data"][1]
    assert main["zmid"] == 0 and main["showscale"] is True
    # the phone zoom runs in the browser: a clientside callback writing the map's figure
    [zoom] = [
        cb
        for cb in app._callback_list
        if cb.get("clientside_function") and "overview-map-graph.figure" in cb["output"]
    ]
    assert zoom["prevent_initial_call"]


def test_dash_is_set_up_before_the_first_client(tmp_path):
    """Dash's first-request set-up ran in the factory: concurrent first requests never meet
    half-registered bundles (a gunicorn worker answered 500 for its component suites)."""
    from app import create_app

    app = create_app(build_small_store(tmp_path / "store"), warm=False)
    assert app._got_first_request["setup_server"] and app._got_first_request["pages"]
    assert "dash" in app.registered_paths  # the bundles a browser asks for next


def _find(tree, wanted):
    """The component with id ``wanted`` in a layout's JSON (None if absent)."""
    if isinstance(tree, dict):
        if tree.get("props", {}).get("id") == wanted:
            return tree
        return next((f for v in tree.values() if (f := _find(v, wanted)) is not None), None)
    if isinstance(tree, list):
        return next((f for v in tree if (f := _find(v, wanted)) is not None), None)
    return None


@pytest.mark.parametrize(
    "path,search",
    [
        ("/", ""),
        ("/", "?group=women&year=1800&lang=fr"),
        ("/matrix", "?region=002"),
        ("/country/KEN", "?group=disability"),
        ("/country/XXX", ""),
        ("/embed", "?view=map"),
    ],
)
def test_the_layout_carries_the_page_the_router_would_send(client, path, search):
    """The page comes with Dash's layout (one round trip less), equal to the router's answer."""
    ref = f"http://localhost{path}{search}"  # the browser's callbacks come from the page too
    answer = json.loads(router(client, path, search, {"Referer": ref}))["response"]
    got = client.get("/_dash-layout", headers={"Referer": ref}).get_json()
    content = _find(got, "_pages_content")
    assert content["props"]["children"] == answer["_pages_content"]["children"]
    assert content["props"]["children"]  # not empty: no router call needed
    assert _find(got, "_pages_store")["props"]["data"] == answer["_pages_store"]["data"]
    # the Location holds the address, so it does not fire the router when it mounts
    location = _find(got, "_pages_location")["props"]
    assert (location["pathname"], location["search"]) == (path, search)


@pytest.mark.parametrize("headers", [{}, {"Referer": "http://elsewhere.example/matrix"}])
def test_without_a_page_address_the_router_fills_the_page(client, headers):
    got = client.get("/_dash-layout", headers=headers).get_json()
    assert not _find(got, "_pages_content")["props"].get("children")
    assert "pathname" not in _find(got, "_pages_location")["props"]
    unknown = client.get("/_dash-layout", headers={"Referer": "http://localhost/no/such"})
    assert not _find(unknown.get_json(), "_pages_content")["props"].get("children")
