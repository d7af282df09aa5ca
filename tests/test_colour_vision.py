"""Colour (issue #10): every legend the app draws stays readable with a colour-vision deficiency.

Each legend's classes are simulated for deuteranopia, protanopia and tritanopia (colorspacious:
Machado et al. 2009 at severity 100) and compared in CAM02-UCS, a perceptually uniform space;
every pair of classes of one legend must stay at least ``MIN_DELTA_E`` apart (a just-noticeable
difference is about 1; 7 keeps two patches of a map legend apart at a glance). Statuses also
carry a symbol each, so they never depend on colour alone. Text on coloured backgrounds must
reach WCAG's 4.5:1.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from colorspacious import cspace_convert, deltaE

from data.gaps import STATUSES
from layouts import components, theme

MIN_DELTA_E = 7.0
VISION = ["normal", "deuteranomaly", "protanomaly", "tritanomaly"]  # severity 100 = -opia


def rgb(colour: str) -> np.ndarray:
    c = colour.lstrip("#")
    return np.array([int(c[i : i + 2], 16) for i in (0, 2, 4)]) / 255


def seen(colour: str, vision: str) -> np.ndarray:
    if vision == "normal":
        return rgb(colour)
    cvd = {"name": "sRGB1+CVD", "cvd_type": vision, "severity": 100}
    return np.clip(cspace_convert(rgb(colour), cvd, "sRGB1"), 0, 1)


def distance(a: str, b: str, vision: str) -> float:
    return float(
        deltaE(seen(a, vision), seen(b, vision), input_space="sRGB1", uniform_space="CAM02-UCS")
    )


def legend_colours(kind: str) -> list[str]:
    """The colours of the swatches and markers of one legend, as the app builds it."""
    info = {"base": 2015, "counts": {s: {"n": 1} for s in STATUSES}}
    return [c for _, c, glyph in components.legend_entries(kind, "en", info) if glyph and c]


LEGENDS = {
    # the map's legends (layouts.components.legend_entries): one per map mode. The coverage
    # map's fills and its status markers (shapes with a black outline, drawn over the fills)
    # are two legends: a marker is never read as a fill class
    "coverage map fills": legend_colours("coverage")[: len(theme.share_classes()) + 1],
    "coverage map markers": legend_colours("coverage")[len(theme.share_classes()) + 1 :],
    "status map": legend_colours("status"),
    "progress map": legend_colours("progress") + [theme.NO_DATA],  # grey: no series expected
    "values map (no value)": [theme.NO_DATA, *(c for _, c in theme.DISPARITY_SCALE[::4])],
    # the coverage matrix's colour key: the same classes as its cells (cov-0 .. cov-na)
    "matrix key": [c for _, _, c in theme.share_classes()] + [theme.NO_DATA],
    # the country page's time series: group, reference and total lines
    "time series lines": [s["color"] for s in theme.LINE_STYLES.values()],
    # the disparity scale's ends and middle against the "no value" grey
    "disparity scale": [c for _, c in theme.DISPARITY_SCALE[::2]] + [theme.NO_DATA],
}


def test_every_map_mode_has_its_legend_here():
    fills = [c for _, _, c in theme.share_classes()] + [theme.NO_DATA]
    assert LEGENDS["coverage map fills"] == fills  # six coverage classes and "not expected"
    markers = [theme.STATUS_COLOURS[s] for s in STATUSES[1:]]
    assert LEGENDS["coverage map markers"] == markers
    assert len(LEGENDS["status map"]) == len(STATUSES)
    assert len(LEGENDS["progress map"]) == 4
    for kind in ("values", "disparity"):
        assert legend_colours(kind) == [theme.NO_DATA]


@pytest.mark.parametrize("vision", VISION)
@pytest.mark.parametrize("legend", list(LEGENDS))
def test_legend_classes_stay_distinguishable(legend, vision):
    colours = list(dict.fromkeys(c.lower() for c in LEGENDS[legend]))
    assert len(colours) >= 2
    close = [
        (a, b, round(distance(a, b, vision), 1))
        for a, b in itertools.combinations(colours, 2)
        if distance(a, b, vision) < MIN_DELTA_E
    ]
    assert close == [], f"{legend} under {vision}: classes too alike {close}"


def test_the_simulation_tells_a_red_green_pair_apart_from_a_safe_one():
    """The check can fail: pure red and green collapse for deuteranopia, blue-orange does not."""
    assert distance("#d62728", "#2ca02c", "deuteranomaly") < MIN_DELTA_E
    assert distance("#d62728", "#2ca02c", "normal") > 3 * MIN_DELTA_E
    assert distance("#0072B2", "#E69F00", "deuteranomaly") > 3 * MIN_DELTA_E


def test_statuses_never_depend_on_colour_alone():
    assert len(set(theme.STATUS_SYMBOLS.values())) == len(STATUSES)
    assert len(set(theme.STATUS_GLYPHS.values())) == len(STATUSES)
    assert set(theme.STATUS_SYMBOLS) == set(theme.STATUS_GLYPHS) == set(STATUSES)
    for _, colour, glyph in components.legend_entries("status", "en", {}):
        assert glyph in theme.STATUS_GLYPHS.values() and colour


def contrast(a: str, b: str) -> float:
    def lum(c: str) -> float:
        lin = [v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in rgb(c)]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@pytest.mark.parametrize("background", [c for _, _, c in theme.share_classes()] + [theme.NO_DATA])
def test_text_on_every_matrix_class_reaches_4_5_to_1(background):
    assert contrast(theme.text_on(background), background) >= 4.5


def test_interface_text_colours_reach_4_5_to_1():
    # text colours of the theme and assets/app.css on the backgrounds they sit on
    pairs = [
        (theme.TEXT, "#ffffff"),
        (theme.FOCUS, "#ffffff"),
        ("#0b5cad", "#f8f9fa"),  # header links
        ("#0b3d6b", "#ffffff"),  # headline numbers
        ("#495057", "#f8f9fa"),  # header placeholder
        ("#00007a", "#ffffff"),  # high contrast links
    ]
    low = [(f, b, round(contrast(f, b), 2)) for f, b in pairs if contrast(f, b) < 4.5]
    assert low == []
