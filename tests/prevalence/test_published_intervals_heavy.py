"""The published bootstrap intervals (make test-heavy).

Chan, Silverman & Vincent (2021, JASA) and Silverman, Chan & Vincent (2024, Stat. Comput.) report BCa
intervals from 1,000 bootstrap resamples of R's generator. Ours follow the same procedure with
numpy's generator, so they differ by Monte Carlo error, and that error is large: for stepwise
intervals the bias correction pushes the lower bound to an extreme quantile (for New Orleans,
about the smallest of the 1,000 replicates), which moves by 10% or more between seeds. Each bound
is therefore checked against the Monte Carlo range of five independent 1,000-resample intervals
(one run of 5,000 resamples cut into five): a published bound must lie within 5% of that range.
"""

from __future__ import annotations

import numpy as np
import pytest

from crimnet.datasets import load_capture_histories
from crimnet.prevalence.bootstrap import BootstrapResult, bca_interval, bic_bootstrap, bootstrap
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
    pytest.param(
        "NewOrl_5",
        "stepwise",
        1034.15,
        (589, 1703),
        marks=pytest.mark.xfail(
            strict=True,
            reason="lower bound: our five 1,000-resample bounds run 509-552, 6.3% below the published 589 "
            "(the upper bound agrees); same algorithm as SparseMSE 2.0.1, step by step",
        ),
    ),
    ("Western", "stepwise", 2483.38, (1293, 3670)),
    ("Kosovo", "bic", 10356.52, (6900, 18000)),
    ("Korea", "bic", 157.17, (128, 349)),
]


@pytest.mark.parametrize(("name", "method", "estimate", "published"), CASES)
def test_published_bca_interval(name: str, method: str, estimate: float, published: tuple[int, int]) -> None:
    res = _run(name, method)
    assert res.estimate == pytest.approx(estimate, rel=1e-3)
    assert res.failed == 0
    bounds = np.array(
        [
            bca_interval(res.replicates[i * NBOOT : (i + 1) * NBOOT], res.estimate, accel=res.acceleration)
            for i in range(RUNS)
        ]
    )
    for k, target in enumerate(published):
        lo, hi = bounds[:, k].min(), bounds[:, k].max()
        gap = 0.0 if lo <= target <= hi else min(abs(target - lo), abs(target - hi)) / target
        assert gap <= 0.05, f"{name} bound {k}: published {target}, ours {bounds[:, k].round().tolist()}"
