"""Merging a case into a store of another case resolves people across both and loses no evidence."""

from __future__ import annotations

import re
import shutil

import pandas as pd
import pytest
from typer.testing import CliRunner

from crimnet.cli import app
from crimnet.graphs.store import load
from crimnet.graphs.store.base import content_hash
from crimnet.graphs.store.embedded import EmbeddedStore
from crimnet.ingest.link_cases import link_cases, union_rows
from crimnet.ingest.pipeline import ingest
from crimnet.pipeline import merge_into
from crimnet.tables import CanonicalTables


@pytest.fixture(scope="module")
def cases(tmp_path_factory):
    """Case 1, its twin (the same files less one tenancy row: another case of the same people), and case 2."""
    from crimnet.synthetic import generate_case

    root = tmp_path_factory.mktemp("merge_cases")
    first = ingest(generate_case(root / "case1", people=200, seed=1, preset="easy").root, root / "ingest1")
    other = ingest(generate_case(root / "case2", people=250, seed=2, preset="easy").root, root / "ingest2")
    shutil.copytree(root / "case1", root / "twin")
    tenancy = root / "twin" / "council_tenancy.csv"
    tenancy.write_text("".join(tenancy.read_text().splitlines(keepends=True)[:-1]))
    twin = ingest(root / "twin", root / "ingest-twin")
    assert len({first.case, twin.case, other.case}) == 3
    return first, twin, other


def provenance(people: pd.DataFrame) -> dict[str, set[str]]:
    return {i: set(r) for i, r in zip(people["id"], people["record_ids"], strict=True)}


def test_the_same_people_in_two_cases_become_one_node_each(cases, tmp_path):
    first, twin, _ = cases
    with EmbeddedStore(tmp_path / "store", create=True) as st:
        st.write(first.tables)
        merged = merge_into(st, twin.tables)
        people = st.tables().nodes["Person"]
        assert st.cases == [first.case, twin.case]
    ours, theirs = provenance(first.tables.nodes["Person"]), provenance(twin.tables.nodes["Person"])
    # nearly every person of the twin is linked, each to a person of the first case resolved from the same records
    # (mostly all of them: the row cut can change a cluster); one described by a name alone (a vehicle keeper
    # without a date of birth) has nothing to link by
    assert len(merged.links) >= 0.98 * len(theirs)
    pairs = list(zip(merged.links["incoming_id"], merged.links["stored_id"], strict=True))
    assert all(theirs[new] & ours[old] for new, old in pairs)
    assert sum(theirs[new] <= ours[old] for new, old in pairs) >= 0.97 * len(pairs)
    assert set(people["id"]) == set(ours) | (set(theirs) - set(merged.links["incoming_id"]))
    # a linked person says why, and the case and id it was linked from
    why = people.set_index("id").loc[merged.links["stored_id"].iloc[0], "resolution"]
    assert f"{twin.case}/{merged.links['incoming_id'].iloc[0]}: linked across cases" in why


def test_a_case_of_other_people_links_almost_no_one_and_replaces_no_event(cases, tmp_path):
    first, _, other = cases
    with EmbeddedStore(tmp_path / "store", create=True) as st:
        st.write(first.tables)
        before = st.tables()
        merged = merge_into(st, other.tables)
        after = st.tables()
    n_other = len(other.tables.nodes["Person"])
    assert len(merged.links) <= 0.01 * n_other  # different synthetic people: a chance namesake at most
    assert len(after.nodes["Person"]) == len(before.nodes["Person"]) + n_other - len(merged.links)
    # the generated cases number their records alike: an event id the store held is kept apart, not replaced
    for rtype in ("PAID", "CALLED", "SEEN_AT"):
        assert len(after.rels[rtype]) == len(first.tables.rels[rtype]) + len(other.tables.rels[rtype]), rtype
    assert merged.kept_apart > 0
    kept = after.rels["PAID"].set_index("id")
    for _, row in first.tables.rels["PAID"].head(50).iterrows():  # the first case's payments as they were
        assert (kept.loc[row["id"], ["src", "dst", "amount"]].tolist()) == [row["src"], row["dst"], row["amount"]]


@pytest.fixture(params=["embedded", pytest.param("bolt", marks=pytest.mark.bolt)])
def empty_store(request, tmp_path):
    if request.param == "embedded":
        st = EmbeddedStore(tmp_path / "store", create=True)
    else:
        from crimnet.graphs.store.neo4j import Neo4jStore

        server = request.getfixturevalue("check_bolt_alive")
        st = Neo4jStore(server.uri, server.auth, batch_size=server.batch_size, dialect=server.dialect)
        st.query("MATCH (n) DETACH DELETE n", write=True)  # a scratch graph (conftest refuses a filled Neo4j)
    yield st
    st.close()


