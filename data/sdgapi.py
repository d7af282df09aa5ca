"""Fetch series from the UN SDG API and hand them over in the UN export's columns.

``GET {base}/v1/sdg/Series/Data?seriesCode=...&page=...&pageSize=...`` answers one page of JSON:
``totalElements``, ``totalPages``, ``pageNumber``, ``size`` and ``data``, a list of observations
(``goal``/``target``/``indicator`` as lists, ``series``, ``seriesDescription``, ``geoAreaCode``,
``geoAreaName``, ``timePeriodStart``, ``value`` as text, ``time_detail``, ``timeCoverage``,
``upperBound``, ``lowerBound``, ``basePeriod``, ``source``, ``geoInfoUrl``, ``footnotes``, and the
dicts ``dimensions`` (Sex, Age, Reporting Type, ...) and ``attributes`` (Nature, Units, ...)).
Swagger: https://unstats.un.org/sdgapi/swagger/. :func:`parse_series_data` flattens a page into
the Global Database export's columns (``Goal, Target, Indicator, SeriesCode, ..., FootNote`` then
one column per dimension and attribute), so the UN-export reader reads fetched data exactly like
a portal download: write it with :func:`un_csv_bytes` and import that file. Nothing here runs
at import time; the base URL comes from ``Settings.sdg_api_url``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import requests

DATA_PATH = "/v1/sdg/Series/Data"
PAGE_SIZE = 1000  # the API answers 500-5000 rows quickly; 50,000 times out
MAX_PAGES = 10_000  # guard against a server that never stops paging

# The fixed columns of the UN SDG Global Database export, in order.
UN_COLUMNS: tuple[str, ...] = (
    "Goal",
    "Target",
    "Indicator",
    "SeriesCode",
    "SeriesDescription",
    "GeoAreaCode",
    "GeoAreaName",
    "TimePeriod",
    "Value",
    "Time_Detail",
    "TimeCoverage",
    "UpperBound",
    "LowerBound",
    "BasePeriod",
    "Source",
    "GeoInfoUrl",
    "FootNote",
)
# JSON field of an observation -> export column (goal/target/indicator/footnotes are lists).
_FIELDS: dict[str, str] = {
    "goal": "Goal",
    "target": "Target",
    "indicator": "Indicator",
    "series": "SeriesCode",
    "seriesDescription": "SeriesDescription",
    "geoAreaCode": "GeoAreaCode",
    "geoAreaName": "GeoAreaName",
    "timePeriodStart": "TimePeriod",
    "value": "Value",
    "time_detail": "Time_Detail",
    "timeCoverage": "TimeCoverage",
    "upperBound": "UpperBound",
    "lowerBound": "LowerBound",
    "basePeriod": "BasePeriod",
    "source": "Source",
    "geoInfoUrl": "GeoInfoUrl",
    "footnotes": "FootNote",
}


class SdgApiError(Exception):
    """The SDG API answered, but not with what we need (HTTP error, not JSON)."""


class OfflineError(SdgApiError):
    """The SDG API could not be reached at all; ``str()`` is one line saying why."""


def _text(value: Any) -> str:
    """One cell as the export writes it: lists joined by ", ", whole years without ".0"."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(_text(v) for v in value if v is not None)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value).strip()


def _record(obs: dict[str, Any]) -> dict[str, str]:
    """One API observation as one export row (dimension/attribute columns by their names)."""
    row = {column: _text(obs.get(key)) for key, column in _FIELDS.items()}
    if isinstance(obs.get("footnotes"), list):
        row["FootNote"] = "; ".join(_text(f) for f in obs["footnotes"] if f)
    for group in ("dimensions", "attributes"):
        extra = obs.get(group)
        if isinstance(extra, dict):
            for name, code in extra.items():
                row.setdefault(str(name).strip(), _text(code))
    return row


