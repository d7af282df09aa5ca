"""The matrix's answer to a change does not set back a control changed again meanwhile.

The callback answers by setting the region, source and sort controls. A person who chose
another region while the answer to the first choice was on its way would see the first one
come back; after a control's change, a control is set only where the state corrects it.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from dash import no_update

from callbacks.matrix import STATE_AT
from layouts import state
from layouts.pages import matrix

AT = {k: 1 + i for i, k in enumerate(matrix.CONTROL_IDS)}  # places among matrix.sync's outputs


@pytest.fixture(scope="module")
def app(realshape_store):
    from app import create_app

    return create_app(replace(realshape_store, cache_type="NullCache"), warm=False)


def test_a_change_leaves_the_controls_the_person_set_as_they_are(app):
    with app.server.test_request_context("/matrix"):
        values = {"region": "002", "source": "all", "sort": "name"}
        out = matrix.sync(False, "", values, None, "en")
        assert out[STATE_AT]["region"] == "002"
        assert all(out[i] is no_update for i in AT.values()), out[1:4]
        # a value the state corrects (an unknown region) is set to the one shown
        wrong = matrix.sync(False, "", {**values, "region": "nowhere"}, None, "en")
        assert wrong[AT["region"]] == state.DEFAULTS["region"]
        assert wrong[AT["sort"]] is no_update and wrong[AT["source"]] is no_update
        # from the address (load, back/forward) every control is set
        url = matrix.sync(True, "?region=002&sort=name", {}, None, "en")
        assert [url[i] for i in AT.values()] == ["002", state.DEFAULTS["source"], "name"]
