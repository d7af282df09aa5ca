"""A synthetic SDG store at scale: N observations in the UN SDG export format, in 1M-row files.

Realistic shape (issue #12): the 250 areas of the project's M49 reference (``data.reference``),
~1,000 series spread over the 17 goals, years 2000-2024, and the breakdowns the UN export uses
for the LNOB groups the app knows (``data/raw/groups.csv``): sex, age (youth, older persons,
children), disability, urban/rural, wealth quantiles, migratory status, population group and
education level, alone or crossed with sex, always with their totals (the reference a gap is
measured against). Each series is reported by a random share of the areas in a random set of
years, so coverage is uneven as in the real database.

The files are written one chunk (one series) at a time into gzip CSVs of at most
``--rows-per-file`` data rows (the import's default ``GAPMAP_MAX_ROWS`` is 2 M per file), so the
generator's memory stays small (~150 MB) whatever N is. Deterministic for a given ``--seed``.

    python bench/generate.py OUT_DIR [--rows 10000000] [--rows-per-file 1000000] [--seed 12]
"""

from __future__ import annotations

import argparse
import gzip
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

COLUMNS = (
    "Goal,Target,Indicator,SeriesCode,SeriesDescription,GeoAreaCode,GeoAreaName,TimePeriod,"
    "Value,Units,Nature,ObservationStatus,Sex,Age,Disability status,Location,Quantile,"
    "Education level,Population group,Migratory status,OtherDimensions"
).split(",")
YEARS = np.arange(2000, 2025)

# Breakdowns as the UN export writes them: column -> labels (the first one is the total).
SEX = ("Sex", ("BOTHSEX", "FEMALE", "MALE"))
AGE_YOUTH = ("Age", ("15+", "15-24", "25+"))
AGE_OLDER = ("Age", ("ALLAGE", "65+", "15-64"))
AGE_CHILD = ("Age", ("ALLAGE", "<18Y", "18+"))
AGE_BANDS = ("Age", ("ALLAGE", "<5Y", "5-17", "15-24", "25-64", "65+"))
DISABILITY = ("Disability status", ("_T", "PD", "PWD"))
LOCATION = ("Location", ("ALLAREA", "URBAN", "RURAL"))
QUINTILE = ("Quantile", ("_T", "Q1", "Q2", "Q3", "Q4", "Q5"))
B40 = ("Quantile", ("_T", "B40", "R60"))
MIGRANT = ("Migratory status", ("_T", "MIGPER", "NONMIG"))
POPGROUP = ("Population group", ("_T", "POP_A", "POP_B", "POP_C"))
EDUCATION = ("Education level", ("_T", "PRIMAR", "LOWSEC", "UPPSEC"))
# Combinations of breakdowns a series has, with how often they occur.
PROFILES: tuple[tuple[tuple, float], ...] = (
    ((SEX,), 0.22),
    ((SEX, AGE_YOUTH), 0.10),
    ((SEX, AGE_OLDER), 0.07),
    ((AGE_CHILD,), 0.05),
    ((SEX, AGE_BANDS), 0.06),
    ((SEX, DISABILITY), 0.08),
    ((SEX, LOCATION), 0.10),
    ((LOCATION,), 0.05),
    ((QUINTILE,), 0.06),
    ((B40,), 0.03),
    ((QUINTILE, LOCATION), 0.04),
    ((MIGRANT, SEX), 0.04),
    ((POPGROUP,), 0.03),
    ((EDUCATION, SEX), 0.05),
    ((), 0.02),  # no breakdown: totals only
)
MANIFEST = "MANIFEST.txt"
UNITS = ("PERCENT", "NUMBER", "RATIO", "PER_100000_POP", "PER_1000_LIVE_BIRTHS")


def areas() -> pd.DataFrame:
    """The project's 250 M49 areas: m49 code (as an integer, like the export) and English name."""
    from data import reference

    ref = reference.countries()
    return pd.DataFrame({"code": ref["m49"].astype(int), "name": ref["name_en"].astype(str)})


