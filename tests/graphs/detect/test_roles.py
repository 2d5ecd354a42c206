"""Roles inferred from observable data in detected clusters (the cut they drive: tests/test_cases.py)."""

from __future__ import annotations

import pandas as pd
import pytest

from crimnet.errors import ParameterError
from crimnet.graphs.detect.roles import ROLE_COLUMNS, infer_roles, inferred_pairs
from tests.fixtures import VICTIMS, sweep_tables


@pytest.fixture(scope="module")
def sweep_case():
    return sweep_tables()


def test_hand_built_case_gets_exact_roles_and_evidence(sweep_case):
    clusters = pd.DataFrame(
        {"cluster_id": [3], "method": ["leiden"], "members": [["boss", *VICTIMS, "nb"]], "score": [2.0]}
    )
    r = infer_roles(sweep_case, clusters)
    assert list(r.columns) == list(ROLE_COLUMNS)
    assert dict(zip(r["node_id"], r["role"], strict=True)) == {
        "boss": "controller",
        "v1": "victim",
        "v2": "victim",
        "v3": "victim",
        "nb": "other",
    }
    ev = dict(zip(r["node_id"], r["evidence"], strict=True))
    assert ev["boss"] == (
        "receives money passed on within days from 3 members' accounts into account a_boss; "
        "is paid by 3 members; is 28 years older than the cluster's median age"
    )
    assert ev["v1"] == (
        "passes 85% of the wages paid into account a_v1 on to another person within days; "
        "shares phone +447700900001 with 2 people of other families; has no phone of their own; "
        "lives at 1 mill lane, AB1 2CD with adults of 3 different family names; "
        "works at quick wash ltd with 2 other members"
    )  # strongest first: 2.0, 1.5, 0.5, 0.375 (3 names on the 2..6 ramp x 1.5), 0.33 (2 on the 1..4 ramp)
    # rent after payday is routine, not a sweep; living alone is not crowding; only age speaks
    assert ev["nb"] == "controller: is 8 years older than the cluster's median age"
    boss = r.set_index("node_id").loc["boss"]
    # sweep_in 3 (saturated, 3.0) + paid by 3 members (1.0) + 28 years older (saturated, 0.5)
    assert boss["score_controller"] == pytest.approx(4.5)
    assert inferred_pairs(r) == [(f"Person:{v}", "Person:boss") for v in VICTIMS]


def test_no_victims_means_no_controller(sweep_case):
    clusters = pd.DataFrame({"cluster_id": [1], "members": [["boss", "v1"]]})
    r = infer_roles(sweep_case, clusters, min_victims=2)
    assert set(r["role"]) <= {"victim", "other"}
    assert inferred_pairs(r) == []


def test_top_selects_clusters_by_score(sweep_case):
    clusters = pd.DataFrame({"cluster_id": [1, 2], "members": [["nb"], ["boss", *VICTIMS]], "score": [0.1, 0.9]})
    r = infer_roles(sweep_case, clusters, top=1)
    assert set(r["cluster_id"]) == {2}


@pytest.mark.parametrize(
    "kwargs",
    [{"top": 0}, {"controller_min": -1.0}, {"max_controllers": 0}, {"sweep_share": 1.5}, {"min_victims": 0}],
)
def test_parameter_errors(sweep_case, kwargs):
    clusters = pd.DataFrame({"cluster_id": [0], "members": [["boss"]]})
    with pytest.raises(ParameterError, match=r"The '\w+' parameter of infer_roles must be"):
        infer_roles(sweep_case, clusters, **kwargs)


def test_bad_inputs(sweep_case):
    with pytest.raises(ParameterError, match="'clusters' parameter of infer_roles"):
        infer_roles(sweep_case, pd.DataFrame({"cluster_id": [0]}))
    with pytest.raises(ParameterError, match="'tables' parameter of infer_roles"):
        infer_roles("tables", pd.DataFrame({"cluster_id": [0], "members": [["a"]]}))
    with pytest.raises(ParameterError, match="'roles' parameter of inferred_pairs"):
        inferred_pairs(pd.DataFrame({"node_id": ["a"]}))


def test_the_documented_evidence_tables_are_the_ones_used():
    # investigators read the module's tables as the explanation of the scores: they must match the code
    import re

    from crimnet.graphs.detect import roles

    rows = {
        m.group(1): (float(m.group(2)), float(m.group(3)), float(m.group(4)))
        for m in re.finditer(r"^    (\w+)\s.*?\s(-?[\d.]+)\s+(-?[\d.]+)\s+([\d.]+)$", roles.__doc__, re.MULTILINE)
    }
    evidence = roles.CONTROLLER_EVIDENCE + roles.VICTIM_EVIDENCE
    assert {e.name for e in evidence} == set(rows)
    for e in evidence:
        assert rows[e.name] == (e.v0, e.v1, e.weight), e.name
