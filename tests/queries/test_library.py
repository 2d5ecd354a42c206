"""The query library on a generated case (embedded store), checked against the generator's truth."""

from __future__ import annotations

import json

import networkx as nx
import pytest
from typer.testing import CliRunner

from crimnet.cli import app
from crimnet.errors import QueryError, ReadOnlyError
from crimnet.graphs.store.embedded import EmbeddedStore
from crimnet.queries.audit import read_audit
from crimnet.queries.runner import bind_params, list_queries, load_query, run_cypher, run_query
from crimnet.queries.watch import add_watch_rule, list_watch_rules, run_watch_rules
from crimnet.tables import CanonicalTables

REQUIRED = {
    "shared_phone_or_account",
    "unrelated_occupants",
    "person_network",
    "payment_flows",
    "funnel_accounts",
    "business_shared_workers",
    "vehicles_at_addresses",
    "shortest_connection",
    "provenance",
}


@pytest.fixture(scope="module")
def case_store(store_case, tmp_path_factory):
    path = tmp_path_factory.mktemp("lib") / "store"
    with EmbeddedStore(path, create=True) as s:
        s.write(CanonicalTables.read(store_case.tables_dir))
    store = EmbeddedStore(path)
    yield store
    store.close()


@pytest.fixture(scope="module")
def truth_tables(store_case):
    return CanonicalTables.read(store_case.tables_dir)


def _split(s: str) -> list[str]:
    return [x for x in s.split(";") if x]


def test_library_lists_every_required_query_with_headers():
    lib = list_queries()
    assert REQUIRED <= set(lib.name)
    assert (lib.description.str.len() > 10).all() and (lib.returns.str.len() > 5).all()
    q = load_query("person_network")
    hops = {p.name: p for p in q.params}["hops"]
    assert hops.literal and (hops.low, hops.high) == (1, 4)


@pytest.mark.parametrize(
    "name, params, message",
    [
        ("person_network", {"person_id": "P1", "hops": 5}, r"must be an int in \[1, 4\]"),
        ("person_network", {"person_id": "P1", "hops": "2; DROP"}, "must be an int"),
        ("person_network", {}, "needs the parameter 'person_id'"),
        ("person_network", {"person_id": "P1", "depth": 2}, r"no parameters \['depth'\]"),
        ("provenance", {"label": "Person) DETACH DELETE (n", "entity_id": "x"}, "must be one of"),
        ("nope", {}, "No library query 'nope'"),
    ],
)
def test_bad_parameters_are_refused_with_the_template(name, params, message):
    with pytest.raises(QueryError, match=message):
        bind_params(name, params)


@pytest.mark.parametrize("evil", ["x' OR 1=1 //", "}) DETACH DELETE n //", "P0000001' }) MATCH (m) DETACH DELETE m //"])
def test_injection_through_a_parameter_is_inert(case_store, evil):
    before = case_store.tables().counts()
    for name in ("shared_phone_or_account", "person_network"):
        assert run_query(case_store, name, {"person_id": evil}).empty
    assert run_query(case_store, "provenance", {"label": "Person", "entity_id": evil}).empty
    assert case_store.tables().counts() == before


def test_ad_hoc_cypher_refuses_writes(case_store):
    with pytest.raises(ReadOnlyError, match="Refused"):
        run_cypher(case_store, "MATCH (p:Person) SET p.name = 'x'")
    assert len(run_cypher(case_store, "MATCH (p:Person) RETURN count(p) AS n")) == 1


def test_shared_phone_finds_other_victims_of_the_same_ring(case_store, store_case):
    persons = store_case.persons
    victims = persons[persons.role == "victim"]
    hits = 0
    for _ring, grp in victims.groupby("ring_id"):
        if len(grp) < 2:
            continue
        vid = grp.person_id.iloc[0]
        df = run_query(case_store, "shared_phone_or_account", {"person_id": vid})
        assert vid not in set(df.person_id)
        hits += bool(set(df.person_id) & set(grp.person_id))
    assert hits >= 1


def test_unrelated_occupants_include_ring_addresses(case_store, store_case):
    df = run_query(case_store, "unrelated_occupants", {"min_occupants": 4, "min_surnames": 4})
    assert (df.surnames <= df.occupants).all() and (df.occupants >= 4).all()
    assert all(len(ids) == n for ids, n in zip(df.person_ids, df.occupants, strict=True))
    ring_addresses = {a for s in store_case.rings.address_ids for a in _split(s)}
    assert set(df.address_id) & ring_addresses


