"""How fast and how cheaply hostile files are refused (issue 11: < 2 s, peak RSS <= 300 MB).

Each case is a generated file read by ``data.readers.read`` in a fresh process (peak RSS from
``resource.getrusage``), beside the baseline of the same process reading the same file with a
plain ``pandas.read_csv`` (what an unguarded reader does). Prints one table; never fails.

    python bench/bench_limits.py
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEAD = b"series,iso3,period,value,disability,footnote\n"
ROW = b"S,KEN,2020,1.5,PD,x\n"

CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, sys.argv[3])
path, how = sys.argv[1], sys.argv[2]
t = time.perf_counter()
if how == "project":
    from data.readers import read
    result = read(path, format="template")
    codes = sorted({p.code for p in result.errors})
else:
    import pandas as pd
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        codes = [f"read {len(frame)} rows"]
    except Exception as exc:
        codes = [type(exc).__name__]
seconds = time.perf_counter() - t
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"s": seconds, "mb": rss, "codes": codes}))
"""


def make_cases(folder: Path) -> dict[str, Path]:
    """The hostile files: a gzip bomb, a 10 MB cell, a huge width, too many rows."""
    bomb = folder / "bomb.csv.gz"
    with gzip.open(bomb, "wb", compresslevel=9) as fh:
        fh.write(HEAD)
        block = ROW * 500_000
        for _ in range(110):  # ~1.1 GB of text
            fh.write(block)
    cell = folder / "cell.csv"
    cell.write_bytes(HEAD + b"S,KEN,2020,1.5,PD," + b"x" * 10_000_000 + b"\n")
    wide = folder / "wide.csv"
    wide.write_bytes(HEAD.strip() + b",x" * 200_000 + b"\n" + ROW.strip() + b",1" * 200_000 + b"\n")
    rows = folder / "rows.csv"
    rows.write_bytes(HEAD + ROW * 2_100_000)
    return {
        "gzip bomb (1.1 GB inflated)": bomb,
        "10 MB cell": cell,
        "200,000 columns": wide,
        "2.1 M rows": rows,
    }


def run(path: Path, how: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), how, str(ROOT)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    try:
        return json.loads(out.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        return {"s": float("nan"), "mb": float("nan"), "codes": [out.stderr.strip()[-60:]]}


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        cases = make_cases(Path(tmp))
        print(
            f"{'case':28} {'project s':>9} {'MB':>6} {'baseline s':>10} {'MB':>6} "
            f"{'ratio s':>7}  project says / baseline did"
        )
        for name, path in cases.items():
            ours, base = run(path, "project"), run(path, "pandas")
            ratio = ours["s"] / base["s"] if base["s"] else float("nan")
            print(
                f"{name:28} {ours['s']:9.2f} {ours['mb']:6.0f} {base['s']:10.2f} "
                f"{base['mb']:6.0f} {ratio:7.2f}  {','.join(ours['codes'])} / "
                f"{','.join(base['codes'])}"
            )
        print("targets: each refused (too_large) in < 2 s with peak RSS <= 300 MB")


if __name__ == "__main__":
    main()
