"""BCa bootstrap intervals with the model choice inside: properties at few replicates (make test)."""

from __future__ import annotations

import numpy as np
import pytest

from crimnet.datasets import load_capture_histories
from crimnet.prevalence.bootstrap import acceleration, bca_interval, bic_bootstrap, bootstrap, jackknife_counts
from crimnet.prevalence.histories import cell_counts
from crimnet.prevalence.selection import bic_models, stepwise


def test_bca_without_bias_or_acceleration_is_the_percentile_interval() -> None:
    r = np.arange(1.0, 1001.0)
    lo, hi = bca_interval(r, 500.5, accel=0.0, alpha=[0.025, 0.975])
    # R's quantile type 8 at 2.5% and 97.5% of 1..1000
    assert lo == pytest.approx(np.quantile(r, 0.025, method="median_unbiased"))
    assert hi == pytest.approx(np.quantile(r, 0.975, method="median_unbiased"))


def test_bias_correction_moves_the_interval_towards_the_estimate() -> None:
    r = np.random.default_rng(0).lognormal(7.0, 0.3, 2000)
    plain = bca_interval(r, float(np.median(r)), accel=0.0)
    low_estimate = bca_interval(r, float(np.quantile(r, 0.2)), accel=0.0)
    assert low_estimate[0] < plain[0] and low_estimate[1] < plain[1]


def test_acceleration_is_zero_for_a_symmetric_jackknife_and_signed_by_skew() -> None:
    assert acceleration(np.array([1.0, 2.0, 3.0]), np.array([1, 1, 1])) == pytest.approx(0.0)
    # one history far below the others: the influence is skewed
    assert acceleration(np.array([1.0, 10.0, 10.0, 10.0])) > 0


def test_jackknife_removes_one_case_of_each_observed_history() -> None:
    counts = np.array([0, 3, 0, 2])
    weights, tables = jackknife_counts(counts)
    assert weights.tolist() == [3, 2]
    assert [t.tolist() for t in tables] == [[0, 2, 0, 2], [0, 3, 0, 1]]


def test_stepwise_bootstrap_with_few_replicates() -> None:
    """Reduced replicates: the looser properties of the published New Orleans interval (717, 1,657)."""
    lists, counts = cell_counts(load_capture_histories("NewOrl"))
    cache: dict = {}

    def rule(c: np.ndarray) -> float:
        sel = stepwise(c, cache=cache)
        return float("nan") if sel is None else sel.fit.total

    res = bootstrap(counts, rule=rule, nboot=60, seed=1234)
    assert res.estimate == pytest.approx(1183.69, rel=1e-4)
    assert res.failed == 0 and res.replicates.size == 60
    assert counts.sum() < res.lower < res.estimate < res.upper
    assert 717 / 1.6 < res.lower < 717 * 1.6 and 1657 / 1.6 < res.upper < 1657 * 1.6
    again = bootstrap(counts, rule=rule, nboot=60, seed=1234)
    assert again.lower == res.lower and again.upper == res.upper  # seeded


def test_bic_bootstrap_with_few_replicates() -> None:
    """Reduced replicates: Korea, BIC selection among all six models in each resample (published (128, 349))."""
    lists, counts = cell_counts(load_capture_histories("Korea"))
    models = [c.terms for c in bic_models(counts)]
    res = bic_bootstrap(counts, models=models, nboot=200, seed=1234)
    assert res.estimate == pytest.approx(157.17, rel=1e-3)
    assert res.lower < res.estimate < res.upper
    assert 128 / 1.25 < res.lower < 128 * 1.25 and 349 / 1.25 < res.upper < 349 * 1.25
    only_best = bic_bootstrap(counts, models=models[:1], nboot=200, seed=1234)
    # with the model fixed the interval ignores model uncertainty: narrower (the paper's ntop = 1 row)
    assert only_best.upper - only_best.lower < res.upper - res.lower


def test_binomial_resampling_redraws_the_number_observed() -> None:
    from crimnet.prevalence.bootstrap import draw_resamples

    counts = np.array([0, 50, 40, 10])
    fixed = draw_resamples(counts, nboot=300, seed=1)
    assert (fixed.sum(axis=1) == 100).all()
    varying = draw_resamples(counts, nboot=300, seed=1, resample="binomial", total=200.0)
    sizes = varying.sum(axis=1)
    assert sizes.std() > 3  # Binomial(200, 0.5): sd about 7
    assert sizes.mean() == pytest.approx(100, abs=3)
    assert (varying[:, 0] == 0).all()
    with pytest.raises(ValueError, match="'resample' parameter of draw_resamples"):
        draw_resamples(counts, resample="poisson")


def test_bound_spread_covers_independent_runs_at_about_its_coverage() -> None:
    """The spread of a 1,000-resample bound, from a long run, holds the bounds of fresh runs of that size."""
    from crimnet.prevalence.bootstrap import bound_spread

    rng = np.random.default_rng(3)
    skewed = rng.lognormal(7.0, 0.4, 20000)  # replicates of a skewed estimate, as the stepwise ones
    estimate, accel = float(np.quantile(skewed, 0.3)), -0.05  # bias correction: the lower bound goes extreme
    spread = bound_spread(skewed, estimate, accel=accel, size=1000, runs=500, coverage=0.9)
    fresh = np.array([bca_interval(rng.lognormal(7.0, 0.4, 1000), estimate, accel=accel) for _ in range(200)])
    inside = ((fresh >= spread[:, 0]) & (fresh <= spread[:, 1])).mean(axis=0)
    # a little under 0.9: the long run's own error and its finite tail narrow the spread (docstring)
    assert ((0.75 <= inside) & (inside <= 0.98)).all(), inside  # 0.79-0.95 over seeds 0-7
    wider = bound_spread(skewed, estimate, accel=accel, size=1000, runs=500, coverage=0.99)
    assert (wider[:, 0] <= spread[:, 0]).all() and (wider[:, 1] >= spread[:, 1]).all()
    assert np.isnan(bound_spread(np.full(3, np.nan), 1.0)).all()
