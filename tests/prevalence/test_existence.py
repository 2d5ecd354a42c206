"""The existence and rank checks: the reference package's verdicts, the refusal and its explanation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crimnet.datasets import load_capture_histories
from crimnet.prevalence.existence import ModelNotSupportedError, check_existence, require_existence, supports
from crimnet.prevalence.fit import fit_model
from crimnet.prevalence.histories import cell_counts
from crimnet.prevalence.loglinear import closure, design, face, parse_model
from crimnet.prevalence.selection import hierarchical_models


def test_artificial_table_gives_the_three_verdicts_of_the_reference_package() -> None:
    # SparseMSE's checkident examples on Artificial_3 (Chan, Silverman & Vincent 2021, Table 3)
    art = load_capture_histories("Artificial_3")
    all_pairs = check_existence(art, "A:B, A:C, B:C")
    assert all_pairs.exists and not all_pairs.identifiable
    only_ab = check_existence(art, "A:B")
    assert not only_ab.exists and only_ab.identifiable
    assert check_existence(art, "A:C, B:C").ok


def test_a_constructed_non_overlapping_case_is_refused_naming_the_terms() -> None:
    # three lists; C never overlaps A or B, and A and B overlap
    table = pd.DataFrame({"A": [1, 0, 0, 1], "B": [0, 1, 0, 1], "C": [0, 0, 1, 0], "count": [40, 30, 20, 6]})
    verdict = check_existence(table, "A:B")
    assert not verdict.ok
    assert verdict.zero_cells == ["A+C", "B+C", "A+B+C"]
    assert "A:C, B:C have no case in common" in verdict.explanation
    assert "does not exist" in verdict.explanation
    with pytest.raises(ModelNotSupportedError, match=r"cannot support the model \[A:B\].*A\+C, B\+C, A\+B\+C"):
        fit_model(table, "A:B")
    with pytest.raises(ModelNotSupportedError, match="not identifiable"):
        fit_model(table, "A:B, A:C, B:C")
    # the pairs that never overlap, in the model, are fixed at -inf and named
    fine = fit_model(table, "A:C, B:C")
    assert fine.neg_inf_terms == ["A:C", "B:C"] and np.isfinite(fine.total)


def test_require_existence_returns_the_verdict_when_all_is_well() -> None:
    lists, counts = cell_counts(load_capture_histories("Kosovo"))
    verdict = require_existence(counts, closure((), len(lists)), lists)
    assert verdict.ok and verdict.explanation == ""


def test_the_fast_dual_check_agrees_with_the_reference_linear_program() -> None:
    """supports() decides existence by a small dual LP; the primal LP of Fienberg & Rinaldo must agree."""
    from scipy.optimize import linprog

    rng = np.random.default_rng(0)
    checked = failures = 0
    for t in (3, 4, 5):
        models = hierarchical_models(t, maxorder=min(t - 1, 3))
        for _ in range(80):
            counts = rng.poisson(rng.uniform(0.05, 2.0, 2**t))
            counts[0] = 0
            params = closure(models[rng.integers(len(models))], t)
            est, _, cells = face(counts, params)
            x = design(t, est)[cells - 1]
            y = counts[cells].astype(float)
            if y.sum() == 0 or np.linalg.matrix_rank(x) < x.shape[1]:
                continue
            # maximise s: A x = A y, x_j >= s, x >= 0 (SparseMSE's checkident, typo corrected)
            a = x.T
            n = a.shape[1]
            res = linprog(
                np.r_[np.zeros(n), -1.0],
                A_ub=np.hstack([-np.eye(n), np.ones((n, 1))]),
                b_ub=np.zeros(n),
                A_eq=np.hstack([a, np.zeros((a.shape[0], 1))]),
                b_eq=a @ y,
                bounds=(0, None),
                method="highs",
            )
            primal = -res.fun > 1e-7
            assert supports(counts, params) == primal
            checked += 1
            failures += not primal
    assert checked > 150 and failures > 30  # both verdicts well represented


def test_refusal_names_terms_from_text() -> None:
    lists, counts = cell_counts(load_capture_histories("Artificial_3"))
    with pytest.raises(ModelNotSupportedError, match="A:B"):
        require_existence(counts, closure(parse_model("A:B", lists), 3), lists)