def parse_series_data(payload: dict[str, Any]) -> pd.DataFrame:
    """Flatten one ``Series/Data`` page into the UN export's columns.

    Args:
        payload: the decoded JSON of one page; only ``data`` is read.

    Returns:
        One row per observation with ``UN_COLUMNS`` first, then one column per dimension and
        attribute in first-seen order (e.g. ``Sex``, ``Age``, ``Reporting Type``, ``Nature``,
        ``Units``). Every cell is text, "" when absent; values stay as given (``<2.5``).
    """
    records = [_record(obs) for obs in payload.get("data") or [] if isinstance(obs, dict)]
    return _frame(records)


def _frame(records: list[dict[str, str]]) -> pd.DataFrame:
    """Records with possibly different keys -> one all-text frame in export column order."""
    columns = list(UN_COLUMNS)
    for record in records:
        columns += [c for c in record if c not in columns]
    rows = [[r.get(c, "") for c in columns] for r in records]
    return pd.DataFrame(rows, columns=columns, dtype=object)


def fetch_series(
    codes: list[str],
    base_url: str,
    timeout: float = 30,
    page_size: int = PAGE_SIZE,
    session: requests.Session | None = None,
) -> pd.DataFrame:
    """Every observation of the given series, page by page, in the UN export's columns.

    Args:
        codes: SDG series codes, e.g. ``["SL_TLF_UEMDIS"]``.
        base_url: the API root, ``Settings.sdg_api_url`` (``https://unstats.un.org/sdgapi``).
        timeout: seconds to wait for each page.
        page_size: rows asked for per page.
        session: a ``requests.Session`` to reuse (tests, retries); a new one otherwise.

    Returns:
        The frame :func:`parse_series_data` describes, all series stacked.

    Raises:
        OfflineError: the API cannot be reached (no network, refused, timed out).
        SdgApiError: the API answered with an HTTP error or something that is not JSON.
    """
    url = base_url.rstrip("/") + DATA_PATH
    http = session or requests.Session()
    records: list[dict[str, str]] = []
    try:
        for code in codes:
            for page in range(1, MAX_PAGES + 1):
                params = {"seriesCode": code, "page": page, "pageSize": page_size}
                payload = _get_json(http, url, params, timeout, base_url)
                data = payload.get("data") or []
                records += [_record(obs) for obs in data if isinstance(obs, dict)]
                if not data or page >= int(payload.get("totalPages") or 1):
                    break
    finally:
        if session is None:
            http.close()
    return _frame(records)


def _get_json(
    http: requests.Session, url: str, params: dict[str, Any], timeout: float, base_url: str
) -> dict[str, Any]:
    """GET one page; every failure becomes a one-line ``OfflineError``/``SdgApiError``."""
    where = base_url.rstrip("/")
    try:
        response = http.get(
            url, params=params, timeout=timeout, headers={"Accept": "application/json"}
        )
    except requests.Timeout as exc:
        raise OfflineError(
            f"cannot reach {where}: no answer within {timeout:g} s ({type(exc).__name__})"
        ) from exc
    except requests.ConnectionError as exc:
        raise OfflineError(f"cannot reach {where}: no network ({type(exc).__name__})") from exc
    except requests.RequestException as exc:
        raise OfflineError(f"cannot reach {where}: {type(exc).__name__}") from exc
    what = f"{url}?seriesCode={params['seriesCode']}&page={params['page']}"
    if response.status_code != 200:
        raise SdgApiError(f"{what}: HTTP {response.status_code} {response.reason or ''}".rstrip())
    try:
        payload = response.json()
    except ValueError as exc:
        raise SdgApiError(f"{what}: the answer is not JSON") from exc
    if not isinstance(payload, dict):
        kind = type(payload).__name__
        raise SdgApiError(f"{what}: expected a JSON object with 'data', got {kind}")
    return payload


def un_csv_bytes(frame: pd.DataFrame) -> bytes:
    """The frame as a UTF-8 CSV file in the UN export's layout (what the UN reader reads)."""
    return frame.to_csv(index=False).encode("utf-8")


def write_un_csv(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write :func:`un_csv_bytes` to ``path`` and return it."""
    target = Path(path)
    target.write_bytes(un_csv_bytes(frame))
    return target
