"""The download menu's links of a page's state, answered with the page's own callback.

One request per change instead of a second one for the links once the state has arrived.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from dash import Input, Output, no_update
from dash.exceptions import PreventUpdate
from flask import request

from layouts import state
from layouts.i18n import language
from layouts.pages import content
from server import images


def outputs(parts: dict[str, str], duplicate: bool = False) -> list[Output]:
    """A download menu's outputs (``images.MENU_PROPS``), in the order of ``parts``."""
    return [
        Output(i, images.MENU_PROPS[k], allow_duplicate=duplicate)
        for k, i in parts.items()
        if k in images.MENU_PROPS
    ]


def on_load(app, parts: dict[str, str], view, url_id: str, is_here) -> None:
    """Register the callback that sends a page's links for the state it opened with.

    The page's Location sets its href when it mounts (and on back/forward: the address's state
    is the one shown then); the page's own callback brings the links of later changes.
    ``is_here(path)``: whether a path is the page's (else it is being left); ``view``: the
    links' view, or a function of the path that gives it.
    """

    @app.callback(*outputs(parts), Input(url_id, "href"), prevent_initial_call=True)
    def downloads_on_load(href):
        path = path_of(href)
        if not is_here(path):
            raise PreventUpdate  # the URL moved to another page: this one is unmounting
        return for_address(parts, view(path) if callable(view) else view, href)


def links(parts: dict[str, Any], view: str, synced: tuple, at: int, current: Any) -> list[Any]:
    """The menu's values (``images.menu_values`` order) for the state the page shows next.

    ``synced[at]`` is the new state, or ``no_update`` when the state shown (``current``, as
    the browser sent it: validated again) stays.
    """
    s = synced[at] if synced[at] is not no_update else current
    return for_state(parts, view, state.trusted(s, content.choices()))


def for_address(parts: dict[str, Any], view: str, href: Any) -> list[Any]:
    """The menu's values for the state of a page address (what the page shows on load)."""
    query = urlsplit(href).query if isinstance(href, str) else ""
    return for_state(parts, view, state.parse_search(query, content.choices())[0])


def path_of(href: Any) -> str:
    """The path of a page address ("" for none)."""
    return urlsplit(href).path if isinstance(href, str) else ""


def for_state(parts: dict[str, Any], view: str, s: dict[str, str] | None) -> list[Any]:
    """The menu's values for a validated state (``no_update`` for none)."""
    if not s:
        return [no_update] * sum(1 for k in parts if k in images.MENU_PROPS)  # a forged request
    found = images.menu_links(view, state.to_search(s), request.host_url, language())
    return images.menu_values(parts, found)
