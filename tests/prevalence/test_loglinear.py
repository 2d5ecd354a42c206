"""Log-linear fits: the published point estimates, Lincoln-Petersen, the two engines, the sparse-data rule."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crimnet.datasets import load_capture_histories
from crimnet.prevalence.existence import supports
from crimnet.prevalence.fit import fit_model
from crimnet.prevalence.histories import cell_counts
from crimnet.prevalence.loglinear import closure, fit_batch, fit_cells, format_model, parse_model
from crimnet.prevalence.selection import hierarchical_models

# (table, model, published total): Chan, Silverman & Vincent (2021) and the MultipleSystemsEstimation vignette
PUBLISHED = [
    ("NewOrl", "D:E", 1183.69),
    ("NewOrl", "", 996.66),
    ("NewOrl_5", "", 1034.15),
    ("Western", "A:E", 2483.38),
    ("NewOrl_MSEpkg186", "D:E", 1110.49),
    ("NewOrl_5_MSEpkg186", "", 981.43),
]


@pytest.mark.parametrize(("name", "model", "published"), PUBLISHED)
def test_published_point_estimates(name: str, model: str, published: float) -> None:
    fit = fit_model(load_capture_histories(name), model)
    assert fit.total == pytest.approx(published, rel=1e-3)
    assert round(fit.total, 2) == published  # in fact to the cent
    assert fit.hidden == pytest.approx(fit.total - fit.observed)


def test_two_lists_reduce_to_lincoln_petersen() -> None:
    n1, n2, m = 120, 80, 30
    table = pd.DataFrame({"A": [1, 0, 1], "B": [0, 1, 1], "count": [n1 - m, n2 - m, m]})
    fit = fit_model(table)
    assert fit.total == pytest.approx(n1 * n2 / m, rel=1e-9)
    assert fit.hidden == pytest.approx((n1 - m) * (n2 - m) / m, rel=1e-9)
    assert fit.df == 0  # saturated on the observed cells


@pytest.mark.parametrize("name", ["Kosovo", "Korea", "Western"])
def test_numpy_and_statsmodels_engines_agree(name: str) -> None:
    lists, counts = cell_counts(load_capture_histories(name))
    nl = len(lists)
    for terms in hierarchical_models(nl, maxorder=2)[:12]:
        params = closure(terms, nl)
        if not supports(counts, params):
            continue  # no finite estimate: both engines diverge, each its own way
        a = fit_cells(counts, params)
        b = fit_cells(counts, params, engine="statsmodels")
        if not (a.converged and b.converged):
            continue
        assert a.total == pytest.approx(b.total, rel=1e-6)
        assert a.loglik == pytest.approx(b.loglik, rel=1e-8)
        assert a.se_log_dark == pytest.approx(b.se_log_dark, rel=1e-4)


def test_batched_fits_equal_single_fits() -> None:
    lists, counts = cell_counts(load_capture_histories("Kosovo"))
    rng = np.random.default_rng(3)
    batch = rng.multinomial(int(counts.sum()), counts / counts.sum(), size=20)
    params = closure(parse_model("EXH:ABA, OSCE:HRW", lists), len(lists))
    totals, bic, ok = fit_batch(batch, params)
    assert ok.all()
    for row, total, b in zip(batch, totals, bic, strict=True):
        single = fit_cells(row, params)
        assert total == pytest.approx(single.total, rel=1e-8)
        assert b == pytest.approx(single.bic, rel=1e-8)


def test_non_overlapping_pairs_are_minus_infinity_and_their_cells_dropped() -> None:
    # lists that never share a case: a model with such a pair fixes it at -inf
    table = load_capture_histories("Artificial_3")
    fit = fit_model(table, "A:C, B:C")
    assert fit.neg_inf_terms == ["A:C", "B:C"]
    assert fit.coefficients["A:C"] == -np.inf
    lists, counts = cell_counts(table)
    cf = fit_cells(counts, closure(parse_model("A:C, B:C", lists), 3))
    assert 0b101 not in cf.cells and 0b110 not in cf.cells and 0b111 not in cf.cells
    # the penalty counts the -inf parameters too (SparseMSE's adjusted AIC)
    assert fit.aic == pytest.approx(2 * 6 - 2 * cf.loglik)


def test_model_text_round_trips() -> None:
    lists = ["A", "B", "C", "D"]
    terms = parse_model("A:B, B*C + C x D", lists)
    assert format_model(terms, lists) == "A:B + B:C + C:D"
    assert format_model(closure([0b0111], 4), lists) == "A:B:C"
    with pytest.raises(ValueError, match="'text' parameter of parse_model"):
        parse_model("A:Z", lists)
