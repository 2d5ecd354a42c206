"""The published bootstrap intervals, from crimnet's own generator (make test-heavy).

Chan, Silverman & Vincent (2021, JASA) and Silverman, Chan & Vincent (2024, Stat. Comput.) report BCa
intervals from 1,000 bootstrap resamples of R's generator. Fed R's own resamples, crimnet gives the
published stepwise intervals to the digit (``test_replay_r.py``); with numpy's generator the bounds
differ by Monte Carlo error, and that error is large: for stepwise intervals the bias correction
pushes the lower bound to an extreme quantile (about the smallest of the 1,000 replicates), which moves
by 10-30% between seeds. Over R seeds 1-20, SparseMSE's own New Orleans five-list lower bound runs from
434 to 629 (published, seed 1234: 589). So each published bound is compared with the Monte Carlo
spread of a 1,000-resample bound: the central 99% of the bounds of 2,000 simulated runs drawn from
5,000 of our replicates (:func:`~crimnet.prevalence.bootstrap.bound_spread`); it must lie within 5%
of that range (the issue's tolerance).
"""

from __future__ import annotations

import numpy as np
import pytest

from crimnet.datasets import load_capture_histories
from crimnet.prevalence.bootstrap import BootstrapResult, bic_bootstrap, bootstrap, bound_spread
from crimnet.prevalence.histories import cell_counts
from crimnet.prevalence.selection import bic_models, main_effects, stepwise

pytestmark = pytest.mark.heavy

RUNS = 5
NBOOT = 1000


def _run(name: str, method: str) -> BootstrapResult:
    _, counts = cell_counts(load_capture_histories(name))
    if method == "bic":
        models = [c.terms for c in bic_models(counts)]
        return bic_bootstrap(counts, models=models, nboot=RUNS * NBOOT, seed=1234)
    cache: dict = {}
    choose = stepwise if method == "stepwise" else main_effects

    def rule(c: np.ndarray) -> float:
        sel = choose(c, cache=cache)
        return float("nan") if sel is None else sel.fit.total

    return bootstrap(counts, rule=rule, nboot=RUNS * NBOOT, seed=1234)


CASES = [
    ("NewOrl", "stepwise", 1183.69, (717, 1657)),
    ("NewOrl", "main-effects", 996.66, (644, 1618)),
    ("NewOrl_5", "stepwise", 1034.15, (589, 1703)),
    ("Western", "stepwise", 2483.38, (1293, 3670)),
    ("Kosovo", "bic", 10356.52, (6900, 18000)),
    ("Korea", "bic", 157.17, (128, 349)),
]


@pytest.mark.parametrize(("name", "method", "estimate", "published"), CASES)
def test_published_bca_interval(name: str, method: str, estimate: float, published: tuple[int, int]) -> None:
    res = _run(name, method)
    assert res.estimate == pytest.approx(estimate, rel=1e-3)
    assert res.failed == 0
    spread = bound_spread(res.replicates, res.estimate, accel=res.acceleration, size=NBOOT)
    for k, target in enumerate(published):
        lo, hi = spread[k]
        gap = 0.0 if lo <= target <= hi else min(abs(target - lo), abs(target - hi)) / target
        assert gap <= 0.05, f"{name} bound {k}: published {target}, 99% spread of ours {lo:.0f}-{hi:.0f}"
