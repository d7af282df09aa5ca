"""The country brief and the offline country pack (issue #8, items 3 and 5).

Routes (``register(app)``):

- ``GET /country/<ISO3>/brief?group=...`` — a printable page (A4 print CSS): the findings
  (``data.findings``), the scorecard, the region's coverage map, progress and the largest
  gaps' series over time (inline SVG, each with a summary and a table), the missing splits to
  ask for, and the citation, licence, date and address. One self-contained HTML file: no
  script, no external URL.
- ``GET /country/<ISO3>/brief.pdf?group=...`` — that page printed to PDF by the local
  Chromium's own print-to-PDF (``chromium --headless --print-to-pdf`` on the page written to
  a temporary file, DNS mapped to nowhere so nothing can be fetched). Chosen over a CDP
  library: no event loop to run inside a Flask thread, no new dependency, and ~0.5 s per PDF.
  503 with a plain reason when no Chromium is installed.
- ``GET /country/<ISO3>/pack.zip?group=...`` — observations with provenance and the gap
  statuses as CSV, the brief as one HTML file that opens from disk, and a README with the
  citation (``zipfile``).

Unknown ISO3: 404; a group or source that is not offered: 400 naming the allowed values.
Tables come from ``data.tables`` (the functions the page, the downloads and the API use).
"""

from __future__ import annotations

import io
import logging
import shutil
import subprocess
import tempfile
import zipfile
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

from flask import Response, request

from data import findings, queries, reference
from data import tables as shared
from data import views_country as views
from layouts import brief as build
from layouts import i18n, state
from layouts.i18n import date_text, group_label, group_title, supported, t
from layouts.pages import content
from layouts.pages.country import progress_summary_text

log = logging.getLogger("gapmap.brief")
CHARTED_GAPS = 1  # the series of the first gap finding is drawn over time
PDF_TIMEOUT = 60  # s
CHROMIUM_FLAGS = (  # stack-notes' headless flags, plus: resolve no host at all
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-extensions",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--no-pdf-header-footer",
)


class BriefError(Exception):
    """A request the brief cannot answer: HTTP status and a plain message."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def parse(code: str, args: Any) -> tuple[str, str, str, str | None]:
    """(iso3, group, source, lang) of a request, or ``BriefError`` (404, 400)."""
    iso3 = str(code or "").strip().upper()
    if iso3 not in set(reference.countries()["iso3"]):
        raise BriefError(404, t("brief.not_found", code=code))
    lang = supported(args.get("lang"))
    allowed = {"group": list(content.choices().groups), "source": list(state.SOURCES)}
    picked = {"group": state.DEFAULTS["group"], "source": state.DEFAULTS["source"]}
    for param, values in allowed.items():
        given = str(args.get(param) or "").strip() or picked[param]
        if given not in values:
            text = t("brief.bad_param", param=param, value=given, allowed=", ".join(values))
            raise BriefError(400, text)
        picked[param] = given
    return iso3, picked["group"], picked["source"], lang


def page_url(host_url: str, iso3: str, group: str, source: str, suffix: str = "") -> str:
    """Address of the brief (``suffix``: "" or ".pdf") with its non-default parameters."""
    search = state.to_search({"group": group, "source": source})
    return f"{host_url.rstrip('/')}/country/{iso3}/brief{suffix}{search}"


def pack_url(iso3: str, group: str, source: str) -> str:
    """Path of the offline country pack (its brief for ``group``)."""
    return f"/country/{iso3}/pack.zip{state.to_search({'group': group, 'source': source})}"


def region_of(iso3: str) -> str:
    """The smallest region of the map's region filter that holds the country (else World)."""
    best, size = content.WORLD, None
    for code in reference.regions_for_picker()["m49"]:
        members = content.members(code)
        if code != content.WORLD and iso3 in members and (size is None or len(members) < size):
            best, size = code, len(members)
    return best


def _findings(iso3: str, group: str, source: str, lang: str | None) -> list[findings.Finding]:
    frames = queries.country_frames(iso3, group, source)
    vocab = content.all_groups().get(group)
    names = findings.Names(
        country=reference.area_name(iso3, lang or "en"),
        group=group_label(group, lang),
        dimension=build.dimension_words(group, lang) if vocab else group,
        titles=content.titles(),
        dataset_names=content.dataset_names(),
        number=lambda value: i18n.exact(value, lang),
        with_percent=lambda value: i18n.value_percent(value, lang),
        words=i18n.code_words(lang),
    )
    return findings.findings(
        iso3=iso3,
        group=group,
        frames={
            "coverage": frames["coverage"],
            "statuses": frames["statuses"],
            "disparities": frames["disparities"].assign(group=group),
            "all_sources": queries.country_frames(iso3, group, "all")["disparities"],
        },
        obs=content.country_observations(iso3, source),
        progress=views.progress_rows(queries.progress(group), iso3),
        names=names,
        translate=partial(t, lang=lang),
        window=queries.settings().recent_years,
    )