def series_frame(rng: np.random.Generator, number: int, geo: pd.DataFrame) -> pd.DataFrame:
    """Every row of one synthetic series: areas x years x breakdown cells, values as text."""
    goal = int(rng.integers(1, 18))
    target = f"{goal}.{int(rng.integers(1, 10))}"
    indicator = f"{target}.{int(rng.integers(1, 4))}"
    code = f"GEN_{goal:02d}_{number:04d}"
    weights = np.array([w for _, w in PROFILES])
    dims = PROFILES[rng.choice(len(PROFILES), p=weights / weights.sum())][0]
    cells = [{}]
    for column, labels in dims:
        cells = [{**c, column: label} for c in cells for label in labels]
    n_areas = int(rng.integers(40, len(geo) + 1))
    n_years = int(rng.integers(2, 20))
    chosen = geo.iloc[np.sort(rng.choice(len(geo), n_areas, replace=False))]
    years = np.sort(rng.choice(YEARS, n_years, replace=False))
    n = n_areas * n_years * len(cells)
    frame = pd.DataFrame(
        {
            "Goal": str(goal),
            "Target": target,
            "Indicator": indicator,
            "SeriesCode": code,
            "SeriesDescription": f"Synthetic series {number} of goal {goal} ({code})",
            "GeoAreaCode": np.repeat(chosen["code"].to_numpy(), n_years * len(cells)),
            "GeoAreaName": np.repeat(chosen["name"].to_numpy(), n_years * len(cells)),
            "TimePeriod": np.tile(np.repeat(years, len(cells)), n_areas),
        }
    )
    base = np.repeat(rng.uniform(5, 80, n_areas), n_years * len(cells))
    trend = np.tile(np.repeat((years - 2000) * rng.normal(0, 0.4), len(cells)), n_areas)
    effect = np.tile(rng.normal(0, 6, len(cells)), n_areas * n_years)
    frame["Value"] = np.round(np.clip(base + trend + effect + rng.normal(0, 2, n), 0, None), 2)
    frame["Units"] = UNITS[number % len(UNITS)]
    frame["Nature"] = rng.choice(["C", "CA", "E", "M", "N"], n, p=[0.5, 0.2, 0.15, 0.1, 0.05])
    frame["ObservationStatus"] = "A"
    for column in COLUMNS[12:20]:
        frame[column] = ""
    for column, _ in dims:
        frame[column] = np.tile([c[column] for c in cells], n_areas * n_years)
    frame["OtherDimensions"] = "freq=NOTSPEC"
    return frame[COLUMNS]


def generate(out: Path, rows: int, rows_per_file: int, seed: int = 12) -> list[Path]:
    """Write ``rows`` observations into ``out/gen-NN.csv.gz``; returns the files."""
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    geo = areas()
    files: list[Path] = []
    handle, in_file, written, number = None, 0, 0, 0
    try:
        while written < rows:
            number += 1
            frame = series_frame(rng, number, geo).iloc[: rows - written]
            start = 0
            while start < len(frame):
                if handle is None or in_file >= rows_per_file:
                    if handle is not None:
                        handle.close()
                    files.append(out / f"gen-{len(files) + 1:02d}.csv.gz")
                    handle = gzip.open(files[-1], "wt", compresslevel=1, newline="")
                    handle.write(",".join(COLUMNS) + "\n")
                    in_file = 0
                part = frame.iloc[start : start + rows_per_file - in_file]
                part.to_csv(handle, header=False, index=False)
                in_file += len(part)
                start += len(part)
            written += len(frame)
    finally:
        if handle is not None:
            handle.close()
    # written last: a directory with this file holds a complete set
    (out / MANIFEST).write_text(f"rows={rows} rows_per_file={rows_per_file} seed={seed}\n")
    return files


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--rows-per-file", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    files = generate(args.out, args.rows, args.rows_per_file, args.seed)
    size = sum(f.stat().st_size for f in files) / 1e6
    took = time.perf_counter() - t0
    print(f"{args.rows} rows in {len(files)} files ({size:.0f} MB gzip) in {took:.1f} s")


if __name__ == "__main__":
    main()
