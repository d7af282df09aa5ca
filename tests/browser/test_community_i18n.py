"""The community pages and the API docs page in four languages, in Chromium (issue #10).

Every page (login, contribute step 1, a draft whose file has errors, a clean draft at step 5,
review, admin, the API docs) in en, fr, es and ar: axe finds nothing, ``<html lang dir>`` is
the language's, the page shows the catalogue's words (and no catalogue key), its form
controls are found by their translated accessible names (Playwright's role queries), and Tab
alone reaches every control and comes back round (no keyboard trap). Accounts and
submissions are made with ``data.accounts`` and ``data.submissions`` on the in-process demo
store of ``live_server`` (as ``test_a11y`` does).
"""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from layouts.i18n import LANGUAGES, direction, english, t
from tests.browser.helpers import tab_round
from tests.community import PASSWORD, PROVENANCE, disability_rows, template_csv

USERS = {"i18n-ana": "contributor", "i18n-rev": "reviewer", "i18n-adm": "admin"}
PAGES = ("login", "contribute", "draft-errors", "draft-clean", "review", "admin", "api")


@pytest.fixture(scope="module")
def axe():
    return Axe()


@pytest.fixture(scope="module")
def drafts(live_server):
    """Accounts, and three submissions of i18n-ana: with errors, clean, pending."""
    from data import accounts, queries
    from data import submissions as subs

    store, settings = queries.store(), queries.settings()
    known = {u.username for u in accounts.list_users(store)}
    for name, role in USERS.items():
        if name not in known:
            accounts.add_user(store, name, PASSWORD, role, "Forum des personnes handicapées")
    accounts.grant(store, "i18n-ana", ["KEN"])
    ana = accounts.find_user(store, "i18n-ana")
    bad = template_csv([["SL_TLF_UEM", "KEN", "2023", "12,5x", "4", "", "PD", ""]])
    made = {
        "draft-errors": subs.stage(store, settings, ana, bad, "errors.csv", ""),
        "draft-clean": subs.stage(
            store, settings, ana, template_csv(disability_rows()), "ok.csv", ""
        ),
    }
    pending = subs.stage(store, settings, ana, template_csv(disability_rows()), "p.csv", "")
    subs.submit(store, settings, pending, ana, PROVENANCE)
    return made


class Sessions(dict):
    """Account -> session cookies, with the submissions of ``drafts``."""

    def __init__(self, cookies, drafts):
        super().__init__(cookies)
        self.drafts = drafts


def _log_in(page, live_server, username, lang):
    page.goto(live_server.at(f"/login?lang={lang}"))
    page.get_by_label(t("community.login.username", lang), exact=True).fill(username)
    page.get_by_label(t("community.login.password", lang), exact=True).fill(PASSWORD)
    page.get_by_role("button", name=t("community.login", lang), exact=True).click()
    page.wait_for_url(lambda url: "/login" not in url)


@pytest.fixture(scope="module")
def sessions(browser, live_server, drafts):
    """One log-in per account, through the form (the login limit counts attempts per address)."""
    cookies = {}
    for n, username in enumerate(USERS):
        context = browser.new_context(locale="en-GB")
        page = context.new_page()
        page.set_default_timeout(20_000)
        _log_in(page, live_server, username, LANGUAGES[n % len(LANGUAGES)])
        cookies[username] = [c for c in context.cookies() if c["name"] != "gapmap_lang"]
        context.close()
    return Sessions(cookies, drafts)


def _open(page, live_server, sessions, where, lang):
    """Log in as the page's user and open it in ``lang``; return (path, title key)."""
    user, path, title = {
        "login": (None, "/login", "community.login"),
        "contribute": ("i18n-ana", "/contribute", "community.nav.contribute"),
        "draft-errors": ("i18n-ana", f"/contribute/{sessions.drafts['draft-errors']}", None),
        "draft-clean": ("i18n-ana", f"/contribute/{sessions.drafts['draft-clean']}", None),
        "review": ("i18n-rev", "/review", "community.title.review"),
        "admin": ("i18n-adm", "/admin/users", "community.nav.accounts"),
        "api": (None, "/api/docs", "api.title"),
    }[where]
    if user:
        page.context.add_cookies(sessions[user])
    page.goto(live_server.at(f"{path}?lang={lang}"))
    if title is None:
        sub_id = int(path.rsplit("/", 1)[-1])
        return path, t("community.title.submission", lang, id=sub_id)
    return path, t(title, lang)


