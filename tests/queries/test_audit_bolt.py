"""Every query is audited on every backend: a Bolt store logs to a per-user file by default, never naming a password."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from crimnet.errors import ParameterError, ReadOnlyError
from crimnet.queries.audit import audit_folder, audit_path, bolt_audit_log, read_audit
from crimnet.queries.runner import run_cypher, run_query

CREATE = "CREATE (n:Person {id: 'audit-probe'}) RETURN n.id AS id"


@pytest.fixture
def state_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh ``XDG_STATE_HOME`` and no ``CRIMNET_AUDIT_LOG``: the default audit location, in a temporary folder."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.delenv("CRIMNET_AUDIT_LOG", raising=False)
    return tmp_path / "state"


def test_bolt_audit_log_names_host_port_and_database_never_the_password(state_home, monkeypatch):
    folder = state_home / "crimnet" / "audit"
    assert audit_folder() == folder
    assert bolt_audit_log("bolt://127.0.0.1:7687") == folder / "127.0.0.1_7687-default.jsonl"
    assert bolt_audit_log("neo4j+s://db.example.org", "cases") == folder / "db.example.org-cases.jsonl"
    assert bolt_audit_log("db.example.org:7687", "a/b") == folder / "db.example.org_7687-a_b.jsonl"
    for uri in (
        "bolt://neo4j:s3cretpw@db.example.org:7687",
        "bolt://neo4j:s3c/ret?pw#x@db.example.org:7687",
        "bolt://neo4j:s3cretpw@db.example.org:7687/?policy=eu",
        "bolt://s3cretpw@db.example.org:7687",
    ):
        path = bolt_audit_log(uri, "cases")
        assert path == folder / "db.example.org_7687-cases.jsonl", uri
        assert "s3c" not in str(path) and "neo4j" not in path.name
    # a relative XDG_STATE_HOME is ignored (the XDG specification), the home folder's default is used
    monkeypatch.setenv("XDG_STATE_HOME", "relative/state")
    assert audit_folder() == Path.home() / ".local" / "state" / "crimnet" / "audit"
    monkeypatch.setenv("CRIMNET_AUDIT_LOG", str(state_home / "chosen.jsonl"))
    assert bolt_audit_log("bolt://neo4j:s3cretpw@db.example.org:7687") == state_home / "chosen.jsonl"
    with pytest.raises(ParameterError, match="The 'uri' parameter of bolt_audit_log must be a Bolt URI"):
        bolt_audit_log(None)
    with pytest.raises(ParameterError, match="The 'database' parameter of bolt_audit_log must be a str or None"):
        bolt_audit_log("bolt://h", 3)


class StubStore:
    """A store on some server that implements the GraphStore protocol and names no audit log of its own."""

    dialect = "neo4j"
    backend = "neo4j at bolt://neo4j:s3cretpw@stub.example:7687"
    audit_log = None
    directory = None

    def __init__(self) -> None:
        self.sent: list[str] = []

    @property
    def cases(self) -> list[str]:
        return []

    def write(self, tables, *, merge=False):
        raise AssertionError("the audit test writes nothing")

    def write_parquet(self, directory, *, merge=False):
        raise AssertionError("the audit test writes nothing")

    def query(self, cypher, params=None, *, write=False):
        self.sent.append(cypher)
        return pd.DataFrame({"n": [1]})

    def tables(self):
        raise AssertionError("not read")

    def write_scores(self, label, scores, *, columns):
        raise AssertionError("the audit test writes nothing")

    def close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def test_a_store_that_names_no_log_is_audited_in_the_per_user_folder(state_home, monkeypatch):
    store = StubStore()
    log = audit_path(store)
    assert log.parent == state_home / "crimnet" / "audit" and "s3cretpw" not in str(log)
    with pytest.raises(ReadOnlyError):
        run_cypher(store, CREATE)
    assert run_cypher(store, "MATCH (n) RETURN count(n) AS n")["n"].tolist() == [1]
    assert store.sent == ["MATCH (n) RETURN count(n) AS n"]  # the CREATE never reached the server
    records = read_audit(log)
    assert records["query"].tolist() == [CREATE, "MATCH (n) RETURN count(n) AS n"]
    assert records["rows"].isna().tolist() == [True, False] and records["error"].iloc[0].startswith("ReadOnlyError")
    monkeypatch.setenv("CRIMNET_AUDIT_LOG", str(state_home / "chosen.jsonl"))
    assert audit_path(store) == state_home / "chosen.jsonl"


@pytest.mark.bolt
def test_a_refused_write_through_a_bolt_store_leaves_an_audit_record(bolt_server, check_bolt_alive, state_home,
                                                                     monkeypatch):  # fmt: skip
    from crimnet.graphs.store.neo4j import Neo4jStore

    def open_bolt() -> Neo4jStore:
        return Neo4jStore(
            bolt_server.uri, bolt_server.auth, batch_size=bolt_server.batch_size, dialect=bolt_server.dialect
        )

    count = "MATCH (n:Person {id: 'audit-probe'}) RETURN count(n) AS n"
    with open_bolt() as store:
        log = store.audit_log
        assert log == bolt_audit_log(bolt_server.uri) and log.parent == state_home / "crimnet" / "audit"
        assert audit_path(store) == log
        with pytest.raises(ReadOnlyError):
            run_cypher(store, CREATE)
        rows = run_query(store, "unrelated_occupants", {})
        assert store.query(count)["n"].tolist() == [0]  # the refused CREATE wrote nothing
    records = read_audit(log)
    assert records["kind"].tolist() == ["cypher", "library"]
    assert records["query"].tolist() == [CREATE, "unrelated_occupants"]
    assert pd.isna(records["rows"].iloc[0]) and records["error"].iloc[0].startswith("ReadOnlyError:")
    assert records["rows"].iloc[1] == len(rows) and pd.isna(records["error"].iloc[1])
    assert records["backend"].tolist() == [store.backend] * 2 and bolt_server.dialect in store.backend
    password = (bolt_server.auth or ("", ""))[1]
    assert not password or password not in log.read_text()
    # CRIMNET_AUDIT_LOG, when set, is where a Bolt store logs
    chosen = state_home / "chosen.jsonl"
    monkeypatch.setenv("CRIMNET_AUDIT_LOG", str(chosen))
    with open_bolt() as store:
        assert store.audit_log == chosen
        with pytest.raises(ReadOnlyError):
            run_cypher(store, "MATCH (n) DETACH DELETE n")
    assert read_audit(chosen)["error"].str.startswith("ReadOnlyError:").tolist() == [True]
    assert len(read_audit(log)) == 2