def test_person_network_one_hop_equals_the_neighbours_in_truth(case_store, store_case, truth_tables):
    pid = store_case.persons[store_case.persons.role == "victim"].person_id.iloc[0]
    expected = set()
    for rel, df in truth_tables.rels.items():
        from crimnet.schema import rel_type

        t = rel_type(rel)
        if t.src == "Person":
            expected |= {(t.dst, d) for d in df.loc[df.src == pid, "dst"]}
        if t.dst == "Person":
            expected |= {(t.src, s) for s in df.loc[df.dst == pid, "src"]}
    got = run_query(case_store, "person_network", {"person_id": pid, "hops": 1})
    assert set(zip(got.label, got.id, strict=True)) == expected
    two = run_query(case_store, "person_network", {"person_id": pid, "hops": 2})
    assert expected <= set(zip(two.label, two.id, strict=True)) and len(two) > len(got)


def test_payment_flows_one_hop_totals_match_truth(case_store, truth_tables):
    paid = truth_tables.rels["PAID"]
    acc = paid.src.value_counts().index[0]
    got = run_query(case_store, "payment_flows", {"account_id": acc, "hops": 1})
    exp = paid[paid.src == acc].groupby("dst").amount.agg(["count", "sum"])
    reached = set(got.to_account)
    assert set(got.from_account) <= reached | {acc}
    got = got[got.from_account == acc].set_index("to_account")
    assert set(got.index) == set(exp.index) == reached
    assert (got.payments.sort_index() == exp["count"].sort_index()).all()
    assert (got.total_amount.sort_index() == exp["sum"].sort_index()).all()
    deeper = run_query(case_store, "payment_flows", {"account_id": acc, "hops": 3})
    assert len(deeper) >= len(got)


def test_funnel_accounts_include_planted_sweep_accounts(case_store, store_case):
    df = run_query(case_store, "funnel_accounts", {"min_senders": 3, "max_recipients": 3})
    assert (df.senders >= 3).all() and (df.recipients <= 3).all()
    money = store_case.rings[store_case.rings.money_mode.isin(["sweep", "collect"])]
    planted = {a for s in money.account_ids for a in _split(s)}
    assert set(df.account_id) & planted


def test_business_shared_workers_include_ring_businesses(case_store, store_case):
    df = run_query(case_store, "business_shared_workers", {"min_sharing": 3})
    assert (df.max_sharing >= 3).all()
    ring_business = {b for s in store_case.rings.business_ids for b in _split(s)}
    assert set(df.business_id) & ring_business


def test_vehicles_at_ring_addresses_include_the_ring_vehicle(case_store, store_case):
    found = 0
    for _, ring in store_case.rings.iterrows():
        addresses, vehicles = _split(ring.address_ids), set(_split(ring.vehicle_ids))
        if len(addresses) < 2 or not vehicles:
            continue
        df = run_query(case_store, "vehicles_at_addresses", {"address_ids": addresses, "min_addresses": 2})
        assert (df.addresses >= 2).all() and (df.first_seen <= df.last_seen).all()
        found += bool(set(df.vehicle_id) & vehicles)
    assert found >= 1


def test_shortest_connection_length_equals_bfs_distance(case_store, store_case, truth_tables):
    from crimnet.schema import rel_type

    g = nx.Graph()
    for rel, df in truth_tables.rels.items():
        t = rel_type(rel)
        g.add_edges_from(zip(t.src + ":" + df.src, t.dst + ":" + df.dst, strict=True))
    checked = 0
    for _, ring in store_case.rings.iterrows():
        vic = [v for v in _split(ring.victim_ids)][:1]
        ctrl = _split(ring.controller_ids)[:1]
        if not vic or not ctrl:
            continue
        a, b = "Person:" + vic[0], "Person:" + ctrl[0]
        try:
            dist = nx.shortest_path_length(g, a, b)
        except (nx.NetworkXNoPath, nx.NodeNotFound):
            dist = None
        df = run_query(case_store, "shortest_connection", {"person_a": vic[0], "person_b": ctrl[0]})
        if dist is None or dist > 4:
            assert df.empty
            continue
        assert (df.hops == dist).all() and len(df) >= 1
        for path in df.path:
            assert path[0] == a and path[-1] == b and len(path) == dist + 1
        checked += 1
    assert checked >= 2
    # one person with themself: no connection to report (Neo4j's allShortestPaths would refuse equal ends)
    someone = store_case.persons.person_id.iloc[0]
    assert len(run_query(case_store, "entity", {"label": "Person", "entity_id": someone})) == 1
    assert run_query(case_store, "shortest_connection", {"person_a": someone, "person_b": someone}).empty


