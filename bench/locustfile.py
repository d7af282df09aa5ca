"""Locust users for bench/side_by_side.py: 50 visitors with varied filter states (issue #12).

``BENCH_APP=project``: the visitors of bench/bench_soak.py (pages opened with a random filter
state in their URL, then one to three filter changes, each callback fed the state the server
returned, as the browser does), replaying the callback bodies a real Chromium sent, read from
``BENCH_TEMPLATES`` (JSON written by side_by_side.py). ``BENCH_APP=baseline``: the same walk
on bench/baseline_app.py (page, series options, map with a random mode, group, series and
region; the matrix with a random region; a random country page; the page's scripts and
stylesheets named in its HTML on a user's first visit, as the project's users fetch the files
Chromium loaded; the baseline's lazily loaded chunks are not named there). Think time
``BENCH_THINK`` seconds on average (default 3). Requests are named by kind, so locust's table
reads per interaction; a response other than 2xx/3xx or an exception is a failure.
``BENCH_SAMPLES``: a file that receives every request's (kind, ms, ok) at the end.

    locust -f bench/locustfile.py --headless -u 50 -r 10 -t 60s --host http://127.0.0.1:PORT
"""

from __future__ import annotations

import json
import os
import random
import re
import sys
from pathlib import Path

import gevent
from locust import HttpUser, events, task

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import bench_soak  # noqa: E402
from baseline_app import dash_body  # noqa: E402

APP = os.environ.get("BENCH_APP", "project")
THINK = float(os.environ.get("BENCH_THINK", "3"))
TEMPLATES = json.loads(Path(os.environ["BENCH_TEMPLATES"]).read_text())
# same-origin scripts and stylesheets of the baseline's index page (its static files)
STATIC = re.compile(r'(?:src|href)="(/(?:assets|_dash-component-suites)/[^"]+)"')
SAMPLES_FILE = os.environ.get("BENCH_SAMPLES")  # every request's (kind, ms, ok), written at the end
SAMPLES: list[tuple[str, float, bool]] = []


@events.request.add_listener
def _record(name, response_time, exception=None, **_) -> None:
    SAMPLES.append((name, response_time, exception is None))


@events.test_stop.add_listener
def _write(**_) -> None:
    if SAMPLES_FILE:
        Path(SAMPLES_FILE).write_text(json.dumps(SAMPLES))


class ProjectClient(bench_soak.Client):
    """bench_soak's visitor, sending through locust's session (stats per kind)."""

    def __init__(self, session, rng: random.Random):
        tpl = bench_soak.Templates(**TEMPLATES)
        super().__init__("", tpl, bench_soak.Log(), 0, rng)
        self.http = session

    def request(self, kind: str, method: str, path: str, body: dict | None = None, headers=None):
        """One request named by its kind; locust records time and failure."""
        if body is None:
            return self.http.request(method, path, name=kind, headers=headers, timeout=60)
        data = json.dumps(body)
        headers = bench_soak.JSON_HEADERS
        return self.http.request("POST", path, name=kind, data=data, headers=headers, timeout=60)

    def page_url(self, path: str) -> str:
        return self.http.base_url + path


class Visitor(HttpUser):
    """One visitor: a page with a random state, then filter changes, thinking in between."""

    def wait_time(self) -> float:
        return THINK * random.uniform(0.5, 1.5)

    def on_start(self) -> None:
        self.rng = random.Random()
        self.first = True
        if APP == "project":
            self.visitor = ProjectClient(self.client, self.rng)

    def think(self) -> None:
        gevent.sleep(THINK * self.rng.uniform(0.5, 1.5))

    @task
    def visit(self) -> None:
        pages = list(bench_soak.PAGE_WEIGHTS)
        page = self.rng.choices(pages, weights=list(bench_soak.PAGE_WEIGHTS.values()))[0]
        if APP == "project":
            getattr(self.visitor, page)(self.first, self.think)
        else:
            getattr(self, f"baseline_{page}")()
        self.first = False

    # -- the baseline app ----------------------------------------------------------------------

    def post(self, kind: str, body: dict) -> dict:
        headers = {"Content-Type": "application/json", "Accept-Encoding": "gzip, br"}
        resp = self.client.post(
            "/_dash-update-component", data=json.dumps(body), headers=headers, name=kind, timeout=60
        )
        try:
            return resp.json().get("response", {}) if resp.status_code == 200 else {}
        except ValueError:
            return {}

    def open(self, path: str) -> None:
        page = self.client.get(path, name="page")
        if self.first:  # the static files of the page, as a browser fetches them once
            for url in dict.fromkeys(STATIC.findall(page.text or "")):
                self.client.get(url, name="asset")
        self.client.get("/_dash-layout", name="shell")
        self.client.get("/_dash-dependencies", name="shell")
        self.post("cb pages", dash_body("page.children", {"url.pathname": path}, "url.pathname"))

    def baseline_overview(self) -> None:
        opts = TEMPLATES["options"]
        state = {
            "mode.value": self.rng.choice(opts["mode"]),
            "group.value": self.rng.choice(opts["group"]),
            "series.value": None,
            "region.value": self.rng.choice(opts["region"]),
        }
        self.open("/")
        series: list = []
        for step in range(self.rng.randint(1, 4)):
            if step:
                self.think()
                state[self.rng.choice(list(state))] = None
            if state["group.value"] is None:
                state["group.value"] = self.rng.choice(opts["group"])
            if state["mode.value"] is None:
                state["mode.value"] = self.rng.choice(opts["mode"])
            if state["region.value"] is None:
                state["region.value"] = self.rng.choice(opts["region"])
            if step == 0 or state["series.value"] is None:
                out = self.post(
                    "cb series options",
                    dash_body(
                        "series.options",
                        {"group.value": state["group.value"]},
                        "group.value",
                    ),
                )
                series = out.get("series", {}).get("options") or []
                state["series.value"] = self.rng.choice([None, *series[:50]])
            self.post("cb map", dash_body("map.figure", dict(state), "group.value"))

    def baseline_matrix(self) -> None:
        self.open("/matrix")
        for _ in range(self.rng.randint(1, 3)):
            region = self.rng.choice(TEMPLATES["options"]["region"])
            body = dash_body(
                "matrix.children", {"matrix-region.value": region}, "matrix-region.value"
            )
            self.post("cb matrix", body)
            self.think()

    def baseline_country(self) -> None:
        self.open(f"/country/{self.rng.choice(TEMPLATES['countries'])}")
