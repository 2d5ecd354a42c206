"""Exports for Gephi, i2 Analyst's Notebook and web tools, and the export, viz and report commands (issue 15).

A hand-made run folder (tables, clusters, risk scores, roles), so every test runs in seconds.
"""

from __future__ import annotations

import csv
import json
import re

import networkx as nx
import pandas as pd
import pytest
from typer.testing import CliRunner

from crimnet.cli import app
from crimnet.export import (
    I2_ENTITY_COLUMNS,
    I2_LINK_COLUMNS,
    build_subnetwork,
    export_network,
    read_export_case,
    select_subnetwork,
)
from crimnet.graphs.views import hetero_graph
from crimnet.tables import CanonicalTables
from tests.fixtures import tiny

runner = CliRunner()

FORMULA = '=HYPERLINK("http://x.example","click")'


def _tables() -> CanonicalTables:
    """`tiny()` plus a business with a formula for a name, where p3 works; a postcode (kept out of subnetworks)."""
    frames = dict(tiny().items())
    frames["Business"] = pd.DataFrame(
        {"id": ["01234567"], "name": [FORMULA], "sources": [["company_register"]], "record_ids": [["cr:1"]]}
    )
    frames["WORKS_AT"] = pd.DataFrame(
        {"src": ["p3"], "dst": ["01234567"], "sources": [["payroll"]], "record_ids": [["payroll:9"]]}
    )
    frames["Postcode"] = pd.DataFrame({"id": ["AB1 2CD"], "district": ["AB1"], "sources": [["x"]], "record_ids": [[]]})
    frames["IN_POSTCODE"] = pd.DataFrame(
        {"src": ["AB1 2CD|1 high street"], "dst": ["AB1 2CD"], "sources": [["x"]], "record_ids": [[]]}
    )
    return CanonicalTables.from_partial(frames)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """A run folder as crimnet run-case leaves it, as far as exports read it."""
    root = tmp_path_factory.mktemp("export") / "run"
    _tables().write(root / "ingest" / "tables")
    (root / "config.json").write_text(json.dumps({"method": "infomap", "seed": 0}))
    (root / "detect").mkdir()
    clusters = pd.DataFrame(
        {
            "cluster_id": [7, 8],
            "method": ["infomap", "infomap"],
            "members": [["p1", "p2"], ["p3"]],
            "size": [2, 1],
            "score": [2.5, 0.5],
            "indicators": ["[]", "[]"],
        }
    )
    clusters.to_parquet(root / "detect" / "clusters.parquet")
    scores = pd.DataFrame(
        {"node_id": ["p1", "p2", "p3"], "label": "Person", "method": "infomap_risk", "score": [2.0, 1.0, 0.1]}
    )
    scores.to_parquet(root / "detect" / "node_scores.parquet")
    (root / "detect" / "roles.csv").write_text(
        "cluster_id,node_id,role,evidence\n7,p1,controller,holds the account\n7,p2,victim,pays rent\n"
    )
    (root / "clusters").mkdir()
    (root / "clusters" / "7.html").write_text("<html>old page</html>")
    (root / "report.html").write_text("<html>report</html>")
    return root


def _expected(tables: CanonicalTables, seeds: list[str], hops: int) -> tuple[int, int]:
    """Node and edge counts of the neighbourhood on the heterogeneous graph, counted apart from the export."""
    g = hetero_graph(tables)
    index = {n: i for i, n in enumerate(g.vs["name"])}
    keep = {v for hood in g.neighborhood([index[s] for s in seeds], order=hops) for v in hood}
    sub = g.induced_subgraph(sorted(keep))
    return sub.vcount(), sub.ecount()


# --- the formats ---
@pytest.mark.parametrize("fmt, reader", [("graphml", nx.read_graphml), ("gexf", nx.read_gexf)])
def test_graph_formats_round_trip_with_the_subgraph_counts_and_names(run, tmp_path, fmt, reader):
    out = tmp_path / f"c.{fmt}"
    result = export_network(run, out, fmt=fmt, cluster="7")
    graph = reader(out)
    nodes, edges = _expected(_tables(), ["Person:p1", "Person:p2"], 1)
    assert (graph.number_of_nodes(), graph.number_of_edges()) == (nodes, edges) == (result.nodes, result.links)
    assert (nodes, edges) == (6, 7)  # 2 people, phone, address, 2 accounts; the two payments are one edge
    assert graph.nodes["Person:p1"]["label"] == "Ana Pop"
    assert graph.nodes["Address:AB1 2CD|1 high street"]["label"] == "1 High Street, AB1 2CD"
    assert graph.nodes["Phone:+447700900001"]["label"] == "+447700900001"
    p1 = graph.nodes["Person:p1"]
    assert p1["type"] == "Person" and p1["identity"] == "p1" and p1["role"] == "controller"
    assert p1["cluster"] == "7" and p1["risk"] == pytest.approx(2.0) and p1["sources"] == "police_intel"
    paid = [d for _, _, d in graph.edges(data=True) if d.get("relationship") == "PAID"]
    assert len(paid) == 1 and paid[0]["count"] == 2 and paid[0]["amount"] == 12845
    assert paid[0]["date"] == "2025-02-01" and paid[0]["last_date"] == "2025-02-03"
    assert paid[0]["record_ids"] == "bank_transactions:TX1; bank_transactions:TX2"
    assert graph.has_edge("Account:111111:00000001", "Account:111111:00000002")  # the payer first
    assert not graph.has_edge("Account:111111:00000002", "Account:111111:00000001")


