"""The download menu's links of a page's state, answered with the page's own callback.

One request per change instead of a second one for the links once the state has arrived. The
links of the address a page opens with come with its layout (``layouts/pages/links.py``).
"""

from __future__ import annotations

from typing import Any

from dash import Output, no_update
from flask import request

from layouts import state
from layouts.i18n import language
from layouts.pages import content
from layouts.pages import links as menu


def outputs(parts: dict[str, str], duplicate: bool = False) -> list[Output]:
    """A download menu's outputs (``links.MENU_PROPS``), in the order of ``parts``."""
    return [
        Output(i, menu.MENU_PROPS[k], allow_duplicate=duplicate)
        for k, i in parts.items()
        if k in menu.MENU_PROPS
    ]


def links(parts: dict[str, Any], view: str, synced: tuple, at: int, current: Any) -> list[Any]:
    """The menu's values (``links.menu_values`` order) for the state the page shows next.

    ``synced[at]`` is the new state, or ``no_update`` when the state shown (``current``, as
    the browser sent it: validated again) stays.
    """
    s = synced[at] if synced[at] is not no_update else current
    return for_state(parts, view, state.trusted(s, content.choices()))


def for_state(parts: dict[str, Any], view: str, s: dict[str, str] | None) -> list[Any]:
    """The menu's values for a validated state (``no_update`` for none)."""
    if not s:
        return [no_update] * sum(1 for k in parts if k in menu.MENU_PROPS)  # a forged request
    found = menu.menu_links(view, state.to_search(s), request.host_url, language())
    return menu.menu_values(parts, found)