def test_shared_rows_keep_both_cases_provenance(empty_store):
    def case(name: str, person: str, record: str, seen: str) -> CanonicalTables:
        source = record.split(":")[0]
        prov = {"sources": [[source]], "record_ids": [[record]]}
        return CanonicalTables.from_partial(
            {
                "Person": pd.DataFrame({"id": [person], "name": ["ana popescu"], "dob": ["1990-03-04"], **prov}),
                "Phone": pd.DataFrame({"id": ["+447700900123"], **prov}),
                "USES_PHONE": pd.DataFrame(
                    {"src": [person], "dst": ["+447700900123"], "first_seen": [seen], "last_seen": [seen], **prov}
                ),
            },
            case=name,
        )

    st = empty_store
    st.write(case("case-police", "S1", "police:U1", "2024-02-01"))
    merged = merge_into(st, case("case-bank", "N1", "bank:C1", "2025-03-01"))
    after = st.tables()
    assert sorted(st.cases) == ["case-bank", "case-police"]
    assert merged.links[["incoming_id", "stored_id"]].values.tolist() == [["N1", "S1"]]
    assert after.nodes["Person"]["id"].tolist() == ["S1"]
    for table in (after.nodes["Person"], after.nodes["Phone"], after.rels["USES_PHONE"]):
        assert list(table["record_ids"].iloc[0]) == ["bank:C1", "police:U1"]  # both cases' evidence
    uses = after.rels["USES_PHONE"].iloc[0]
    assert (uses["first_seen"], uses["last_seen"]) == ("2024-02-01", "2025-03-01")


def test_a_variant_name_sharing_a_phone_links_and_a_relative_does_not():
    stored = CanonicalTables.from_partial(
        {
            "Person": pd.DataFrame(
                {"id": ["S1", "S2"], "name": ["ana popescu", "ion popescu"], "dob": ["1990-03-04", "1961-11-30"]}
            ),
            "USES_PHONE": pd.DataFrame({"src": ["S1", "S2"], "dst": ["+447700900123", "+447700900123"]}),
        },
        case="case-stored",
    )
    incoming = CanonicalTables.from_partial(
        {
            "Person": pd.DataFrame(
                {"id": ["N1", "N2"], "name": ["ana popesku", "maria popescu"], "dob": ["1990-03-04", "1994-07-21"]}
            ),
            "USES_PHONE": pd.DataFrame({"src": ["N1", "N2"], "dst": ["+447700900123", "+447700900123"]}),
        },
        case="case-new",
    )
    linked = link_cases(stored, incoming)
    assert linked.links[["incoming_id", "stored_id"]].values.tolist() == [["N1", "S1"]]
    people = linked.tables.nodes["Person"].set_index("id")
    assert sorted(people.index) == ["N2", "S1"]
    assert people.loc["S1", "name"] == "ana popescu"  # the stored person's attributes are kept
    uses = linked.tables.rels["USES_PHONE"]
    assert sorted(uses["src"]) == ["N2", "S1"]  # the link's evidence now points at the stored person


def test_union_rows_unites_provenance_and_widens_dates():
    a = pd.DataFrame(
        {"src": ["P1"], "dst": ["A1"], "sources": [["council"]], "record_ids": [["council:T1"]],
         "first_seen": ["2024-01-01"], "last_seen": ["2024-06-01"]}
    )  # fmt: skip
    b = pd.DataFrame(
        {"src": ["P1", "P2"], "dst": ["A1", "A1"], "sources": [["bank"], ["bank"]],
         "record_ids": [["bank:C1"], ["bank:C2"]], "first_seen": ["2023-05-01", None], "last_seen": [None, None]}
    )  # fmt: skip
    out = union_rows("LIVES_AT", [a, b]).set_index(["src", "dst"])
    assert len(out) == 2
    row = out.loc[("P1", "A1")]
    assert row["sources"] == ["bank", "council"] and row["record_ids"] == ["bank:C1", "council:T1"]
    assert (row["first_seen"], row["last_seen"]) == ("2023-05-01", "2024-06-01")


def test_the_cli_merge_resolves_and_says_how_many(cases, tmp_path):
    first, twin, _ = cases
    store = tmp_path / "store"
    load(first.out / "tables", store)
    with EmbeddedStore(store, read_only=True) as st:
        held = content_hash(st.tables())
    refused = CliRunner().invoke(app, ["load", str(twin.out / "tables"), "--store", str(store)])
    assert refused.exit_code != 0 and "--merge" in refused.output
    with EmbeddedStore(store, read_only=True) as st:
        assert content_hash(st.tables()) == held  # the refusal wrote nothing
    done = CliRunner().invoke(app, ["load", str(twin.out / "tables"), "--store", str(store), "--merge"])
    assert done.exit_code == 0, done.output
    n = len(twin.tables.nodes["Person"])
    linked = int(re.search(r"([\d,]+) of ([\d,]+) people resolved to people the store already held", done.output)[1])
    assert f"of {n:,} people resolved" in done.output and linked >= 0.98 * n
    with EmbeddedStore(store, read_only=True) as st:
        assert len(st.tables().nodes["Person"]) <= len(first.tables.nodes["Person"]) + n - linked


@pytest.mark.heavy  # a whole run (about 18 s); merge_into and load --merge are covered above in the normal suite
def test_run_case_merge_reports_on_linked_people(cases, tmp_path):
    from crimnet.pipeline import run_case

    first, twin, _ = cases
    store = tmp_path / "store"
    load(first.out / "tables", store)
    case_dir = twin.out.parent / "twin"
    run = run_case(case_dir, tmp_path / "run", store=str(store), truth=case_dir, merge=True, top=2)
    assert run.report.is_file()
    with EmbeddedStore(store, read_only=True) as st:
        people = set(st.tables().nodes["Person"]["id"])
    ours = set(first.tables.nodes["Person"]["id"])
    assert len(people - ours) <= 0.02 * len(ours)  # the twin's people were resolved to the first case's
    # the run's clusters name the linked (stored) ids, and its evaluation found the planted truth through them
    members = {m for ms in run.clusters["members"] for m in ms}
    assert members and members <= people
    assert run.evaluation is not None and run.evaluation["ring_recall"].max() > 0
