"""The simulator of capture histories with a known total, and recovery of the truth."""

from __future__ import annotations

import numpy as np
import pytest

from crimnet.prevalence.estimate import estimate
from crimnet.prevalence.histories import cell_counts
from crimnet.prevalence.loglinear import closure, fit_cells
from crimnet.prevalence.simulate import history_probabilities, simulate_histories


def test_marginal_probabilities_and_dependence_are_as_asked() -> None:
    probs = [0.1, 0.3, 0.2, 0.05]
    p = history_probabilities(probs, dependence={(0, 1): 1.5, (2, 3): -1.0})
    h = (np.arange(16)[:, None] >> np.arange(4)) & 1
    assert (h.T @ p) == pytest.approx(probs, abs=1e-10)
    # the conditional log odds ratio of lists 0 and 1 (others absent) is the dependence asked for
    odds = np.log(p[0b0011] * p[0b0000] / (p[0b0001] * p[0b0010]))
    assert odds == pytest.approx(1.5, abs=1e-9)


def test_the_total_is_known_and_the_unseen_are_dropped() -> None:
    t = simulate_histories([0.2, 0.3, 0.25], total=800, seed=5)
    assert t.attrs["total"] == 800
    assert int(t["count"].sum()) + t.attrs["hidden"] == 800
    assert (t[["A", "B", "C"]].sum(axis=1) > 0).all()


def test_independent_lists_recover_the_total_at_about_the_nominal_rate() -> None:
    """Main effects (the true model) over 200 seeds: the 95% model-based interval covers the truth ~95%."""
    total, covered, estimates = 600, 0, []
    params = closure((), 3)
    probs = history_probabilities([0.25, 0.2, 0.3])  # what simulate_histories draws from, without the table
    for seed in range(200):
        counts = np.random.default_rng(seed).multinomial(total, probs)
        counts[0] = 0
        fit = fit_cells(counts, params)
        z = 1.959964
        lo = fit.observed + fit.dark * np.exp(-z * fit.se_log_dark)
        hi = fit.observed + fit.dark * np.exp(z * fit.se_log_dark)
        covered += lo <= total <= hi
        estimates.append(fit.total)
    assert 0.90 <= covered / 200 <= 0.99
    assert np.mean(estimates) == pytest.approx(total, rel=0.05)  # nearly unbiased


def test_dependence_biases_main_effects_and_the_right_model_removes_it() -> None:
    """Positive dependence between two lists: main effects underestimate; the model with that pair does not."""
    main, pair = [], []
    for seed in range(40):
        t = simulate_histories([0.2, 0.2, 0.3], total=1000, dependence={(0, 1): 1.2}, seed=seed)
        _, counts = cell_counts(t)
        main.append(fit_cells(counts, closure((), 3)).total)
        pair.append(fit_cells(counts, closure((0b011,), 3)).total)
    assert np.mean(main) < 900
    assert np.mean(pair) == pytest.approx(1000, rel=0.08)


def test_stepwise_on_simulated_lists_finds_the_planted_dependence() -> None:
    t = simulate_histories([0.2, 0.2, 0.3, 0.25], total=2000, dependence={(0, 1): 1.5}, seed=11)
    r = estimate(t, method="stepwise", nboot=0)
    assert "A:B" in r.terms
    assert r.lower <= 2000 <= r.upper
