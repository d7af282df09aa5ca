"""The community-data wizard end to end in Chromium (issue #9).

A contributor logs in, uploads a survey table, maps an unknown group label, describes how the
data were collected, sees what it fills and submits it; a reviewer publishes it; the country
page then shows the new values with the community badge. axe checks every community page.
The app runs in its own process on a demo store whose accounts were made with the documented
commands (``python -m data demo``, ``python -m data users add|grant``).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from layouts import ids
from tests.browser.conftest import ProcessServer
from tests.community import PASSWORD, PROVENANCE, template_csv

ROOT = Path(__file__).resolve().parents[2]
LABEL = "Has a functional difficulty"
COUNTRY = "/country/KEN?group=disability&series=SL_TLF_UEM"


def _cli(data_dir: Path, *args: str, stdin: str = "") -> None:
    env = {**os.environ, "GAPMAP_DATA_DIR": str(data_dir)}
    subprocess.run(
        [sys.executable, "-m", "data", *args], cwd=ROOT, env=env, input=stdin.encode(), check=True
    )


@pytest.fixture(scope="module")
def community_server(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("community-browser")
    _cli(data_dir, "demo")
    for name, role, org in (
        ("ana", "contributor", "Kenya Disability Forum"),
        ("rev", "reviewer", ""),
        ("adm", "admin", ""),
    ):
        _cli(data_dir, "users", "add", name, "--role", role, "--organisation", org,
             "--password-stdin", stdin=PASSWORD + "\n")  # fmt: skip
    _cli(data_dir, "users", "grant", "ana", "KEN")
    server = ProcessServer(data_dir)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def axe():
    return Axe()


def _no_violations(axe, page):
    results = axe.run(page)
    found = results.response["violations"]
    assert found == [], [(v["id"], [n["target"] for n in v["nodes"][:3]]) for v in found]
    assert results.response["passes"]


def _login(page, server, username):
    page.goto(server.at("/login"))
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text(f"Logged in as {username}")).to_be_visible()


def test_contribute_review_publish_then_country_page(page, community_server, axe, tmp_path):
    server = community_server
    page.goto(server.at("/contribute"))
    expect(page).to_have_url(server.at("/login?next=%2Fcontribute"))
    _no_violations(axe, page)
    _login(page, server, "ana")
    expect(page.get_by_role("heading", name="Contribute data")).to_be_visible()
    _no_violations(axe, page)

    survey = tmp_path / "survey.csv"
    survey.write_bytes(
        template_csv(
            [
                ["SL_TLF_UEM", "KEN", "2023", "24.6", "412", "", LABEL, ""],
                ["SL_TLF_UEM", "KEN", "2023", "13.9", "1863", "", "PWD", ""],
            ]
        )
    )
    page.get_by_label("Data file").set_input_files(str(survey))
    page.get_by_role("button", name="Upload and check").click()
    expect(page.get_by_role("heading", name="2. Check of every row")).to_be_visible()
    expect(page.get_by_text(LABEL).first).to_be_visible()
    page.get_by_label(f"disability: {LABEL} means").select_option("PD")
    page.get_by_role("button", name="Apply the mapping").click()
    expect(page.locator("#fills")).to_contain_text(
        "missing Persons with disabilities splits for Kenya"
    )
    fills = page.locator("#fills li").first.inner_text()
    assert fills.startswith("Fills 1 of"), fills
    for name, value in PROVENANCE.items():
        field = page.locator(f"#prov-{name}")
        if name == "washington_group":
            field.select_option(value)
        else:
            field.fill(value)
    _no_violations(axe, page)
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator("#submission-status")).to_have_text("pending")
    page.get_by_role("button", name="Log out").click()

    _login(page, server, "rev")
    page.goto(server.at("/review"))
    expect(page.get_by_text("Kenya Disability Forum (ana)")).to_be_visible()
    _no_violations(axe, page)
    page.get_by_label("Note to the contributor").fill("Thank you: published.")
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("status").filter(has_text="published as dataset")).to_be_visible()
    page.get_by_role("button", name="Log out").click()

    _login(page, server, "adm")
    page.goto(server.at("/admin/users"))
    expect(page.get_by_role("cell", name="Kenya Disability Forum")).to_be_visible()
    _no_violations(axe, page)

    # the running app serves the new store version once it has computed it (GAPMAP_WARM_POLL)
    table = page.locator(f"#{ids.COUNTRY_PROVENANCE} table")
    for _ in range(90):
        page.goto(server.at(COUNTRY))
        summary = page.locator(f"#{ids.COUNTRY_PROVENANCE} details > summary")
        summary.click()
        expect(table).to_be_visible()
        if table.get_by_text("Kenya Disability Forum").count():
            break
        page.wait_for_timeout(1000)
    rows = table.locator("tr").filter(has_text="Kenya Disability Forum")
    expect(rows.first).to_be_visible()
    assert rows.count() == 2
    expect(rows.filter(has_text="24.6").locator(".community-badge")).to_have_text(
        "Community-generated"
    )
    expect(rows.filter(has_text="13.9").locator(".community-badge")).to_be_visible()
