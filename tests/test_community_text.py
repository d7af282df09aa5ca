"""The community pages in four languages (issue #10), without a browser.

Every page (login, contribute, a draft with errors, a clean draft, review, admin, refusals)
in each language: ``<html lang dir>``, no catalogue key shown as text, and the refusals that
``data/`` words in English shown in the page's language.
"""

from __future__ import annotations

import re
from html import unescape

import pytest

from data import accounts, submissions
from data.submissions import SubmissionError
from layouts import community_text, i18n
from tests.community import (
    PROVENANCE,
    disability_rows,
    make_site,
    template_csv,
    token,
    upload,
)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    site = make_site(tmp_path_factory.mktemp("community-i18n"), demo_on_empty=True)
    ana = site.client("ana")
    bad = upload(ana, template_csv([["SL_TLF_UEM", "KEN", "2023", "12,5x", "4", "", "PD", ""]]))
    good = upload(ana, template_csv(disability_rows()))
    site.bad = int(bad.headers["Location"].rsplit("/", 1)[-1])
    site.good = int(good.headers["Location"].rsplit("/", 1)[-1])
    pending = upload(ana, template_csv(disability_rows(label="PD")), name="pending.csv")
    site.pending = int(pending.headers["Location"].rsplit("/", 1)[-1])
    form = {**PROVENANCE, "csrf_token": token(ana, f"/contribute/{site.pending}")}
    assert ana.post(f"/contribute/{site.pending}/submit", data=form).status_code == 302
    # one logged-in client per account (the login limit counts log-ins per address)
    site.clients = {None: site.client(), "ana": ana, "rev": site.client("rev")}
    site.clients["adm"] = site.client("adm")
    return site


def _text(html: str) -> str:
    body = html.split("<body>", 1)[-1]
    return unescape(re.sub(r"<[^>]+>", " ", body))


def _leaked(html: str) -> list[str]:
    text = _text(html)
    return [k for k in i18n.english() if re.search(rf"(?<![\w/.]){re.escape(k)}(?![\w.])", text)]


PAGES = [  # (user, path, a French string the page must show)
    (None, "/login", "Nom d’utilisateur"),
    ("ana", "/contribute", "1. Téléverser un fichier"),
    ("ana", "bad", "erreur(s) : corrigez le fichier"),
    ("ana", "good", "5. Comment les données ont été collectées, puis soumettre"),
    ("rev", "/review", "Note au contributeur"),
    ("adm", "/admin/users", "Ajouter un compte"),
    ("ana", "/review", "Cette page n’est pas ouverte à votre compte"),
]


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
@pytest.mark.parametrize("user,where,french", PAGES)
def test_every_community_page_in_every_language(site, lang, user, where, french):
    path = {"bad": f"/contribute/{site.bad}", "good": f"/contribute/{site.good}"}.get(where, where)
    r = site.clients[user].get(f"{path}?lang={lang}")
    assert r.status_code in (200, 403), r.status_code
    assert f'<html lang="{lang}" dir="{i18n.direction(lang)}">' in r.text
    assert _leaked(r.text) == []
    assert r.text.count("<h1") == 1
    for code in i18n.LANGUAGES:  # the language links keep the page
        assert f'href="{path}?lang={code}"' in r.text
    assert ("bootstrap.rtl.min.css" in r.text) == (lang == "ar")
    if lang == "fr":
        assert french in unescape(r.text)
    if lang != "en":  # the page's title is not the English one
        english = site.clients[user].get(f"{path}?lang=en").text
        title = re.search(r"<h1[^>]*>(.*?)</h1>", r.text).group(1)
        assert title != re.search(r"<h1[^>]*>(.*?)</h1>", english).group(1)


def test_the_language_comes_from_the_cookie_and_accept_language(site):
    c = site.client()
    assert '<html lang="es"' in c.get("/login", headers={"Accept-Language": "es"}).text
    c.get("/login?lang=ar")  # remembered
    page = c.get("/login", headers={"Accept-Language": "es"}).text
    assert '<html lang="ar" dir="rtl">' in page and "اسم المستخدم" in page


def test_a_french_refusal_is_french(site):
    c = site.client()
    r = c.post(
        "/login?lang=fr",
        data={"username": "ana", "password": "wrong", "csrf_token": token(c, "/login?lang=fr")},
    )
    assert r.status_code == 401
    assert "Le nom d’utilisateur ou le mot de passe est incorrect." in unescape(r.text)
    # a form posted from a French page answers in French (the Referer's lang=)
    ana = site.clients["ana"]
    page = f"/contribute/{site.good}?lang=fr"
    form = {"csrf_token": token(ana, page), "title": "x"}
    r = ana.post(f"/contribute/{site.good}/submit", data=form, headers={"Referer": page})
    assert r.status_code == 422
    text = unescape(r.text)
    assert "Non soumis : manquant ou incorrect : Qui a collecté les données, Comment elles" in text


def test_the_check_of_a_file_words_its_own_parts_and_marks_the_english_ones(site):
    raw = site.clients["ana"].get(f"/contribute/{site.bad}?lang=es").text
    page = unescape(raw)
    assert "1 error(es): corrija el archivo" in page
    assert "<td>error</td>" in page  # the severity (the same word in Spanish)
    expected = re.findall(r'<td>no es un número: <span lang="en">a number such as 12.5', raw)
    assert expected, "the readers' English sentences are marked as English"


def _raised(fn, *args, **kwargs) -> str:
    with pytest.raises((SubmissionError, accounts.AccountError)) as err:
        fn(*args, **kwargs)
    return str(err.value)


def test_the_reasons_data_gives_in_english_are_translated(site):
    store = site.store
    adm, ana = accounts.find_user(store, "adm"), accounts.find_user(store, "ana")
    reasons = [
        _raised(accounts.add_user, store, "x", "short", "contributor", "Org"),
        _raised(accounts.add_user, store, "ana", "long enough pass", "contributor", "Org"),
        _raised(accounts.add_user, store, "newname", "long enough pass", "boss", "Org"),
        _raised(accounts.add_user, store, "newname", "short", "contributor", "Org"),
        _raised(accounts.add_user, store, "newname", "long enough pass", "contributor", ""),
        _raised(accounts.grant, store, "ana", ["XXX"]),
        _raised(accounts.remove_user, store, "nobody"),
        _raised(submissions.submit, store, site.settings, 9999, ana, PROVENANCE),
        _raised(submissions.publish, store, site.settings, 9999, adm, ""),
        _raised(submissions.submit, store, site.settings, site.good, ana, {"title": "x"}),
    ]
    for lang in ("fr", "es", "ar"):
        for text in reasons:
            assert community_text.reason(text, lang) != text, (lang, text)
    assert community_text.reason("something new", "fr") == "something new"
    missing = community_text.reason("missing or wrong: method, licence", "fr")
    assert missing == "manquant ou incorrect : Comment elles ont été collectées, Licence"
