"""Helpers of the community-data tests (issue #9): a site with accounts, and files to upload."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from data import accounts, queries
from data.settings import Settings

PASSWORD = "correct horse battery staple"
HEADER = ["series", "iso3", "period", "value", "n", "sex", "disability", "source"]
PROVENANCE = {
    "title": "Work and disability survey",
    "collected_by": "DPO Kenya volunteers",
    "method": "household survey, face-to-face",
    "sampling": "random sample of households in 40 settlements",
    "population": "adults 15+ in informal settlements",
    "period": "March-May 2023",
    "sample_size": "2275",
    "washington_group": "yes",
    "consent": "oral informed consent, recorded",
    "anonymisation": "no names kept; settlements grouped",
    "licence": "CC BY 4.0",
}


def template_csv(rows: list[list[Any]], header: list[str] = HEADER) -> bytes:
    """A community template file."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows([header, *rows])
    return buf.getvalue().encode("utf-8")


def disability_rows(iso3: str = "KEN", label: str = "PD", source: str = "") -> list[list[Any]]:
    """A disability split of unemployment (group and reference) for one country."""
    return [
        ["SL_TLF_UEM", iso3, "2023", "24.6", "412", "", label, source],
        ["SL_TLF_UEM", iso3, "2023", "13.9", "1863", "", "PWD", source],
    ]


@dataclass
class Site:
    """The app on a demo store with four accounts (see ``make_site``)."""

    app: Any
    settings: Settings

    @property
    def store(self) -> Any:
        return queries.store()

    def client(self, username: str | None = None) -> Any:
        """A test client, logged in as ``username`` when given."""
        c = self.app.server.test_client()
        if username:
            r = c.post(
                "/login",
                data={"username": username, "password": PASSWORD, "csrf_token": token(c, "/login")},
            )
            assert r.status_code == 302, r.text
        return c


def token(client: Any, path: str) -> str:
    """The CSRF token of the form on ``path``."""
    page = client.get(path)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, f"no form with a CSRF token on {path} ({page.status_code})"
    return found.group(1)


def make_site(data_dir: Path, **settings: Any) -> Site:
    """ana (DPO Kenya, KEN), zed (Other Org, UGA), rev (reviewer), adm (admin)."""
    from app import create_app

    s = Settings(data_dir=data_dir, cache_type="NullCache", **settings)
    app = create_app(s, warm=False)
    store = queries.store()
    for name, role, org, countries in (
        ("ana", "contributor", "DPO Kenya", ["KEN"]),
        ("zed", "contributor", "Other Org", ["UGA"]),
        ("rev", "reviewer", "", []),
        ("adm", "admin", "", []),
    ):
        accounts.add_user(store, name, PASSWORD, role, org)
        if countries:
            accounts.grant(store, name, countries)
    return Site(app, s)


def upload(client: Any, data: bytes, name: str = "survey.csv", country: str = "") -> Any:
    """Post a file to /contribute (with the page's CSRF token)."""
    return client.post(
        "/contribute",
        data={
            "csrf_token": token(client, "/contribute"),
            "country": country,
            "file": (io.BytesIO(data), name),
        },
        content_type="multipart/form-data",
    )


def submit(client: Any, sub_id: int, **fields: str) -> Any:
    """Post the provenance form of a draft."""
    form = {**PROVENANCE, **fields, "csrf_token": token(client, f"/contribute/{sub_id}")}
    return client.post(f"/contribute/{sub_id}/submit", data=form)
