import json

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crimnet.errors import QueryError, ReadOnlyError, SchemaError, StoreError
from crimnet.graphs.store import GraphStore, open_store
from crimnet.graphs.store.base import content_hash
from crimnet.graphs.store.embedded import EmbeddedStore
from crimnet.queries.runner import run_cypher
from crimnet.schema import node_label
from crimnet.tables import CanonicalTables
from tests.fixtures import assert_moved_payment_replaces_the_old, frames, tiny


@pytest.fixture
def store(tmp_path):
    with EmbeddedStore(tmp_path / "store", create=True) as s:
        yield s


def test_protocol_and_factory(tmp_path):
    with open_store(tmp_path / "s", create=True) as s:
        assert isinstance(s, GraphStore) and isinstance(s, EmbeddedStore)
        assert (tmp_path / "s" / "graph.lbug").exists()


def test_round_trip_and_repeat_write_changes_nothing(store):
    t = tiny()
    first = store.write(t)
    assert first == t.counts()
    assert content_hash(store.tables()) == content_hash(t)
    assert sum(store.write(t).values()) == 0
    assert store.tables().counts() == t.counts()
    assert content_hash(store.tables()) == content_hash(t)
    back = store.tables()
    row = back.nodes["Person"].set_index("id").loc["p2"]
    assert list(row["sources"]) == ["police_intel", "payroll"] and pd.isna(row["dob"])
    assert list(back.nodes["Person"].set_index("id").loc["p3", "record_ids"]) == []
    assert back.nodes["Address"].set_index("id").loc["AB1 2CD|1 high street", "lat"] == 51.5


def test_superset_adds_and_changed_rows_are_updated(store):
    store.write(tiny())
    more = frames(
        {
            "Person": {
                "id": ["p1", "p4"],
                "name": ["ana pop", "new one"],
                "sources": [["police_intel", "x"], ["x"]],
                "record_ids": [["police_intel:1", "x:1"], ["x:2"]],
            },
            "USES_PHONE": {"src": ["p4"], "dst": ["+447700900001"], "sources": [["x"]], "record_ids": [["x:2"]]},
        }
    )
    written = store.write(more)
    assert written["Person"] == 2 and written["USES_PHONE"] == 1 and written["Phone"] == 0
    people = store.tables().nodes["Person"].set_index("id")
    assert len(people) == 4 and list(people.loc["p1", "sources"]) == ["police_intel", "x"]
    assert store.tables().counts()["USES_PHONE"] == 3


def test_dangling_endpoints_become_bare_nodes(store):
    t = frames({"HOLDS": {"src": ["px"], "dst": ["999999:00000009"], "sources": [["s"]], "record_ids": [["s:1"]]}})
    store.write(t)
    back = store.tables()
    assert back.counts()["Person"] == 1 and back.counts()["Account"] == 1 and back.counts()["HOLDS"] == 1


def test_read_only_refusal_and_read_only_database(tmp_path):
    path = tmp_path / "s"
    with EmbeddedStore(path, create=True) as s:
        s.write(tiny())
        with pytest.raises(ReadOnlyError, match="DELETE"):
            s.query("MATCH (n:Person) DETACH DELETE n")
        assert s.query("MATCH (n:Person) SET n.name = 'x' RETURN count(*) AS k", write=True).k.iloc[0] == 3
    with EmbeddedStore(path, read_only=True) as ro:
        assert len(ro.query("MATCH (n:Person) RETURN n.id AS id")) == 3
        with pytest.raises(StoreError, match="read-only"):
            ro.write(tiny())


@pytest.mark.parametrize("evil", ["x' OR 1=1 //", "p1'}) DETACH DELETE n //", 'p1" OR true //', "$person_id"])
def test_parameters_are_bound_never_formatted(store, evil):
    store.write(tiny())
    df = store.query("MATCH (p:Person {id: $pid}) RETURN p.id AS id", {"pid": evil})
    assert df.empty
    assert store.tables().counts()["Person"] == 3


