"""Chart images (server/images.py): decoration, PNG/SVG through kaleido and Debian's Chromium,
the download route, the menu links and the embed page's framing headers.

The images are drawn for real (kaleido on /usr/bin/chromium, as served); no request leaves the
machine: MathJax is off and maps read the topojson from assets/ (a map drawn with shapes
proves the local file was used, since the CDN cannot be reached here).
"""

from __future__ import annotations

import json
import re
import shutil
import struct
from pathlib import Path

import plotly.graph_objects as go
import pytest

from layouts.pages import links as menu
from server import images
from tests.test_app_smoke import build_small_store

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
TITLE = "Unemployment rate by disability status"
SOURCE = "Source: Test dataset (Official; ILO). Licence: CC-BY-4.0."
URL = "http://127.0.0.1:8050/country/KEN?group=disability&series=SL_TLF_UEM"


def _need_chromium():
    if not (shutil.which("chromium") or Path("/usr/bin/chromium").exists()):
        pytest.fail("Debian's Chromium is needed for chart images: apt-get install chromium")


@pytest.fixture(scope="module", autouse=True)
def _browser_closed_after():
    yield
    images.close()


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    from app import create_app

    return create_app(build_small_store(tmp_path_factory.mktemp("store")), warm=False)


@pytest.fixture
def client(app):
    return app.server.test_client()


def line_chart() -> go.Figure:
    fig = go.Figure(
        [
            go.Scatter(x=[2015, 2019], y=[3.0, 7.1], name="Persons with disabilities"),
            go.Scatter(x=[2015, 2019], y=[2.5, 3.0], name="Persons without disabilities"),
        ]
    )
    fig.update_layout(height=280, margin={"l": 50, "r": 10, "t": 10, "b": 30})
    return fig


def world_map() -> go.Figure:
    fig = go.Figure(
        go.Choropleth(locations=["KEN", "NPL", "FRA"], z=[1, 2, 3], locationmode="ISO-3")
    )
    fig.update_layout(geo={"resolution": 110, "showframe": False}, showlegend=False)
    return fig


# -- decoration (no browser) -----------------------------------------------------------------


def test_decorate_draws_title_legend_and_source_block_into_a_copy():
    fig = line_chart()
    out = images.decorate(
        fig, title=TITLE, source=SOURCE, url=URL, date="2026-01-02", width=1000, height=600
    )
    assert TITLE in _title(out)
    assert (out.layout.width, out.layout.height) == (1000, 600)
    footer = out.layout.annotations[-1].text
    assert "ILO" in footer and "2026-01-02" in footer
    assert "group=disability&amp;series=SL_TLF_UEM" in footer  # escaped, never markup
    assert out.layout.legend.x > 1 and out.layout.margin.r >= 200  # legend beside the plot
    assert fig.layout.title.text is None and not fig.layout.annotations  # input untouched


def test_decorate_draws_a_pages_html_legend_and_escapes_text():
    items = [images.LegendItem("0% <b>", "#ffffcc"), images.LegendItem("Heading", "", "")]
    out = images.decorate(
        world_map(), title="A <i>map</i>", source="S & T", url="/", date="d", legend=items
    )
    texts = [a.text for a in out.layout.annotations]
    assert any("0% &lt;b&gt;" in x and "#ffffcc" in x and "<b>Heading</b>" in x for x in texts)
    assert "A &lt;i&gt;map&lt;/i&gt;" in _title(out)
    assert any("S &amp; T" in x for x in texts)


def test_long_titles_and_sources_wrap_instead_of_running_off_the_image():
    long = "word " * 60
    out = images.decorate(line_chart(), title=long, source=long, url="/", date="d", width=800)
    assert _title(out).count("<br>") >= 2
    assert out.layout.annotations[-1].text.count("<br>") >= 3


def test_unknown_format_is_refused():
    with pytest.raises(ValueError, match="png, svg"):
        images.render(line_chart(), "gif", title="t", source="s", url="u", date="d")


# -- drawn by kaleido on the local Chromium --------------------------------------------------


def test_png_is_a_real_image_of_the_asked_size():
    _need_chromium()
    png = images.render(line_chart(), "png", title=TITLE, source=SOURCE, url=URL, date="2026-01-02")
    assert png.startswith(PNG_SIGNATURE)
    width, height = struct.unpack(">II", png[16:24])  # the IHDR chunk
    assert (width, height) == (1200, 700)
    assert len(png) > 20_000  # lines, axes and text, not a blank canvas


def test_svg_carries_title_source_date_and_url():
    _need_chromium()
    svg = images.render(
        line_chart(), "svg", title=TITLE, source=SOURCE, url=URL, date="2026-01-02"
    ).decode()
    assert svg.startswith("<svg")
    for text in (TITLE, SOURCE, "2026-01-02", "Persons with disabilities"):
        assert text in svg, text
    assert "group=disability&amp;series=SL_TLF_UEM" in svg


def test_map_image_draws_countries_from_the_local_topojson():
    _need_chromium()
    assert (images.TOPOJSON_DIR / "world_110m.json").is_file()
    svg = images.render(
        world_map(), "svg", title="Map", source="Source: test", url="/", date="d"
    ).decode()
    # every country of the 110m file is drawn: the topojson was read from disk (the CDN is
    # out of reach here, and without it the map would be empty)
    assert svg.count("choroplethlocation") >= 3


