"""Query library entries of the data-model additions (landlords, associates, postcodes, wages) on a hand-built case.

The same queries and parameters run on the embedded store and over Bolt (FalkorDB, or Neo4j when
NEO4J_URI is set), and must give the same rows on both.
"""

from __future__ import annotations

import pandas as pd
import pytest

from crimnet.graphs.store.base import normalise_frame
from crimnet.graphs.store.embedded import EmbeddedStore
from crimnet.graphs.store.neo4j import Neo4jStore
from crimnet.queries.runner import list_queries, load_query, run_query
from crimnet.tables import CanonicalTables

MODEL_QUERIES = ("landlord_of", "associates", "seen_near_home", "employment")

A1, A2, A3 = "LS1 4AB|1 a street", "LS1 4AB|2 a street", "LS2 7CD|3 b street"
CAR_WASH, PAYROLL_BIZ, AGENT = "name:sparkle car wash", "01234567", "name:homes and co"


def _lists(*items: str) -> list[list[str]]:
    return [[i] for i in items]


def model_tables() -> CanonicalTables:
    """Landlord L1 lets A1 (tenants T1, T2) and A2 (T3); agent AGENT manages A3 (T4); W1 is paid wages by the
    car wash; T1 works at PAYROLL_BIZ by payroll and keeps V1, seen twice in T1's postcode; S2 lives in a
    postcode only (LIVES_IN), where V2 was seen; S1 names S2 (two wordings), S3 names S1."""
    people = ["L1", "T1", "T2", "T3", "T4", "W1", "S1", "S2", "S3"]
    return CanonicalTables.from_partial(
        {
            "Person": pd.DataFrame({"id": people, "name": [f"person {p.lower()}" for p in people]}),
            "Address": pd.DataFrame(
                {"id": [A1, A2, A3], "postcode": ["LS1 4AB", "LS1 4AB", "LS2 7CD"], "line": ["1 a", "2 a", "3 b"]}
            ),
            "Postcode": pd.DataFrame({"id": ["LS1 4AB", "LS2 7CD"], "district": ["LS1", "LS2"]}),
            "Business": pd.DataFrame(
                {"id": [CAR_WASH, PAYROLL_BIZ, AGENT], "name": ["sparkle car wash", "acme", "homes and co"]}
            ),
            "Account": pd.DataFrame({"id": ["200000:11111111", "300000:22222222"], "kind": ["uk", "uk"]}),
            "Vehicle": pd.DataFrame({"id": ["V1", "V2"]}),
            "LIVES_AT": pd.DataFrame({"src": ["T1", "T2", "T3", "T4"], "dst": [A1, A1, A2, A3]}),
            "IN_POSTCODE": pd.DataFrame({"src": [A1, A2, A3], "dst": ["LS1 4AB", "LS1 4AB", "LS2 7CD"]}),
            "LIVES_IN": pd.DataFrame({"src": ["S2"], "dst": ["LS2 7CD"]}),
            "LETS": pd.DataFrame({"src": ["L1", "L1"], "dst": [A1, A2], "sources": _lists("tenancy", "tenancy")}),
            "MANAGES": pd.DataFrame({"src": [AGENT], "dst": [A3], "sources": _lists("tenancy")}),
            "KEEPS": pd.DataFrame({"src": ["T1"], "dst": ["V1"]}),
            "SEEN_IN": pd.DataFrame(
                {
                    "id": ["anpr:r1", "anpr:r2", "anpr:r3"],
                    "src": ["V1", "V1", "V2"],
                    "dst": ["LS1 4AB", "LS1 4AB", "LS2 7CD"],
                    "ts": ["2024-01-01T10:00:00Z", "2024-01-02T10:00:00Z", "2024-01-03T10:00:00Z"],
                    "sources": _lists("anpr", "anpr", "anpr"),
                    "record_ids": _lists("anpr:r1", "anpr:r2", "anpr:r3"),
                }
            ),
            "OWNS": pd.DataFrame({"src": [CAR_WASH], "dst": ["200000:11111111"]}),
            "HOLDS": pd.DataFrame({"src": ["W1"], "dst": ["300000:22222222"]}),
            "WORKS_AT": pd.DataFrame(
                {
                    "src": ["W1", "T1"],
                    "dst": [CAR_WASH, PAYROLL_BIZ],
                    "sources": [["derived:wages"], ["payroll"]],
                    "record_ids": [["bank:t0", "bank:t1", "bank:t2"], ["payroll:9"]],
                    "first_seen": ["2024-01-28", None],
                    "last_seen": ["2024-03-28", None],
                }
            ),
            "ASSOCIATE_OF": pd.DataFrame(
                {
                    "src": ["S1", "S3"],
                    "dst": ["S2", "S1"],
                    "wording": ["cousin of | drives for", "known associate"],
                    "sources": [["intel"], ["intel"]],
                    "record_ids": [["intel:u1", "intel:u2"], ["intel:u3"]],
                }
            ),
        }
    )


PARAMS: list[tuple[str, dict]] = [
    ("landlord_of", {"label": "Person", "entity_id": "L1"}),
    ("landlord_of", {"label": "Business", "entity_id": AGENT}),
    ("associates", {"person_id": "S1"}),
    ("seen_near_home", {"person_id": "T1"}),
    ("seen_near_home", {"person_id": "S2"}),
    ("employment", {"label": "Person", "entity_id": "W1"}),
    ("employment", {"label": "Business", "entity_id": PAYROLL_BIZ}),
]


def _canonical(df: pd.DataFrame) -> list:
    rows = []
    for rec in normalise_frame(df).to_dict("records"):
        for k, v in rec.items():
            if isinstance(v, list):
                rec[k] = tuple(sorted(v))
            elif isinstance(v, float) and v.is_integer():
                rec[k] = int(v)
        rows.append(tuple(sorted(rec.items())))
    return sorted(rows, key=repr)


