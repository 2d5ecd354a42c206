"""``crimnet prevalence`` on the command line: a CSV in, the estimate out, bad input refused by name."""

import json

from typer.testing import CliRunner

from crimnet.cli import app

runner = CliRunner()


def test_prevalence_json_reproduces_the_published_main_effects_estimate(tmp_path):
    # New Orleans, 5 lists: main effects 1,034.15 (Chan, Silverman & Vincent 2021).
    result = runner.invoke(app, ["prevalence", "NewOrl_5", "--method", "main-effects", "--nboot", "0", "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["method"] == "main-effects"
    assert out["model"] == []
    assert abs(out["total"] - 1034.15) / 1034.15 < 1e-3
    assert abs(out["hidden"] - (out["total"] - 185)) < 1e-6


def test_prevalence_on_a_two_list_csv_gives_lincoln_petersen(tmp_path):
    csv = tmp_path / "lists.csv"
    csv.write_text("police,ngo,count\n1,0,60\n0,1,30\n1,1,20\n")
    result = runner.invoke(app, ["prevalence", str(csv), "--method", "main-effects", "--nboot", "0", "--json"])
    assert result.exit_code == 0, result.output
    # Lincoln-Petersen: n1 * n2 / m = 80 * 50 / 20 = 200
    assert abs(json.loads(result.output)["total"] - 200.0) < 1e-6


def test_prevalence_refuses_a_bad_cell_naming_row_and_field(tmp_path):
    csv = tmp_path / "bad.csv"
    csv.write_text("A,B,count\n1,0,x\n")
    result = runner.invoke(app, ["prevalence", str(csv)])
    assert result.exit_code == 2
    assert "row 1, field 'count'" in result.output


def test_prevalence_refuses_a_missing_file_and_a_mistyped_method(tmp_path):
    result = runner.invoke(app, ["prevalence", str(tmp_path / "nothere.csv")])
    assert result.exit_code == 2 and "no such file" in result.output
    result = runner.invoke(app, ["prevalence", "NewOrl_5", "--method", "stepwis"])
    assert result.exit_code == 2 and "stepwise" in result.output