def test_write_scores_round_trip(store):
    store.write(tiny())
    scores = pd.DataFrame({"node_id": ["p1", "p2", "nobody"], "risk": [0.9, 0.1, 0.5], "rank_": [1, 2, 3]})
    assert store.write_scores("Person", scores, columns=["risk", "rank_"]) == 2
    got = store.query("MATCH (p:Person) RETURN p.id AS id, p.risk AS risk, p.rank_ AS r ORDER BY id")
    assert got.risk.tolist()[:2] == [0.9, 0.1] and pd.isna(got.risk.iloc[2])
    assert got.r.tolist()[:2] == [1, 2]
    # scores are not canonical columns: tables() and a repeated write ignore them
    assert list(store.tables().nodes["Person"].columns) == [f.name for f in node_label("Person").fields]
    assert "risk" not in store.tables().nodes["Person"].columns
    assert sum(store.write(tiny()).values()) == 0
    # later loads still add nodes (and bare endpoints) of the scored label, their scores null
    more = dict(tiny().items())
    more["Person"] = pd.concat([more["Person"], more["Person"].iloc[:1].assign(id="p9")], ignore_index=True)
    more["USES_PHONE"] = pd.concat(
        [more["USES_PHONE"], more["USES_PHONE"].iloc[:1].assign(src="p-bare")], ignore_index=True
    )
    written = store.write(CanonicalTables.from_frames(more))
    assert written["Person"] == 2 and written["USES_PHONE"] == 1
    new = store.query("MATCH (p:Person) WHERE p.id IN ['p9', 'p-bare'] RETURN p.id AS id, p.risk AS risk")
    assert sorted(new.id) == ["p-bare", "p9"] and new.risk.isna().all()
    with pytest.raises(SchemaError, match="overwrite"):
        store.write_scores("Person", scores.rename(columns={"risk": "name"}), columns=["name"])
    with pytest.raises(SchemaError, match="lacks columns"):
        store.write_scores("Person", scores, columns=["missing"])


def test_a_score_write_or_write_query_that_fails_half_way_leaves_the_store_as_it_was(tmp_path, monkeypatch):
    import ladybug

    with EmbeddedStore(tmp_path / "s", create=True, batch_size=1) as store:
        store.write(tiny())
        store.write_scores("Person", pd.DataFrame({"node_id": ["p1", "p2"], "risk": [0.5, 0.5]}), columns=["risk"])
        execute, seen = ladybug.Connection.execute, []

        def fail_on_the_second_batch(self, query, *args, **kwargs):
            seen.append(isinstance(query, str) and query.startswith("UNWIND"))
            if sum(seen) == 2:
                raise RuntimeError("disk full (injected)")
            return execute(self, query, *args, **kwargs)

        monkeypatch.setattr(ladybug.Connection, "execute", fail_on_the_second_batch)
        new = pd.DataFrame({"node_id": ["p1", "p2"], "risk": [0.9, 0.8], "seen": [1, 2]})
        with pytest.raises(StoreError, match="injected"):
            store.write_scores("Person", new, columns=["risk", "seen"])
        assert sum(seen) == 2  # the first batch had been written (into the copy) when the second failed
        monkeypatch.setattr(ladybug.Connection, "execute", execute)
        got = store.query("MATCH (p:Person) RETURN p.id AS id, p.risk AS risk ORDER BY id")
        assert got.risk.tolist()[:2] == [0.5, 0.5]
        assert "seen" not in store.query("MATCH (p:Person) RETURN p.* LIMIT 1").columns.str.removeprefix("p.")
        assert sorted(f.name for f in (tmp_path / "s").iterdir() if ".load-" in f.name) == []
    # a write query refused by the engine half way leaves nothing either
    with EmbeddedStore(tmp_path / "s") as store:
        with pytest.raises(QueryError):
            store.query("MATCH (p:Person) SET p.name = 'x' WITH p RETURN 1 / toInteger('no')", write=True)
        assert "x" not in set(store.query("MATCH (p:Person) RETURN p.name AS n").n)