def test_i2_files_have_the_import_layout_and_neutralised_formulas(run, tmp_path):
    result = export_network(run, tmp_path / "i2", fmt="i2")
    entities_path, links_path = result.paths
    with entities_path.open(newline="", encoding="utf-8") as f:
        entities = list(csv.reader(f))
    with links_path.open(newline="", encoding="utf-8") as f:
        links = list(csv.reader(f))
    assert tuple(entities[0][:3]) == I2_ENTITY_COLUMNS == ("Entity Type", "Identity", "Label")
    assert tuple(links[0][:6]) == I2_LINK_COLUMNS
    assert I2_LINK_COLUMNS == ("From Type", "From Identity", "To Type", "To Identity", "Link Type", "Date")
    # the whole case: 3 people, 1 phone, 1 address, 2 accounts, 1 business, 1 postcode; every relationship row
    # but the second payment of the same pair
    assert len(entities) - 1 == result.nodes == 9
    assert len(links) - 1 == result.links == 2 + 3 + 2 + 1 + 1 + 1
    business = next(row for row in entities if row[0] == "Business")
    assert business[2].startswith("'=") and business[2][1:] == FORMULA  # neutralised, otherwise as written
    assert not [c for row in entities + links for c in row if c[:1] in ("=", "@", "\t")]  # no cell runs as a formula
    phone = next(row for row in entities if row[0] == "Phone")
    assert phone[1] == phone[2] == "+447700900001"  # a number is no formula: left as it is
    ana = next(row for row in entities if row[1] == "p1")
    assert ana[2] == "Ana Pop"
    paid = next(row for row in links if row[4] == "PAID")
    assert paid[:6] == ["Account", "111111:00000001", "Account", "111111:00000002", "PAID", "2025-02-01"]
    header = links[0]
    assert paid[header.index("From Label")] == "111111:00000001" and paid[header.index("count")] == "2"
    assert paid[header.index("amount")] == "12845"  # minor units, whole: not 12845.0
    works = next(row for row in links if row[4] == "WORKS_AT")
    assert works[header.index("To Label")].startswith("'=")


def test_one_link_per_event_for_timelines(run, tmp_path):
    result = export_network(run, tmp_path / "ev", fmt="i2", cluster="7", events=True)
    links = pd.read_csv(result.paths[1], dtype=str, keep_default_na=False)
    paid = links[links["Link Type"] == "PAID"].sort_values("Date")
    assert paid["Date"].tolist() == ["2025-02-01", "2025-02-03"] and paid["time"].tolist() == ["10:00:00"] * 2
    assert paid["amount"].tolist() == ["12345", "500"] and paid["reference"].tolist() == ["RENT", ""]
    assert result.links == 8  # the 7 edges of the cluster's neighbourhood, the payments apart
    graph = nx.read_graphml(export_network(run, tmp_path / "ev.graphml", cluster="7", events=True).paths[0])
    assert graph.number_of_edges() == 8


def test_json_is_node_link_with_counts_and_lists(run, tmp_path):
    out = tmp_path / "p.json"
    result = export_network(run, out, fmt="json", person="ana pop", hops=2)
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert set(doc) == {"title", "directed", "nodes", "links"}
    nodes, edges = _expected(_tables(), ["Person:p1"], 2)
    assert len(doc["nodes"]) == result.nodes == nodes == 7  # all but the postcode (not a network node)
    assert len(doc["links"]) == result.links == edges
    ana = next(n for n in doc["nodes"] if n["id"] == "Person:p1")
    assert ana["label"] == "Ana Pop" and ana["type"] == "Person"
    assert ana["properties"]["record_ids"] == ["police_intel:1"] and ana["properties"]["dob"] == "1990-01-02"
    ids = {n["id"] for n in doc["nodes"]}
    assert all(link["source"] in ids and link["target"] in ids for link in doc["links"])
    assert doc["title"].startswith("Ana Pop")


def test_the_whole_case_keeps_every_table_row(run):
    case = read_export_case(run)
    sub = build_subnetwork(case, select_subnetwork(case))
    assert len(sub.nodes) == sum(len(df) for df in case.tables.nodes.values())
    assert sub.nodes["key"].is_unique


