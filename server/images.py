"""Chart images (PNG, SVG) of the dashboard's figures, drawn by plotly's own image export.

``render`` turns a plotly figure into image bytes with its title, legend, a source line, the
date and the view's URL drawn in, so a chart pasted on a slide still says what it is and where
it came from. The export is kaleido 1.x (plotly's image engine) driving the local Chromium:
one browser is started on the first image and kept (its start costs ~3 s, an image ~0.2 s),
MathJax is switched off (kaleido would otherwise load it from a CDN) and maps draw from the
topojson in ``assets/topojson`` through a ``file://`` URL, so no request leaves the machine.

``register(app)`` adds ``GET /download/chart/<view>.<png|svg>?<the page's query>`` for the
overview map (``map``) and a country page's main chart (``country-<ISO3>``). The figure is the
one the page draws: it comes from the same memoised payload functions as the callbacks. The
matrix is an HTML table with no chart, so it has no image.
"""

from __future__ import annotations

import asyncio
import copy
import datetime as dt
import html
import json
import logging
import textwrap
import threading
from collections.abc import Sequence
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
from flask import Response, request

from layouts import components, state
from layouts.i18n import supported, t
from layouts.pages import content, country, embed, overview, overview_parts

log = logging.getLogger("gapmap.images")

FORMATS: dict[str, str] = {"png": "image/png", "svg": "image/svg+xml"}
TOPOJSON_DIR = Path(__file__).resolve().parent.parent / "assets" / "topojson"
OPEN_TIMEOUT = 60  # s: the browser's start
IMAGE_TIMEOUT = 60  # s: one image
_FOOTER_LINE = 18  # px per line of the source block
_CHAR_PX = 6.6  # average width of a 12 px character (wraps the source line)
_TITLE_CHAR_PX = 10.5  # the same for the 18 px bold title
_LEGEND_WIDTH = 280  # px: the legend column right of the plot


class ImageUnavailable(RuntimeError):
    """Chart images cannot be made here (no Chromium, or the browser failed); says why."""


@dataclass(frozen=True)
class LegendItem:
    """One legend entry drawn beside a chart whose legend is HTML on the page (the map).

    ``glyph`` is a character (● ▲ ■ …) drawn in ``colour``.
    """

    label: str
    colour: str
    glyph: str = "\u25a0"


def _esc(text: Any) -> str:
    """Text from data and settings is never markup in the image (plotly reads a little HTML)."""
    return html.escape(str(text), quote=False)


def _has_plotly_legend(fig: go.Figure) -> bool:
    if fig.layout.showlegend is False:
        return False
    shown = [tr for tr in fig.data if tr.showlegend is not False]
    return len(shown) > 1 or (len(shown) == 1 and fig.layout.showlegend is True)


def _footer_lines(source: str, url: str, date: str, width: int) -> list[str]:
    chars = max(40, int((width - 20) / _CHAR_PX))
    lines = textwrap.wrap(source, chars) or [""]
    return [*lines, f"{date} \u00b7 {url}"]


def decorate(
    fig: go.Figure | dict[str, Any],
    *,
    title: str,
    source: str,
    url: str,
    date: str,
    width: int = 1200,
    height: int = 700,
    legend: Sequence[LegendItem] = (),
) -> go.Figure:
    """A copy of ``fig`` sized for an image, with title, legend and source block drawn in.

    The plotly legend (if the figure has one) and the ``legend`` items (a map's HTML legend)
    go in a column right of the plot; the source, date and URL go under it.
    """
    out = go.Figure(copy.deepcopy(fig if isinstance(fig, dict) else fig.to_dict()))
    margin = out.layout.margin
    bottom = margin.b if margin.b is not None else 30
    lines = _footer_lines(source, url, date, width)
    side = _LEGEND_WIDTH if (legend or _has_plotly_legend(out)) else (margin.r or 10)
    heading = textwrap.wrap(title, max(30, int((width - 80) / _TITLE_CHAR_PX))) or [""]
    out.update_layout(
        width=width,
        height=height,
        autosize=False,
        title={"text": ""},  # drawn below as an annotation: plotly cuts a wrapped title's top
        margin={
            "t": 36 + 24 * len(heading),
            "l": max(margin.l or 0, 20),
            "r": side,
            "b": bottom + _FOOTER_LINE * len(lines) + 12,
        },
    )
    out.add_annotation(
        text="<br>".join(f"<b>{_esc(line)}</b>" for line in heading),
        xref="paper",
        yref="paper",
        x=0,
        y=1,
        xanchor="left",
        yanchor="bottom",
        yshift=12,
        align="left",
        showarrow=False,
        font={"size": 18},
    )
    if _has_plotly_legend(out):
        out.update_layout(
            legend={
                "orientation": "v",
                "x": 1.02,
                "xanchor": "left",
                "y": 1,
                "yanchor": "top",
                "font": {"size": 12},
            }
        )
    if legend:
        text = "<br>".join(
            f"<span style='color:{_esc(i.colour)}'>{_esc(i.glyph)}</span> {_esc(i.label)}"
            if i.glyph
            else f"<b>{_esc(i.label)}</b>"
            for i in legend
        )
        out.add_annotation(
            text=text,
            xref="paper",
            yref="paper",
            x=1.02,
            y=1,
            xanchor="left",
            yanchor="top",
            align="left",
            showarrow=False,
            font={"size": 12},
        )
    out.add_annotation(
        text="<br>".join(_esc(line) for line in lines),
        xref="paper",
        yref="paper",
        x=0,
        y=0,
        xanchor="left",
        yanchor="top",
        yshift=-(bottom + 6),
        align="left",
        showarrow=False,
        font={"size": 12, "color": "#444444"},
    )
    return out


