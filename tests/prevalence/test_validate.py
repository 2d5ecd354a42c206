"""Validation of the estimates against the generator's truth (crimnet.prevalence.validate)."""

from __future__ import annotations

import dataclasses
from functools import partial

import numpy as np
import pandas as pd
import pytest

from crimnet.errors import SchemaError
from crimnet.prevalence import estimate
from crimnet.prevalence.estimate import PrevalenceEstimate
from crimnet.prevalence.validate import (
    check_case,
    coverage,
    histories_of,
    read_false_referrals,
    read_victim_truth,
    scenario_from,
    simulate_case,
    summarise,
)
from crimnet.synthetic import generate_case
from crimnet.tables import CanonicalTables

INDEPENDENT = scenario_from("independent", "default")
SIZE = {"people": 1500, "rings": 12}  # about 120 victims a case


def test_the_fast_path_draws_the_generated_cases_histories(tmp_path):
    sc = scenario_from("referral", "default", "ngo_casework:nrm_referrals=1.5", 0.5)
    paths = generate_case(tmp_path / "case", people=600, seed=5, rings=4, **sc.params())
    truth, lists = read_victim_truth(paths.root)
    table, victims = simulate_case(sc, seed=5, people=600, rings=4)
    assert victims == len(truth) > 0
    assert table.equals(histories_of(truth[lists].to_numpy(bool), lists))
    # on the generator's true tables, resolution is perfect: the case's estimate is the true histories' one
    row = check_case(paths.root, CanonicalTables.read(paths.truth_tables), method="main-effects", nboot=0)
    assert row["observed"] == row["listed"] == int(truth["listed"].sum())
    assert row["total"] == pytest.approx(row["true-history total"])
    assert row["truth"] == victims


def test_the_fast_path_draws_raids_and_false_referrals_as_the_generator(tmp_path):
    sc = scenario_from("raids, false", "default", raids="police_victims=0.15", false_share=0.2)
    paths = generate_case(tmp_path / "case", people=1500, seed=2, rings=8, **sc.params())
    truth, lists = read_victim_truth(paths.root)
    false = read_false_referrals(paths.root, lists)
    assert len(false) > 0 and not set(false["person_id"]) & set(truth["person_id"])
    both = np.vstack([truth[lists].to_numpy(bool), false[lists].to_numpy(bool)])
    for victims in (None, len(truth)):  # a known victim count cannot skip the world the options need
        table, n = simulate_case(sc, seed=2, people=1500, rings=8, victims=victims)
        assert n == len(truth) and table.equals(histories_of(both, lists))
    row = check_case(paths.root, CanonicalTables.read(paths.truth_tables), method="main-effects", nboot=0)
    assert row["truth"] == len(truth) and row["false referrals"] == len(false)
    assert row["observed"] == row["listed"] + len(false)  # the lists cannot tell them apart
    assert row["total"] == pytest.approx(row["true-history total"])


def test_false_referrals_inflate_the_estimate_by_their_share():
    sc = scenario_from("false 0.2", "default", false_share=0.2)
    s = summarise(coverage(sc, cases=12, **SIZE, methods=("main-effects",), nboot=0))
    assert 0.12 < s["relative bias"] < 0.4  # expected f / (1 - f) = 0.25: the false are counted as victims
    none = summarise(coverage(INDEPENDENT, cases=12, **SIZE, methods=("main-effects",), nboot=0))
    assert s["relative bias"] > none["relative bias"] + 0.12


def test_raids_shared_by_two_lists_are_a_dependence_the_pair_term_removes():
    police = scenario_from("police raids", "default", raids="police_victims=0.15")
    shared = scenario_from("shared raids", "default", raids="police_victims=0.15,nrm_referrals=0.1")
    pair = partial(estimate, method="fixed", model="nrm_referrals:police_victims", nboot=0)
    alone = summarise(coverage(police, cases=12, **SIZE, methods=("main-effects",), nboot=0))
    rows = coverage(shared, cases=12, **SIZE, methods=("main-effects",), nboot=0, estimator=pair)
    main, fixed = (summarise(rows[rows["method"] == m]) for m in ("main-effects", "custom"))
    assert abs(alone["relative bias"]) < 0.06  # one list's ring-level captures: no bias
    assert main["relative bias"] < -0.08  # police and NRM record the same rings: they overlap too much
    assert abs(fixed["relative bias"]) < 0.06


def test_check_case_needs_a_case_with_lists(tmp_path):
    paths = generate_case(tmp_path / "plain", people=300, seed=1)
    with pytest.raises(SchemaError, match="victim_lists"):
        read_victim_truth(paths.root)


def observed_only(table: pd.DataFrame) -> PrevalenceEstimate:
    """Broken on purpose: forgets the hidden victims (its interval is that of the right estimate, shifted)."""
    r = estimate(table, method="main-effects", nboot=0)
    return dataclasses.replace(r, total=r.observed, lower=r.lower - r.hidden, upper=r.upper - r.hidden)


def test_coverage_on_independent_lists_is_near_nominal_and_a_broken_estimator_is_caught():
    rows = coverage(INDEPENDENT, cases=20, **SIZE, methods=("main-effects",), nboot=0, estimator=observed_only)
    assert rows.groupby("method").size().to_dict() == {"custom": 20, "main-effects": 20}
    good = summarise(rows[rows["method"] == "main-effects"])
    assert good["cases"] == 20 and good["refused"] == 0
    assert 0.8 <= good["coverage"] <= 1.0  # nominal 0.95; 20 cases
    assert abs(good["relative bias"]) < 0.1 and good["relative error"] < 0.15
    bad = summarise(rows[rows["method"] == "custom"])
    assert bad["coverage"] < 0.5 and bad["relative bias"] < -0.25


def test_heterogeneity_makes_every_model_under_cover():
    rows = coverage(scenario_from("hetero", "default", "", 1.0), cases=10, **SIZE, methods=("main-effects",), nboot=0)
    s = summarise(rows)
    assert s["relative bias"] < -0.15 and s["coverage"] < 0.5
