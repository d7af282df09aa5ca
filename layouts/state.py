"""Filter state that lives in the URL query string: parse, validate, serialise.

Stable parameter names: ``mode, group, goal, series, year, region, source, base`` (``base``: the
base year of the progress map) and ``sort`` on the matrix. Anything invalid falls back to its
default and is reported, never raised, so a
hand-edited or stale link still opens a page with a visible notice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode

MODES: tuple[str, ...] = ("gaps", "values", "disparity", "progress")
SOURCES: tuple[str, ...] = ("all", "official", "community")
PARAMS: tuple[str, ...] = (
    "mode",
    "group",
    "goal",
    "series",
    "year",
    "region",
    "source",
    "base",
    "sort",
)
FIRST_BASE = 2000  # the earliest base year offered for the progress map
SORT_ASCENDING = "-asc"  # matrix sort by a group's coverage, lowest first (data.views.ASCENDING)
ALL_SERIES = "all"  # the series select's value for "no single series" (state: "")
DEFAULTS: dict[str, str] = {
    "mode": "gaps",
    "group": "disability",
    "goal": "all",
    "series": "",
    "year": "latest",
    "region": "001",
    "source": "all",
    "base": "2015",  # the SDG baseline
    "sort": "name",
}


@dataclass(frozen=True)
class Choices:
    """What the data offer: the valid values of every parameter."""

    groups: tuple[str, ...]
    goals: tuple[str, ...] = ()
    series_groups: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # series -> groups
    series_goals: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # series -> goals
    years: tuple[int, ...] = ()
    regions: tuple[str, ...] = ("001",)
    as_of: int = 0  # the as-of year of the statuses (0: unknown, any base year from 2000)


def base_years(choices: Choices) -> list[int]:
    """Base years of the progress map: 2000 to the as-of year (and the default), newest first."""
    last = max(choices.as_of, int(DEFAULTS["base"]))
    return list(range(last, FIRST_BASE - 1, -1))


@dataclass(frozen=True)
class Problem:
    """A parameter that was not understood: what was asked, and what is shown instead."""

    param: str
    value: str
    fallback: str


def series_for(group: str, goal: str, choices: Choices) -> list[str]:
    """Series that can be split by ``group`` (and belong to ``goal`` unless it is "all")."""
    return [
        s
        for s, groups in choices.series_groups.items()
        if group in groups and (goal == "all" or goal in choices.series_goals.get(s, ()))
    ]


def _first(value: Any) -> str:
    if isinstance(value, list | tuple):
        value = value[0] if value else ""
    return "" if value is None else str(value).strip()


def _valid(param: str, value: str, state: dict[str, str], choices: Choices) -> bool:
    checks = {
        "mode": lambda v: v in MODES,
        "group": lambda v: v in choices.groups,
        "goal": lambda v: v == "all" or v in choices.goals,
        "series": lambda v: v == "" or v in series_for(state["group"], state["goal"], choices),
        "year": lambda v: v == "latest" or (v.isdigit() and int(v) in choices.years),
        "region": lambda v: v in choices.regions,
        "source": lambda v: v in SOURCES,
        "base": lambda v: v.isdigit() and int(v) in base_years(choices),
        "sort": lambda v: v == "name" or v.removesuffix(SORT_ASCENDING) in choices.groups,
    }
    return checks[param](value)


def validate(query: Mapping[str, Any], choices: Choices) -> tuple[dict[str, str], list[Problem]]:
    """Validated state from query parameters (unknown parameters are ignored).

    Returns:
        The state (every name of ``PARAMS``) and the problems found, in parameter order.
    """
    state: dict[str, str] = {}
    problems: list[Problem] = []
    for param in PARAMS:  # order matters: series is checked against group and goal
        given = _first(query.get(param, ""))
        if param == "series" and given == ALL_SERIES:
            given = ""
        if param == "region" and given.isdigit():
            given = given.zfill(3)
        if given == "" and param != "series":
            given = DEFAULTS[param]
        if _valid(param, given, state, choices):
            state[param] = given
        else:
            state[param] = DEFAULTS[param] if param != "group" else _default_group(choices)
            problems.append(Problem(param, given, state[param]))
    return state, problems


def _default_group(choices: Choices) -> str:
    if DEFAULTS["group"] in choices.groups or not choices.groups:
        return DEFAULTS["group"]
    return choices.groups[0]


def trusted(data: Any, choices: Choices) -> dict[str, str] | None:
    """A filter state sent back by the browser (a dcc.Store), validated again on the server.

    Anyone can POST a callback with any value: the state is never used (nor becomes a cache
    key) as sent. None when it is not a state at all; invalid values fall back to defaults.
    """
    if not isinstance(data, Mapping):
        return None
    return validate({k: v for k, v in data.items() if isinstance(v, str)}, choices)[0]


def parse_search(search: str | None, choices: Choices) -> tuple[dict[str, str], list[Problem]]:
    """``validate`` for a ``location.search`` string such as ``?group=women``."""
    text = (search or "").lstrip("?")
    return validate(parse_qs(text, keep_blank_values=True), choices)


def to_search(state: Mapping[str, str]) -> str:
    """Query string of a state in a fixed parameter order; defaults and empties left out.

    Short links keep the page light (every matrix cell carries one); a missing parameter
    means its documented default, so the state round-trips.
    """
    pairs = [(p, state[p]) for p in PARAMS if state.get(p, "") not in ("", DEFAULTS[p])]
    return "?" + urlencode(pairs) if pairs else ""


def control_value(param: str, value: str) -> str:
    """The value a control shows for a state value (native selects cannot select "")."""
    return ALL_SERIES if param == "series" and value == "" else value


def merge(state: Mapping[str, str], changes: Mapping[str, Any], choices: Choices) -> dict[str, str]:
    """Apply control values to a state; anything the controls made invalid is reset silently."""
    query = {**state, **{k: v for k, v in changes.items() if v is not None}}
    return validate(query, choices)[0]


def resolve(
    from_url: bool,
    search: str | None,
    controls: Mapping[str, Any],
    choices: Choices,
) -> tuple[dict[str, str], list[Problem], bool]:
    """Decide the state after a URL change or a control change.

    Args:
        from_url: True when the URL changed (load, reload, back/forward), False for a control.
        search: the current query string.
        controls: the page's control values by parameter name.
        choices: valid values.

    Returns:
        (state, problems to show, whether the URL must be rewritten). A URL change never
        rewrites the URL (that would add a history entry and break the back button).
    """
    state, problems = parse_search(search, choices)
    if from_url:
        return state, problems, False
    return merge(state, controls, choices), [], True
