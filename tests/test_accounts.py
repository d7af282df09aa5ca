"""Accounts, login, sessions, CSRF, roles and the admin page of the community pages (#9)."""

from __future__ import annotations

import io
import json

import pytest
import sqlalchemy as sa

from data import accounts, cli
from data import submissions as subs
from data.community_tables import TOKENS, USERS
from tests.community import (
    PASSWORD,
    disability_rows,
    make_site,
    submit,
    template_csv,
    token,
    upload,
)


@pytest.fixture
def site(tmp_path):
    return make_site(tmp_path, login_limit="5 per minute")


@pytest.mark.parametrize(
    "path", ["/contribute", "/contribute/1", "/review", "/admin/users", "/contribute/1/labels"]
)
def test_anonymous_is_sent_to_login(site, path):
    c = site.client()
    r = c.get(path) if not path.endswith("labels") else c.post(path, data={})
    if path.endswith("labels"):  # a post without a token fails CSRF before anything else
        assert r.status_code == 400
        return
    assert r.status_code == 302
    assert r.headers["Location"].startswith("/login?next=")


def test_public_pages_need_no_login(site):
    c = site.client()
    assert c.get("/").status_code == 200
    assert c.get("/contribute/template.csv").data.startswith(b"# Community data template")
    r = c.get("/login")
    assert r.status_code == 200 and 'name="password"' in r.text


