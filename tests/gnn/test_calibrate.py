"""Temperature scaling of the role probabilities: the fit, the measures, and the model folder keeping it."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch

from crimnet.gnn.calibrate import calibration_metrics, fit_temperature
from crimnet.gnn.data import to_hetero_data
from crimnet.gnn.persist import load_model, save_model
from crimnet.gnn.roles import calibrate_roles, fit_roles, predict_roles, role_labels
from crimnet.gnn.workflow import read_case
from crimnet.schema import ROLES
from crimnet.synthetic.generate import generate_case

PROBS = [f"p_{r}" for r in ROLES]


def _nll(logits: torch.Tensor, y: torch.Tensor, t: float) -> float:
    return float(torch.nn.functional.cross_entropy(logits / t, y))


def test_fitted_temperature_undoes_known_overconfidence() -> None:
    """Labels drawn from softmax(z); the model reports 3 z: the fit finds T near 3 and held-out NLL falls."""
    gen = torch.Generator().manual_seed(0)
    z = 1.5 * torch.randn(6000, 5, generator=gen)
    y = torch.multinomial(torch.softmax(z, 1), 1, generator=gen).flatten()
    fit, held = slice(0, 3000), slice(3000, 6000)
    t = fit_temperature(3 * z[fit], y[fit])
    assert 2.6 < t < 3.4
    before, after = _nll(3 * z[held], y[held], 1.0), _nll(3 * z[held], y[held], t)
    assert after < before - 0.5, (before, after)
    assert abs(after - _nll(z[held], y[held], 1.0)) < 0.02  # as good as the true probabilities


def test_fit_temperature_skips_unlabelled_rows_and_defaults_to_one() -> None:
    z = torch.tensor([[2.0, 0.0], [0.0, 2.0]])
    assert fit_temperature(z, torch.tensor([-1, -1])) == 1.0
    # an unlabelled row that would pull T up if counted
    a = fit_temperature(torch.cat([z, torch.tensor([[9.0, 0.0]])]), torch.tensor([0, 1, -1]))
    assert a == pytest.approx(fit_temperature(z, torch.tensor([0, 1])))


def test_calibration_metrics_on_known_forecasts() -> None:
    perfect = calibration_metrics(np.eye(3)[[0, 1, 2, 2]], np.array([0, 1, 2, 2]))
    assert perfect["ece"] == 0.0 and perfect["brier"] == 0.0 and perfect["nll"] < 1e-9
    # 0.8 confidence, right 3 times of 4: ECE |0.75 - 0.8| = 0.05; Brier (3 x 0.08 + 1.28) / 4 = 0.38
    p = np.array([[0.8, 0.2]] * 4)
    m = calibration_metrics(p, np.array([0, 0, 0, 1]), groups={"second": [1]})
    assert m["ece"] == pytest.approx(0.05) and m["brier"] == pytest.approx(0.38)
    assert m["ece_second"] == pytest.approx(0.05) and m["n"] == 4
    assert np.isnan(calibration_metrics(p, np.array([-1] * 4))["ece"])


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """A role model trained on a 300-person case (seed 61), validated on seed 62; seed 63 held out."""
    torch.set_num_threads(1)
    root = tmp_path_factory.mktemp("cal")
    lgs = []
    for s in (61, 62, 63):
        t, truth = read_case(generate_case(root / f"c{s}", people=300, seed=s).root)
        lgs.append(role_labels(to_hetero_data(t), truth))
    rm = fit_roles([lgs[0]], [lgs[1]], hidden=16, epochs=6, patience=3, batch_size=128, seed=0)
    return rm, lgs[1], lgs[2]


def test_fit_roles_calibrates_and_save_load_keeps_the_temperature(small, tmp_path) -> None:
    rm, _, test = small
    cal = rm.metrics["calibration"]
    assert cal["temperature"] == rm.temperature and rm.temperature != 1.0
    assert cal["valid_nll_after"] <= cal["valid_nll_before"]  # the fit's own data: it cannot do worse
    save_model(rm, tmp_path / "m")
    loaded, _ = load_model(tmp_path / "m")
    assert loaded.temperature == rm.temperature
    np.testing.assert_array_equal(predict_roles(loaded, test.graph)[PROBS], predict_roles(rm, test.graph)[PROBS])
    raw = copy.copy(rm)
    raw.temperature = 1.0
    a, b = predict_roles(rm, test.graph), predict_roles(raw, test.graph)
    assert (a["role"] == b["role"]).all()  # one temperature keeps every person's most probable role
    assert not np.allclose(a[PROBS].to_numpy(), b[PROBS].to_numpy())


def test_temperature_fitted_on_a_validation_case_lowers_held_out_nll(small) -> None:
    """An overconfident network (its head's weights x 4): the temperature fitted on seed 62 helps on seed 63."""
    rm, valid, test = small
    sharp = copy.deepcopy(rm)
    with torch.no_grad():
        sharp.model.head.weight.mul_(4.0)
        sharp.model.head.bias.mul_(4.0)
    y = test.y.numpy()

    def nll(model) -> float:
        return calibration_metrics(predict_roles(model, test.graph)[PROBS].to_numpy(), y)["nll"]

    sharp.temperature = 1.0
    before = nll(sharp)
    fitted = calibrate_roles(sharp, [valid])
    after = nll(sharp)
    # measured: T 3.4 (the x 4 undone, on top of the model's own 0.84), NLL 0.33 -> 0.16
    assert fitted["temperature"] > 2.0
    assert after < 0.6 * before, (before, after)