def _charts(
    iso3: str, group: str, source: str, lang: str | None, gaps: list[str]
) -> tuple[list[dict], dict[str, Any]]:
    """Map, progress and the gaps' series over time, and the country page's tables.

    The tables are ``data.tables.country_tables`` (the page's, the downloads' and the API's).
    """
    s = {**state.DEFAULTS, "group": group, "source": source, "region": region_of(iso3)}
    frame, _ = shared.map_table(s, lang or "en")
    region = content.region_name(s["region"], lang)
    out = [build.map_chart(frame, iso3, group, region, lang)]
    words = i18n.code_words(lang)  # breakdowns in the brief's language
    tabs = shared.country_tables(iso3, s, gaps[0] if gaps else "", group_label(group, lang), words)
    window = queries.settings().recent_years - 1
    country = reference.area_name(iso3, lang or "en")
    summary = progress_summary_text(tabs["progress"], country, group, window, lang)
    out.append(build.progress_chart(tabs["progress"], summary, group, window, lang))
    for i, series in enumerate(gaps):
        ts = (
            tabs
            if i == 0
            else shared.country_tables(iso3, s, series, group_label(group, lang), words)
        )
        if len(ts["timeseries"]):
            title = content.titles().get(series, series)
            names = content.dataset_names()
            out.append(build.timeseries_chart(ts["timeseries"], title, group, lang, names))
    return out, tabs


def _svg(chart: dict[str, Any], title: str, credit: str, url: str, day: str) -> Any:
    """The chart as inline SVG (``server.images.render``: kaleido on the local Chromium).

    ``title`` (country and group, one line) is drawn in the image: the section's heading
    says which chart it is, and a copied image still says whose numbers these are.
    """
    from server import images

    width, height = chart["size"]
    try:
        data = images.render(
            chart["figure"],
            "svg",
            title=title,
            source=credit,
            url=url,
            date=day,
            width=width,
            height=height,
            legend=[images.LegendItem(*item) for item in chart.get("legend", ())],
        )
    except images.ImageUnavailable:
        log.warning("brief without chart image", exc_info=True)
        return None
    return build.svg_markup(data, chart["heading"])


@content.memoized
def context(
    ver: int, iso3: str, group: str, source: str, lang: str | None, day: str
) -> dict[str, Any]:
    """Everything the brief template shows, for one store version, country, group and day.

    Its key holds no request header: the brief's address in it (and in the chart images) is
    the path; ``addressed`` adds the absolute address of each request, uncached, so a forged
    Host header neither grows the cache nor reaches another visitor's brief.
    """
    found = _findings(iso3, group, source, lang)
    gaps = [f.facts["series"] for f in found if f.kind == "disparity"][:CHARTED_GAPS]
    url = page_url("", iso3, group, source)
    obs = content.country_observations(iso3, source)
    used = sorted({int(d) for d in obs["dataset"]}) if len(obs) else []
    cite = shared.citation(used or None, url, date.fromisoformat(day))
    charts, tabs = _charts(iso3, group, source, lang, gaps)
    image_title = f"{reference.area_name(iso3, lang or 'en')} \u2014 {group_title(group, lang)}"
    for n, chart in enumerate(charts, start=1):
        chart["svg"] = _svg(chart, image_title, cite["citation"], url, day)
        chart["ref"] = t("brief.values_in", lang, n=n)
        chart["table_title"] = t("brief.table_n", lang, n=n)
        del chart["figure"]
    missing = tabs["missing"][tabs["missing"]["group"].astype(object) == group]
    country = reference.area_name(iso3, lang or "en")
    words = {"country": country, "group": group_label(group, lang)}
    return {
        "lang": lang or "en",
        "brand": t("app.title", lang),
        "title": t("brief.title", lang, **words),
        "lead": t(
            "brief.lead", lang, as_of=cite["as_of"], date=date_text(date.fromisoformat(day), lang)
        ),
        "findings": [{"kind": f.kind, "text": f.text} for f in found],
        "facts": [{"kind": f.kind, **f.facts, "sources": f.sources} for f in found],
        "findings_heading": t("brief.findings", lang),
        "scorecard_heading": t("country.scorecard", lang),
        "scorecard_headers": build.scorecard_headers(lang),
        "scorecard": build.scorecard_rows(tabs["scorecard"], content.titles(), lang),
        "charts": charts,
        "no_image": t("brief.no_image", lang),
        "tables_heading": t("brief.tables", lang),
        "missing_heading": t("country.missing", lang),
        "missing_intro": t("brief.missing_intro", lang, n=len(missing), **words),
        "missing_none": t("country.missing_none", lang),
        "missing": build.missing_blocks(missing, content.titles(), lang),
        "about_heading": t("brief.about", lang),
        "datasets_heading": t("brief.datasets", lang),
        "about": build.about(cite, url, lang),
        "online_text": t("brief.online", lang, url=url),
        "links_label": t("brief.links", lang),
        "pdf_url": page_url("", iso3, group, source, ".pdf"),
        "pdf_text": t("brief.pdf", lang),
        "pack_url": pack_url(iso3, group, source),
        "pack_text": t("brief.pack", lang),
        "citation": cite,
        "dataset_ids": used,
    }