def test_audit_log_records_every_run(store):
    store.write(tiny())
    run_cypher(store, "MATCH (p:Person) RETURN p.id AS id")
    lines = store.audit_log.read_text().splitlines()
    rec = json.loads(lines[-1])
    assert rec["rows"] == 3 and rec["kind"] == "cypher" and rec["backend"].startswith("ladybug")
    assert rec["query"].startswith("MATCH") and rec["user"] and rec["time"].endswith("Z")


_ids = st.text(alphabet="abcdefgh0123456789'\" |:", min_size=1, max_size=8)


_people_and_edges = given(
    people=st.lists(
        st.tuples(
            _ids, st.one_of(st.none(), st.text(max_size=10)), st.lists(st.sampled_from(["a", "b", "c"]), max_size=3)
        ),
        min_size=0,
        max_size=12,
        unique_by=lambda t: t[0],
    ),
    edges=st.lists(st.tuples(st.integers(0, 11), st.integers(0, 11)), max_size=15),
)


def _check_repeated_write_changes_nothing(tmp_path_factory, people, edges):
    ids = [p[0] for p in people]
    pairs = sorted({(ids[a], ids[b]) for a, b in edges if a < len(ids) and b < len(ids)})
    spec = (
        {
            "Person": {
                "id": ids,
                "name": [p[1] for p in people],
                "sources": [p[2] for p in people],
                "record_ids": [[f"s:{i}"] for i in range(len(ids))],
            }
        }
        if ids
        else {}
    )
    if pairs:
        spec["Phone"] = {
            "id": [f"+44{i}" for i in range(len(pairs))],
            "sources": [["a"]] * len(pairs),
            "record_ids": [[]] * len(pairs),
        }
        spec["USES_PHONE"] = {
            "src": [a for a, _ in pairs],
            "dst": [f"+44{i}" for i in range(len(pairs))],
            "sources": [["a"]] * len(pairs),
            "record_ids": [["r"]] * len(pairs),
        }
    t = frames(spec) if spec else frames({"Person": {"id": []}})
    with EmbeddedStore(tmp_path_factory.mktemp("prop"), create=True) as s:
        s.write(t)
        counts, digest = s.tables().counts(), content_hash(s.tables())
        assert digest == content_hash(t)
        assert sum(s.write(t).values()) == 0
        assert s.tables().counts() == counts and content_hash(s.tables()) == digest


# each example builds a store (about 1 s): 5 in `make test`, the long run in `make test-heavy`
@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@_people_and_edges
def test_property_repeated_write_changes_nothing(tmp_path_factory, people, edges):
    _check_repeated_write_changes_nothing(tmp_path_factory, people, edges)


@pytest.mark.heavy
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@_people_and_edges
def test_property_repeated_write_changes_nothing_long(tmp_path_factory, people, edges):
    _check_repeated_write_changes_nothing(tmp_path_factory, people, edges)


def test_write_parquet_fast_path_equals_write(tmp_path, store_case):
    from crimnet.tables import CanonicalTables

    t = CanonicalTables.read(store_case.tables_dir)
    with EmbeddedStore(tmp_path / "fast", create=True) as fast:
        assert fast.write_parquet(store_case.tables_dir) == t.counts()
        assert content_hash(fast.tables()) == content_hash(t)
        assert sum(fast.write_parquet(store_case.tables_dir).values()) == 0  # falls back to the upsert path
    dangling = frames({"HOLDS": {"src": ["px"], "dst": ["9:9"], "sources": [["s"]], "record_ids": [["s:1"]]}})
    dangling.write(tmp_path / "dangling")
    with EmbeddedStore(tmp_path / "d", create=True) as s:
        s.write_parquet(tmp_path / "dangling")
        assert s.tables().counts()["Person"] == 1 and s.tables().counts()["HOLDS"] == 1


