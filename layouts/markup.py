"""Large tables as one markup string: one Dash component instead of thousands.

Dash 4's renderer pays per component: the map's 250-row table as ``html.Tr``/``html.Td``/
``dcc.Link`` (~2,000 components) took 4 s to mount, and its JSON is several times the size of
the markup. ``dcc.Markdown(dangerously_allow_html=True)`` renders an HTML block through a JSX
parser in the browser: the table stays a real ``<table>`` (caption, ``th scope``), and links are
``<dccLink>`` elements, i.e. ``dcc.Link`` with client-side navigation.

The markup is JSX (``className``, ``tabIndex``; ``{`` and ``}`` escaped) and well-formed XML,
which the tests parse. It holds no newline: CommonMark ends an HTML block at a blank line, and
whitespace text is not allowed inside ``<tr>``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from dash import dcc


class Markup(str):
    """Text that is already markup (not escaped again)."""


class Cell(NamedTuple):
    """A body cell with a CSS class."""

    content: Any
    class_name: str


# html.escape(quote=True) plus JSX braces as entities and newlines as spaces, in one pass
_ESCAPES = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        '"': "&quot;",
        "'": "&#x27;",
        "{": "&#123;",
        "}": "&#125;",
        "\n": " ",
    }
)


def esc(value: Any) -> Markup:
    """``value`` as markup text: escaped, braces as entities, on one line."""
    if isinstance(value, Markup):
        return value
    return Markup(str(value).translate(_ESCAPES))


def join(parts: Sequence[Any]) -> Markup:
    """Several pieces of text or markup, in order."""
    return Markup("".join(esc(p) for p in parts))


def tag(name: str, content: Any = "", attrs: dict[str, Any] | None = None) -> Markup:
    """``<name attrs>content</name>`` (``content``: text, markup, or a list of them)."""
    pairs = (attrs or {}).items()
    attributes = "".join(f' {k}="{esc(v)}"' for k, v in pairs if v is not None)
    body = join(content) if isinstance(content, list | tuple) else esc(content)
    return Markup(f"<{name}{attributes}>{body}</{name}>")


def link(text: Any, href: str) -> Markup:
    """A ``dcc.Link`` (an ``<a href>`` that navigates without reloading the page)."""
    return tag("dccLink", text, {"href": href})


def _cell(value: Any, kind: str, attrs: dict[str, Any] | None = None) -> Markup:
    if isinstance(value, Cell):
        return tag(kind, value.content, {**(attrs or {}), "className": value.class_name})
    return tag(kind, value, attrs)


def table(
    caption: str,
    headers: Sequence[Any],
    rows: Sequence[Sequence[Any]],
    *,
    class_name: str = "table table-sm",
    caption_class: str = "caption-top",
    row_headers: bool = True,
) -> Markup:
    """A ``<table>`` with caption, column headers and (optionally) a row header per row.

    Cells are text, ``Markup`` (e.g. ``link``) or ``Cell`` (content with a class).
    """
    head = tag("thead", tag("tr", [_cell(h, "th", {"scope": "col"}) for h in headers]))
    body = []
    for cells in rows:
        first = _cell(cells[0], "th", {"scope": "row"}) if row_headers else _cell(cells[0], "td")
        rest = (c if _is_td(c) else _cell(c, "td") for c in cells[1:])
        body.append(Markup(f"<tr>{first}{''.join(rest)}</tr>"))
    parts = [tag("caption", caption, {"className": caption_class}), head, tag("tbody", body)]
    return tag("table", parts, {"className": class_name})


def _is_td(cell: Any) -> bool:
    """A cell already written as ``<td ...>...</td>`` markup by the caller."""
    return isinstance(cell, Markup) and cell.startswith("<td")


def block(source: str, **props: Any) -> dcc.Markdown:
    """The component that renders ``source`` (markup from this module) as HTML."""
    return dcc.Markdown(source, dangerously_allow_html=True, dedent=False, **props)
