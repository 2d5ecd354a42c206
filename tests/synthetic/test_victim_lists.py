"""Lists of potential victims in generated cases (crimnet.synthetic.victim_lists, option ``victim_lists``)."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pandas as pd
import pytest

from crimnet.errors import ParameterError
from crimnet.ingest.pipeline import ingest
from crimnet.synthetic import generate_case
from crimnet.synthetic.params import case_params
from crimnet.synthetic.render import SOURCES
from crimnet.synthetic.victim_lists import DEFAULT_VICTIM_LISTS, VICTIM_LISTS, capture_probabilities, draw_captures

# SHA-256 (first 16 hex digits) of a medium case of 400 people, seed 3, written by the generator before
# victim lists existed. A deliberate change of the generator updates them; an accidental one fails here.
GOLDEN = {
    "anpr_reads.csv": "a4d328750b38cc1d",
    "bank_customers.csv": "98259cfc6a59b67d",
    "bank_transactions.csv": "5a9341e5b0630956",
    "call_records.csv": "4d032eb86576639e",
    "company_register.csv": "f056075f9d7996e5",
    "council_tenancy.csv": "0a9eb2ef967e183c",
    "payroll.csv": "2c4a798ce7c1e805",
    "police_intel.csv": "3abd47788cc3d04a",
    "vehicle_keepers.csv": "c9eb716ea6ac2e96",
    "truth/entities.csv": "f3cbbe603cf763d4",
    "truth/lookalikes.csv": "2947038c0d24394d",
    "truth/persons.csv": "1e8254ef933c60be",
    "truth/rings.csv": "efa2382c19b192b1",
}


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    """The same case without and with the four lists (referral dependence and heterogeneity on)."""
    root = tmp_path_factory.mktemp("vlists")
    off = generate_case(root / "off", people=400, seed=3)
    on = generate_case(
        root / "on", people=400, seed=3, victim_lists="default",
        victim_list_dependence={"ngo_casework:nrm_referrals": 1.0}, victim_visibility=0.5,
    )  # fmt: skip
    return off, on


def test_lists_off_leave_the_case_as_before_the_option(pair):
    off, _ = pair
    assert {name: _sha(off.root / name) for name in GOLDEN} == GOLDEN
    assert not off.victim_lists and off.truth_victim_lists is None
    assert not any((off.root / f"{name}.csv").exists() for name in VICTIM_LISTS)
    params = json.loads(off.manifest.read_text())["parameters"]
    assert not {"victim_lists", "victim_list_dependence", "victim_visibility"} & set(params)


def test_lists_on_leave_every_other_extract_byte_identical(pair):
    off, on = pair
    for name in [f"{s}.csv" for s in SOURCES] + ["truth/persons.csv", "truth/rings.csv", "truth/lookalikes.csv"]:
        assert _sha(on.root / name) == _sha(off.root / name), name
    assert list(on.victim_lists) == list(VICTIM_LISTS)
    params = json.loads(on.manifest.read_text())["parameters"]
    assert params["victim_lists"] == DEFAULT_VICTIM_LISTS and params["victim_visibility"] == 0.5
    assert params["victim_list_dependence"] == {"nrm_referrals:ngo_casework": 1.0}  # put in list order


def test_truth_lists_every_victim_and_matches_the_extracts(pair):
    _, on = pair
    truth = pd.read_csv(on.truth_victim_lists, dtype={"person_id": str})
    persons = pd.read_csv(on.truth_persons, dtype=str, keep_default_na=False)
    assert sorted(truth["person_id"]) == sorted(persons.loc[persons["role"] == "victim", "person_id"])
    assert (truth["listed"] == truth[list(VICTIM_LISTS)].max(axis=1)).all()
    ents = pd.read_csv(on.truth_entities, dtype=str, keep_default_na=False)
    for name in VICTIM_LISTS:
        raw = pd.read_csv(on.victim_lists[name], dtype=str, keep_default_na=False)
        listed = ents[(ents["source"] == name) & (ents["entity_type"] == "Person")]
        assert len(listed) == len(raw)  # one person per row
        assert set(listed["entity_id"]) == set(truth.loc[truth[name] == 1, "person_id"])
    assert (on.specs / "nrm_referrals.toml").exists()


def test_the_standard_ingest_reads_every_list(pair, tmp_path):
    _, on = pair
    res = ingest([on.victim_lists[s] for s in VICTIM_LISTS], tmp_path / "ing")
    summ = res.summary.set_index("source")
    for name in VICTIM_LISTS:
        rows = len(pd.read_csv(on.victim_lists[name], dtype=str))
        assert summ.loc[name, "rows_loaded"] == rows and summ.loc[name, "rows_quarantined"] == 0


def test_each_list_records_victims_at_its_probability():
    n = 600
    caught = draw_captures(n, DEFAULT_VICTIM_LISTS, seed=4)
    for i, p in enumerate(DEFAULT_VICTIM_LISTS.values()):
        assert abs(caught[:, i].mean() - p) < 4 * np.sqrt(p * (1 - p) / n)


def test_dependence_and_heterogeneity_raise_the_overlap_but_keep_the_marginals():
    n, probs = 4000, {"nrm_referrals": 0.35, "ngo_casework": 0.25}
    both = {}
    for dep in (0.0, 1.5):
        c = draw_captures(n, probs, dependence={"nrm_referrals:ngo_casework": dep}, seed=9)
        both[dep] = float((c[:, 0] & c[:, 1]).mean())
    assert both[0.0] == pytest.approx(0.35 * 0.25, abs=0.02)
    assert both[1.5] > both[0.0] + 0.04  # log OR 1.5: about 0.15 against 0.0875
    _, cells = capture_probabilities([0.35, 0.25, 0.1], visibility=1.0)
    h = ((np.arange(8)[:, None] >> np.arange(3)) & 1).astype(float)
    assert np.allclose(h.T @ cells, [0.35, 0.25, 0.1], atol=1e-9)
    assert cells[0] > 0.65 * 0.75 * 0.9 + 0.04  # more victims seen by no list than independence says


@pytest.mark.parametrize(
    "overrides",
    [
        {"victim_lists": "nrm_referrals=1.2"},
        {"victim_lists": {"modern_slavery_unit": 0.3}},
        {"victim_lists": "default", "victim_list_dependence": "nrm_referrals:hospital=1"},
        {"victim_lists": "nrm_referrals=0.3", "victim_list_dependence": {"nrm_referrals:ngo_casework": 1.0}},
        {"victim_lists": "default", "victim_visibility": 6.0},
    ],
)
def test_bad_list_parameters_are_refused(overrides):
    with pytest.raises(ParameterError):
        case_params(people=400, **overrides)
