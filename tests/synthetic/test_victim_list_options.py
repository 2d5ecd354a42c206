"""Whole-ring raids and false referrals in the generated victim lists (options of crimnet.synthetic.victim_lists)."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pandas as pd
import pytest

from crimnet.errors import ParameterError
from crimnet.synthetic import generate_case
from crimnet.synthetic.params import case_params
from crimnet.synthetic.victim_lists import (
    DEFAULT_VICTIM_LISTS,
    VICTIM_LISTS,
    draw_captures,
    draw_false_referrals,
    false_referral_count,
)

# SHA-256 (first 16 hex digits) of the lists of a case of 400 people, seed 3, default lists, NGO -> NRM
# log OR 1.0, visibility 0.5, written by the generator before raids and false referrals existed.
GOLDEN_ON = {
    "nrm_referrals.csv": "ba7db8edbfd26e5f",
    "ngo_casework.csv": "eb134a10f4790661",
    "helpline_reports.csv": "6a058e7228433205",
    "police_victims.csv": "39ba9294059093ac",
    "truth/victim_lists.csv": "72b512f075a3f980",
    "truth/entities.csv": "57924b1b9ab12210",
}
BASE = {
    "victim_lists": "default",
    "victim_list_dependence": {"ngo_casework:nrm_referrals": 1.0},
    "victim_visibility": 0.5,
}


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


@pytest.mark.parametrize("off", [{}, {"victim_ring_raids": {}, "victim_false_share": 0.0}])
def test_options_off_leave_the_lists_as_before_they_existed(tmp_path, off):
    paths = generate_case(tmp_path / "case", people=400, seed=3, **BASE, **off)
    assert {name: _sha(paths.root / name) for name in GOLDEN_ON} == GOLDEN_ON
    assert paths.truth_false_referrals is None and not (paths.root / "truth" / "false_referrals.csv").exists()
    params = json.loads(paths.manifest.read_text())["parameters"]
    assert not {"victim_ring_raids", "victim_false_share"} & set(params)


def test_a_raided_ring_is_recorded_whole_and_the_marginal_is_kept():
    rings, size = 2000, 10
    ring = np.repeat(np.arange(rings), size)
    probs = {"nrm_referrals": 0.35, "police_victims": 0.2}
    raids = {"nrm_referrals": 0.1, "police_victims": 0.15}
    c = draw_captures(rings * size, probs, seed=7, rings=ring, raids=raids)
    whole = c.reshape(rings, size, 2).all(axis=1)  # rings every victim of which the list records
    se = np.sqrt(0.15 * 0.85 / rings)
    assert whole[:, 1].mean() == pytest.approx(0.15, abs=4 * se)  # by chance: 0.059**10, nil
    assert whole[:, 0].mean() == pytest.approx(0.10, abs=4 * se)  # by chance: 0.28**10, nil
    # one draw per ring: raided for 0.10 -> raided for 0.15 (NRM whole by chance: 0.28**10 a ring, ~1 in 200 draws)
    assert (whole[:, 0] & ~whole[:, 1]).sum() <= 1
    for i, p in enumerate(probs.values()):
        assert c[:, i].mean() == pytest.approx(p, abs=0.02)  # ring-clustered: wider than binomial error
    # off: the same draws as without the option
    assert np.array_equal(draw_captures(500, probs, seed=7), draw_captures(500, probs, seed=7, rings=ring[:500]))


def test_a_generated_case_records_raided_rings_whole(tmp_path):
    paths = generate_case(
        tmp_path / "raid", people=2000, seed=4, rings=20, victim_lists="default",
        victim_ring_raids="police_victims=0.19",
    )  # fmt: skip
    truth = pd.read_csv(paths.truth_victim_lists, dtype={"person_id": str, "ring_id": str})
    share = truth.groupby("ring_id")["police_victims"].mean()
    # police p' = (0.2 - 0.19) / 0.81 = 1.2%: a ring is either raided (all recorded) or barely seen
    assert (share == 1).sum() >= 2 and ((share == 1) | (share < 0.2)).all()
    ents = pd.read_csv(paths.truth_entities, dtype=str, keep_default_na=False)
    on_list = ents.loc[(ents["source"] == "police_victims") & (ents["entity_type"] == "Person"), "entity_id"]
    raided = truth[truth["ring_id"].isin(share.index[share == 1])]
    assert set(raided["person_id"]) <= set(on_list)


def test_false_referrals_make_the_asked_share_of_each_list():
    assert false_referral_count(240, 0.2) == 60 and false_referral_count(240, 0.0) == 0
    n, share = 20_000, 0.2
    victims = draw_captures(n, DEFAULT_VICTIM_LISTS, seed=2)
    people, false = draw_false_referrals(np.arange(100_000, 200_000), n, DEFAULT_VICTIM_LISTS, share=share, seed=2)
    assert len(people) == len(set(people)) == len(false) and people.min() >= 100_000
    assert false.any(axis=1).all()  # only people some list records
    for i, p in enumerate(DEFAULT_VICTIM_LISTS.values()):
        got = false[:, i].sum() / (false[:, i].sum() + victims[:, i].sum())
        assert got == pytest.approx(share, abs=4 * np.sqrt(share * (1 - share) / (n * p)))
    with pytest.raises(ParameterError, match="only 10 people"):
        draw_false_referrals(np.arange(10), 100, share=0.5)


def test_truth_marks_false_referrals_and_keeps_victims_apart(tmp_path):
    paths = generate_case(tmp_path / "false", people=2000, seed=6, victim_lists="default", victim_false_share=0.3)
    truth = pd.read_csv(paths.truth_victim_lists, dtype={"person_id": str})
    false = pd.read_csv(paths.truth_false_referrals, dtype={"person_id": str})
    persons = pd.read_csv(paths.truth_persons, dtype=str, keep_default_na=False).set_index("person_id")
    assert len(false) > 0 and list(false.columns) == ["person_id", *VICTIM_LISTS]
    assert (persons.loc[false["person_id"], "role"] == "none").all()
    assert (persons.loc[false["person_id"], "ring_id"] == "").all()
    assert sorted(truth["person_id"]) == sorted(persons.index[persons["role"] == "victim"])  # target unchanged
    ents = pd.read_csv(paths.truth_entities, dtype=str, keep_default_na=False)
    for name in VICTIM_LISTS:
        listed = set(ents.loc[(ents["source"] == name) & (ents["entity_type"] == "Person"), "entity_id"])
        expected = set(truth.loc[truth[name] == 1, "person_id"]) | set(false.loc[false[name] == 1, "person_id"])
        assert listed == expected
    params = json.loads(paths.manifest.read_text())["parameters"]
    assert params["victim_false_share"] == 0.3 and "victim_ring_raids" not in params


@pytest.mark.parametrize(
    "overrides",
    [
        {"victim_lists": "default", "victim_ring_raids": "police_victims=0.2"},  # not below p
        {"victim_lists": "nrm_referrals=0.3", "victim_ring_raids": {"police_victims": 0.1}},  # list not in use
        {"victim_lists": "default", "victim_ring_raids": "police_victims=x"},
        {"victim_lists": "default", "victim_false_share": 0.6},
        {"victim_lists": "default", "victim_false_share": -0.1},
    ],
)
def test_bad_options_are_refused(overrides):
    with pytest.raises(ParameterError):
        case_params(people=400, **overrides)


def test_generate_command_takes_both_options(tmp_path):
    from typer.testing import CliRunner

    from crimnet.cli import app

    args = ["generate", "--people", "600", "--seed", "2", "--out", str(tmp_path / "c"), "--victim-lists", "default"]
    res = CliRunner().invoke(app, [*args, "--victim-ring-raids", "police_victims=0.1", "--victim-false-share", "0.2"])
    assert res.exit_code == 0, res.output
    params = json.loads((tmp_path / "c" / "manifest.json").read_text())["parameters"]
    assert params["victim_ring_raids"] == {"police_victims": 0.1} and params["victim_false_share"] == 0.2
    assert (tmp_path / "c" / "truth" / "false_referrals.csv").exists()
    bad = CliRunner().invoke(app, [*args, "--victim-ring-raids", "police_victims=0.5"])
    assert bad.exit_code != 0 and "victim-ring-raids" in bad.output
