"""Community submissions (#9): the data layer, audit, hostile files, the API, kills mid-write."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import signal
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa

from data import accounts, queries, views_country
from data import submissions as subs
from data.community_tables import AUDIT, SUBMISSIONS
from data.settings import Settings
from layouts import tables
from tests.community import (
    PASSWORD,
    PROVENANCE,
    disability_rows,
    make_site,
    submit,
    template_csv,
    upload,
)

ROOT = Path(__file__).resolve().parents[1]
XSS = "<script>alert(1)</script>"
FORMULA = '=HYPERLINK("http://evil.example","x")'


@pytest.fixture
def site(tmp_path):
    return make_site(tmp_path)


def _user(name):
    return accounts.find_user(queries.store(), name)


def _verify_chain(store):
    previous = ""
    with store.engine.connect() as conn:
        for row in conn.execute(sa.select(AUDIT).order_by(AUDIT.c.id)).mappings():
            entry = {k: row[k] for k in ("at", "actor", "action", "submission_id")}
            entry.update({k: row[k] for k in ("dataset_id", "checksum", "detail")})
            text = previous + json.dumps(entry, sort_keys=True)
            assert hashlib.sha256(text.encode()).hexdigest() == row["entry_hash"], row["id"]
            previous = row["entry_hash"]


def test_publish_adds_a_community_dataset_and_revert_withdraws_it(site):
    store, settings = site.store, site.settings
    ana, rev = _user("ana"), _user("rev")
    data = template_csv(disability_rows(source="Nairobi survey"))
    sub_id = subs.stage(store, settings, ana, data, "survey.csv")
    subs.submit(store, settings, sub_id, ana, PROVENANCE)
    before = store.datasets()
    dataset = subs.publish(store, settings, sub_id, rev, "thank you")
    after = store.datasets().set_index("id")
    assert set(after.index) - set(before["id"]) == {dataset}  # added, nothing else touched
    assert after.loc[dataset, "source_type"] == "community"
    assert after.loc[dataset, "attribution"] == "DPO Kenya"
    assert after.loc[dataset, "licence"] == "CC BY 4.0"
    obs = store.observations()
    mine = obs[obs["dataset"] == dataset]
    assert len(mine) == 2 and set(mine["source_type"]) == {"community"}
    assert set(mine["source"]) == {"DPO Kenya: Nairobi survey"}
    assert sorted(mine["value"]) == [13.9, 24.6]
    sub = subs.get(store, sub_id, ana)
    assert (sub["status"], sub["note"], sub["dataset_id"]) == ("published", "thank you", dataset)
    # a restart (a new Store on the same directory) finds everything
    queries.configure(settings)
    store = queries.store()
    assert subs.get(store, sub_id, ana)["status"] == "published"
    subs.revert(store, sub_id, rev, "wrong year")
    assert dataset not in set(store.datasets()["id"])
    assert subs.get(store, sub_id, ana)["status"] == "reverted"
    assert (subs.directory(settings) / sub["stored_name"]).read_bytes() == data  # file kept
    entries = subs.audit_entries(store)
    actions = [(e["action"], e["actor"]) for e in entries if e["submission_id"] == sub_id]
    assert actions == [("revert", "rev"), ("publish", "rev"), ("submit", "ana"), ("upload", "ana")]
    sha = hashlib.sha256(data).hexdigest()
    assert {e["checksum"] for e in entries if e["submission_id"] == sub_id} == {sha}
    _verify_chain(store)


def test_reject_keeps_the_note_for_the_contributor(site):
    ana = site.client("ana")
    r = upload(ana, template_csv(disability_rows()))
    sub_id = int(r.headers["Location"].rsplit("/", 1)[1])
    assert submit(ana, sub_id).status_code == 302
    rev = site.client("rev")
    review = rev.get("/review")
    assert "Fills 1 of" in review.text and "2 new value(s)" in review.text
    from tests.community import token

    rev.post(
        f"/review/{sub_id}/reject",
        data={"note": "n is too small", "csrf_token": token(rev, "/review")},
    )
    page = ana.get(f"/contribute/{sub_id}")
    assert "rejected" in page.text and "n is too small" in page.text
    assert "n is too small" in ana.get("/contribute").text


def test_wizard_maps_unknown_labels_and_previews_fills(site):
    c = site.client("ana")
    r = upload(c, template_csv(disability_rows(label="Has a functional difficulty")))
    sub_id = int(r.headers["Location"].rsplit("/", 1)[1])
    page = c.get(f"/contribute/{sub_id}")
    assert "Has a functional difficulty" in page.text and "It splits no series" in page.text
    from tests.community import token

    form = {
        "map:disability:Has a functional difficulty": "PD",
        "csrf_token": token(c, f"/contribute/{sub_id}"),
    }
    assert c.post(f"/contribute/{sub_id}/labels", data=form).status_code == 302
    page = c.get(f"/contribute/{sub_id}")
    assert "Fills 1 of" in page.text
    form["map:disability:Has a functional difficulty"] = "NOT_A_CODE"
    assert c.post(f"/contribute/{sub_id}/labels", data=form).status_code == 400
    assert submit(c, sub_id, sample_size="many").status_code == 422  # provenance checked
    assert submit(c, sub_id).status_code == 302
    sub = subs.get(site.store, sub_id, _user("ana"))
    assert json.loads(sub["provenance"])["washington_group"] == "yes"


def test_row_level_problems_are_reported(site):
    c = site.client("ana")
    rows = disability_rows() + [["SL_TLF_UEM", "KEN", "2022", "12,5x", "", "", "PD", ""]]
    r = upload(c, template_csv(rows))
    page = c.get(r.headers["Location"])
    assert "1 error(s)" in page.text and "12,5x" in page.text
    assert "<td>4</td>" in page.text  # the row (header = row 1)
    assert "Submit for review" not in page.text


def _xlsx_bytes():
    wb = openpyxl.Workbook()
    for row in [
        ["series", "iso3", "period", "value", "disability"],
        *[r[:4] + [r[6]] for r in disability_rows()],
    ]:
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_file_type_is_sniffed_not_taken_from_the_name(site):
    store, settings, ana = site.store, site.settings, _user("ana")
    sub_id = subs.stage(store, settings, ana, _xlsx_bytes(), "looks-like.csv")
    sub = subs.get(store, sub_id, ana)
    assert sub["kind"] == "xlsx"
    assert subs.check(store, settings, sub, ana)["rows"] == 2
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as zf:
        zf.writestr("data.csv", "a,b\n")
    for data in (b"%PDF-1.7 ...", b"\x89PNG\r\n\x1a\n....", b"MZ\x90\x00", zipped.getvalue(), b""):
        with pytest.raises(subs.SubmissionError, match="CSV"):
            subs.stage(store, settings, ana, data, "data.csv")
    assert subs.sniff(b"\xff\xfes\x00e\x00") == "csv"  # UTF-16 text


def test_upload_size_and_row_caps(tmp_path):
    site = make_site(tmp_path, max_upload_mb=1, max_upload_rows=3)
    ana = _user("ana")
    big = template_csv(disability_rows()) + b"#" * (1024 * 1024 + 10)
    with pytest.raises(subs.SubmissionError) as exc:
        subs.stage(site.store, site.settings, ana, big, "big.csv")
    assert exc.value.status == 413
    c = site.client("ana")
    assert upload(c, big + b"x" * (1024 * 1024)).status_code == 413
    rows = disability_rows() * 2
    for i, r in enumerate(rows):
        r[2] = str(2015 + i)
    sub_id = subs.stage(site.store, site.settings, ana, template_csv(rows), "rows.csv")
    report = subs.check(site.store, site.settings, subs.get(site.store, sub_id, ana), ana)
    assert any(p.code == "too_large" for p in report["problems"]) and report["errors"]


def test_markup_and_formulas_in_labels_stay_text(site):
    store, settings = site.store, site.settings
    ana = site.client("ana")
    data = template_csv(
        disability_rows(label=XSS, source=FORMULA)
        + [
            ["SL_TLF_UEM", "KEN", "2023", "30.1", "50", "", "PD", FORMULA],
        ]
    )
    r = upload(ana, data, name=f"{XSS}.csv")
    sub_id = int(r.headers["Location"].rsplit("/", 1)[1])
    page = ana.get(f"/contribute/{sub_id}").text
    assert XSS not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert submit(ana, sub_id).status_code == 302
    review = site.client("rev").get("/review").text
    assert XSS not in review and "&lt;script&gt;" in review
    dataset = subs.publish(store, settings, sub_id, _user("rev"))
    obs = store.observations()
    mine = obs[obs["dataset"] == dataset]
    assert f"raw:{XSS}" in set(mine["disability"].astype(str))  # stored as typed
    assert f"DPO Kenya: {FORMULA}" in set(mine["source"].astype(str))
    # the country page's provenance table: escaped markup, badge on community rows
    prov = views_country.provenance_rows(mine, {dataset: "d"})
    markup = tables.provenance_table(prov, "caption").children.children
    assert XSS not in markup and "&lt;script&gt;" in markup and "community-badge" in markup
    # exports: the payloads are in the files as text; no cell starts like a formula
    c = site.client()
    for url in (
        "/api/v1/observations?country=KEN&series=SL_TLF_UEM&format=csv",
        "/download/data/country-KEN.csv?group=disability&series=SL_TLF_UEM",
    ):
        export = c.get(url)
        assert export.status_code == 200
        lines = [line for line in export.text.splitlines() if not line.startswith('"#')]
        cells = [cell for row in csv.reader(lines) for cell in row]
        assert any(FORMULA in cell for cell in cells), url
        assert not [cell for cell in cells if cell.startswith(("=", "+", "@"))], url
    api = c.get("/api/v1/observations?country=KEN&series=SL_TLF_UEM").json
    assert f"raw:{XSS}" in json.dumps(api)  # JSON carries the text as typed, never markup


def _post_api(client, data, tok, **form):
    fields = {**form, "file": (io.BytesIO(data), "api.csv")}
    headers = {"Authorization": f"Bearer {tok}"} if tok else {}
    return client.post(
        "/api/v1/submissions", data=fields, headers=headers, content_type="multipart/form-data"
    )


def test_api_submissions(site):
    c = site.client()
    tok = accounts.create_token(site.store, "ana", "script")
    data = template_csv(disability_rows())
    assert _post_api(c, data, "").status_code == 401
    assert _post_api(c, data, "gm_not-a-token").status_code == 401
    r = _post_api(c, data, tok, dry_run="1")
    assert r.status_code == 200 and r.json["status"] == "draft" and r.json["errors"] == 0
    assert r.json["fills"][0]["group"] == "disability" and r.json["changes"]["new"] == 2
    r = _post_api(c, data, tok)  # no provenance
    assert r.status_code == 422 and "sample_size" in r.json["error"]
    r = _post_api(c, data, tok, **PROVENANCE)
    assert r.status_code == 201 and r.json["status"] == "pending"
    assert subs.get(site.store, r.json["submission"], _user("rev"))["status"] == "pending"
    r = _post_api(c, template_csv(disability_rows("UGA")), tok, **PROVENANCE)
    assert r.status_code == 403
    assert [p["code"] for p in r.json["problems"]] == ["not_granted"]
    bad = template_csv(disability_rows() + [["SL_TLF_UEM", "KEN", "2020", "x", "", "", "PD", ""]])
    r = _post_api(c, bad, tok, **PROVENANCE)
    assert r.status_code == 422 and r.json["problems"][0]["row"] == 4
    label = template_csv(disability_rows(label="Lives with a disability"))
    r = _post_api(
        c,
        label,
        tok,
        label_map=json.dumps({"disability": {"Lives with a disability": "PD"}}),
        **PROVENANCE,
    )
    assert r.status_code == 201 and r.json["unmapped"][0]["code"] == "PD"


# -- kills in the middle of a submission or a publication ----------------------------------------
_WORKER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from data import accounts, queries, submissions as subs
    from data.settings import Settings
    from tests.community import PROVENANCE, disability_rows, template_csv
    settings = Settings(data_dir=Path(sys.argv[1]), demo_on_empty=False, cache_type="NullCache")
    store = queries.configure(settings)
    ana, rev = accounts.find_user(store, "ana"), accounts.find_user(store, "rev")
    print("ready", flush=True)
    for i in range(10_000):
        if sys.argv[2] == "submit":
            rows = disability_rows()
            rows[0][3] = str(i)
            sub_id = subs.stage(store, settings, ana, template_csv(rows), f"s{i}.csv")
            subs.submit(store, settings, sub_id, ana, PROVENANCE)
        else:
            for sub in subs.listing(store, rev, "pending"):
                subs.publish(store, settings, sub["id"], rev)
    """
)


