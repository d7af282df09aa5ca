import json

import pytest

from data.reference import countries
from geo import boundaries


def test_topojson_files_are_valid_with_countries_object():
    for res in boundaries.RESOLUTIONS:
        path = boundaries.topojson_path(res)
        assert path.parent == boundaries.topojson_dir()
        topo = json.loads(path.read_text(encoding="utf-8"))
        assert topo["type"] == "Topology"
        assert topo["objects"]["countries"]["geometries"]
    assert boundaries.topojson_path(110).name == "world_110m.json"
    assert (boundaries.topojson_dir() / "LICENSE").is_file()
    with pytest.raises(ValueError):
        boundaries.topojson_path(10)


def test_map_iso3():
    iso3 = boundaries.map_iso3()
    assert isinstance(iso3, frozenset) and len(iso3) >= 170
    assert {"KEN", "BGD", "IND", "NPL", "VNM"} <= iso3
    assert all(len(code) == 3 and code.isupper() for code in iso3)
    assert boundaries.map_iso3(110) <= boundaries.map_iso3(50)


def test_every_map_id_is_a_reference_country():
    known = set(countries()["iso3"])
    assert boundaries.map_iso3(110) <= known
    assert boundaries.map_iso3(50) <= known


def test_unmappable_reports_every_reference_country_the_map_lacks():
    iso3 = countries()["iso3"].tolist()
    missing = boundaries.unmappable(iso3)
    assert set(missing) == set(iso3) - boundaries.map_iso3()
    assert missing == sorted(set(missing))
    assert {"XKX", "MDV", "SGP"} <= set(missing)
    assert "KEN" not in missing
    assert boundaries.unmappable(["ken", "", None, "ZZZ", "ZZZ"]) == ["ZZZ"]


def test_map_countries_flags_mappable():
    frame = boundaries.map_countries()
    assert frame.set_index("iso3").loc["KEN", "mappable"]
    assert not frame.set_index("iso3").loc["XKX", "mappable"]
    assert frame["mappable"].sum() == len(boundaries.map_iso3())


def test_vendored_css_fetches_nothing():
    css = (boundaries.topojson_dir().parent / "vendor" / "bootstrap.min.css").read_text(
        encoding="utf-8"
    )
    assert "sourceMappingURL" not in css and "@import" not in css and "@font-face" not in css
    import re

    for url in re.findall(r"url\(([^)]*)\)", css):
        assert url.strip("'\"").startswith("data:"), url
