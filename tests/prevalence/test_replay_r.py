"""The published BCa intervals, replayed on the reference package's own resamples (make test).

SparseMSE's ``estimatepopulation(zdat, nboot = 1000, iseed = 1234)`` draws its resamples with R's
``rmultinom`` after ``set.seed(1234)``; ``tests/prevalence/data`` holds those draws (how they were made:
its README). Fed the same draws, crimnet's :func:`~crimnet.prevalence.bootstrap.bootstrap` must give
SparseMSE's interval to the digit (for stepwise, the published one): same model choice in every resample,
same jackknife acceleration, same BCa quantiles. What is left between the published interval and one of
crimnet's own is then Monte Carlo error of the generator (``test_published_intervals_heavy.py``,
docs/prevalence.md).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from crimnet.datasets import load_capture_histories
from crimnet.errors import CrimnetError
from crimnet.prevalence.bootstrap import bootstrap
from crimnet.prevalence.histories import CaptureHistoryError, cell_counts, read_draws
from crimnet.prevalence.selection import main_effects, stepwise

DATA = Path(__file__).parent / "data"


def replay(name: str, method: str) -> tuple[float, float, float, float, int]:
    """``(estimate, acceleration, lower, upper, resamples)`` of `method` on R's resamples of `name`."""
    lists, counts = cell_counts(load_capture_histories(name))
    draws = read_draws(DATA / f"{name}_R_seed1234_draws.csv", lists)
    choose = stepwise if method == "stepwise" else main_effects
    cache: dict = {}

    def rule(c: np.ndarray) -> float:
        sel = choose(c, cache=cache)
        return float("nan") if sel is None else sel.fit.total

    res = bootstrap(counts, rule=rule, draws=draws)
    assert res.failed == 0
    return res.estimate, res.acceleration, res.lower, res.upper, len(res.replicates)


# What R 4.2.2 with SparseMSE 2.0.1 prints for estimatepopulation(zdat, nboot = 1000, iseed = 1234,
# alpha = c(0.025, 0.975)): popest, ahat, the BCa bounds; then the published interval. Main effects are
# that call with pthresh = 0 (method = "main" stops at the first resample with an empty list); its
# published interval (644, 1,618) is not from this run, so only the R run is compared.
R_RUNS = [
    ("NewOrl_5", "stepwise", 1034.151, -0.05516147, (588.8175, 1703.6937), (589, 1703)),
    ("Western", "stepwise", 2483.384, -0.09501026, (1293.214, 3672.037), (1293, 3670)),
    ("NewOrl", "main-effects", 996.6643, -0.05233777476, (627.219368, 1729.657373), None),
    # eight lists, 30 s: make test-heavy (before the empty-list rule of stepwise the upper bound was 1,643)
    pytest.param(
        "NewOrl", "stepwise", 1183.692, -0.02933242, (717.2108, 1657.6080), (717, 1657), marks=pytest.mark.heavy
    ),
]


@pytest.mark.parametrize(("name", "method", "estimate", "ahat", "r_bca", "published"), R_RUNS)
def test_replaying_r_resamples_gives_sparsemse_interval(
    name: str,
    method: str,
    estimate: float,
    ahat: float,
    r_bca: tuple[float, float],
    published: tuple[int, int] | None,
) -> None:
    est, acc, lo, hi, nboot = replay(name, method)
    assert nboot == 1000
    assert est == pytest.approx(estimate, rel=1e-6)
    assert acc == pytest.approx(ahat, rel=1e-6)
    assert (lo, hi) == pytest.approx(r_bca, rel=1e-6)
    if published is not None:  # the criterion, each bound within 5% of the published one
        assert abs(lo - published[0]) / published[0] < 0.05 and abs(hi - published[1]) / published[1] < 0.05


def test_bootstrap_refuses_draws_of_the_wrong_shape_or_kind() -> None:
    counts = np.array([0, 5, 4, 3])
    with pytest.raises(CrimnetError, match="draws"):
        bootstrap(counts, rule=lambda c: float(c.sum()), draws=np.ones((3, 5), dtype=np.int64))
    with pytest.raises(CrimnetError, match="draws"):
        bootstrap(counts, rule=lambda c: float(c.sum()), draws=np.full((3, 4), 0.5))


def test_read_draws_indexes_columns_by_history_mask_and_refuses_unknown_lists(tmp_path: Path) -> None:
    good = tmp_path / "draws.csv"
    good.write_text("A,B,A+B\n3,2,1\n4,1,1\n")
    assert read_draws(good, ["A", "B"]).tolist() == [[0, 3, 2, 1], [0, 4, 1, 1]]
    bad = tmp_path / "bad.csv"
    bad.write_text("A,C\n3,2\n")
    with pytest.raises(CaptureHistoryError, match="'C'"):
        read_draws(bad, ["A", "B"])
    bad.write_text("A+B,B+A\n3,2\n")
    with pytest.raises(CaptureHistoryError, match="two columns"):
        read_draws(bad, ["A", "B"])
    bad.write_text("A,B\n3,-2\n")
    with pytest.raises(CaptureHistoryError, match="non-negative"):
        read_draws(bad, ["A", "B"])
