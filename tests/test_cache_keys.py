"""Values a client sends never become cache keys unvalidated (#11 item 5).

Every callback's inputs and states are forged (a browser is not needed to POST them), with
random strings, numbers, lists and dicts where the page sends codes; so are the query strings
and headers of the server routes. The shared cache must not grow with them (random values would
fill it and evict the warm entries), and no answer is a 500.
"""

from __future__ import annotations

import json
import random
from dataclasses import replace

import pytest

from tests.test_app_smoke import build_small_store

FORGED = 12


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    from app import create_app

    settings = build_small_store(tmp_path_factory.mktemp("store"))
    return create_app(replace(settings, cache_type="SimpleCache"), warm=False)


def _keys(app) -> int:
    from data.cache import cache

    with app.server.app_context():
        return len(cache.cache._cache)


def _outputs(key: str) -> list[dict[str, str]] | dict[str, str]:
    parts = key.strip(".").split("...")
    found = [dict(zip(("id", "property"), p.rsplit(".", 1))) for p in parts]
    return found if key.startswith("..") else found[0]


def _value(prop: str, component: str, i: int, rng: random.Random):
    """A forged value of the kind a client could send for this property."""
    evil = f"evil-{i}-{rng.randrange(10**9)}"
    if prop in ("search",):
        fields = ("group", "mode", "goal", "series", "year", "region", "source", "base", "sort")
        return "?" + "&".join(f"{f}={evil}" for f in fields) + f"&lang={evil}"
    if prop == "pathname":
        return {"country-url": f"/country/{evil}"}.get(component, "/")
    if prop == "data":
        keys = ("mode", "group", "goal", "series", "year", "region", "source", "base", "sort")
        return rng.choice([dict.fromkeys(keys, evil), evil, [evil], 1e308, None])
    if prop in ("n_clicks", "n_clicks_timestamp"):
        return rng.choice([i, -i, evil])
    return rng.choice([evil, [evil], {"x": evil}, i, None])


def _body(key: str, cb: dict, i: int, rng: random.Random) -> dict:
    def items(deps):
        return [
            {
                "id": d["id"],
                "property": d["property"],
                "value": _value(d["property"], d["id"], i, rng),
            }
            for d in deps
        ]

    inputs = items(cb["inputs"])
    return {
        "output": key,
        "outputs": _outputs(key),
        "inputs": inputs,
        "state": items(cb.get("state", [])),
        "changedPropIds": [f"{inputs[0]['id']}.{inputs[0]['property']}"] if inputs else [],
    }


def _legit(client):
    """Warm every page the usual way (their keys are the ones forged values may reuse)."""
    for path in ("/", "/matrix", "/country/KEN", "/country/KEN?group=sex"):
        assert client.get(path).status_code == 200


def test_forged_callback_values_never_grow_the_cache(app):
    client = app.server.test_client()
    _legit(client)
    rng = random.Random(11)
    codes = []
    for i in range(FORGED):
        for key, cb in list(app.callback_map.items()):
            body = json.dumps(_body(key, cb, i, rng))
            r = client.post("/_dash-update-component", data=body, content_type="application/json")
            codes.append((key, r.status_code))
        if i == FORGED // 2 - 1:  # the first rounds compute the defaults forged values fall
            after_first = _keys(app)  # back to (the seed fixes which rounds do)
    assert not [c for c in codes if c[1] >= 500], [c for c in codes if c[1] >= 500][:5]
    grown = _keys(app) - after_first
    assert grown == 0, f"{grown} cache entries made by {FORGED // 2} rounds of forged values"


@pytest.mark.parametrize(
    "path",
    [
        "/country/KEN/brief?group={e}&source={e}&lang={e}",
        "/country/KEN/brief?group=disability",  # only the Host header is forged
        "/download/data/map.csv",
        "/download/chart/map.svg",
        "/api/v1/gaps?group=disability",
        "/country/{e}/brief",
        "/download/data/map.csv?group={e}&series={e}&lang={e}",
        "/download/data/country-KEN.csv?group={e}&lang={e}",
        "/download/chart/map.svg?group={e}&mode={e}&lang={e}",
        "/api/v1/gaps?group={e}&country={e}",
        "/?group={e}&lang={e}",
        "/matrix?region={e}&sort={e}",
        "/country/KEN?group={e}&series={e}",
    ],
)
def test_forged_query_strings_and_hosts_never_grow_the_cache(app, path):
    client = app.server.test_client()
    _legit(client)
    codes = []
    base_url = "http://localhost/"
    for i in range(FORGED):
        url = path.format(e=f"evil{i}")
        r = client.get(url, base_url=base_url, headers={"Accept-Language": f"x-{i}"})
        codes.append(r.status_code)
        if i == 0:
            after_first = _keys(app)
        base_url = f"http://evil{i}.example/"  # a forged Host header on every later request
    assert all(c < 500 for c in codes), codes
    assert _keys(app) - after_first == 0
