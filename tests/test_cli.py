import json
from pathlib import Path

import pandas as pd
import pytest

from data.cli import main
from tests.conftest import shared_data

FIX = Path(__file__).parent / "fixtures" / "readers"


def run(capsys, settings, *argv):
    code = main(list(argv), settings=settings)
    out, err = capsys.readouterr()
    return code, out, err


def test_validate_clean_and_with_problems(capsys, settings, tmp_path):
    code, out, _ = run(capsys, settings, "validate", str(FIX / "un_api.csv"))
    assert code == 0 and "0 error(s)" in out
    bad = tmp_path / "bad.csv"
    text = (FIX / "un_export.csv").read_text(encoding="utf-8").splitlines()
    text[2] = text[2].replace(",5.6,", ",five,").replace(",2.61,", ",two,")
    bad.write_text("\n".join(text) + "\n", encoding="utf-8")
    code, out, _ = run(capsys, settings, "validate", "--json", str(bad))
    assert code == 1
    problems = json.loads(out)
    assert any(
        p["row"] == 3 and p["column"] == "Value" and p["code"] == "bad_number" for p in problems
    )


def test_import_datasets_remove_and_refusal(capsys, settings, tmp_path):
    code, out, _ = run(capsys, settings, "import", str(FIX / "un_export.csv"))
    assert code == 0 and "imported as dataset 1" in out
    code, out, _ = run(capsys, settings, "import", str(FIX / "un_export.csv"))
    assert code == 0 and "already imported as dataset 1" in out
    bad = tmp_path / "empty.csv"
    bad.write_text("")
    code, _, err = run(capsys, settings, "import", str(FIX / "sdmx_v1.csv"), str(bad))
    assert code == 1 and "nothing was changed" in err and "empty.csv" in err
    code, out, _ = run(capsys, settings, "datasets")
    listing = pd.read_csv(pd.io.common.StringIO(out))
    assert listing["id"].tolist() == [1] and listing.loc[0, "format"] == "un"
    assert run(capsys, settings, "remove", "1")[0] == 0
    assert run(capsys, settings, "remove", "1")[0] == 1


def test_gaps_coverage_export_outputs(capsys, settings):
    run(capsys, settings, "import", str(FIX / "un_export.csv"))
    code, out, _ = run(capsys, settings, "gaps", "--group", "disability", "--country", "KEN")
    gaps = pd.read_csv(pd.io.common.StringIO(out))
    assert code == 0
    assert gaps.columns.tolist() == [
        "iso3",
        "series",
        "group",
        "status",
        "reason",
        "age",
        "latest_year",
    ]
    row = gaps[gaps["series"] == "SL_TLF_UEMDIS"].iloc[0]
    assert row["status"] == "disaggregated" and row["latest_year"] == 2019
    code, out, _ = run(capsys, settings, "coverage", "--group", "disability", "--format", "json")
    cov = pd.DataFrame(json.loads(out)).set_index("iso3")
    assert cov.columns.tolist()[:2] == ["group", "expected"]
    assert cov.loc["KEN", "disaggregated"] >= 1 and len(cov) > 200
    code, out, _ = run(capsys, settings, "export", "--series", "SL_TLF_UEMDIS")
    exp = pd.read_csv(pd.io.common.StringIO(out), dtype=str, keep_default_na=False)
    for col in [
        "series",
        "iso3",
        "m49",
        "period",
        "year",
        "value",
        "source_type",
        "nature",
        "dataset",
        "sex",
        "age",
        "disability",
    ]:
        assert col in exp.columns
    assert set(exp["series"]) == {"SL_TLF_UEMDIS"} and "5.6" in set(exp["value"])


def test_fetch_sdg_offline_is_one_clear_line(capsys, settings):
    from dataclasses import replace

    offline = replace(settings, sdg_api_url="http://127.0.0.1:9")  # nothing listens on port 9
    code, out, err = run(capsys, offline, "fetch-sdg", "--series", "SL_TLF_UEMDIS")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("fetch-sdg: ")


@pytest.mark.realdata
def test_open_sdg_uk_all_17_import_and_unmapped_are_listed(capsys, settings):
    folder = shared_data("open-sdg-uk", "data")
    files = sorted(str(p) for p in folder.glob("indicator_*.csv"))
    assert len(files) == 17
    code, out, err = run(
        capsys,
        settings,
        "import",
        *files,
        "--country",
        "GBR",
        "--keep-conflicts",
        "--licence",
        "OGL v3",
    )
    assert code == 0, err
    assert out.count("imported as dataset") == 17
    assert "unmapped ethnicity label 'White'" in out
    code, out, _ = run(capsys, settings, "export", "--country", "GBR")
    exp = pd.read_csv(pd.io.common.StringIO(out), dtype=str, keep_default_na=False)
    assert {"PD", "PWD"} <= set(exp["disability"])
    assert not exp["disability"].str.startswith("raw:Disabled").any()


def test_validate_warnings_only_exit_0_unless_strict(capsys, settings):
    path = str(FIX / "un_export.csv")  # one "N" value: a warning
    assert run(capsys, settings, "validate", path)[0] == 0
    assert run(capsys, settings, "validate", "--strict", path)[0] == 1


def test_same_file_other_options_is_flagged(capsys, settings):
    path = str(FIX / "opensdg" / "data" / "indicator_8-5-2.csv")
    assert run(capsys, settings, "import", path, "--country", "GBR")[0] == 0
    code, out, _ = run(capsys, settings, "import", path, "--country", "gbr")
    assert code == 0 and "already imported as dataset 1" in out  # same import, normalised
    code, out, _ = run(capsys, settings, "import", path, "--country", "826")
    assert "already imported as dataset 1" in out
    code, out, _ = run(
        capsys, settings, "import", path, "--country", "GBR", "--source-type", "community"
    )
    assert "imported as dataset 2" in out and "the same file is already dataset 1" in out