def _run_and_kill(data_dir, mode, delay):
    proc = subprocess.Popen(
        [sys.executable, "-c", _WORKER, str(data_dir), mode],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert proc.stdout.readline().strip() == b"ready"
    try:
        proc.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait()


def _consistent(settings):
    store = queries.configure(settings)
    with store.engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(sa.select(SUBMISSIONS)).mappings()]
        audit = [dict(r) for r in conn.execute(sa.select(AUDIT)).mappings()]
    datasets = store.datasets()
    by_submission = {
        json.loads(o).get("submission"): int(i)
        for o, i in zip(datasets["options"], datasets["id"], strict=True)
    }
    obs = store.observations()
    for sub in rows:
        path = subs.directory(settings) / sub["stored_name"]
        assert hashlib.sha256(path.read_bytes()).hexdigest() == sub["checksum"]
        actions = {a["action"] for a in audit if a["submission_id"] == sub["id"]}
        expected = {"draft": {"upload"}, "pending": {"upload", "submit"}}.get(
            sub["status"], {"upload", "submit", "publish"}
        )
        assert actions == expected, (sub["status"], actions)
        if sub["status"] == "published":
            assert by_submission[sub["id"]] == sub["dataset_id"]
            assert (obs["dataset"] == sub["dataset_id"]).sum() == 2
        else:
            assert sub["id"] not in by_submission
    assert set(by_submission) - {None} <= {s["id"] for s in rows if s["status"] == "published"}
    _verify_chain(store)
    return rows