def test_write_parquet_reordered_columns_and_missing_key(tmp_path, store_case):
    import pyarrow.parquet as pq

    from crimnet.tables import CanonicalTables

    t = CanonicalTables.read(store_case.tables_dir)
    moved = tmp_path / "moved"
    moved.mkdir()
    for path in store_case.tables_dir.glob("*.parquet"):
        table = pq.read_table(path)
        if path.stem in ("nodes_Person", "edges_HOLDS"):  # not canonical order: read through Arrow, reordered
            table = table.select(table.column_names[::-1])
        pq.write_table(table, moved / path.name)
    with EmbeddedStore(tmp_path / "s", create=True) as s:
        assert s.write_parquet(moved) == t.counts()
        assert content_hash(s.tables()) == content_hash(t)
    pq.write_table(pq.read_table(moved / "nodes_Phone.parquet").drop_columns(["id"]), moved / "nodes_Phone.parquet")
    with EmbeddedStore(tmp_path / "bad", create=True) as s, pytest.raises(SchemaError, match="Phone"):
        s.write_parquet(moved)


def test_provenance_lists_read_as_lists_in_queries(store):
    store.write(tiny())
    got = store.query("MATCH (p:Person) WHERE 'payroll' IN p.sources RETURN p.id AS id, size(p.record_ids) AS k")
    assert sorted(zip(got.id, got.k, strict=True)) == [("p2", 2), ("p3", 0)]
    rel = store.query("MATCH (a)-[r:PAID]->(b) RETURN r.id AS id, r.record_ids AS rec ORDER BY id")
    assert [list(x) for x in rel.rec] == [["bank_transactions:TX1"], ["bank_transactions:TX2"]]
    # whole nodes and property maps are split too
    node = store.query("MATCH (p:Person {id: 'p2'}) RETURN p AS n, properties(p) AS m")
    assert node.n.iloc[0]["sources"] == ["police_intel", "payroll"]
    assert node.m.iloc[0]["record_ids"] == ["police_intel:2", "payroll:7"]
    assert store.query("MATCH (p:Person {id: 'p3'}) RETURN properties(p) AS m").m.iloc[0]["record_ids"] == []


@pytest.mark.parametrize("bad", [["ok", ""], ["a\x1fb"]])
def test_provenance_elements_the_store_cannot_join_are_refused(store, bad):
    t = frames({"Phone": {"id": ["+447700900009"], "sources": [bad], "record_ids": [["x:1"]]}})
    with pytest.raises(SchemaError, match="U\\+001F"):
        store.write(t)
    assert store.tables().counts()["Phone"] == 0


