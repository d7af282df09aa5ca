"""Every component id of the app, declared once.

Values are kebab-case and prefixed by page; repeated items use dict ids built by functions.
Browser tests target these: the map graph, the filters and page headings. Table cells and
links have no id (thousands of them would weigh on every update): tests find a link by its
``href`` inside its table, e.g. ``#matrix-table a[href="/country/KEN?group=women"]``.
"""

from __future__ import annotations

# -- shell (every page) -------------------------------------------------------------------
SKIP_LINK = "shell-skip-link"
HEADER = "shell-header"
NAV = "shell-nav"
LANGUAGE_NAV = "shell-language-nav"  # the header's language selector (issue #10)
CONTRAST_LINK = "shell-contrast-link"
# one link per language; a clientside callback keeps each on the current path and filters
LANGUAGE_LINK_EN = "shell-language-en"
LANGUAGE_LINK_FR = "shell-language-fr"
LANGUAGE_LINK_ES = "shell-language-es"
LANGUAGE_LINK_AR = "shell-language-ar"


def language_link(lang: str) -> str:
    """Id of the header's link to the current page in ``lang`` (``LANGUAGE_LINK_*``)."""
    return f"shell-language-{lang}"


NAV_MAP = "shell-nav-map"
NAV_MATRIX = "shell-nav-matrix"
DEMO_BANNER = "shell-demo-banner"
MAIN = "shell-main"
FOOTER = "shell-footer"
FOOTER_DATASETS = "shell-footer-datasets"
SEARCH_FORM = "shell-search-form"  # GET /find?q=... -> /country/<ISO3> (app.py)
SEARCH_INPUT = "shell-search-input"
SEARCH_LIST = "shell-search-list"  # the <datalist> of country names
ERROR_REGION = "shell-error"  # role="alert": what app.py's on_error handler writes
SHELL_URL = "shell-url"  # the path, read to clear the error message on navigation

# -- overview ("/") -------------------------------------------------------------------------
OVERVIEW_URL = "overview-url"  # refresh=False: filters write the query string here
OVERVIEW_NAV = "overview-nav"  # refresh="callback-nav": a map click navigates here
OVERVIEW_HEADING = "overview-heading"
OVERVIEW_NOTICE = "overview-notice"
OVERVIEW_STATE = "overview-state"  # validated filter state (dcc.Store)
FILTER_MODE = "filters-mode"
FILTER_GROUP = "filters-group"
FILTER_GOAL = "filters-goal"
FILTER_SERIES = "filters-series"
FILTER_YEAR = "filters-year"
FILTER_YEAR_BOX = "filters-year-box"  # hidden in "Data gaps" mode (the year is not used there)
FILTER_REGION = "filters-region"
FILTER_SOURCE = "filters-source"
HEADLINES = "overview-headlines"
MAP_GRAPH = "overview-map-graph"
MAP_SUMMARY = "overview-map-summary"
MAP_LEGEND = "overview-map-legend"
MAP_DISCLAIMER = "overview-map-disclaimer"
MAP_TABLE = "overview-map-table"
MAP_TABLE_TOGGLE = "overview-map-table-toggle"

# -- matrix ("/matrix") --------------------------------------------------------------------
MATRIX_URL = "matrix-url"
MATRIX_HEADING = "matrix-heading"
MATRIX_NOTICE = "matrix-notice"
MATRIX_REGION = "matrix-region"
MATRIX_SOURCE = "matrix-source"
MATRIX_SORT = "matrix-sort"
MATRIX_STATE = "matrix-state"
MATRIX_SUMMARY = "matrix-summary"
MATRIX_TABLE = "matrix-table"
MATRIX_KEY = "matrix-key"

