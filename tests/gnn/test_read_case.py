"""Training on ingested tables: read_case finds an ingest's tables and aligns the truth through its resolution."""

from __future__ import annotations

from crimnet.gnn.workflow import read_case
from crimnet.ingest.pipeline import ingest
from crimnet.synthetic.generate import generate_case


def test_an_ingest_output_folder_or_its_tables_give_the_resolved_people_with_their_truth(tmp_path) -> None:
    case = generate_case(tmp_path / "case", people=300, seed=41).root
    res = ingest(case, case / "ingest")
    for given in ("ingest", "ingest/tables", str(case / "ingest")):
        tables, truth = read_case(case, given)
        people = tables.nodes["Person"]
        assert len(people) == len(res.tables.nodes["Person"])
        assert set(truth["node_id"]) <= set(people["id"].astype(str))  # resolved ids, not the generator's
        assert (truth["role"] == "victim").sum() > 0 and (truth["role"] == "controller").sum() > 0
    true_tables, true_truth = read_case(case)
    assert set(true_truth["node_id"]) <= set(true_tables.nodes["Person"]["id"].astype(str))
