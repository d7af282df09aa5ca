"""The country page's answer to a change does not set back a control changed again meanwhile.

The callback answers by setting the group and series controls. A person who chose another
group while the answer to the first choice was on its way would see the first one come back;
after a control's change, a control is set only where the state corrects it (as the overview).
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from dash import no_update

from callbacks.country import STATE_AT
from layouts import state
from layouts.pages import country
from tests import realshape as shape

GROUP_AT, SERIES_AT = 1, 2  # places of the controls among country.sync's outputs


@pytest.fixture(scope="module")
def app(realshape_store):
    from app import create_app

    return create_app(replace(realshape_store, cache_type="NullCache"), warm=False)


def test_a_change_leaves_the_controls_the_person_set_as_they_are(app):
    with app.server.test_request_context("/country/NPL"):
        first = country.sync("NPL", True, "", {"group": None, "series": None}, None, "en")
        shown = first[STATE_AT]
        assert first[GROUP_AT] == shown["group"] and first[SERIES_AT] == shown["series"]
        # the person picks another group; the series shown stays offered or is corrected
        assert shown["group"] != "women"
        chosen = {"group": "women", "series": shown["series"]}
        out = country.sync("NPL", False, "", chosen, shown, "en")
        s = out[STATE_AT]
        assert s["group"] == "women"
        assert out[GROUP_AT] is no_update  # what the browser sent: not set back
        picked = country.pick_series("NPL", {**shown, "group": "women"})
        assert s["series"] == picked
        assert out[SERIES_AT] == (no_update if picked == chosen["series"] else picked)
        # a series the page offers, chosen: neither control is set
        series = {"group": "disability", "series": shape.COMMUNITY_SERIES}
        assert shape.COMMUNITY_SERIES in country.offered_series("NPL", "disability", "all", "all")
        again = country.sync("NPL", False, "", series, s, "en")
        assert again[GROUP_AT] is no_update and again[SERIES_AT] is no_update
        assert again[STATE_AT]["series"] == shape.COMMUNITY_SERIES
        # a value the state corrects (an unknown group) is set to the one shown
        wrong = country.sync("NPL", False, "", {**series, "group": "nobody"}, again[STATE_AT], "en")
        assert wrong[GROUP_AT] == state.DEFAULTS["group"]
        # from the address (load, back/forward) every control is set
        url = country.sync("NPL", True, "?group=older", {"group": None, "series": None}, s, "en")
        assert url[GROUP_AT] == "older" and url[SERIES_AT] == url[STATE_AT]["series"]