def test_failed_bulk_load_leaves_the_store_empty_and_can_be_rerun(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    t = tiny()
    t.write(tmp_path / "tables")
    good = pq.read_table(tmp_path / "tables" / "edges_PAID.parquet")
    bad = good.set_column(good.schema.get_field_index("record_ids"), "record_ids", pa.array([["x"], [""]]))
    pq.write_table(bad, tmp_path / "tables" / "edges_PAID.parquet")  # loaded last but one: nodes are in by then
    with EmbeddedStore(tmp_path / "s", create=True) as s:
        with pytest.raises(SchemaError, match="PAID"):
            s.write_parquet(tmp_path / "tables")
        assert sum(s.tables().counts().values()) == 0
        pq.write_table(good, tmp_path / "tables" / "edges_PAID.parquet")
        assert s.write_parquet(tmp_path / "tables") == t.counts()
        assert content_hash(s.tables()) == content_hash(t)
        assert set(s.last_load) >= {"Person", "PAID"} and s.last_load["PAID"]["rows"] == 2
        paid = s.last_load["PAID"]
        assert 0 < paid["copy_seconds"] <= paid["seconds"]  # the COPY is a part of the table's step
        assert s.last_load["commit"]["copy_seconds"] == 0


def test_failed_upsert_into_a_store_with_rows_is_rolled_back(store):
    store.write(tiny())
    before = content_hash(store.tables())
    more = frames(
        {
            "Person": {"id": ["p9"], "sources": [["x"]], "record_ids": [["x:9"]]},
            "Phone": {"id": ["+447700900002"], "sources": [[""]], "record_ids": [["x:9"]]},
        }
    )
    with pytest.raises(SchemaError):
        store.write(more)
    assert content_hash(store.tables()) == before


def test_store_with_list_columns_from_an_earlier_version_still_works(tmp_path):
    import ladybug

    from crimnet.graphs.store.embedded import DB_FILE, schema_ddl

    (tmp_path / "old").mkdir()
    db = ladybug.Database(str(tmp_path / "old" / DB_FILE))
    conn = ladybug.Connection(db)
    for statement in schema_ddl(joined=False):
        conn.execute(statement)
    conn.close()
    db.close()
    with EmbeddedStore(tmp_path / "old", create=True) as s:
        assert not s.joined_lists
        t = tiny()
        assert s.write(t) == t.counts() and sum(s.write(t).values()) == 0
        assert content_hash(s.tables()) == content_hash(t)
        got = s.query("MATCH (p:Person {id: 'p2'}) RETURN p.sources AS s")
        assert list(got.s.iloc[0]) == ["police_intel", "payroll"]
    with EmbeddedStore(tmp_path / "new", create=True) as s:
        assert s.joined_lists


def test_write_parquet_into_a_store_with_rows_adds_new_and_updates_changed_rows(tmp_path):
    t = tiny()
    t.write(tmp_path / "a")
    nodes, rels = dict(t.nodes), dict(t.rels)
    people = nodes["Person"].copy()
    people.loc[people.id == "p1", "name"] = "ana popescu"  # changed
    people.at[int(people.index[people.id == "p3"][0]), "record_ids"] = ["payroll:9"]  # changed list
    nodes["Person"] = people
    paid = rels["PAID"].copy()
    extra = paid.iloc[[0]].assign(id="TX3", dst="111111:00000003")  # new event to a new (dangling) account
    rels["PAID"] = pd.concat([paid, extra], ignore_index=True)
    changed = CanonicalTables.from_frames({**nodes, **rels})
    changed.write(tmp_path / "b")
    with EmbeddedStore(tmp_path / "s", create=True) as s:
        assert s.write_parquet(tmp_path / "a") == t.counts()
        written = s.write_parquet(tmp_path / "b")
        assert written["Person"] == 2 and written["PAID"] == 1 and written["Account"] == 1
        assert sum(v for k, v in written.items() if k not in ("Person", "PAID", "Account")) == 0
        back = s.tables()
        people_back = back.nodes["Person"].set_index("id")
        assert people_back.loc["p1", "name"] == "ana popescu" and list(people_back.loc["p3", "record_ids"]) == [
            "payroll:9"
        ]
        assert back.counts()["PAID"] == 3 and back.counts()["Account"] == 3
        assert sum(s.write_parquet(tmp_path / "b").values()) == 0
        # lat/lon compare exactly; a repeated write of a table with null floats changes nothing either
        assert back.nodes["Address"].lat.tolist() == [51.5]


def test_diff_splits_new_keys_from_changed_rows_nulls_and_nan_equal():
    import pyarrow as pa

    from crimnet.graphs.store.embedded import arrow_rows_to_write

    stored = pa.table({"src": ["a", "b", "c", "d"], "dst": ["x", "x", "x", "x"], "w": [1.0, None, float("nan"), 4.0]})
    table = pa.table(
        {"src": ["e", "d", "c", "b", "a"], "dst": ["x", "x", "x", "x", "y"], "w": [9.0, 5.0, float("nan"), None, 1.0]}
    )
    added, changed = arrow_rows_to_write(table, stored, ["src", "dst"])
    assert added.to_pydict() == {"src": ["e", "a"], "dst": ["x", "y"], "w": [9.0, 1.0]}  # (a, y) is a new pair
    assert changed.to_pydict() == {"src": ["d"], "dst": ["x"], "w": [5.0]}  # null = null and NaN = NaN: unchanged
    added, changed = arrow_rows_to_write(table, None, ["src", "dst"])
    assert added.num_rows == 5 and changed.num_rows == 0


def test_an_event_whose_source_corrects_its_ends_is_moved_not_duplicated(store):
    assert_moved_payment_replaces_the_old(store)
