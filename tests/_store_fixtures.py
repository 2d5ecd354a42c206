"""Hand-built canonical tables for the store tests (shared by the embedded and Bolt test modules)."""

from __future__ import annotations

import pandas as pd

from crimnet.schema import NODE_LABELS, node_label, rel_type
from crimnet.tables import CanonicalTables


def frames(spec: dict[str, dict[str, list]]) -> CanonicalTables:
    """Build canonical tables from column lists, filling absent columns with nulls."""
    out = {}
    for name, cols in spec.items():
        fields = node_label(name).fields if name in NODE_LABELS else rel_type(name).fields
        n = len(next(iter(cols.values())))
        out[name] = pd.DataFrame({f.name: pd.Series(cols.get(f.name, [None] * n), dtype=object) for f in fields})
    return CanonicalTables.from_frames(out)


def tiny() -> CanonicalTables:
    """Two people sharing a phone, one paying the other, at one address; consistent endpoints."""
    return frames(
        {
            "Person": {
                "id": ["p1", "p2", "p3"],
                "name": ["ana pop", "ion popa", "mia lee"],
                "dob": ["1990-01-02", None, "1985-05-01"],
                "sources": [["police_intel"], ["police_intel", "payroll"], ["payroll"]],
                "record_ids": [["police_intel:1"], ["police_intel:2", "payroll:7"], []],
            },
            "Phone": {"id": ["+447700900001"], "sources": [["police_intel"]], "record_ids": [["police_intel:1"]]},
            "Address": {
                "id": ["AB1 2CD|1 high street"],
                "postcode": ["AB1 2CD"],
                "lat": [51.5],
                "lon": [-0.12],
                "sources": [["council_tenancy"]],
                "record_ids": [["council_tenancy:T1"]],
            },
            "Account": {
                "id": ["111111:00000001", "111111:00000002"],
                "kind": ["uk", "uk"],
                "sources": [["bank_customers"], ["bank_customers"]],
                "record_ids": [["bank_customers:C1"], ["bank_customers:C2"]],
            },
            "USES_PHONE": {
                "src": ["p1", "p2"],
                "dst": ["+447700900001", "+447700900001"],
                "sources": [["police_intel"], ["police_intel"]],
                "record_ids": [["police_intel:1"], ["police_intel:2"]],
                "first_seen": ["2025-01-02", None],
            },
            "LIVES_AT": {
                "src": ["p1", "p2", "p3"],
                "dst": ["AB1 2CD|1 high street"] * 3,
                "sources": [["council_tenancy"]] * 3,
                "record_ids": [["council_tenancy:T1"], ["council_tenancy:T2"], ["council_tenancy:T3"]],
            },
            "HOLDS": {
                "src": ["p1", "p2"],
                "dst": ["111111:00000001", "111111:00000002"],
                "sources": [["bank_customers"]] * 2,
                "record_ids": [["bank_customers:C1"], ["bank_customers:C2"]],
            },
            "PAID": {
                "id": ["TX1", "TX2"],
                "src": ["111111:00000001", "111111:00000001"],
                "dst": ["111111:00000002", "111111:00000002"],
                "amount": [12345, 500],
                "currency": ["GBP", "GBP"],
                "ts": ["2025-02-01T10:00:00Z", "2025-02-03T10:00:00Z"],
                "reference": ["RENT", None],
                "sources": [["bank_transactions"]] * 2,
                "record_ids": [["bank_transactions:TX1"], ["bank_transactions:TX2"]],
            },
        }
    )


def moved_payment() -> CanonicalTables:
    """`tiny()` with payment TX1 corrected by its source: paid into a new account (its id kept)."""
    t = dict(tiny().items())
    paid = t["PAID"].copy()
    paid.loc[paid["id"] == "TX1", "dst"] = "111111:00000003"
    t["PAID"] = paid
    return CanonicalTables.from_frames(t)


def assert_moved_payment_replaces_the_old(store) -> None:
    """Writing `moved_payment()` over `tiny()` moves TX1 (one event, new ends) and then settles."""
    store.write(tiny())
    assert store.write(moved_payment())["PAID"] == 1
    rows = store.query("MATCH (a:Account)-[p:PAID]->(b:Account) WHERE p.id = 'TX1' RETURN a.id AS a, b.id AS b")
    assert rows.to_dict("records") == [{"a": "111111:00000001", "b": "111111:00000003"}]
    assert store.write(moved_payment())["PAID"] == 0  # settled: writing it again changes nothing
    assert sorted(store.tables().rels["PAID"]["id"]) == ["TX1", "TX2"]
