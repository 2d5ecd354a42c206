from __future__ import annotations

import math

from crimnet.tables import CanonicalTables
from crimnet.viz import annotate, cluster_subgraph, display_names


def test_display_names_are_what_the_tables_hold(tables):
    lined = CanonicalTables.from_partial({**tables.nodes, **tables.rels})
    lined.nodes["Address"]["line"] = ["1 high street"]
    names = display_names(
        lined,
        ["Person:p1", "Address:AB1 2CD|1 high street", "Account:111111:00000002", "Phone:+447700900001", "Person:x"],
    )
    assert names == {
        "Person:p1": "ana pop",
        "Address:AB1 2CD|1 high street": "1 high street, AB1 2CD",
        "Account:111111:00000002": "111111:00000002 (ion popa)",  # its holder
        "Phone:+447700900001": "+447700900001",
        "Person:x": "x",  # not in the tables: its id
    }
    assert display_names(tables, ["Address:AB1 2CD|1 high street"]) == {
        "Address:AB1 2CD|1 high street": "AB1 2CD|1 high street"  # without a line: the address key
    }


def test_annotate_joins_names_roles_risk_cuts_and_records(tables, graph):
    sub = annotate(
        cluster_subgraph(graph, ["Person:p1", "Person:p2"], hops=1),
        tables,
        roles={"Person:p1": "controller", "Person:p2": "other"},
        risk={"Person:p1": 2.5},
        cuts=["Phone:+447700900001", "Person:p2"],
    )
    v = {x["name"]: x for x in sub.vs}
    assert v["Person:p1"]["display"] == "ana pop" and v["Person:p1"]["role"] == "controller"
    assert v["Person:p2"]["role"] == ""  # 'other' is no role to show
    assert v["Person:p1"]["risk"] == 2.5 and math.isnan(v["Person:p2"]["risk"])
    assert (v["Phone:+447700900001"]["cut"], v["Person:p2"]["cut"], v["Person:p1"]["cut"]) == (1, 2, 0)
    assert v["Person:p2"]["records"] == ["police_intel:2", "payroll:7"]
    assert v["Person:p1"]["props"] == {"name": "ana pop", "dob": "1990-01-02"}
    paid = sub.es[sub.get_eid(v["Account:111111:00000001"].index, v["Account:111111:00000002"].index)]
    assert paid["events"] == 2
    assert paid["records"] == ["bank_transactions:TX1", "bank_transactions:TX2"]
    assert paid["details"][0] == (
        "2025-02-01T10:00:00Z 111111:00000001 (ana pop) paid 123.45 GBP to 111111:00000002 (ion popa) (RENT)"
    )


def test_annotate_without_tables_shows_ids(graph):
    sub = annotate(cluster_subgraph(graph, ["Person:p1"], hops=0))
    assert sub.vs["display"] == ["p1"] and sub.es["records"] == []
