"""The standard approach, as the baseline of bench/side_by_side.py (issue #12).

A plain Dash app written the way the Dash and plotly tutorials write a choropleth dashboard:
the observations in one pandas frame with string columns, loaded once at start; every callback
filters that frame by string comparison and aggregates it again; the map is ``px.choropleth``
with the country GeoJSON inside every figure; no cache, no compression (Dash's default).

It shows what the project shows, over the same store's observations (read once through
``data.store.Store``): the map in three modes (coverage of a group, latest values of a group,
disparity group / reference), by group, series and region; a matrix (countries x groups,
coverage %); a country page (latest group and reference value of every series, and a line
chart of one series). The groups are the project's (``data/raw/groups.csv``); the country
shapes are the project's own topojson (``assets/topojson/world_110m.json``) read as GeoJSON.
plotly.js also fetches its base-map topojson for a GeoJSON trace (from a CDN by default, so
offline the map stays empty): the baseline serves that file itself, uncompressed, at /topojson/.

    python bench/baseline_app.py DATA_DIR [--port 8060]
    BASELINE_DATA_DIR=DIR gunicorn 'bench.baseline_app:create_server()'
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import flask
import pandas as pd
import plotly.express as px
from dash import Dash, Input, Output, dcc, html

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TOPOJSON = ROOT / "assets" / "topojson" / "world_110m.json"
MODES = ("coverage", "values", "disparity")
KEEP = ("series", "series_title", "iso3", "year", "value", "source_type")


def load_frame(data_dir: Path) -> pd.DataFrame:
    """The store's country observations as a plain frame of string columns (and year, value)."""
    from data.schema import DIMENSIONS
    from data.settings import Settings
    from data.store import Store

    obs = Store(Settings(data_dir=Path(data_dir), demo_on_empty=False)).observations()
    obs = obs[list(KEEP) + list(DIMENSIONS)]
    frame = pd.DataFrame({c: obs[c].astype(str) for c in obs.columns if c not in ("year", "value")})
    frame["year"] = obs["year"].to_numpy()
    frame["value"] = obs["value"].to_numpy()
    return frame[frame["iso3"] != ""].reset_index(drop=True)


def load_geojson() -> dict:
    """The country shapes as GeoJSON (feature id = ISO-3), from the project's topojson."""
    import geopandas as gpd

    shapes = gpd.read_file(TOPOJSON, layer="countries")[["id", "geometry"]]
    return json.loads(shapes.to_json())


def reference_frame() -> pd.DataFrame:
    """Countries with their English name and M49 region."""
    from data import reference

    ref = reference.countries()
    return pd.DataFrame({c: ref[c].astype(str) for c in ("iso3", "name_en", "region_m49")})


def groups() -> dict:
    """The project's LNOB groups by id."""
    from data.vocab import groups as project_groups

    return project_groups()


def group_rows(df: pd.DataFrame, group, codes: tuple[str, ...]) -> pd.DataFrame:
    """Rows of the group's dimension with one of ``codes``, every other dimension a total."""
    from data.schema import DIMENSIONS

    if codes == ("*",):
        mask = ~df[group.dimension].isin(["_T", "_Z", "_U", "_X", "_O", "_N", *group.reference])
    else:
        mask = df[group.dimension].isin(list(codes))
    for dim in DIMENSIONS:
        if dim != group.dimension:
            mask &= df[dim] == "_T"
    return df[mask]


def latest(rows: pd.DataFrame) -> pd.DataFrame:
    """The latest value per country and series (columns iso3, series, series_title, year, value)."""
    rows = rows[["iso3", "series", "series_title", "year", "value"]].sort_values("year")
    return rows.groupby(["iso3", "series"], as_index=False).last()


def map_frame(df, ref, group, mode: str, series: str | None, region: str | None) -> pd.DataFrame:
    """Per country: the value the map colours (columns iso3, value)."""
    if region:
        df = df[df["iso3"].isin(ref.loc[ref["region_m49"] == region, "iso3"])]
    if series:
        df = df[df["series"] == series]
    grp = group_rows(df, group, group.codes)
    if mode == "coverage":
        reported = df.groupby("iso3")["series"].nunique()
        split = grp.groupby("iso3")["series"].nunique().reindex(reported.index, fill_value=0)
        return (split / reported * 100).rename("value").reset_index()
    mine = latest(grp)
    if mode == "values":
        return mine.groupby("iso3", as_index=False)["value"].mean()
    other = latest(group_rows(df, group, group.reference))
    both = mine.merge(other, on=["iso3", "series", "year"], suffixes=("", "_ref"))
    both["value"] = both["value"] / both["value_ref"]
    return both.groupby("iso3", as_index=False)["value"].mean()


def choropleth(frame: pd.DataFrame, geojson: dict, title: str):
    """``px.choropleth`` with the GeoJSON in the figure (the tutorials' way)."""
    fig = px.choropleth(
        frame,
        geojson=geojson,
        locations="iso3",
        featureidkey="id",
        color="value",
        color_continuous_scale="Viridis",
        title=title,
    )
    fig.update_geos(fitbounds="locations", visible=False)
    return fig


