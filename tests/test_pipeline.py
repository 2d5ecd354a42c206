"""End to end: generate -> ingest -> store -> detect -> disrupt -> report, through the CLI."""

import re

import pandas as pd
import pytest
from typer.testing import CliRunner

from crimnet.cli import app
from crimnet.graphs.store import open_store

runner = CliRunner()


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    # 600 people: every check below holds with a wider margin than on 1,500 (random cut reaches 1.0 of the
    # victims at budget, the detected cut 0.0) and the demo takes about half as long
    out = tmp_path_factory.mktemp("demo")
    result = runner.invoke(app, ["demo", "--people", "600", "--seed", "3", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out, result.output


def test_demo_prints_top_clusters_with_reasons_and_cuts(demo_run):
    out, output = demo_run
    assert "Likely perpetrator clusters" in output
    clusters = pd.read_parquet(out / "detect" / "clusters.parquet")
    top = clusters.sort_values("score", ascending=False).head(5)
    # every reported cluster id appears with its score in the printed table
    for cid in top["cluster_id"].astype(str):
        assert cid in output
    assert f"Report: {out / 'report.html'}" in output.replace("\n", "")


def test_report_is_complete_and_offline(demo_run):
    out, _ = demo_run
    page = (out / "report.html").read_text()
    for heading in (
        "Sources ingested",
        "Graph",
        "Likely perpetrator clusters",
        "Disruption strategies compared",
        "Detection against ground truth",
        "Configuration",
    ):
        assert f"<h2>{heading}</h2>" in page
    assert page.count("data:image/png;base64,") >= 2
    assert not re.search(r"(src|href)\s*=\s*[\"']?(https?:)?//", page)
    pages = sorted((out / "clusters").glob("*.html"))
    assert pages and all(p.with_suffix(".png").exists() for p in pages)


def test_disruption_comparison_uses_truth_pairs(demo_run):
    out, _ = demo_run
    summary = pd.read_csv(out / "disrupt" / "summary.csv").set_index("strategy")
    assert {"random", "degree", "victim_controller_cut"} <= set(summary.index)
    assert summary["r_index"].between(0, 1).all()
    # the cut computed from the true victim-controller pairs separates them all within budget
    assert summary.loc["victim_controller_cut", "reachability_at_budget"] == 0
    assert summary.loc["random", "reachability_at_budget"] > 0.5
    # the cut between roles inferred from the evidence (no truth) does better than removing at random
    assert summary.loc["detected_cut", "reachability_at_budget"] < summary.loc["random", "reachability_at_budget"]
    # only the oracle is marked as ranking from the truth, and the report says so
    assert summary.index[summary["uses_ground_truth"]].tolist() == ["victim_controller_cut"]
    page = (out / "report.html").read_text()
    assert "victim_controller_cut: ranked from the planted victim/controller labels themselves" in page


def test_inferred_roles_are_reported_with_evidence(demo_run):
    out, _ = demo_run
    roles = pd.read_csv(out / "detect" / "roles.csv")
    assert set(roles["role"]) <= {"controller", "victim", "other"}
    assert (roles["role"] == "victim").any()
    assert roles.loc[roles["role"] != "other", "evidence"].str.len().gt(0).all()
    assert "Inferred roles" in (out / "report.html").read_text()


def test_risk_scores_are_written_back_to_the_store(demo_run):
    out, _ = demo_run
    scores = pd.read_parquet(out / "detect" / "node_scores.parquet")
    risk = scores[scores["method"] == "infomap_risk"]
    with open_store(out / "store") as db:
        stored = db.query("MATCH (p:Person) WHERE p.risk IS NOT NULL RETURN p.id AS id, p.risk AS risk")
    assert len(stored) == len(risk) > 0
    merged = stored.merge(risk, left_on="id", right_on="node_id")
    assert (merged["risk"] - merged["score"]).abs().max() < 1e-9


@pytest.fixture(scope="module")
def case_rerun(demo_run, tmp_path_factory):
    """`crimnet run-case` of a 300-person case (seed 1, easy) into a copy of the module's demo folder.

    One run checks two things: the run replaces the earlier (demo) run there (issue 18), and of the two spec
    sources given, a spec that cannot read a file its pattern matches is skipped for it (issue 12).
    Returns the case, the run folder (alone in its parent), the demo's people, the spec paths and the output.
    """
    import shutil
    from importlib import resources

    from crimnet.synthetic import generate_case
    from crimnet.tables import CanonicalTables

    root = tmp_path_factory.mktemp("rerun")
    case = generate_case(root / "case", people=300, seed=1, preset="easy").root
    (case / "police_intel_tips.csv").write_text("TIP,NUMBER\nT1,01632 960001\nT2,01632 960002\n")
    (case / "police_intel_old.csv").write_text("X,Y\n1,2\n")  # a layout no spec given reads
    tips = root / "tips.toml"
    tips.write_text(
        '[source]\nname = "tip_line"\nfiles = ["*_tips.csv"]\nrecord_id = "TIP"\n\n'
        '[fields]\nphone = { column = "NUMBER", kind = "phone", region = "GB" }\n\n'
        '[nodes]\nphone = { label = "Phone", id = "phone" }\n'
    )
    shipped = resources.files("crimnet.ingest") / "specs"
    out = root / "runs" / "run"
    shutil.copytree(demo_run[0], out)  # the module's demo (600 people, seed 3) is the earlier run
    first_people = set(CanonicalTables.read(out / "ingest" / "tables").nodes["Person"]["id"])
    assert len(list((out / "clusters").glob("*.html"))) > 2  # the demo's top clusters, more than the rerun's two
    res = runner.invoke(
        app, ["run-case", str(case), "--spec", str(shipped), "--spec", str(tips), "--out", str(out), "--top", "2"]
    )
    assert res.exit_code == 0, res.output
    return {"case": case, "out": out, "first_people": first_people, "specs": (shipped, tips), "output": res.output}


def test_a_rerun_replaces_the_earlier_run_and_a_failed_one_leaves_it(case_rerun, tmp_path):
    """Issue 18: two runs into one folder mixed two towns in its store and kept stale cluster pages."""
    from crimnet.errors import CrimnetError, StoreError
    from crimnet.pipeline import run_case
    from crimnet.tables import CanonicalTables

    out = case_rerun["out"]
    tables = CanonicalTables.read(out / "ingest" / "tables")
    with open_store(out / "store") as db:
        stored = set(db.tables().nodes["Person"]["id"])
        assert db.cases == [tables.case]
    # the store holds the second case's people only, none of the first town's
    assert stored == set(tables.nodes["Person"]["id"]) and not stored & case_rerun["first_people"]
    assert not (out / "case").exists()  # the demo's generated case went with the run it belonged to
    clusters = pd.read_parquet(out / "detect" / "clusters.parquet")
    assert len(clusters)
    # the pages are those of this run's two top clusters (--top 2), no stale page of the demo's five
    pages = {p.stem for p in (out / "clusters").glob("*.html")}
    scores = clusters.set_index(clusters["cluster_id"].astype(str))["score"]
    assert len(pages) == 2 and pages <= set(scores.index)
    assert sorted(scores[list(pages)]) == sorted(scores.nlargest(2))
    assert sorted(p.name for p in out.parent.iterdir()) == ["run"]  # no temporary or old folder beside it

    # a failed run (here: a store of another case) leaves the earlier run as it was, and nothing beside it
    src = tmp_path / "case2"
    src.mkdir()
    (src / "police_intel.csv").write_text(
        "URN,SURNAME,FORENAMES,DOB,NATIONALITY,GENDER,PHONE,ADDRESS,POSTCODE,VRM,INTEL_DATE\n"
        "U1,POPESCU,Ana,04/03/1990,ROMANIA,F,07700 900123,12 High Street,LS1 4AB,AB12 CDE,01/02/2024\n"
    )
    other = tmp_path / "other"
    with open_store(other, create=True) as db:
        db.write(CanonicalTables.from_partial({"Person": pd.DataFrame({"id": ["x"]})}, case="case-other"))
    report, config = (out / "report.html").read_bytes(), (out / "config.json").read_bytes()
    with pytest.raises(StoreError, match="case-other"):
        run_case(src, out, store=str(other), seed=2)
    assert (out / "report.html").read_bytes() == report and (out / "config.json").read_bytes() == config
    assert sorted(p.name for p in out.parent.iterdir()) == ["run"]

    # a folder that is not a run, or a source inside the run folder, is refused before anything runs
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "notes.txt").write_text("keep me")
    with pytest.raises(CrimnetError, match=r"is not a run output \(no config.json\)"):
        run_case(src, tmp_path / "docs")
    with pytest.raises(CrimnetError, match="lies inside the run directory"):
        run_case(out / "ingest", out)
    assert (tmp_path / "docs" / "notes.txt").read_text() == "keep me" and (out / "ingest").is_dir()


def test_run_case_skips_a_spec_that_cannot_read_a_file_when_several_are_given(case_rerun, tmp_path):
    """Issue 12: a shipped spec's pattern (police_intel*.csv) matched another layout's extract and failed the run."""
    import json

    from crimnet.errors import SpecError
    from crimnet.pipeline import run_case

    case, out = case_rerun["case"], case_rerun["out"]
    shipped, tips = case_rerun["specs"]
    flat = " ".join(case_rerun["output"].split())
    assert "warning: spec 'police_intel' skipped for" in flat and "police_intel_tips.csv" in flat
    assert "column 'URN' is not in the header" in flat
    assert "police_intel_old.csv: left out, no spec given can read its header" in flat
    config = json.loads((out / "config.json").read_text())
    assert len(config["warnings"]) == 3  # police_intel for both odd files, and the file left out
    assert config["specs"] == [str(shipped), str(tips)] and config["max_field_chars"] == 65_536  # ingest's default
    summary = pd.read_csv(out / "ingest" / "summary.csv").set_index("file")
    assert summary.loc["police_intel_tips.csv", "source"] == "tip_line"
    assert summary.loc["police_intel_tips.csv", "rows_loaded"] == 2
    assert summary.loc["police_intel.csv", "source"] == "police_intel"  # the regular extract still read by its spec
    assert "police_intel_old.csv" not in summary.index
    assert "left out, no spec given can read its header" in (out / "report.html").read_text()

    # one spec given: a file it matches but cannot read stays an error, and nothing is left behind
    with pytest.raises(SpecError, match="column 'URN' is not in the header"):
        run_case(case / "police_intel_tips.csv", tmp_path / "one", specs=shipped / "police_intel.toml")
    assert not (tmp_path / "one").exists()
