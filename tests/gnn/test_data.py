"""HeteroData shapes, id maps and label-free features on a hand-built case."""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch

from crimnet.gnn.data import REVERSE_PREFIX, edge_types, to_hetero_data
from crimnet.gnn.features import node_features
from crimnet.schema import NODE_LABELS, REL_TYPES
from tests.fixtures import tiny


def test_every_node_and_edge_type_is_present_with_reverse_edges() -> None:
    g = to_hetero_data(tiny())
    assert sorted(g.data.node_types) == sorted(NODE_LABELS)
    assert len(g.data.edge_types) == 2 * len(REL_TYPES)
    assert set(g.data.edge_types) == set(edge_types())
    for rel, spec in REL_TYPES.items():
        fwd = g.data[spec.src, rel, spec.dst].edge_index
        rev = g.data[spec.dst, REVERSE_PREFIX + rel, spec.src].edge_index
        assert torch.equal(fwd.flip(0), rev)


def test_shapes_and_id_maps_both_ways() -> None:
    t = tiny()
    g = to_hetero_data(t)
    assert g.data["Person"].x.shape == (3, len(g.features["Person"]))
    assert g.data["Account"].x.shape[0] == 2
    assert g.data["Vehicle"].x.shape == (0, len(g.features["Vehicle"]))
    assert g.ids["Person"].tolist() == ["p1", "p2", "p3"]
    assert g.rows("Person", ["p3", "nobody", "p1"]).tolist() == [2, -1, 0]
    ei = g.data["Person", "USES_PHONE", "Phone"].edge_index
    pairs = {(g.ids["Person"][s], g.ids["Phone"][d]) for s, d in ei.t().tolist()}
    assert pairs == {("p1", "+447700900001"), ("p2", "+447700900001")}
    # two payments between the same accounts: one edge, weight 2 (the number of events)
    paid = g.data["Account", "PAID", "Account"]
    assert paid.edge_index.tolist() == [[0], [1]] and paid.edge_weight.tolist() == [2.0]


def test_features_count_what_is_there() -> None:
    f = node_features(tiny())
    person = f["Person"]
    assert np.expm1(person.loc["p1", "deg_USES_PHONE_out"]) == 1.0
    assert np.expm1(person.loc["p3", "deg_USES_PHONE_out"]) == 0.0
    addr = f["Address"].iloc[0]
    assert np.isclose(np.expm1(addr["occupants"]), 3) and np.isclose(np.expm1(addr["families"]), 3)
    acc = f["Account"]
    assert np.isclose(np.expm1(acc.loc["111111:00000002", "paid_in_sum"]), 12845)
    assert np.isclose(np.expm1(acc.loc["111111:00000001", "events_PAID_out"]), 2)
    assert person.loc["p2", "age_known"] == 0.0 and person.loc["p1", "age_known"] == 1.0
    # every relationship type out of Person gives a degree column, so new types are picked up
    out_of_person = {f"deg_{r}_out" for r, s in REL_TYPES.items() if s.src == "Person"}
    assert out_of_person <= set(person.columns)


def test_features_ignore_row_order_and_ids() -> None:
    t = tiny()
    shuffled = t.__class__(
        nodes={k: v.iloc[::-1].reset_index(drop=True) for k, v in t.nodes.items()},
        rels={k: v.iloc[::-1].reset_index(drop=True) for k, v in t.rels.items()},
    )
    a, b = node_features(t), node_features(shuffled)
    for label in a:
        pd.testing.assert_frame_equal(a[label].sort_index(), b[label].sort_index())