def test_provenance_lists_every_relationship_with_sources(case_store, store_case, truth_tables):
    pid = store_case.persons[store_case.persons.role == "victim"].person_id.iloc[0]
    df = run_query(case_store, "provenance", {"label": "Person", "entity_id": pid})
    ent = df[df.kind == "entity"]
    assert len(ent) == 1
    person = truth_tables.nodes["Person"].set_index("id").loc[pid]
    assert sorted(ent.sources.iloc[0]) == sorted(person.sources)
    assert sorted(ent.record_ids.iloc[0]) == sorted(person.record_ids)
    expected = set()
    for r in ("USES_PHONE", "LIVES_AT", "HOLDS", "WORKS_AT", "DIRECTS", "KEEPS"):
        t = truth_tables.rels[r]
        expected |= {
            (r, d, tuple(sorted(src))) for d, src in zip(t.dst[t.src == pid], t.sources[t.src == pid], strict=True)
        }
    rels = df[df.kind == "relationship"]
    got = {(r, o, tuple(sorted(src))) for r, o, src in zip(rels.rel_type, rels.other_id, rels.sources, strict=True)}
    assert got == expected and (rels.direction == "out").all()
    props = run_query(case_store, "entity", {"label": "Person", "entity_id": pid})
    assert props.properties.iloc[0]["name"] == person["name"]


def test_every_run_is_audited(case_store):
    before = len(read_audit(case_store.audit_log))
    run_query(case_store, "funnel_accounts", {"min_senders": 50})
    log = read_audit(case_store.audit_log)
    assert len(log) == before + 1
    last = log.iloc[-1]
    assert last.query == "funnel_accounts" and last.params["min_senders"] == 50 and last.kind == "library"


def test_watch_rules_report_only_new_matches(store_case, tmp_path):
    tables = CanonicalTables.read(store_case.tables_dir)
    rules = tmp_path / "watch.json"
    add_watch_rule(rules, "unrelated_occupants", {"min_occupants": "4", "min_surnames": "4"}, name="hmo")
    assert list_watch_rules(rules).name.tolist() == ["hmo"]
    with EmbeddedStore(tmp_path / "s", create=True) as s:
        s.write(tables)
        first = run_watch_rules(s, rules)
        assert len(first) >= 1 and (first.rule == "hmo").all()
        assert read_audit(s.audit_log).kind.tolist() == ["watch"]
        assert run_watch_rules(s, rules).empty
        # a new occupant at a watched address surfaces as a new match
        addr = json.loads(first.match.iloc[0])["address_id"]
        from tests.fixtures import frames

        s.write(
            frames(
                {
                    "Person": {"id": ["NEW1"], "name": ["zed zzz"], "sources": [["t"]], "record_ids": [["t:1"]]},
                    "LIVES_AT": {"src": ["NEW1"], "dst": [addr], "sources": [["t"]], "record_ids": [["t:1"]]},
                }
            )
        )
        new = run_watch_rules(s, rules)
        assert len(new) == 1 and "NEW1" in json.loads(new.match.iloc[0])["person_ids"]


def test_cli_load_query_cypher_watch(store_case, tmp_path):
    runner = CliRunner()
    store = str(tmp_path / "cli-store")
    r = runner.invoke(app, ["load", str(store_case.tables_dir), "--store", store])
    assert r.exit_code == 0, r.output
    assert "rows written" in r.output
    r = runner.invoke(app, ["query", "--list"])
    assert r.exit_code == 0 and "funnel_accounts" in r.output
    r = runner.invoke(app, ["query", "funnel_accounts", "--param", "min_senders=3", "--store", store, "--csv"])
    assert r.exit_code == 0, r.output
    assert r.output.splitlines()[0] == (
        "account_id,currency,senders,payments_in,total_in_amount,recipients,total_out_amount"
    )
    r = runner.invoke(app, ["query", "person_network", "-p", "person_id=x", "-p", "hops=9", "--store", store])
    assert r.exit_code == 2 and "must be an int in [1, 4]" in r.output
    r = runner.invoke(app, ["cypher", "MATCH (p:Person) RETURN count(p) AS n", "--store", store, "--json"])
    assert r.exit_code == 0 and json.loads(r.output.splitlines()[0])["n"] == 1200
    r = runner.invoke(app, ["cypher", "MATCH (p:Person) DETACH DELETE p", "--store", store])
    assert r.exit_code == 2 and "Refused" in r.output
    r = runner.invoke(app, ["watch", "add", "funnel_accounts", "-p", "min_senders=3", "--store", store])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["watch", "run", "--store", store, "--csv"])
    assert r.exit_code == 0 and r.output.count("funnel_accounts") >= 1
    r = runner.invoke(app, ["watch", "list", "--store", store])
    assert r.exit_code == 0 and "funnel_accounts" in r.output