# what each page must offer, found by role and translated name: (role, key)
CONTROLS = {
    "login": [
        ("textbox", "community.login.username"),
        ("button", "community.login"),
    ],
    "contribute": [
        ("combobox", "community.upload.country"),
        ("button", "community.upload.button"),
        ("link", "community.upload.template_link"),
    ],
    "draft-errors": [("region", "community.check.region"), ("heading", "community.check.heading")],
    "draft-clean": [
        *(("textbox", f"community.field.{f}") for f in ("title", "collected_by", "licence")),
        ("combobox", "community.field.washington_group"),
        ("button", "community.prov.submit"),
    ],
    "review": [
        ("textbox", "community.review.note"),
        ("button", "community.review.publish"),
        ("button", "community.review.reject"),
        ("region", "community.review.audit_region"),
    ],
    "admin": [
        ("textbox", "community.login.username"),
        ("combobox", "community.admin.col.role"),
        ("button", "community.admin.add"),
    ],
    "api": [("link", "api.openapi"), ("heading", "api.contents")],
}


def _describe(violations):
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} -> "
        + "; ".join(str(n["target"]) for n in v["nodes"][:5])
        for v in violations
    )


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("where", PAGES)
def test_every_community_page_and_the_api_docs_in_every_language(
    page, live_server, axe, sessions, where, lang
):
    path, title = _open(page, live_server, sessions, where, lang)
    html = page.locator("html")
    expect(html).to_have_attribute("lang", lang)
    expect(html).to_have_attribute("dir", direction(lang))
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.get_by_role("main")).to_have_count(1)
    languages = page.get_by_role("navigation", name=t("shell.language", lang), exact=True)
    for code in LANGUAGES:
        expect(languages.locator(f'a[hreflang="{code}"]')).to_have_attribute(
            "href", re.compile(rf"^{re.escape(path)}\?(.*&)?lang={code}$")
        )
    for role, key in CONTROLS[where]:
        expect(page.get_by_role(role, name=t(key, lang), exact=True).first).to_be_visible()
    if where == "draft-errors":
        expect(
            page.locator("#problems td span[lang=en]" if lang != "en" else "#problems")
        ).to_have_count(1)
    text = page.locator("body").inner_text()
    leaked = [k for k in english() if re.search(rf"(?<![\w/.]){re.escape(k)}(?![\w.])", text)]
    assert leaked == [], f"catalogue keys shown as text: {leaked}"
    results = axe.run(page)
    assert results.response["violations"] == [], _describe(results.response["violations"])


@pytest.mark.parametrize(
    "where,lang,words",
    [
        ("login", "fr", ["Nom d’utilisateur", "Mot de passe", "Se connecter"]),
        ("draft-errors", "fr", ["2. Vérification de chaque ligne", "1 erreur(s) : corrigez"]),
        ("draft-clean", "fr", ["Qui a collecté les données", "Soumettre à relecture"]),
        ("review", "ar", ["ملاحظة إلى المساهم", "سجل التدقيق (الأحدث أولًا)"]),
        ("admin", "ar", ["إضافة حساب", "اسم المستخدم"]),
        ("api", "ar", ["واجهة برمجة البيانات", "القيم المسموح بها"]),
        ("contribute", "es", ["1. Subir un archivo", "Subir y verificar"]),
    ],
)
def test_the_pages_show_the_translation_not_the_english(
    page, live_server, sessions, where, lang, words
):
    _open(page, live_server, sessions, where, lang)
    body = page.locator("body")
    for word in words:
        expect(body).to_contain_text(word)
    translated = page.get_by_role("heading", level=1).inner_text()
    _open(page, live_server, sessions, where, "en")
    assert page.get_by_role("heading", level=1).inner_text() != translated


def test_an_arabic_page_is_mirrored(page, live_server, sessions):
    _open(page, live_server, sessions, "contribute", "ar")
    page.set_viewport_size({"width": 1280, "height": 900})
    home = page.get_by_role("link", name=t("app.title", "ar"), exact=True)
    box = home.bounding_box()
    assert box["x"] > 640, "the site's name starts the header on the right in Arabic"
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"


@pytest.mark.parametrize("lang", ["fr", "ar"])
@pytest.mark.parametrize("where", PAGES)
def test_tab_alone_reaches_every_control_and_comes_back_round(
    page, live_server, sessions, where, lang
):
    _open(page, live_server, sessions, where, lang)
    page.locator("body").focus()
    total, seen = tab_round(page, f"on {where} ({lang})")
    assert total >= 3
    assert len(seen) == total, f"{len(seen)} of {total} controls reached by Tab: {seen}"
    assert len(set(seen)) == len(seen), f"focus came twice to an element: {seen}"
    assert [k for k in seen if k.startswith("NORING:")] == [], "no visible focus"
    assert re.match(r"A\d+#:#", seen[0]) and t("shell.skip", lang) in seen[0]  # the skip link