@pytest.fixture(scope="module")
def model_store(tmp_path_factory):
    store = EmbeddedStore(tmp_path_factory.mktemp("model") / "store", create=True)
    store.write(model_tables())
    yield store
    store.close()


def test_model_queries_are_in_the_library_with_headers():
    lib = list_queries().set_index("name")
    assert set(MODEL_QUERIES) <= set(lib.index)
    for name in MODEL_QUERIES:
        assert len(lib.loc[name, "description"]) > 20 and len(lib.loc[name, "returns"]) > 20
    assert {p.name for p in load_query("landlord_of").params} == {"label", "entity_id", "limit"}


def test_landlord_of_lists_let_and_managed_addresses_with_tenants(model_store):
    rows = run_query(model_store, "landlord_of", {"label": "Person", "entity_id": "L1"}, audit=False)
    assert rows["address_id"].tolist() == [A1, A2]
    assert set(rows["relation"]) == {"LETS"}
    assert rows["tenants"].tolist() == [2, 1]
    assert sorted(rows["tenant_ids"].iloc[0]) == ["T1", "T2"]
    agent = run_query(model_store, "landlord_of", {"label": "Business", "entity_id": AGENT}, audit=False)
    assert agent[["address_id", "relation", "tenants"]].values.tolist() == [[A3, "MANAGES", 1]]
    # a tenant lets nothing
    assert run_query(model_store, "landlord_of", {"label": "Person", "entity_id": "T1"}, audit=False).empty


def test_associates_in_both_directions_keep_the_wording_and_sources(model_store):
    rows = run_query(model_store, "associates", {"person_id": "S1"}, audit=False).sort_values("direction")
    assert rows[["associate_id", "direction", "wording"]].values.tolist() == [
        ["S3", "in", "known associate"],
        ["S2", "out", "cousin of | drives for"],
    ]
    out = rows[rows["direction"] == "out"].iloc[0]
    assert list(out["sources"]) == ["intel"] and sorted(out["record_ids"]) == ["intel:u1", "intel:u2"]
    back = model_store.tables()  # the new labels and types round-trip through the embedded store
    assert back.rels["ASSOCIATE_OF"].set_index("src")["wording"].to_dict() == {
        "S1": "cousin of | drives for",
        "S3": "known associate",
    }
    assert back.counts() == model_tables().counts()


def test_seen_near_home_reaches_postcode_sightings_from_an_address_and_from_lives_in(model_store):
    rows = run_query(model_store, "seen_near_home", {"person_id": "T1"}, audit=False)
    assert rows[["vehicle_id", "postcode", "sightings", "kept_by_person"]].values.tolist() == [
        ["V1", "LS1 4AB", 2, True]
    ]
    assert (rows["first_seen"].iloc[0], rows["last_seen"].iloc[0]) == ("2024-01-01T10:00:00Z", "2024-01-02T10:00:00Z")
    only_postcode = run_query(model_store, "seen_near_home", {"person_id": "S2"}, audit=False)
    assert only_postcode[["vehicle_id", "postcode", "kept_by_person"]].values.tolist() == [["V2", "LS2 7CD", False]]
    # T4 lives in LS2 7CD too (through A3): V2 was seen there; the landlord L1 lives nowhere known
    assert run_query(model_store, "seen_near_home", {"person_id": "T4"}, audit=False)["vehicle_id"].tolist() == ["V2"]
    assert run_query(model_store, "seen_near_home", {"person_id": "L1"}, audit=False).empty


def test_employment_says_whether_it_was_derived_from_wages(model_store):
    w = run_query(model_store, "employment", {"label": "Person", "entity_id": "W1"}, audit=False)
    assert w[["person_id", "business_id", "business_name", "from_wages", "records"]].values.tolist() == [
        ["W1", CAR_WASH, "sparkle car wash", True, 3]
    ]
    b = run_query(model_store, "employment", {"label": "Business", "entity_id": PAYROLL_BIZ}, audit=False)
    assert b[["person_id", "person_name", "business_id", "from_wages"]].values.tolist() == [
        ["T1", "person t1", PAYROLL_BIZ, False]
    ]


def test_model_queries_report_an_unknown_entity(model_store):
    with pytest.warns(UserWarning, match="names no Person"):
        rows = run_query(model_store, "associates", {"person_id": "nobody"}, audit=False)
    assert rows.empty and rows.attrs["missing"] == {"person_id": ["nobody"]}


@pytest.mark.bolt
def test_model_queries_give_identical_rows_over_bolt(model_store, bolt_server, check_bolt_alive):
    bolt = Neo4jStore(
        bolt_server.uri,
        bolt_server.auth,
        batch_size=bolt_server.batch_size,
        dialect=bolt_server.dialect,
        driver_config={"connection_timeout": 5},
    )
    try:
        bolt.query("MATCH (n) DETACH DELETE n", write=True)
        bolt.write(model_tables())
        for name, p in PARAMS:
            a = run_query(model_store, name, p, audit=False)
            b = run_query(bolt, name, p, audit=False)
            assert list(a.columns) == list(b.columns), name
            assert len(a) > 0, (name, p)
            assert _canonical(a) == _canonical(b), (name, p)
        back = bolt.tables()
        assert back.rels["ASSOCIATE_OF"].set_index("src")["wording"].to_dict() == {
            "S1": "cousin of | drives for",
            "S3": "known associate",
        }
        assert sorted(back.nodes["Postcode"]["district"]) == ["LS1", "LS2"]
    finally:
        bolt.close()