def addressed(ctx: dict[str, Any], url: str, lang: str | None) -> dict[str, Any]:
    """The brief's context with its absolute address in the citation and the closing line."""
    day = date.fromisoformat(ctx["citation"]["retrieved"])
    cite = shared.citation(ctx["dataset_ids"] or None, url, day)
    about = build.about(cite, url, lang)
    return {
        **ctx,
        "citation": cite,
        "about": about,
        "online_text": t("brief.online", lang, url=url),
    }


def chromium() -> str | None:
    """Path of the local Chromium (or Chrome), None when there is none."""
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


def pdf(html: str, executable: str) -> bytes:
    """``html`` printed to an A4 PDF by Chromium's print-to-PDF (its @page rules apply)."""
    with tempfile.TemporaryDirectory(prefix="gapmap-brief-") as tmp:
        page, out = Path(tmp) / "brief.html", Path(tmp) / "brief.pdf"
        page.write_text(html, encoding="utf-8")
        cmd = [
            executable,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={Path(tmp) / 'profile'}",
            f"--print-to-pdf={out}",
            page.as_uri(),
        ]
        done = subprocess.run(cmd, capture_output=True, timeout=PDF_TIMEOUT, check=False)
        if not out.exists() or out.stat().st_size == 0:
            tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
            raise RuntimeError(f"Chromium exited with {done.returncode}: {' '.join(tail)}")
        return out.read_bytes()


def pack(ctx: dict[str, Any], iso3: str, group: str, source: str, lang: str | None) -> bytes:
    """The offline country pack: observations and gaps CSV, the brief as HTML, a README."""
    from server.downloads import csv_chunks

    names = {
        "observations": f"{iso3}_observations.csv",
        "gaps": f"{iso3}_gaps.csv",
        "brief": f"{iso3}_brief_{group}.html",
    }
    obs = shared.observations_table(country=iso3, source=source)
    gaps = shared.gaps_table(country=iso3, source=source)
    cite = ctx["citation"]
    country = reference.area_name(iso3, lang or "en")
    readme = t("brief.pack_readme", lang, country=country, group=group_label(group, lang), **names)
    readme += "\n".join(
        [
            ctx["about"]["cite"],
            ctx["about"]["licence"],
            t("brief.online", lang, url=cite["url"]),
            "",
            t("brief.datasets", lang) + ":",
            *(f"- {d}" for d in ctx["about"]["datasets"]),
            "",
        ]
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("README.txt", readme)
        zf.writestr(names["observations"], "".join(csv_chunks(obs)))
        zf.writestr(names["gaps"], "".join(csv_chunks(gaps)))
        zf.writestr(names["brief"], build.render(ctx, standalone=True))
    return buf.getvalue()


def _context_for(code: str) -> tuple[dict[str, Any], str, str, str, str | None]:
    iso3, group, source, lang = parse(code, request.args)
    day = date.today().isoformat()
    ctx = context(content.version(), iso3, group, source, lang, day)
    ctx = addressed(ctx, page_url(request.host_url, iso3, group, source), lang)
    return ctx, iso3, group, source, lang


def _plain(status: int, text: str) -> Response:
    return Response(text + "\n", status=status, mimetype="text/plain")


def register(app: Any) -> None:
    """Add the brief, its PDF and the country pack to the Dash app's Flask server."""
    server = app.server

    @server.errorhandler(BriefError)
    def brief_error(err: BriefError) -> Response:
        return _plain(err.status, str(err))

    @server.route("/country/<code>/brief", endpoint="country_brief")
    def brief_page(code: str) -> Response:
        ctx = _context_for(code)[0]
        return Response(build.render(ctx), mimetype="text/html")

    @server.route("/country/<code>/brief.pdf", endpoint="country_brief_pdf")
    def brief_pdf(code: str) -> Response:
        ctx, iso3, group, *_ = _context_for(code)
        executable = chromium()
        if executable is None:
            return _plain(503, t("brief.no_chromium", url=ctx["citation"]["url"]))
        try:
            body = pdf(build.render(ctx, standalone=True), executable)
        except (OSError, RuntimeError, subprocess.TimeoutExpired) as err:
            log.exception("brief PDF failed")
            return _plain(503, t("brief.pdf_failed", reason=err, url=ctx["citation"]["url"]))
        response = Response(body, mimetype="application/pdf")
        name = f"{iso3}_brief_{group}.pdf"
        response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    @server.route("/country/<code>/pack.zip", endpoint="country_pack")
    def country_pack(code: str) -> Response:
        ctx, iso3, group, source, lang = _context_for(code)
        response = Response(pack(ctx, iso3, group, source, lang), mimetype="application/zip")
        name = f"{iso3}_pack.zip"
        response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