def test_refused_and_failed_runs_are_audited_with_their_error(case_store):
    before = len(read_audit(case_store.audit_log))
    with pytest.raises(ReadOnlyError):
        run_cypher(case_store, "MATCH (p:Person) DETACH DELETE p")
    with pytest.raises(QueryError):
        run_query(case_store, "funnel_accounts", {"min_senders": -1})
    log = read_audit(case_store.audit_log).iloc[before:]
    assert log.kind.tolist() == ["cypher", "library"]
    assert log.rows.isna().all()
    assert log.error.iloc[0].startswith("ReadOnlyError: ") and "DELETE" in log.error.iloc[0]
    assert log.error.iloc[1].startswith("QueryError: ") and "min_senders" in log.error.iloc[1]
    assert log["query"].tolist() == ["MATCH (p:Person) DETACH DELETE p", "funnel_accounts"]


def test_funnel_accounts_leave_out_payments_to_itself(tmp_path):
    from tests.fixtures import frames

    payers = [f"p{i}" for i in range(3)]
    accounts = [f"00000{i}:0000000{i}" for i in range(3)]
    funnel, out = "999999:99999999", "888888:88888888"
    ends = [(a, funnel) for a in accounts] + [(funnel, funnel), (funnel, funnel), (funnel, out)]
    t = frames(
        {
            "Person": {"id": payers},
            "Account": {"id": [*accounts, funnel, out]},
            "HOLDS": {"src": payers, "dst": accounts},
            "PAID": {
                "id": [f"TX{i}" for i in range(len(ends))],
                "src": [s for s, _ in ends],
                "dst": [d for _, d in ends],
                "amount": [100, 200, 300, 5000, 7000, 550],
                "currency": ["GBP"] * len(ends),
            },
        }
    )
    with EmbeddedStore(tmp_path / "s", create=True) as store:
        store.write(t)
        df = run_query(store, "funnel_accounts", {"min_senders": 3, "max_recipients": 1})
    assert df.to_dict("records") == [
        {
            "account_id": funnel,
            "currency": "GBP",
            "senders": 3,
            "payments_in": 3,
            "total_in_amount": 600,
            "recipients": 1,
            "total_out_amount": 550,
        }
    ]


def test_funnel_accounts_total_each_currency_apart(tmp_path):
    from tests.fixtures import frames

    payers = [f"p{i}" for i in range(3)]
    accounts = [f"00000{i}:0000000{i}" for i in range(3)]
    funnel, out = "999999:99999999", "888888:88888888"
    ends = [(a, funnel) for a in accounts] + [(funnel, out), (funnel, out)]
    t = frames(
        {
            "Person": {"id": payers},
            "Account": {"id": [*accounts, funnel, out]},
            "HOLDS": {"src": payers, "dst": accounts},
            "PAID": {
                "id": [f"TX{i}" for i in range(len(ends))],
                "src": [s for s, _ in ends],
                "dst": [d for _, d in ends],
                "amount": [100, 200, 300, 250, 40],
                "currency": ["GBP", "GBP", "EUR", "GBP", "EUR"],
            },
        }
    )
    with EmbeddedStore(tmp_path / "s", create=True) as store:
        store.write(t)
        df = run_query(store, "funnel_accounts", {"min_senders": 3, "max_recipients": 1})
    got = df.set_index("currency")[["senders", "payments_in", "total_in_amount", "recipients", "total_out_amount"]]
    assert got.to_dict("index") == {
        "EUR": {"senders": 3, "payments_in": 1, "total_in_amount": 300, "recipients": 1, "total_out_amount": 40},
        "GBP": {"senders": 3, "payments_in": 2, "total_in_amount": 300, "recipients": 1, "total_out_amount": 250},
    }


@pytest.mark.parametrize("value", ["nan", float("nan"), "inf", float("-inf")])
def test_a_float_parameter_must_be_finite(value):
    # no library query takes a float yet; a NaN would pass any range check (every comparison is false)
    from crimnet.queries.runner import Param

    p = Param("weight", "float", low=0.0, high=1.0)
    with pytest.raises(QueryError, match="'weight' parameter of query 'q' must be a float"):
        p.bind(value, query="q")
    assert p.bind("0.5", query="q") == 0.5
