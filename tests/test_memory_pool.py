"""Arrow's memory pool is jemalloc in every entry point (``data/__init__.py``).

Arrow picks its pool once, at its first allocation (importing pandas makes one), so the choice
has to be in the environment before that: each case runs in a fresh interpreter.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
POOL = "import pyarrow as pa; print(pa.default_memory_pool().backend_name)"


def backend(code: str, **env: str) -> str:
    environ = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    done = subprocess.run(
        [sys.executable, "-c", f"{code}\n{POOL}"],
        cwd=ROOT,
        env={**environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.strip().splitlines()[-1]


def test_arrow_without_the_project_uses_its_own_default():
    # the check below would pass for nothing if Arrow's default were jemalloc already
    assert backend("import pandas") != "jemalloc"


@pytest.mark.parametrize(
    "entry",
    [
        "import app",  # python app.py, gunicorn's app:create_server
        "from data.cli import main",  # python -m data
        "import data.store",
    ],
)
def test_every_entry_point_allocates_from_jemalloc(entry):
    assert backend(entry) == "jemalloc"


def test_a_pool_named_in_the_environment_is_kept():
    assert backend("import app", ARROW_DEFAULT_MEMORY_POOL="system") == "system"