def test_login_cookie_flags_and_logout(site):
    c = site.client()
    bad = c.post(
        "/login", data={"username": "ana", "password": "wrong", "csrf_token": token(c, "/login")}
    )
    assert bad.status_code == 401 and "wrong" in bad.text
    r = c.post(
        "/login?next=//evil.example/x",
        data={"username": "ana", "password": PASSWORD, "csrf_token": token(c, "/login")},
    )
    assert r.status_code == 302 and r.headers["Location"] == "/contribute"  # no open redirect
    cookie = next(h for h in r.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    assert c.get("/contribute").status_code == 200
    assert c.post("/logout", data={"csrf_token": token(c, "/contribute")}).status_code == 302
    assert c.get("/contribute").status_code == 302


def test_secure_cookie_setting(tmp_path):
    site = make_site(tmp_path, cookie_secure=True)
    c = site.client()
    r = c.post(
        "/login", data={"username": "ana", "password": PASSWORD, "csrf_token": token(c, "/login")}
    )
    cookie = next(h for h in r.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "Secure" in cookie


def test_login_attempts_are_rate_limited(site):
    c = site.client()
    form = {"username": "ana", "password": "wrong", "csrf_token": token(c, "/login")}
    codes = [c.post("/login", data=form).status_code for _ in range(6)]
    assert codes == [401] * 5 + [429]
    form["password"] = PASSWORD  # even the right password waits
    assert c.post("/login", data=form).status_code == 429


def test_forged_or_missing_csrf_token_is_rejected(site):
    c = site.client("ana")
    data = template_csv(disability_rows())
    for forged in ("", "forged-token", token(site.client("zed"), "/contribute")):
        r = c.post(
            "/contribute",
            data={"csrf_token": forged, "file": (io.BytesIO(data), "s.csv")},
            content_type="multipart/form-data",
        )
        assert r.status_code == 400, forged
    assert subs.listing(site.store, accounts.find_user(site.store, "ana")) == []
    anon = site.client()
    r = anon.post("/login", data={"username": "ana", "password": PASSWORD, "csrf_token": "x"})
    assert r.status_code == 400
    assert c.post("/logout", data={}).status_code == 400


def _pending(site, who="ana", iso3="KEN"):
    c = site.client(who)
    r = upload(c, template_csv(disability_rows(iso3)))
    sub_id = int(r.headers["Location"].rsplit("/", 1)[1])
    assert submit(c, sub_id).status_code == 302
    return c, sub_id


def test_contributor_cannot_publish_reject_or_revert(site):
    c, sub_id = _pending(site)
    before = site.store.datasets()["id"].tolist()
    for action in ("publish", "reject", "revert"):
        r = c.post(f"/review/{sub_id}/{action}", data={"csrf_token": token(c, "/contribute")})
        assert r.status_code == 403
    assert c.get("/review").status_code == 403
    ana = accounts.find_user(site.store, "ana")
    with pytest.raises(subs.SubmissionError):
        subs.publish(site.store, site.settings, sub_id, ana)
    assert subs.get(site.store, sub_id, ana)["status"] == "pending"
    assert site.store.datasets()["id"].tolist() == before


def test_contributor_cannot_submit_for_a_country_not_granted(site):
    c = site.client("ana")
    r = upload(c, template_csv(disability_rows("UGA")))
    sub_id = int(r.headers["Location"].rsplit("/", 1)[1])
    page = c.get(f"/contribute/{sub_id}")
    assert "a country you may submit for (KEN)" in page.text
    assert "Submit for review" not in page.text  # the browser gets no form ...
    r = submit(c, sub_id)  # ... and a forged post is refused by the server
    assert r.status_code == 403
    assert subs.get(site.store, sub_id, accounts.find_user(site.store, "ana"))["status"] == "draft"
    # a file without a country column, with a country chosen that is not granted
    rows = [r[:1] + r[2:] for r in disability_rows()]
    header = [h for h in template_csv([])[:-1].decode().split(",") if h != "iso3"]
    r = upload(c, template_csv(rows, header), country="UGA")
    sub_id = int(r.headers["Location"].rsplit("/", 1)[1])
    assert submit(c, sub_id).status_code == 403


def test_contributor_cannot_see_other_organisations_submissions(site):
    _, zed_sub = _pending(site, "zed", "UGA")
    ana = site.client("ana")
    assert ana.get(f"/contribute/{zed_sub}").status_code == 404
    assert "Other Org" not in ana.get("/contribute").text
    user = accounts.find_user(site.store, "ana")
    assert subs.get(site.store, zed_sub, user) is None
    assert all(s["organisation"] == "DPO Kenya" for s in subs.listing(site.store, user))
    review = site.client("rev").get("/review")
    assert review.status_code == 200 and f"Submission {zed_sub}" in review.text


def test_admin_page_manages_accounts(site):
    for who in ("ana", "rev"):
        assert site.client(who).get("/admin/users").status_code == 403
    c = site.client("adm")
    assert c.get("/admin/users").status_code == 200
    form = {
        "username": "new",
        "password": PASSWORD,
        "role": "contributor",
        "organisation": "Deaf Association",
        "countries": "NPL BGD",
        "csrf_token": token(c, "/admin/users"),
    }
    assert c.post("/admin/users/add", data=form).status_code == 302
    assert accounts.find_user(site.store, "new").countries == ("BGD", "NPL")
    form = {"username": "new", "countries": "NPL", "csrf_token": token(c, "/admin/users")}
    c.post("/admin/users/revoke", data=form)
    assert accounts.find_user(site.store, "new").countries == ("BGD",)
    r = c.post("/admin/users/token", data=form)
    new_token = r.text.split('id="new-token">')[1].split("<")[0]
    assert accounts.user_for_token(site.store, new_token).username == "new"
    c.post("/admin/users/remove", data=form)
    with pytest.raises(accounts.AccountError):
        accounts.find_user(site.store, "new")
    actions = [e["action"] for e in subs.audit_entries(site.store) if e["actor"] == "adm"]
    assert {"user_add", "grant", "revoke", "token_add", "user_remove"} <= set(actions)


def test_passwords_and_tokens_are_hashed_at_rest(site):
    raw = accounts.create_token(site.store, "ana", "script")
    with site.store.engine.connect() as conn:
        hashes = [r[0] for r in conn.execute(sa.select(USERS.c.password_hash))]
        tokens = [r[0] for r in conn.execute(sa.select(TOKENS.c.token_hash))]
    assert all(h.startswith("$argon2id$") and PASSWORD not in h for h in hashes)
    assert raw not in tokens and len(tokens) == 1
    assert accounts.user_for_token(site.store, raw).username == "ana"
    accounts.revoke_tokens(site.store, "ana")
    assert accounts.user_for_token(site.store, raw) is None


def test_cli_users(tmp_path, capsys, monkeypatch):
    settings = make_site(tmp_path).settings
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert cli.main(["users", "add", "boss", "--role", "admin", "--password-stdin"], settings) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert (
        cli.main(["users", "add", "xy", "--organisation", "O", "--password-stdin"], settings) == 1
    )
    assert "at least 10" in capsys.readouterr().err
    assert cli.main(["users", "grant", "ana", "NPL", "bgd"], settings) == 0
    assert cli.main(["users", "revoke", "ana", "KEN"], settings) == 0
    assert cli.main(["users", "grant", "ana", "XXX"], settings) == 1
    capsys.readouterr()
    assert cli.main(["users", "list"], settings) == 0
    listed = capsys.readouterr().out
    assert "boss,admin" in listed and 'ana,contributor,"DPO Kenya",BGD NPL' in listed
    assert cli.main(["users", "token", "ana"], settings) == 0
    assert capsys.readouterr().out.startswith("gm_")
    assert cli.main(["users", "remove", "zed"], settings) == 0
    assert "zed" not in json.dumps([u.username for u in accounts.list_users(site_store())])


def site_store():
    from data import queries

    return queries.store()