# -- country ("/country/<iso3>") -----------------------------------------------------------
COUNTRY_URL = "country-url"
COUNTRY_HEADING = "country-heading"
COUNTRY_NOTICE = "country-notice"
COUNTRY_ISO3 = "country-iso3"  # dcc.Store with the page's ISO3
COUNTRY_STATE = "country-state"  # the filter state shown
COUNTRY_GROUP = "country-group"
COUNTRY_SERIES = "country-series"
COUNTRY_BACK = "country-back-link"
COUNTRY_SCORECARD = "country-scorecard"
COUNTRY_STATUS_MATRIX = "country-status-matrix"
# its <summary> (n_clicks: opened) and the body its table is sent into when first opened
COUNTRY_STATUS_MATRIX_SHOW = "country-status-matrix-show"
COUNTRY_STATUS_MATRIX_BODY = "country-status-matrix-body"
COUNTRY_STATUS_MATRIX_ASKED = "country-status-matrix-asked"  # dcc.Store: the click that asked
COUNTRY_TIMESERIES = "country-timeseries"
COUNTRY_TIMESERIES_SUMMARY = "country-timeseries-summary"
COUNTRY_TIMESERIES_TABLE = "country-timeseries-table"
COUNTRY_MISSING = "country-missing"
COUNTRY_PROVENANCE = "country-provenance"
COUNTRY_SIDE_BY_SIDE = "country-side-by-side"
COUNTRY_DETAIL = "country-detail"  # the part that follows the group and series
NOT_FOUND_HEADING = "not-found-heading"
FILTERS_HEADING = "filters-heading"
MAP_HEADING = "overview-map-heading"
# country page, issue #7: progress over time and the key of reasons
COUNTRY_PROGRESS = "country-progress"  # the progress chart (dcc.Graph)
COUNTRY_PROGRESS_SUMMARY = "country-progress-summary"
COUNTRY_PROGRESS_TABLE = "country-progress-table"
COUNTRY_REASONS_KEY = "country-reasons-key"
# overview, matrix and shell, issue #7: progress map, hidden filter boxes, reasons, footer
FILTER_BASE = "filters-base"  # the progress map's base year
FILTER_BASE_BOX = "filters-base-box"
FILTER_GOAL_BOX = "filters-goal-box"
FILTER_SERIES_BOX = "filters-series-box"
FILTER_SOURCE_BOX = "filters-source-box"
MATRIX_REASON_KEY = "matrix-reason-key"
FOOTER_SUMMARY = "shell-footer-summary"
FOOTER_DEMO = "shell-footer-demo"
# downloads and embeds, issue #8: <a download> links kept in step with the URL, the embed code
OVERVIEW_DATA_CSV = "overview-download-data-csv"
OVERVIEW_DATA_XLSX = "overview-download-data-xlsx"
OVERVIEW_CHART_PNG = "overview-download-chart-png"
OVERVIEW_CHART_SVG = "overview-download-chart-svg"
OVERVIEW_EMBED_CODE = "overview-embed-code"
OVERVIEW_EMBED_COPY = "overview-embed-copy"
OVERVIEW_EMBED_STATUS = "overview-embed-status"
MATRIX_DATA_CSV = "matrix-download-data-csv"
MATRIX_DATA_XLSX = "matrix-download-data-xlsx"
COUNTRY_DATA_CSV = "country-download-data-csv"
COUNTRY_DATA_XLSX = "country-download-data-xlsx"
COUNTRY_CHART_PNG = "country-download-chart-png"
COUNTRY_CHART_SVG = "country-download-chart-svg"
COUNTRY_EMBED_CODE = "country-embed-code"
COUNTRY_EMBED_COPY = "country-embed-copy"
COUNTRY_EMBED_STATUS = "country-embed-status"
COUNTRY_BRIEF = "country-brief-link"  # the printable country brief (and its PDF)
COUNTRY_PACK = "country-pack-link"  # the offline country pack (.zip)
# the parts of each page's download menu (``components.download_menu``)
OVERVIEW_DOWNLOADS: dict[str, str] = {
    "csv": OVERVIEW_DATA_CSV,
    "xlsx": OVERVIEW_DATA_XLSX,
    "png": OVERVIEW_CHART_PNG,
    "svg": OVERVIEW_CHART_SVG,
    "code": OVERVIEW_EMBED_CODE,
    "copy": OVERVIEW_EMBED_COPY,
    "status": OVERVIEW_EMBED_STATUS,
}
MATRIX_DOWNLOADS: dict[str, str] = {"csv": MATRIX_DATA_CSV, "xlsx": MATRIX_DATA_XLSX}
COUNTRY_DOWNLOADS: dict[str, str] = {
    "csv": COUNTRY_DATA_CSV,
    "xlsx": COUNTRY_DATA_XLSX,
    "png": COUNTRY_CHART_PNG,
    "svg": COUNTRY_CHART_SVG,
    "code": COUNTRY_EMBED_CODE,
    "copy": COUNTRY_EMBED_COPY,
    "status": COUNTRY_EMBED_STATUS,
    "brief": COUNTRY_BRIEF,
    "pack": COUNTRY_PACK,
}
# the embed page (/embed): the shell without its chrome, hence the shell- prefix
EMBED_PAGE = "shell-embed"
EMBED_GRAPH = "shell-embed-graph"
EMBED_CREDIT = "shell-embed-credit"
EMBED_SUMMARY = "shell-embed-summary"
