"""Bootstrap intervals that carry the uncertainty of model choice: BCa, with the selection inside.

Both intervals of the reference packages resample the observed cases (a multinomial draw of the
same total over the observed capture histories), repeat the *whole* estimation on every resample
-- model choice included -- and correct the percentile interval for bias and skewness (BCa;
Efron 1987; DiCiccio & Efron 1996, Stat. Sci. 11:189):

- :func:`bootstrap` takes any rule ``counts -> estimate`` (stepwise, downhill, main effects, a fixed
  model): Chan, Silverman & Vincent (2021), SparseMSE's ``estimatepopulation``;
- :func:`bic_bootstrap` repeats BIC selection among the ``ntop`` models best by BIC on the
  original data (Silverman, Chan & Vincent 2024, Stat. Comput. 34:44; ``estimate_population_bic``).

The acceleration comes from the delete-one jackknife over cases (one fit per observed history,
weighted by its count); the bias correction from the share of bootstrap estimates below the
original one. Quantiles are R's type 8 (numpy's ``median_unbiased``), as the reference code.
Resamples whose model cannot be fitted give NaN and are left out of the quantiles (the reference
package does the same, ``na.rm = TRUE``); how many were left out is reported.

Only the random numbers differ from SparseMSE: fed R's resamples (``draws``), :func:`bootstrap` gives
its published intervals to the digit. A bound is often an extreme quantile of the replicates, so it
moves a lot between seeds; :func:`bound_spread` says how much, for comparing with a published bound.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.stats import norm

from crimnet.errors import bad_parameter, check_choice, check_interval
from crimnet.prevalence.existence import supports
from crimnet.prevalence.loglinear import closure, fit_batch

__all__ = [
    "RESAMPLING",
    "BootstrapResult",
    "acceleration",
    "bca_interval",
    "bic_bootstrap",
    "bic_models_best",
    "bootstrap",
    "bound_spread",
    "draw_resamples",
    "jackknife_counts",
]


@dataclass(frozen=True)
class BootstrapResult:
    """Bootstrap estimates and the BCa interval.

    Attributes
    ----------
    estimate : float
        The estimate on the original data.
    replicates : numpy.ndarray
        One estimate per resample (NaN where none could be made).
    acceleration : float
        The BCa acceleration from the jackknife.
    lower, upper : float
        The BCa interval at `level`.
    level : float
        Two-sided confidence level.
    failed : int
        Resamples with no estimate.
    """

    estimate: float
    replicates: np.ndarray
    acceleration: float
    lower: float
    upper: float
    level: float
    failed: int


def bca_interval(
    replicates: np.ndarray,
    estimate: float | None = None,
    *,
    accel: float = 0.0,
    alpha: Sequence[float] = (0.025, 0.975),
) -> np.ndarray:
    """BCa quantiles of bootstrap replicates (SparseMSE's ``bcaconfvalues``).

    Parameters
    ----------
    replicates : numpy.ndarray
        Bootstrap estimates; NaN ignored.
    estimate : float, optional
        The estimate on the original data; default the replicates' median (no bias correction).
    accel : float, default 0
        The acceleration ``a``.
    alpha : sequence of float, default (0.025, 0.975)
        Cumulative probabilities in (0, 1) wanted (0.025 and 0.975 for a 95% interval).

    Returns
    -------
    numpy.ndarray
        ``quantile(replicates, Phi(z0 + (z0 + z_a) / (1 - a (z0 + z_a))))``, ``z0 = Phi^-1(share below estimate)``.

    Examples
    --------
    >>> r = np.arange(1.0, 1001.0)
    >>> bca_interval(r, 500.5, accel=0.0, alpha=[0.025, 0.975]).round(1).tolist()
    [25.3, 975.7]
    """
    if not isinstance(replicates, np.ndarray) or replicates.ndim != 1:
        raise bad_parameter("replicates", "bca_interval", "a 1-d array of bootstrap estimates", replicates)
    r = replicates[np.isfinite(replicates)]
    if estimate is None:
        estimate = float(np.median(r)) if r.size else float("nan")
    if r.size == 0:
        return np.full(len(alpha), np.nan)
    z0 = float(norm.ppf(np.mean(r < estimate)))
    if not np.isfinite(z0):  # every replicate on one side of the estimate: the limit of the formula is that end
        return np.quantile(r, np.full(len(alpha), 1.0 if z0 > 0 else 0.0), method="median_unbiased")
    za = norm.ppf(np.asarray(alpha, dtype=float))
    za0 = za + z0
    q = norm.cdf(z0 + za0 / (1 - accel * za0))
    return np.quantile(r, np.clip(q, 0.0, 1.0), method="median_unbiased")


def bound_spread(
    replicates: np.ndarray,
    estimate: float,
    *,
    accel: float = 0.0,
    size: int = 1000,
    runs: int = 2000,
    coverage: float = 0.99,
    level: float = 0.95,
    seed: int = 0,
) -> np.ndarray:
    """How far the BCa bounds of a `size`-resample run move by chance: their central `coverage` range.

    A BCa bound is one quantile of ``size`` bootstrap replicates, often an extreme one: with a strong bias
    correction the lower 95% bound of a stepwise estimate is the 10^-5 quantile, i.e. the smallest of
    1,000 replicates. It then changes with the random seed by 10-30%, so a published bound can only be
    compared with the spread of such runs. The spread is estimated from a longer run by drawing `runs`
    sets of `size` replicates from it with replacement (an m-out-of-n bootstrap of the replicates) and
    taking each set's BCa interval at `level`. It takes the long run's replicates for their
    distribution, so the range comes out somewhat narrow: the long run has Monte Carlo error of its
    own, and a bound at its extreme cannot go past the long run's extreme replicate (a nominal 90%
    range from 20,000 replicates held 79-95% of fresh 1,000-resample bounds in the tests). A published
    bound outside it is therefore weaker evidence of a difference than the coverage says.

    Parameters
    ----------
    replicates : numpy.ndarray
        Bootstrap estimates of a long run (NaN ignored), at least `size` finite ones advised.
    estimate : float
        The estimate on the original data.
    accel : float, default 0
        The BCa acceleration (it does not depend on the resamples).
    size : int, default 1000
        Resamples of the run whose spread is wanted (the reference packages use 1,000), >= 1.
    runs : int, default 2000
        Simulated runs, >= 1.
    coverage : float, default 0.99
        Central share of the simulated bounds kept, in (0, 1).
    level : float, default 0.95
        Confidence level of the intervals, in (0, 1).
    seed : int, default 0
        Seed of the draws, >= 0.

    Returns
    -------
    numpy.ndarray
        Shape (2, 2): row 0 the range of the lower bound, row 1 of the upper bound. O(runs * size log size).

    Examples
    --------
    >>> r = np.random.default_rng(1).normal(1000.0, 100.0, 5000)
    >>> lo, hi = bound_spread(r, 1000.0)
    >>> bool(lo[0] < 804 < lo[1]) and bool(hi[0] < 1196 < hi[1])
    True
    """
    if not isinstance(replicates, np.ndarray) or replicates.ndim != 1:
        raise bad_parameter("replicates", "bound_spread", "a 1-d array of bootstrap estimates", replicates)
    check_interval(size, param="size", func="bound_spread", low=1, closed="left", integer=True)
    check_interval(runs, param="runs", func="bound_spread", low=1, closed="left", integer=True)
    check_interval(coverage, param="coverage", func="bound_spread", low=0, high=1)
    check_interval(level, param="level", func="bound_spread", low=0, high=1)
    check_interval(seed, param="seed", func="bound_spread", low=0, closed="left", integer=True)
    r = replicates[np.isfinite(replicates)]
    if r.size == 0:
        return np.full((2, 2), np.nan)
    rng = np.random.default_rng(seed)
    alpha = [(1 - level) / 2, (1 + level) / 2]
    bounds = np.array([bca_interval(rng.choice(r, size), estimate, accel=accel, alpha=alpha) for _ in range(runs)])
    return np.quantile(bounds, [(1 - coverage) / 2, (1 + coverage) / 2], axis=0).T


def acceleration(jack: np.ndarray, weights: np.ndarray | None = None) -> float:
    """The BCa acceleration from delete-one jackknife estimates weighted by their histories' counts (default 1).

    ``a = sum(w d^3) / (6 (sum(w d^2))^1.5)`` with ``d = mean_w(jack) - jack``; 0 when the jackknife does not vary.
    """
    if weights is None and isinstance(jack, np.ndarray):
        weights = np.ones(jack.shape)
    if not isinstance(jack, np.ndarray) or not isinstance(weights, np.ndarray) or jack.shape != weights.shape:
        raise bad_parameter("jack", "acceleration", "an array matching `weights`", jack)
    ok = weights > 0
    j, w = jack[ok], weights[ok].astype(float)
    if j.size == 0 or not np.all(np.isfinite(j)):
        return float("nan")
    d = np.sum(w * j) / np.sum(w) - j
    denom = np.sum(w * d**2)
    return float(np.sum(w * d**3) / (6 * denom**1.5)) if denom > 0 else 0.0


def jackknife_counts(counts: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
    """The delete-one-case tables: for each observed history, the counts with one case of it removed.

    Returns ``(weights, tables)``: the count of each observed history and the table without one of its cases.
    """
    if not isinstance(counts, np.ndarray) or counts.ndim != 1:
        raise bad_parameter("counts", "jackknife_counts", "a 1-d array of counts indexed by cell mask", counts)
    cells = np.flatnonzero(counts > 0)
    tables = []
    for c in cells:
        t = counts.copy()
        t[c] -= 1
        tables.append(t)
    return counts[cells], tables


RESAMPLING = ("multinomial", "binomial")
"""How resamples are drawn: ``multinomial`` keeps the number observed fixed (the reference packages);
``binomial`` also redraws it, ``Binomial(round(N), n / N)`` with ``N`` the original estimate."""


def draw_resamples(
    counts: np.ndarray, *, nboot: int = 1000, seed: int = 1234, resample: str = "multinomial", total: float = 0.0
) -> np.ndarray:
    """Bootstrap resamples of the observed cases, one row per resample.

    Parameters
    ----------
    counts : numpy.ndarray
        Counts indexed by cell mask.
    nboot : int, default 1000
        Resamples, >= 1.
    seed : int, default 1234
        Random seed, >= 0.
    resample : {'multinomial', 'binomial'}, default 'multinomial'
        ``multinomial``: the observed number ``n`` of cases drawn over the observed histories, as
        SparseMSE and MultipleSystemsEstimation do. It conditions on ``n`` and so leaves out the
        binomial variation of how many of the ``N`` cases the lists catch: intervals cover the true total
        less often than nominal (``benchmarks/results/prevalence.md``). ``binomial``: the number drawn is
        itself ``Binomial(round(total), n / total)`` (as the reference package's own simulation study
        draws it), then spread over the observed histories.
    total : float, default 0
        The estimated total ``N`` (>= 0), needed by ``binomial``; ignored (multinomial) when not above ``n``.

    Returns
    -------
    numpy.ndarray
        Shape ``(nboot, len(counts))``.
    """
    if not isinstance(counts, np.ndarray) or counts.ndim != 1:
        raise bad_parameter("counts", "draw_resamples", "a 1-d array of counts indexed by cell mask", counts)
    _check(nboot, seed, 0.5, "draw_resamples")
    check_choice(resample, RESAMPLING, param="resample", func="draw_resamples")
    check_interval(total, param="total", func="draw_resamples", low=0, closed="left")
    rng = np.random.default_rng(seed)
    n = int(counts.sum())
    if resample == "binomial" and np.isfinite(total) and total > n:
        sizes = rng.binomial(int(round(total)), n / total, size=nboot)
        return np.stack([rng.multinomial(k, counts / n) for k in sizes])
    return rng.multinomial(n, counts / n, size=nboot)


def _check(nboot: int, seed: int, level: float, func: str) -> None:
    check_interval(nboot, param="nboot", func=func, low=1, closed="left", integer=True)
    check_interval(seed, param="seed", func=func, low=0, closed="left", integer=True)
    check_interval(level, param="level", func=func, low=0, high=1)


def _result(estimate: float, reps: np.ndarray, jack: np.ndarray, weights: np.ndarray, level: float) -> BootstrapResult:
    a = acceleration(jack, weights)
    alpha = [(1 - level) / 2, (1 + level) / 2]
    lo, hi = bca_interval(reps, estimate, accel=0.0 if np.isnan(a) else a, alpha=alpha)
    return BootstrapResult(estimate, reps, a, float(lo), float(hi), level, int(np.sum(~np.isfinite(reps))))


def bootstrap(
    counts: np.ndarray,
    *,
    rule: Callable[[np.ndarray], float] | None = None,
    nboot: int = 1000,
    seed: int = 1234,
    level: float = 0.95,
    resample: str = "multinomial",
    draws: np.ndarray | None = None,
) -> BootstrapResult:
    """BCa interval of an estimate whose rule (model choice included) is rerun on every resample.

    Parameters
    ----------
    counts : numpy.ndarray
        Counts indexed by cell mask.
    rule : callable
        ``counts -> estimated total`` (NaN when the rule cannot estimate), e.g. stepwise then fit.
    nboot : int, default 1000
        Resamples, at least 1.
    seed : int, default 1234
        Seed of the resampling (numpy's generator: the replicates differ from R's with the same seed).
    level : float, default 0.95
        Confidence level, in (0, 1).
    resample : {'multinomial', 'binomial'}, default 'multinomial'
        How resamples are drawn (:func:`draw_resamples`).
    draws : numpy.ndarray, optional
        Resamples drawn elsewhere, one row of non-negative integer counts per resample, indexed like
        `counts`; `nboot`, `seed` and `resample` are then ignored. This replays another generator's
        run: with the draws of R's ``rmultinom`` under ``set.seed(1234)`` it gives SparseMSE's
        published intervals to the digit (``tests/prevalence/test_replay_r.py``).

    Returns
    -------
    BootstrapResult
        O((nboot + observed histories) * cost of the rule).
    """
    if not isinstance(counts, np.ndarray) or counts.ndim != 1:
        raise bad_parameter("counts", "bootstrap", "a 1-d array of counts indexed by cell mask", counts)
    _check(nboot, seed, level, "bootstrap")
    if not callable(rule):
        raise bad_parameter("rule", "bootstrap", "a callable counts -> estimate", rule)
    if draws is not None and not (
        isinstance(draws, np.ndarray)
        and draws.ndim == 2
        and draws.shape[0] >= 1
        and draws.shape[1] == counts.size
        and np.issubdtype(draws.dtype, np.integer)
        and bool(np.all(draws >= 0))
    ):
        raise bad_parameter("draws", "bootstrap", "a 2-d array of non-negative integer counts, one row per resample",
                            draws)  # fmt: skip
    estimate = rule(counts)
    if draws is None:
        draws = draw_resamples(counts, nboot=nboot, seed=seed, resample=resample, total=_total(estimate))
    reps = np.array([rule(d) for d in draws], dtype=float)
    weights, tables = jackknife_counts(counts)
    jack = np.array([rule(t) for t in tables], dtype=float)
    return _result(estimate, reps, jack, weights, level)


def _total(estimate: float) -> float:
    return float(estimate) if np.isfinite(estimate) else 0.0


def bic_models_best(counts: np.ndarray, models: Sequence[tuple[int, ...]]) -> float:
    """The total of the model of smallest BIC among `models` that the counts support (NaN if none)."""
    if not isinstance(counts, np.ndarray) or counts.ndim != 1:
        raise bad_parameter("counts", "bic_models_best", "a 1-d array of counts indexed by cell mask", counts)
    nl = counts.size.bit_length() - 1
    totals, bics = [], []
    for terms in models:
        params = closure(terms, nl)
        if supports(counts, params):
            t, b, _ = fit_batch(counts[None, :], params)
            totals.append(t[0])
            bics.append(b[0])
    ok = [i for i, b in enumerate(bics) if np.isfinite(b)]
    return float(totals[min(ok, key=lambda i: bics[i])]) if ok else float("nan")


def bic_bootstrap(
    counts: np.ndarray,
    *,
    models: Sequence[tuple[int, ...]] | None = None,
    nboot: int = 1000,
    seed: int = 1234,
    level: float = 0.95,
    resample: str = "multinomial",
) -> BootstrapResult:
    """BCa interval of the BIC-selected estimate, BIC selection repeated on every resample among `models`.

    Parameters
    ----------
    counts : numpy.ndarray
        Counts indexed by cell mask.
    models : sequence of tuple of int
        The ``ntop`` models best by BIC on the original data, best first (their terms).
    nboot, seed, level, resample
        As :func:`bootstrap`.

    Notes
    -----
    Each model is fitted to all resamples and jackknife tables at once
    (:func:`~crimnet.prevalence.loglinear.fit_batch`); the existence check runs once per model and
    pattern of empty cells (it depends on nothing else).

    Returns
    -------
    BootstrapResult
        The estimate is the best model's on the original data. O((nboot + histories) * ntop * fit).
    """
    if not isinstance(counts, np.ndarray) or counts.ndim != 1:
        raise bad_parameter("counts", "bic_bootstrap", "a 1-d array of counts indexed by cell mask", counts)
    if not models or not all(isinstance(m, tuple) for m in models):
        raise bad_parameter("models", "bic_bootstrap", "a non-empty sequence of models (tuples of terms)", models)
    _check(nboot, seed, level, "bic_bootstrap")
    nl = counts.size.bit_length() - 1
    first = bic_models_best(counts, models)
    draws = draw_resamples(counts, nboot=nboot, seed=seed, resample=resample, total=_total(first))
    weights, tables = jackknife_counts(counts)
    batch = np.vstack([counts[None, :], draws, *([np.array(tables)] if tables else [])])
    patterns, which = np.unique(batch > 0, axis=0, return_inverse=True)
    which = np.asarray(which).reshape(-1)
    best_bic = np.full(batch.shape[0], np.inf)
    best_total = np.full(batch.shape[0], np.nan)
    for terms in models:
        params = closure(terms, nl)
        ok_pattern = np.array([supports(pat.astype(np.int64), params) for pat in patterns])
        rows = np.flatnonzero(ok_pattern[which])
        if rows.size == 0:
            continue
        totals, bic, _ = fit_batch(batch[rows], params)
        better = bic < best_bic[rows]  # NaN compares False: failed fits never win
        best_bic[rows[better]] = bic[better]
        best_total[rows[better]] = totals[better]
    estimate = float(best_total[0])
    reps = best_total[1 : 1 + nboot]
    jack = best_total[1 + nboot :]
    return _result(estimate, reps, jack, weights, level)
