"""A store with the shape of real data, written by the tests themselves (no shared data needed).

What the small demo store never shows, and real users meet at once:
- more than 127 series (pandas widens categorical codes from int8 to int16 there);
- a community dataset (Nepal) next to official data for the same series;
- a national Open SDG dataset (United Kingdom) whose series no other country publishes;
- the illustrative demo datasets still in the store (imported with ``demo="keep"``);
- a country (Kenya) that publishes some series many times but never split by a group.

``build(data_dir)`` writes the files into ``data_dir/files`` and imports them through the same
pipeline as ``python -m data import``; it returns the ``Settings`` of the store. Known facts
the tests check are the module constants below.
"""

from __future__ import annotations

import csv
from pathlib import Path

from data import pipeline, queries
from data.settings import Settings

N_SERIES = 140  # > 127
COUNTRIES = {
    "KEN": ("404", "Kenya"),
    "NPL": ("524", "Nepal"),
    "BGD": ("050", "Bangladesh"),
    "IND": ("356", "India"),
    "VNM": ("704", "Viet Nam"),
    "BRA": ("076", "Brazil"),
    "FRA": ("250", "France"),
    "GBR": ("826", "United Kingdom"),
}
YEARS = range(2015, 2023)
# Kenya publishes TOTAL_ONLY_SERIES (a disability series) 8 times, never split by disability
TOTAL_ONLY_SERIES = "FX_001"
UK_SERIES = "OSDG_2_1_2"  # Open SDG: only the United Kingdom publishes it
COMMUNITY_SERIES = "SL_TLF_UEMDIS"  # Nepal: official 2017 and community 2022 values
_DIMS = ("Sex", "Disability status", "Age", "Location")
_SPLITS = {  # column -> (group code, reference code, total code) as the UN export writes them
    "Sex": ("FEMALE", "MALE", "BOTHSEX"),
    "Disability status": ("PD", "PWD", "_T"),
    "Age": ("15-24", "25+", "15+"),
    "Location": ("RURAL", "URBAN", "ALLAREA"),
}
_UN_HEAD = [
    "Goal",
    "Target",
    "Indicator",
    "SeriesCode",
    "SeriesDescription",
    "GeoAreaCode",
    "GeoAreaName",
    "TimePeriod",
    "Value",
    "Units",
    "Nature",
    "Source",
    *_DIMS,
]


def _un_rows() -> list[list[str]]:
    rows = []
    for i in range(N_SERIES):
        code, goal = f"FX_{i:03d}", str(i % 17 + 1)
        title = f"Fixture indicator {i} by {_DIMS[i % 4].lower()} (%)"
        dim = _DIMS[i % 4] if code != TOTAL_ONLY_SERIES else "Disability status"
        for k, (iso3, (m49, name)) in enumerate(COUNTRIES.items()):
            if iso3 == "GBR" and i % 2:
                continue
            for year in YEARS:
                if (i + k + year) % 3 and code != TOTAL_ONLY_SERIES:
                    continue
                base = 10 + (i * 7 + k * 3 + year) % 50
                splits = not (iso3 == "KEN" and code == TOTAL_ONLY_SERIES)
                codes = _SPLITS[dim]
                for j, value in enumerate((base + 5, base - 2, base) if splits else (base,)):
                    dims = dict.fromkeys(_DIMS, "")
                    dims[dim] = codes[j] if splits else codes[2]
                    rows.append(
                        [
                            goal,
                            f"{goal}.1",
                            f"{goal}.1.1",
                            code,
                            title,
                            m49,
                            name,
                            str(year),
                            f"{value:.1f}",
                            "PERCENT",
                            "C",
                            "Fixture survey",
                            *dims.values(),
                        ]
                    )
    # The series the community data also measures (Nepal 2017, official).
    for group, value in (("PD", "16.4"), ("PWD", "9.9"), ("_T", "10.6")):
        rows.append(
            [
                "8",
                "8.5",
                "8.5.2",
                COMMUNITY_SERIES,
                "Unemployment rate, by sex and disability (%)",
                "524",
                "Nepal",
                "2017",
                value,
                "PERCENT",
                "C",
                "Labour force survey",
                "BOTHSEX",
                group,
                "15+",
                "",
            ]
        )
    return rows


def _write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_files(folder: Path) -> dict[str, Path]:
    """The three real-shape files (UN export, Open SDG, community template) in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    un = _write(folder / "un_fixture.csv", _UN_HEAD, _un_rows())
    osdg = _write(
        folder / "indicator_2-1-2.csv",
        ["Year", "Disability status", "Value"],
        [
            [str(y), label, v]
            for y in (2020, 2021)
            for label, v in (
                ("", "6.0"),
                ("Disabled (GSS harmonised)", "11.5"),
                ("Non-disabled (GSS harmonised)", "4.8"),
            )
        ],
    )
    community = _write(
        folder / "npl_community.csv",
        [
            "series",
            "indicator",
            "series_title",
            "unit",
            "iso3",
            "period",
            "value",
            "n",
            "disability",
            "age",
            "source",
            "footnote",
        ],
        [
            [
                COMMUNITY_SERIES,
                "8.5.2",
                "Unemployment rate, by sex and disability (%)",
                "PERCENT",
                "NPL",
                "2022",
                v,
                n,
                d,
                "15+",
                "Disability network survey (test fixture)",
                "Washington Group Short Set",
            ]
            for v, n, d in (("19.5", "310", "PD"), ("10.4", "1490", "PWD"), ("11.2", "1800", ""))
        ],
    )
    return {"un": un, "opensdg": osdg, "community": community}


def build(data_dir: Path) -> Settings:
    """Build the real-shape store in ``data_dir``; returns its settings (NullCache)."""
    settings = Settings(data_dir=data_dir, demo_on_empty=False, cache_type="NullCache")
    store = queries.configure(settings)
    pipeline.build_demo(store)
    files = write_files(Path(data_dir) / "files")
    pipeline.import_files(
        store, [files["un"]], settings, demo="keep", licence="CC BY 4.0", attribution="Test fixture"
    )
    pipeline.import_files(
        store,
        [files["opensdg"]],
        settings,
        demo="keep",
        country="GBR",
        licence="OGL v3",
        attribution="Test fixture",
    )
    pipeline.import_files(
        store,
        [files["community"]],
        settings,
        demo="keep",
        source_type="community",
        format="template",
        licence="CC BY 4.0",
        attribution="Test fixture",
    )
    return settings
