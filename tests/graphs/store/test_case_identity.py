"""A store belongs to a case: another case is refused unless merged, and people of two cases never share an id."""

from __future__ import annotations

import pandas as pd
import pytest

from crimnet.errors import StoreError
from crimnet.graphs.store import load
from crimnet.graphs.store.base import cases_after_write, content_hash
from crimnet.graphs.store.embedded import EmbeddedStore
from crimnet.ingest.pipeline import ingest
from crimnet.tables import CanonicalTables


def case_tables(case: str | None, people: list[str], town: str = "LS1 1AA") -> CanonicalTables:
    """A person per id living at one address of `town`, tagged with `case`."""
    return CanonicalTables.from_partial(
        {
            "Person": pd.DataFrame({"id": people, "name": [f"name {p}" for p in people]}),
            "Address": pd.DataFrame({"id": [town], "postcode": [town]}),
            "LIVES_AT": pd.DataFrame({"src": people, "dst": [town] * len(people)}),
        },
        case=case,
    )


@pytest.fixture(params=["embedded", pytest.param("bolt", marks=pytest.mark.bolt)])
def store(request, tmp_path):
    if request.param == "embedded":
        st = EmbeddedStore(tmp_path / "store", create=True)
    else:
        from crimnet.graphs.store.neo4j import Neo4jStore

        server = request.getfixturevalue("check_bolt_alive")  # the Bolt server, and a clear failure if it dies
        st = Neo4jStore(
            server.uri,
            server.auth,
            batch_size=server.batch_size,
            dialect=server.dialect,
            driver_config={"connection_timeout": 5},
        )
        st.query("MATCH (n) DETACH DELETE n", write=True)  # a scratch graph (conftest refuses a filled Neo4j)
    yield st
    st.close()


def test_another_case_is_refused_naming_both(store):
    a, b = case_tables("case-aaaa", ["p1", "p2"]), case_tables("case-bbbb", ["q1"], town="M1 1AA")
    store.write(a)
    assert store.cases == ["case-aaaa"]
    before = content_hash(store.tables())
    with pytest.raises(StoreError, match=r"case-aaaa.*case-bbbb.*merge"):
        store.write(b)
    assert content_hash(store.tables()) == before and store.cases == ["case-aaaa"]


def test_merge_holds_both_cases(store):
    store.write(case_tables("case-aaaa", ["p1", "p2"]))
    written = store.write(case_tables("case-bbbb", ["q1"], town="M1 1AA"), merge=True)
    assert written["Person"] == 1 and sorted(store.cases) == ["case-aaaa", "case-bbbb"]
    assert sorted(store.tables().nodes["Person"]["id"]) == ["p1", "p2", "q1"]
    # either case may now be written again without merge
    assert sum(store.write(case_tables("case-aaaa", ["p1", "p2"])).values()) == 0


def test_same_case_twice_changes_nothing_and_hand_built_tables_still_load(store):
    a = case_tables("case-aaaa", ["p1", "p2"])
    assert store.write(a)["Person"] == 2
    assert sum(store.write(a).values()) == 0
    # tables without a case (built by hand) are never refused and leave the record alone
    assert store.write(case_tables(None, ["h1"]))["Person"] == 1
    assert store.cases == ["case-aaaa"]


def test_an_empty_store_takes_any_case(store):
    store.write(case_tables(None, []))  # nothing written: the store stays empty and records no case
    assert store.cases == []
    store.write(case_tables("case-bbbb", ["q1"]))
    assert store.cases == ["case-bbbb"]


def test_load_reads_the_case_beside_the_tables(tmp_path):
    case_tables("case-aaaa", ["p1"]).write(tmp_path / "a")
    case_tables("case-bbbb", ["q1"]).write(tmp_path / "b")
    assert CanonicalTables.read(tmp_path / "a").case == "case-aaaa"
    load(tmp_path / "a", tmp_path / "store")
    with pytest.raises(StoreError, match=r"case-aaaa.*case-bbbb"):
        load(tmp_path / "b", tmp_path / "store")
    assert load(tmp_path / "b", tmp_path / "store", merge=True)["Person"] == 1
    assert sum(load(tmp_path / "b", tmp_path / "store").values()) == 0


def test_rule():
    assert cases_after_write(["a"], None, has_rows=True) is None
    assert cases_after_write(["a"], "b", has_rows=False) == ["b"]  # an empty store forgets its old record
    assert cases_after_write([], "b", has_rows=True) == ["b"]  # rows written without a case
    with pytest.raises(StoreError, match="holds case a; the tables to write are case b"):
        cases_after_write(["a"], "b", has_rows=True, where="the store")