class _Browser:
    """One kaleido browser kept for the life of the process (an event loop in its own thread).

    Images are made one at a time (a lock): the browser has one tab, and every request waits
    its turn rather than starting a second Chromium.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._kaleido: Any = None

    def _open(self) -> None:
        import kaleido
        from choreographer.errors import ChromeNotFoundError

        if self._loop is None:
            self._loop = asyncio.new_event_loop()
            threading.Thread(
                target=self._loop.run_forever, name="gapmap-kaleido", daemon=True
            ).start()

        async def start() -> Any:
            # mathjax=False: kaleido's default loads MathJax from a CDN
            k = kaleido.Kaleido(n=1, mathjax=False)
            await k.open()
            return k

        try:
            future = asyncio.run_coroutine_threadsafe(start(), self._loop)
            self._kaleido = future.result(OPEN_TIMEOUT)
        except ChromeNotFoundError as err:
            raise ImageUnavailable(
                "Chart images need Chromium (Debian: apt-get install chromium); "
                "no Chromium or Chrome was found on this server."
            ) from err
        except (FutureTimeout, OSError, RuntimeError) as err:
            raise ImageUnavailable(f"The browser that draws chart images did not start: {err}")

    def image(self, fig: dict[str, Any], fmt: str, width: int, height: int) -> bytes:
        """Image bytes of a figure dict (``fmt``: png or svg)."""
        with self._lock:
            if self._kaleido is None:
                self._open()
            opts = {"format": fmt, "width": width, "height": height, "scale": 1}
            coro = self._kaleido.calc_fig(fig, opts=opts, topojson=TOPOJSON_DIR.as_uri() + "/")
            future = asyncio.run_coroutine_threadsafe(coro, self._loop)  # type: ignore[arg-type]
            try:
                return future.result(IMAGE_TIMEOUT)
            except Exception as err:  # the browser may have died: start a new one next time
                future.cancel()
                self._close()
                log.exception("chart image failed")
                raise ImageUnavailable(f"The chart image could not be drawn: {err}") from err

    def _close(self) -> None:
        k, self._kaleido = self._kaleido, None
        if k is not None and self._loop is not None:
            try:
                asyncio.run_coroutine_threadsafe(k.close(), self._loop).result(OPEN_TIMEOUT)
            except Exception:  # already gone
                log.warning("the chart-image browser did not close cleanly", exc_info=True)

    def close(self) -> None:
        """Stop the browser (tests; it is also a daemon that ends with the process)."""
        with self._lock:
            self._close()


_browser = _Browser()


def close() -> None:
    """Stop the chart-image browser (it restarts on the next image)."""
    _browser.close()


def render(
    fig: go.Figure | dict[str, Any],
    fmt: str,
    *,
    title: str,
    source: str,
    url: str,
    date: str,
    width: int = 1200,
    height: int = 700,
    legend: Sequence[LegendItem] = (),
) -> bytes:
    """PNG or SVG bytes of ``fig`` with title, legend, source line, date and URL drawn in.

    Args:
        fig: a plotly figure (or its dict) as the page draws it.
        fmt: ``png`` or ``svg``.
        title: the chart's title (plain text).
        source: the source/citation line (plain text).
        url: the address of the view the chart comes from.
        date: the date to print (e.g. the day of the download, ISO format).
        width: image width in px.
        height: image height in px.
        legend: entries of a legend the page draws in HTML (the map's), drawn beside the plot.

    Raises:
        ValueError: an unknown format.
        ImageUnavailable: no Chromium here, or the browser failed (the reason is the message).
    """
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    out = decorate(
        fig,
        title=title,
        source=source,
        url=url,
        date=date,
        width=width,
        height=height,
        legend=legend,
    )
    return _browser.image(out.to_dict(), fmt, width, height)


# -- the views' charts ----------------------------------------------------------------------
VIEWS = ("map", "country-<ISO3>")  # the matrix is a table: no chart


def _legend(kind: str, info: dict[str, Any], lang: str | None) -> list[LegendItem]:
    return [LegendItem(*entry) for entry in components.legend_entries(kind, lang, info)]


def map_chart(search: str, lang: str | None) -> dict[str, Any]:
    """The overview map of a query string, as the page draws it, with title and legend."""
    s, _ = state.parse_search(search, content.choices())
    args = overview.payload_args(s)
    ver = content.version()
    payload = content.overview_payload(ver, *args[:-1], lang, args[-1])
    frame, shown = content.map_frame(ver, *args[:-1], lang, args[-1])
    kind = content.map_kind(s["mode"], shown)
    iso3s = list(content.members(s["region"]))
    st = content.group_statuses(s["group"], s["source"], s["goal"])
    info = overview_parts.legend_info(kind, frame, st, iso3s, args[-1])
    what = [t(f"mode.{s['mode']}", lang), content.titles().get(shown, shown)]
    what.append(content.region_name(s["region"], lang))
    if not overview.hidden(s["mode"])["year"]:
        what.append(content.describe("year", s["year"], lang))
    source = "official" if s["mode"] == "progress" else s["source"]
    return {
        "figure": payload["figure"],
        "title": f"{overview.heading(s['group'], lang)} \u2014 " + ", ".join(w for w in what if w),
        "legend": _legend(kind, info, lang),
        "source": embed.source_line(None, source, lang),
        "query": state.to_search({**s, "base": args[-1]}),
    }


def country_chart(iso3: str, search: str, lang: str | None) -> dict[str, Any] | None:
    """A country page's main chart (the series over time, else the progress), or None."""
    if not country.known(iso3):
        return None
    s, _ = state.parse_search(search, content.choices())
    s["series"] = country.pick_series(iso3, s)
    p = country.detail_payload(content.version(), iso3, s["group"], s["series"], s["source"], lang)
    used = embed.country_datasets(iso3, s["series"], s["source"])
    return {
        "figure": p["chart"]["figure"],
        "title": p["chart"]["title"],
        "legend": [],
        "source": embed.source_line(used, s["source"], lang),
        "query": state.to_search(s),
    }


def _problem(status: int, message: str) -> Response:
    return Response(json.dumps({"error": message}), status=status, mimetype="application/json")


def chart_response(view: str, fmt: str, search: str, lang: str | None = None) -> Response:
    """The image response of a view's chart (400/404/503 with a JSON reason otherwise)."""
    if fmt not in FORMATS:
        return _problem(404, f"unknown format {fmt!r}; one of: {', '.join(FORMATS)}")
    if view == "map":
        chart, path = map_chart(search, lang), "/"
    elif view.startswith("country-"):
        iso3 = view.removeprefix("country-").upper()
        chart, path = country_chart(iso3, search, lang), f"/country/{iso3}"
    else:
        return _problem(404, f"unknown view {view!r}; one of: {', '.join(VIEWS)}")
    if chart is None:
        return _problem(404, f"unknown country code {view.removeprefix('country-')!r}")
    url = request.host_url.rstrip("/") + path + chart["query"]
    as_of = content.as_of()
    date = t("image.date", lang, date=dt.date.today().isoformat(), as_of=as_of or "-")
    try:
        body = render(
            chart["figure"],
            fmt,
            title=chart["title"],
            source=chart["source"],
            url=url,
            date=date,
            legend=chart["legend"],
        )
    except ImageUnavailable as err:
        return _problem(503, str(err))
    name = f"gapmap-{view}-{dt.date.today().isoformat()}.{fmt}"
    return Response(
        body,
        mimetype=FORMATS[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def register(app: Any) -> None:
    """``GET /download/chart/<view>.<png|svg>?<the page's query>`` on the Dash app's server."""
    server = app.server

    @server.route("/download/chart/<view>.<fmt>")
    def download_chart(view: str, fmt: str) -> Response:
        search = request.query_string.decode("utf-8", "replace")
        return chart_response(view, fmt, search, supported(request.args.get("lang")))
