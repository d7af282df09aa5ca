"""Acceptance of issue #7 on the real UN extract: the country page's progress = the CLI's.

"The progress chart and its table show the same numbers as the CLI, for KEN and NPL on the real
extract." The store is built from ../shared/data (skipped with the reason when absent) by
``python -m data import`` in a child process, served by the app in its own process
(``ProcessServer``), and compared with ``python -m data progress --format json`` run on the
same store.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from layouts import ids
from tests.browser.conftest import ProcessServer
from tests.conftest import shared_data

pytestmark = [pytest.mark.realdata, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
FIRST_PAGE_MS = 120_000  # the app warms up in the background: the first page is slow


def _env(data_dir: Path) -> dict[str, str]:
    return {**os.environ, "GAPMAP_DATA_DIR": str(data_dir), "GAPMAP_DEMO_ON_EMPTY": "0"}


@pytest.fixture(scope="session")
def extract_dir(tmp_path_factory) -> Path:
    """A store holding the real UN extract, imported by the CLI in a child process."""
    path = shared_data("sdg-global-extract", "sdg_disaggregated_long.csv.gz")
    data_dir = tmp_path_factory.mktemp("extract-browser")
    done = subprocess.run(
        [sys.executable, "-m", "data", "import", str(path)],
        cwd=ROOT,
        env=_env(data_dir),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return data_dir


@pytest.fixture(scope="session")
def extract_server(extract_dir) -> Iterator[ProcessServer]:
    server = ProcessServer(extract_dir)
    yield server
    server.stop()


def _cli_progress(data_dir: Path, iso3: str) -> list[dict]:
    done = subprocess.run(
        [sys.executable, "-m", "data", "progress", "--group", "disability"]
        + ["--country", iso3, "--format", "json"],
        cwd=ROOT,
        env=_env(data_dir),
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return json.loads(done.stdout)


def _open(browser, server: ProcessServer, path: str) -> Page:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    context.route(
        "**/*",
        lambda route: route.continue_() if "127.0.0.1" in route.request.url else route.abort(),
    )
    page = context.new_page()
    page.set_default_timeout(FIRST_PAGE_MS)
    page.goto(server.at(path), timeout=FIRST_PAGE_MS)
    expect(page.locator(f"#{ids.COUNTRY_PROGRESS_SUMMARY}")).to_be_attached(timeout=FIRST_PAGE_MS)
    page.wait_for_load_state("networkidle")
    return page


@pytest.mark.parametrize(("iso3", "name"), [("KEN", "Kenya"), ("NPL", "Nepal")])
def test_progress_on_the_page_equals_the_cli(browser, extract_server, extract_dir, iso3, name):
    cli = _cli_progress(extract_dir, iso3)
    assert cli and cli[0]["year"] == 2015, cli[:2]
    expected = [
        [str(r["year"]), str(r["with_value"]), str(r["expected"]), f"{r['share'] * 100:.0f}%"]
        for r in cli
    ]
    page = _open(browser, extract_server, f"/country/{iso3}?group=disability")
    try:
        # the sentence: first and last year of the CLI's rows
        first, last = cli[0], cli[-1]
        expect(page.locator(f"#{ids.COUNTRY_PROGRESS_SUMMARY}")).to_contain_text(
            f"{name}: {first['with_value']} of {first['expected']} expected splits for persons "
            f"with disabilities had an official value in {first['year']}, "
            f"{last['with_value']} of {last['expected']} in {last['year']}"
        )
        # the table (collapsed; opened from the keyboard): the CLI's numbers, row for row
        page.locator("#country-progress-section details > summary").focus()
        page.keyboard.press("Enter")
        table = page.locator(f"#{ids.COUNTRY_PROGRESS_TABLE}")
        expect(table).to_be_visible()
        rows = [
            [re.sub(r"\s+", " ", c).strip() for c in r.locator("th, td").all_inner_texts()]
            for r in table.locator("tbody tr").all()
        ]
        assert rows == expected
        # the chart: the same years and counts (drawn by a script loaded on demand)
        expect(page.locator(f"#{ids.COUNTRY_PROGRESS} .js-plotly-plot")).to_be_attached()
        data = page.evaluate(
            f"(() => {{ const d = document.querySelector('#{ids.COUNTRY_PROGRESS} "
            ".js-plotly-plot').data[0]; return [Array.from(d.x), Array.from(d.y)]; })()"
        )
        assert data == [[r["year"] for r in cli], [r["with_value"] for r in cli]]
    finally:
        page.context.close()