@pytest.fixture(scope="module")
def two_cases(tmp_path_factory):
    """Two small generated cases (their record ids repeat: TEN00000001...), ingested."""
    from crimnet.synthetic import generate_case

    root = tmp_path_factory.mktemp("two_cases")
    outs = []
    for seed, people in ((1, 300), (2, 350)):
        case = generate_case(root / f"case{seed}", people=people, seed=seed, preset="easy")
        outs.append(ingest(case.root, root / f"ingest{seed}"))
    return root, outs


def test_cases_are_named_by_content_and_their_people_never_share_an_id(two_cases, tmp_path):
    _, (first, second) = two_cases
    assert first.case and second.case and first.case != second.case
    assert first.tables.case == first.case  # kept beside the tables
    # (the same files ingested again name the same case and the same people: tests/ingest/test_pipeline.py's
    # test_ingest_is_idempotent, on its module's ingest)
    # record keys repeat across the two cases, people ids do not
    keys = lambda r: set(r.resolution["source"] + ":" + r.resolution["record_id"])  # noqa: E731
    assert keys(first) & keys(second)
    assert not set(first.tables.nodes["Person"]["id"]) & set(second.tables.nodes["Person"]["id"])
    # merged into one store, no person is shared: the store holds the people of both, side by side
    store = tmp_path / "store"
    load(first.out / "tables", store)
    with pytest.raises(StoreError, match=rf"{first.case}.*{second.case}"):
        load(second.out / "tables", store)
    load(second.out / "tables", store, merge=True)
    with EmbeddedStore(store, read_only=True) as st:
        people = st.tables().nodes["Person"]
        assert sorted(st.cases) == sorted([first.case, second.case])
    assert len(people) == len(first.tables.nodes["Person"]) + len(second.tables.nodes["Person"])


def test_an_incremental_batch_keeps_the_case_and_its_ids(two_cases, tmp_path):
    root, (first, _) = two_cases
    files = sorted(p for p in (root / "case1").iterdir() if p.is_file() and p.suffix == ".csv")
    half = ingest(files[: len(files) // 2], tmp_path / "half")
    rest = ingest(files[len(files) // 2 :], tmp_path / "rest", previous=tmp_path / "half")
    assert rest.case == half.case == rest.tables.case
    assert half.case != first.case  # a case is named by its first batch's sources
    old = half.resolution.set_index(["source", "record_id"])["entity_id"]
    new = rest.resolution.set_index(["source", "record_id"])["entity_id"].reindex(old.index)
    merged = rest.resolution.set_index(["source", "record_id"])["rule"].reindex(old.index).str.startswith("merged:")
    assert (new[~merged] == old[~merged]).all()
    # the batch loads into the store of its first batch without merge
    load(half.out / "tables", tmp_path / "store")
    assert sum(load(rest.out / "tables", tmp_path / "store").values()) > 0


def test_the_store_alone_keeps_people_of_two_cases_apart_even_with_the_same_names_and_dobs(two_cases, tmp_path):
    import shutil

    root, (first, _) = two_cases
    # a second case made of the first one's files less one tenancy row: another case (content-derived id), whose
    # people have the same names, dates of birth and record keys as the first one's
    twin = tmp_path / "twin"
    shutil.copytree(root / "case1", twin)
    tenancy = twin / "council_tenancy.csv"
    lines = tenancy.read_text().splitlines(keepends=True)
    tenancy.write_text("".join(lines[:-1]))
    second = ingest(twin, tmp_path / "ingest-twin")
    assert second.case != first.case
    store = tmp_path / "store"
    load(first.out / "tables", store)
    load(second.out / "tables", store, merge=True)
    with EmbeddedStore(store, read_only=True) as st:
        people = st.tables().nodes["Person"]
        lived = st.query("MATCH (p:Person)-[:LIVES_AT]->(a:Address) RETURN p.id AS person, a.id AS address")
    ids1, ids2 = set(first.tables.nodes["Person"]["id"]), set(second.tables.nodes["Person"]["id"])
    assert not ids1 & ids2 and set(people["id"]) == ids1 | ids2  # nobody resolved across the cases
    key = people["name"].fillna("") + "|" + people["dob"].fillna("")  # a missing name or dob must not make a NaN key
    in_first = people["id"].isin(ids1)
    shared = set(key[in_first]) & set(key[~in_first])
    assert len(shared) > 0.9 * len(ids2)  # nearly every person of the twin has a namesake of the same dob
    for k in sorted(shared)[:50]:  # each stays two people, one per case
        both = people[key == k]
        assert both["id"].isin(ids1).sum() >= 1 and both["id"].isin(ids2).sum() >= 1
    # and each person's addresses are those of its own case's tables (nothing moved across by the merge)
    own = pd.concat([first.tables.rels["LIVES_AT"], second.tables.rels["LIVES_AT"]])
    assert set(zip(lived.person, lived.address, strict=True)) == set(zip(own.src, own.dst, strict=True))