@pytest.mark.slow
def test_a_process_killed_during_submit_or_publish_leaves_no_partial_data(tmp_path):
    make_site(tmp_path / "store", demo_on_empty=False)
    settings = Settings(data_dir=tmp_path / "store", demo_on_empty=False, cache_type="NullCache")
    for delay in (0.05, 0.3, 0.7, 1.1):  # kills land at different moments of the loops
        _run_and_kill(settings.data_dir, "submit", delay)
        _consistent(settings)
    assert any(r["status"] == "pending" for r in _consistent(settings))
    for delay in (0.05, 0.3, 0.6, 1.0, 2.0):
        _run_and_kill(settings.data_dir, "publish", delay)
        rows = _consistent(settings)
    statuses = {r["status"] for r in rows}
    assert "published" in statuses
    # every row names a whole file (checked above); an upload is written before the row that
    # names it, so a kill between the two leaves at most one unnamed file per kill, never read
    named = {r["stored_name"] for r in rows}
    unnamed = [p for p in subs.directory(settings).glob("*.csv") if p.name not in named]
    assert len(unnamed) <= 9, unnamed  # nine kills above
    # and a killed pending submission can still be published afterwards
    rev = accounts.find_user(queries.store(), "rev")
    for sub in subs.listing(queries.store(), rev, "pending"):
        subs.publish(queries.store(), settings, sub["id"], rev)
    _consistent(settings)
    assert PASSWORD  # the accounts of make_site were used by the worker