def test_no_chromium_is_a_clear_error_not_a_hang(monkeypatch):
    import kaleido
    from choreographer.errors import ChromeNotFoundError

    class NoBrowser:
        def __init__(self, *args, **kwargs):
            raise ChromeNotFoundError("no chrome")

    monkeypatch.setattr(kaleido, "Kaleido", NoBrowser)
    monkeypatch.setattr(images, "_browser", images._Browser())
    with pytest.raises(images.ImageUnavailable, match="Chromium"):
        images.render(line_chart(), "png", title="t", source="s", url="u", date="d")


# -- the route -------------------------------------------------------------------------------


def test_map_route_answers_the_pages_map_as_png(client):
    _need_chromium()
    r = client.get("/download/chart/map.png?group=women")
    assert r.status_code == 200 and r.mimetype == "image/png"
    assert r.data.startswith(PNG_SIGNATURE) and len(r.data) > 20_000
    assert re.match(
        r'attachment; filename="gapmap-map-\d{4}-\d\d-\d\d\.png"', r.headers["Content-Disposition"]
    )


def test_country_route_svg_has_the_charts_title_source_and_url(client):
    _need_chromium()
    r = client.get("/download/chart/country-KEN.svg?group=women")
    assert r.status_code == 200 and r.mimetype == "image/svg+xml"
    svg = r.data.decode()
    assert "Kenya" in svg and "Source: " in svg
    assert "http://localhost/country/KEN?group=women" in svg


def test_the_map_image_is_the_figure_the_page_draws(app):
    from layouts import state
    from layouts.pages import content, overview

    with app.server.test_request_context("/"):
        chart = images.map_chart("?group=women&mode=values", None)
        s, _ = state.parse_search("?group=women&mode=values", content.choices())
        args = overview.payload_args(s)
        page = content.overview_payload(content.version(), *args[:-1], None, args[-1])
    assert chart["figure"] == page["figure"]
    assert "women" in chart["title"].lower() and chart["source"].startswith("Source: ")


def test_the_country_image_is_the_pages_main_chart(app):
    from layouts.pages import content, country

    with app.server.test_request_context("/"):
        chart = images.country_chart("KEN", "?group=women", None)
        series = chart["query"].split("series=")[1]
        page = country.detail_payload(content.version(), "KEN", "women", series, "all", None)
    assert chart["figure"] == page["chart"]["figure"] and chart["title"] == page["chart"]["title"]
    assert any(tr.get("type") == "scatter" for tr in chart["figure"]["data"])


@pytest.mark.parametrize(
    ("path", "status", "says"),
    [
        ("/download/chart/matrix.png", 404, "unknown view"),
        ("/download/chart/map.gif", 404, "png, svg"),
        ("/download/chart/country-XXX.png", 404, "XXX"),
    ],
)
def test_bad_addresses_are_answered_with_a_reason(client, path, status, says):
    r = client.get(path)
    assert r.status_code == status and says in r.get_json()["error"]


def test_missing_chromium_is_503_with_the_reason(client, monkeypatch):
    def unavailable(*args, **kwargs):
        raise images.ImageUnavailable("Chart images need Chromium (Debian: apt-get install)")

    monkeypatch.setattr(images, "render", unavailable)
    r = client.get("/download/chart/map.svg")
    assert r.status_code == 503
    assert "Chromium" in json.loads(r.data)["error"]


# -- menu links and the embed page -----------------------------------------------------------


def test_menu_links_keep_the_query_and_the_embed_code_points_at_the_embed_page(app):
    with app.server.test_request_context("/"):
        found = menu.menu_links("country-KEN", "?group=women", "http://example.org/")
        matrix = menu.menu_links("matrix", "?region=002", "http://example.org")
    assert found["png"] == "/download/chart/country-KEN.png?group=women"
    assert found["svg"] == "/download/chart/country-KEN.svg?group=women"
    assert found["csv"].endswith(".csv?group=women") and "country-KEN" in found["csv"]
    assert found["xlsx"].endswith(".xlsx?group=women")
    assert (
        'src="http://example.org/embed?view=chart&amp;country=KEN&amp;group=women"'
        in (found["code"])
    )
    assert 'title="Kenya' in found["code"] and found["code"].startswith("<iframe ")
    assert set(matrix) == {"csv", "xlsx"} and matrix["csv"].endswith(".csv?region=002")


def test_embed_route_may_be_framed_by_any_site_and_others_only_by_this_one(client):
    embed = client.get("/embed?view=map&group=women")
    assert embed.status_code == 200
    assert "frame-ancestors 'self' https: http:" in embed.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in embed.headers
    assert "default-src 'self'" in embed.headers["Content-Security-Policy"]
    for path in ("/", "/country/KEN", "/download/chart/map.gif"):
        r = client.get(path)
        assert "frame-ancestors 'self'" in r.headers["Content-Security-Policy"], path
        assert r.headers["X-Frame-Options"] == "SAMEORIGIN", path
    layout = client.get("/_dash-layout")  # JSON, framed by nobody (test_web_surface)
    assert "frame-ancestors 'none'" in layout.headers["Content-Security-Policy"]


def test_the_shell_draws_no_chrome_for_the_embed_page(client):
    from layouts import ids

    bare = client.get("/_dash-layout", headers={"Referer": "http://localhost/embed?view=map"})
    full = client.get("/_dash-layout", headers={"Referer": "http://localhost/?group=women"})
    for chrome in (ids.HEADER, ids.FOOTER, ids.NAV, ids.SKIP_LINK):
        assert chrome not in bare.get_data(as_text=True)
        assert chrome in full.get_data(as_text=True)
    assert ids.MAIN in bare.get_data(as_text=True)


def _title(fig) -> str:
    """The image's title: the first annotation (a wrapped plotly title is cut at the top)."""
    return fig.layout.annotations[0].text
