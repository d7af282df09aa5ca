"""Import benchmark: time and peak memory of importing the real UN extract into a fresh store.

Runs each measurement in a child process and reads its peak resident memory from
``resource.getrusage(RUSAGE_CHILDREN)``. Baseline: a bare ``pandas.read_csv(dtype=str)`` of the
same file in the same run.

    python bench/bench_import.py [FILE]
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT.parent / "shared" / "data" / "sdg-global-extract" / "sdg_disaggregated_long.csv.gz"


_PEAK = (
    "\nimport resource, sys\n"
    "print('PEAK', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)"
)


def run(code: str, env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of Python ``code`` run in a fresh child process."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code + _PEAK],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    wall = time.perf_counter() - start
    peak_kb = int(done.stderr.rsplit("PEAK", 1)[1].split()[0])
    return wall, peak_kb / 1024


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    if not path.exists():
        print(f"skipped: {path} not found (see ../shared/data/README.md)")
        return
    env = {**os.environ, "GAPMAP_DEMO_ON_EMPTY": "0"}
    base_code = (
        "import pandas as pd, sys;"
        f"df = pd.read_csv({str(path)!r}, dtype=str, keep_default_na=False); print(len(df))"
    )
    base_wall, base_mem = run(base_code, env)
    with tempfile.TemporaryDirectory() as tmp:
        env["GAPMAP_DATA_DIR"] = tmp
        import_code = f"from data.cli import main\nassert main(['import', {str(path)!r}]) == 0"
        wall, mem = run(import_code, env)
        read_code = (
            "from data.settings import Settings\nfrom data.store import Store\n"
            "print(len(Store(Settings.from_env()).observations()))"
        )
        snap_wall, _ = run(read_code, env)
    print(f"file: {path.name} ({path.stat().st_size / 1e6:.1f} MB)")
    print(f"baseline pandas.read_csv(dtype=str): {base_wall:6.1f} s  peak {base_mem:7.0f} MB")
    print(f"python -m data import:               {wall:6.1f} s  peak {mem:7.0f} MB")
    print(
        f"ratio import/baseline:               {wall / base_wall:6.1f} x  "
        f"{mem / base_mem:5.1f} x memory"
    )
    ok = wall <= 20 and mem <= 1024
    print(f"target (issue #12): <= 20 s and <= 1024 MB -> {'met' if ok else 'MISSED'}")
    print(f"fresh process reading the snapshot:  {snap_wall:6.1f} s")


if __name__ == "__main__":
    main()