def matrix_table(df, ref, region: str | None) -> html.Table:
    """Countries x groups: % of the country's series split by the group."""
    if region:
        df = df[df["iso3"].isin(ref.loc[ref["region_m49"] == region, "iso3"])]
    reported = df.groupby("iso3")["series"].nunique()
    cols = {}
    for gid, group in groups().items():
        split = group_rows(df, group, group.codes).groupby("iso3")["series"].nunique()
        cols[gid] = (split.reindex(reported.index, fill_value=0) / reported * 100).round(0)
    table = pd.DataFrame(cols).reset_index()
    head = html.Tr([html.Th("country"), *[html.Th(g) for g in cols]])
    rows = [
        html.Tr(
            [html.Td(dcc.Link(r["iso3"], href=f"/country/{r['iso3']}"))]
            + [html.Td(f"{r[g]:.0f} %") for g in cols]
        )
        for _, r in table.iterrows()
    ]
    return html.Table([html.Thead(head), html.Tbody(rows)])


def country_content(df, iso3: str) -> list:
    """Every series of the country: latest group and reference value per group; a line chart."""
    mine = df[df["iso3"] == iso3]
    rows = []
    for gid, group in groups().items():
        grp = latest(group_rows(mine, group, group.codes))
        ref = latest(group_rows(mine, group, group.reference))
        both = grp.merge(ref, on=["iso3", "series"], how="left", suffixes=("", "_ref"))
        for _, r in both.iterrows():
            rows.append(
                html.Tr(
                    [
                        html.Td(gid),
                        html.Td(r["series"]),
                        html.Td(r["series_title"]),
                        html.Td(f"{r['value']:.2f}"),
                        html.Td(f"{r['value_ref']:.2f}"),
                    ]
                )
            )
    first = mine["series"].iloc[0] if len(mine) else ""
    line = mine[mine["series"] == first].groupby("year", as_index=False)["value"].mean()
    return [
        html.H1(iso3),
        dcc.Graph(id="country-chart", figure=px.line(line, x="year", y="value", title=first)),
        html.Table(html.Tbody(rows)),
    ]


def dash_body(output: str, inputs: dict[str, object], changed: str) -> dict:
    """The body Dash's renderer posts for a single-output callback on ``value``/``pathname``."""
    oid, prop = output.split(".")
    items = [
        {"id": key.split(".")[0], "property": key.split(".")[1], "value": value}
        for key, value in inputs.items()
    ]
    return {
        "output": output,
        "outputs": {"id": oid, "property": prop},
        "inputs": items,
        "changedPropIds": [changed],
        "parsedChangedPropsIds": [changed],
        "state": [],
    }


def create_app(data_dir: Path) -> Dash:
    """The baseline app over the store in ``data_dir``."""
    df, geojson, ref = load_frame(data_dir), load_geojson(), reference_frame()
    all_groups = groups()
    regions = sorted(r for r in ref["region_m49"].unique() if r)
    app = Dash(__name__, suppress_callback_exceptions=True, title="Baseline")
    overview = html.Div(
        [
            dcc.RadioItems(id="mode", options=list(MODES), value="coverage", inline=True),
            dcc.RadioItems(id="group", options=list(all_groups), value="disability", inline=True),
            dcc.RadioItems(id="region", options=["", *regions], value="", inline=True),
            dcc.Dropdown(id="series", options=[], value=None),
            # plotly.js fetches its base-map topojson even for a GeoJSON trace, from a CDN by
            # default: offline it draws nothing. The same file, served here (uncompressed).
            dcc.Graph(id="map", config={"topojsonURL": "/topojson/"}),
            dcc.Link("matrix", href="/matrix", id="to-matrix"),
        ]
    )
    app.layout = html.Div([dcc.Location(id="url"), html.Div(id="page")])

    @app.server.route("/topojson/<path:name>")
    def topojson(name):
        return flask.send_from_directory(TOPOJSON.parent, name)

    @app.callback(Output("page", "children"), Input("url", "pathname"))
    def page(pathname):
        if pathname == "/matrix":
            return [
                dcc.RadioItems(id="matrix-region", options=["", *regions], value=""),
                html.Div(id="matrix"),
            ]
        if pathname and pathname.startswith("/country/"):
            return country_content(df, pathname.split("/")[2].upper())
        return overview

    @app.callback(Output("series", "options"), Input("group", "value"))
    def series_options(group_id):
        rows = group_rows(df, all_groups[group_id], all_groups[group_id].codes)
        return sorted(rows["series"].unique())

    @app.callback(
        Output("map", "figure"),
        Input("mode", "value"),
        Input("group", "value"),
        Input("series", "value"),
        Input("region", "value"),
    )
    def update_map(mode, group_id, series, region):
        frame = map_frame(df, ref, all_groups[group_id], mode, series, region)
        return choropleth(frame, geojson, f"{mode} {group_id} {series or ''}")

    @app.callback(Output("matrix", "children"), Input("matrix-region", "value"))
    def matrix(region):
        return matrix_table(df, ref, region)

    return app


def create_server(data_dir: str | None = None):
    """WSGI entry point: the Flask server of the baseline on ``$BASELINE_DATA_DIR``."""
    return create_app(Path(data_dir or os.environ["BASELINE_DATA_DIR"])).server


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="the baseline app")
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--port", type=int, default=8060)
    args = parser.parse_args()
    create_app(args.data_dir).run(host="127.0.0.1", port=args.port)