def test_paths_between_two_people_and_a_store_in_its_run(run, tmp_path):
    from crimnet.graphs.store import open_store

    with open_store(run / "store", create=True) as db:
        db.write(_tables())
    store = str(run / "store")
    result = export_network(None, tmp_path / "path.json", fmt="json", store=store, between=("p1", "p3"), hops=0)
    doc = json.loads((tmp_path / "path.json").read_text())
    assert {n["id"] for n in doc["nodes"]} == {"Person:p1", "Person:p3", "Address:AB1 2CD|1 high street"}
    assert result.links == 2 and "The shortest path (2 hops) between Ana Pop" in result.title
    around = export_network(None, tmp_path / "around.json", fmt="json", store=store, between=("p1", "mia lee"))
    assert (around.nodes, around.links) == _expected(_tables(), [n["id"] for n in doc["nodes"]], 1) == (7, 7)
    # the store lies in a run folder: the run's clusters come with it
    assert export_network(None, tmp_path / "c.json", fmt="json", store=str(run / "store"), cluster="8").nodes == 3


# --- the commands ---
def test_export_command_writes_and_counts(run, tmp_path):
    out = tmp_path / "c.gexf"
    res = runner.invoke(app, ["export", str(run), "--cluster", "7", "--format", "gexf", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "6 nodes" in res.output and "7 links" in res.output and "2 Person" in res.output
    assert nx.read_gexf(out).number_of_nodes() == 6


@pytest.mark.parametrize(
    "argv, named",
    [
        (["export", "--store", "{tmp}/no-such-store", "--out", "{tmp}/x.graphml"], "{tmp}/no-such-store"),
        (["export", "{tmp}/no-such-run", "--out", "{tmp}/x.graphml"], "{tmp}/no-such-run"),
        (["export", "{run}", "--cluster", "4242", "--out", "{tmp}/x.graphml"], "'4242'"),
        (["export", "{run}", "--person", "nobody here", "--out", "{tmp}/x.graphml"], "'nobody here'"),
        (["viz", "{run}", "--cluster", "4242", "--out", "{tmp}/x.html"], "'4242'"),
        (["export", "{run}", "--cluster", "7", "--person", "p1", "--out", "{tmp}/x.json"], "--cluster and --person"),
        (["export", "{run}", "--person", "p1", "--hops", "9", "--out", "{tmp}/x.json"], "--hops must be"),
        (["report", "{tmp}"], "{tmp}: not a run folder"),
    ],
)
def test_a_wrong_input_is_an_error_naming_it(run, tmp_path, argv, named):
    res = runner.invoke(app, [a.format(run=run, tmp=tmp_path) for a in argv])
    assert res.exit_code == 2, res.output
    assert res.output.startswith("Error: ") and named.format(tmp=tmp_path) in res.output, res.output
    assert "parameter of" not in res.output and "=" not in res.output.split("Error: ")[1].split(" ")[0]
    assert not list(tmp_path.glob("x.*"))


def test_a_misspelled_format_gets_a_suggestion(run, tmp_path):
    res = runner.invoke(app, ["export", str(run), "--format", "gefx", "--out", str(tmp_path / "x")])
    assert res.exit_code == 2 and "Did you mean 'gexf'?" in " ".join(res.output.replace("│", " ").split())


def test_viz_command_draws_a_named_cluster_with_its_cut_points(run, tmp_path):
    out = tmp_path / "c7.html"
    res = runner.invoke(app, ["viz", str(run), "--cluster", "7", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "drew 6 nodes and 7 edges" in res.output
    page = out.read_text(encoding="utf-8")
    assert "ana pop" in page.lower() and "Cluster 7" in page
    assert not re.search(r"(?:src|href)=[\"']?https?:", page)  # offline: nothing fetched


def test_viz_command_says_when_a_subnetwork_is_too_large(run, tmp_path):
    argv = ["viz", str(run), "--person", "p1", "--hops", "2", "--max-nodes", "3", "--out", str(tmp_path / "p.html")]
    res = runner.invoke(app, argv)
    assert res.exit_code == 0, res.output
    assert "7 nodes: more than --max-nodes 3" in res.output


def test_report_command_says_where_the_report_is_and_redraws_the_pages(run):
    res = runner.invoke(app, ["report", str(run)], env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    assert f"Report: {(run / 'report.html').resolve()}" in res.output and "file://" in res.output
    assert str(run / "clusters" / "7.html") in res.output
    redrawn = runner.invoke(app, ["report", str(run), "--redraw"])
    assert redrawn.exit_code == 0, redrawn.output
    assert "redrew 1 page" in redrawn.output
    assert "old page" not in (run / "clusters" / "7.html").read_text() and (run / "report.html").read_text() == (
        "<html>report</html>"
    )  # the report itself is left as the run wrote it
