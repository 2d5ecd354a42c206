"""Does the data support the model? The Fienberg-Rinaldo existence check and the rank check.

A log-linear model fitted to sparse capture histories can have no finite maximum likelihood
estimate: when the observed margins of its terms lie on the boundary of their possible values,
some cells are forced to zero in every table with those margins, and the fit drives parameters to
minus infinity, often with an infinite or arbitrary dark figure. Fienberg & Rinaldo (2012, Ann.
Statist. 40:996) show the estimate exists exactly when a table with every cell strictly positive
has the observed margins; the linear program of their page 3 (as SparseMSE's ``checkident``,
typographical error corrected) decides it::

    maximise s  subject to  A x = t,  x_j >= s  for every cell j,  x >= 0,

where ``A`` maps cells to the model's (estimated) parameters and ``t = A y`` are the observed
margins. The estimate exists iff the optimum ``s`` is positive. Parameters whose margin is zero
(two lists that never overlap) are first fixed at minus infinity and their cells dropped, as the
reference package does (Chan, Silverman & Vincent 2021); the check then applies to what is left.
Separately, the model matrix of the remaining cells must have full column rank, or the
parameters, and the dark figure with them, are not identifiable.

:func:`check_existence` answers for a table and a model in words; :func:`require_existence`
refuses (raises) with an explanation naming the terms; :func:`supports` is the fast yes/no the
selection and bootstrap loops call (cached by the pattern of empty cells, as
``check_extended_MLE_batch`` does).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import linprog

from crimnet.errors import CrimnetError, bad_parameter, check_type
from crimnet.prevalence.histories import cell_counts
from crimnet.prevalence.loglinear import closure, design, face, margins, parse_model, term_name

__all__ = ["Existence", "ModelNotSupportedError", "check_existence", "require_existence", "supports"]

LP_TOL = 1e-7
"""The LP optimum below which the estimate is taken not to exist (HiGHS' feasibility tolerance)."""


class ModelNotSupportedError(CrimnetError, ValueError):
    """The data cannot support the model: its estimate does not exist or is not identifiable."""


@dataclass(frozen=True)
class Existence:
    """The verdict of the existence and rank checks for one model and one table.

    Attributes
    ----------
    exists : bool
        The extended maximum likelihood estimate exists (Fienberg-Rinaldo LP optimum > 0).
    identifiable : bool
        The model matrix of the cells fitted has full column rank.
    neg_inf_terms : list of str
        Terms with an empty margin, fixed at minus infinity (e.g. two lists that never overlap).
    zero_cells : list of str
        Cells every table with the observed margins must leave empty (empty when the estimate exists);
        each named by its lists joined by ``+``.
    explanation : str
        One paragraph for the user: what is wrong and which terms are involved ('' when all is well).
    """

    exists: bool
    identifiable: bool
    neg_inf_terms: list[str]
    zero_cells: list[str]
    explanation: str

    @property
    def ok(self) -> bool:
        """True when the model can be fitted: the estimate exists and is identifiable."""
        return self.exists and self.identifiable


def _lp(a: np.ndarray, t: np.ndarray) -> tuple[float, np.ndarray | None]:
    """Solve the Fienberg-Rinaldo LP as written; returns ``(optimum s, x)``. ``a`` is params x cells.

    The reference formulation, kept to cross-check :func:`_directions` (the tests compare them).
    """
    npar, ncell = a.shape
    c = np.zeros(ncell + 1)
    c[-1] = -1.0
    a_eq = np.hstack([a, np.zeros((npar, 1))])
    a_ub = np.hstack([-np.eye(ncell), np.ones((ncell, 1))])
    res = linprog(c, A_ub=a_ub, b_ub=np.zeros(ncell), A_eq=a_eq, b_eq=t, bounds=(0, None), method="highs")
    if res.status != 0:
        return 0.0, None
    return float(-res.fun), np.asarray(res.x[:-1])


def _directions(x: np.ndarray, y: np.ndarray, target: int | None = None) -> np.ndarray:
    """How far each empty cell can be pushed down along a direction that keeps the likelihood rising.

    The dual view of the LP: the estimate fails to exist exactly when some parameter direction ``d``
    has ``X d = 0`` on every cell with a count and ``X d <= 0``, not all zero, on the empty cells
    (Haberman 1974); along it the likelihood rises for ever and those fitted cells go to zero. With
    ``N`` a basis of the null space of the rows with counts, ``d = N z``; the LP maximises the total
    push ``-sum(B z)`` (``B`` = empty rows times ``N``; only cell `target`'s if given), each push
    capped at 1. Its variables are the null-space dimension (a handful), not the cells: far smaller
    than the primal LP. Returns the push of every empty cell at the optimum (all zero: the estimate
    exists).
    """
    pos = y > 0
    xz = x[~pos]
    if xz.shape[0] == 0:
        return np.zeros(0)
    if pos.any():
        _, sv, vt = np.linalg.svd(x[pos])
        rank = int(np.sum(sv > sv[0] * 1e-10)) if sv.size else 0
        basis = vt[rank:].T
    else:
        basis = np.eye(x.shape[1])
    if basis.shape[1] == 0:
        return np.zeros(xz.shape[0])
    b = xz @ basis
    nz = b.shape[0]
    c = b.sum(axis=0) if target is None else b[target]
    res = linprog(
        c,
        A_ub=np.vstack([b, -b]),
        b_ub=np.concatenate([np.zeros(nz), np.ones(nz)]),
        bounds=(None, None),
        method="highs",
    )
    if res.status != 0:
        return np.zeros(nz)
    return np.asarray(-(b @ res.x))


def _forced_zero(x: np.ndarray, y: np.ndarray) -> list[int]:
    """Indices (into the cells fitted) of empty cells every table with the observed margins leaves empty."""
    empty = np.flatnonzero(y == 0)
    return [int(empty[k]) for k in range(empty.size) if _directions(x, y, target=k)[k] > LP_TOL]


def _verdict(counts: np.ndarray, params: Sequence[int]) -> tuple[bool, bool, tuple[int, ...], np.ndarray, np.ndarray]:
    est, neg_inf, cells = face(counts, params)
    x = design(counts.size.bit_length() - 1, est)[cells - 1]
    y = counts[cells].astype(np.float64)
    identifiable = bool(x.shape[0] > 0 and np.linalg.matrix_rank(x) == x.shape[1])
    # all fitted cells positive: the observed table itself is a positive table with the observed margins
    exists = bool(np.all(y > 0)) or bool(np.max(_directions(x, y), initial=0.0) <= LP_TOL)
    return exists, identifiable, neg_inf, cells, x


def supports(counts: np.ndarray, params: Sequence[int] | None = None, cache: dict | None = None) -> bool:
    """Whether the counts support the model: the estimate exists and is identifiable.

    Parameters
    ----------
    counts : numpy.ndarray
        Counts indexed by cell mask (length ``2**t``).
    params : sequence of int, optional
        Every parameter of the model (:func:`crimnet.prevalence.loglinear.closure`); default main effects.
    cache : dict, optional
        Verdicts by (pattern of empty cells, parameters); the answer depends on nothing else, so a
        bootstrap passes one dict for all its resamples.

    Returns
    -------
    bool
        O(1) when cached or when every cell fitted is positive; otherwise one linear program.
    """
    if not isinstance(counts, np.ndarray) or counts.ndim != 1:
        raise bad_parameter("counts", "supports", "a 1-d array of counts indexed by cell mask", counts)
    if params is None:
        params = closure((), counts.size.bit_length() - 1)
    key = ((counts > 0).tobytes(), tuple(params))
    if cache is not None and key in cache:
        return bool(cache[key])
    exists, identifiable, *_ = _verdict(counts, params)
    if cache is not None:
        cache[key] = exists and identifiable
    return exists and identifiable


def _cell_name(mask: int, lists: Sequence[str]) -> str:
    return "+".join(lists[i] for i in range(len(lists)) if mask >> i & 1)


def _explain(counts: np.ndarray, params: Sequence[int], lists: Sequence[str]) -> Existence:
    exists, identifiable, neg_inf, cells, x = _verdict(counts, params)
    neg_names = [term_name(p, lists) for p in neg_inf]
    zero: list[str] = []
    parts = []
    model_terms = [term_name(p, lists) for p in params if bin(p).count("1") >= 2 and p not in neg_inf]
    if neg_names:
        parts.append(
            f"terms {', '.join(neg_names)} have no case in common, so their parameters are minus infinity and "
            "the cells containing them are dropped"
        )
    if not exists:
        forced = _forced_zero(x, counts[cells].astype(np.float64))
        zero = [_cell_name(int(cells[j]), lists) for j in forced]
        pairs = [(1 << i) | (1 << j) for i in range(len(lists)) for j in range(i + 1, len(lists))]
        empty = {p for p, n in zip(pairs, margins(counts, pairs), strict=True) if n == 0}
        touched = sorted(
            {term_name(p, lists) for j in forced for p in empty if int(cells[j]) & p == p and p not in params}
        )
        parts.append(
            "the maximum likelihood estimate does not exist (Fienberg-Rinaldo linear program): with the "
            f"margins of the model's terms ({', '.join(model_terms) or 'main effects only'}) every table must "
            f"leave the cells {', '.join(zero) or '(none found)'} empty, so some parameters run to minus "
            "infinity and the hidden figure is not finite"
            + (
                f"; the pairs {', '.join(touched)} have no case in common but are not in the model: add them "
                "(they are then fixed at minus infinity) or merge lists"
                if touched
                else ""
            )
        )
    if not identifiable:
        parts.append(
            f"the model is not identifiable: its {x.shape[1]} estimable parameters "
            f"({', '.join(term_name(p, lists) for p in params if p not in neg_inf)}) exceed what the "
            f"{x.shape[0]} cells left can determine (model matrix of rank {np.linalg.matrix_rank(x)})"
        )
    bad = not (exists and identifiable)
    return Existence(
        exists=exists,
        identifiable=identifiable,
        neg_inf_terms=neg_names,
        zero_cells=zero,
        explanation=("; ".join(parts) + ".") if bad else "",
    )


def check_existence(table: pd.DataFrame, terms: Iterable[int] | str = ()) -> Existence:
    """Check a model against a capture-history table: does the estimate exist, is it identifiable?

    Parameters
    ----------
    table : pandas.DataFrame
        A capture-history table.
    terms : iterable of int or str, default ()
        The model's interaction terms (bit masks, or text such as ``'A:B, B:C'``); main effects if empty.

    Returns
    -------
    Existence
        With an explanation naming the terms when the model cannot be fitted.

    Examples
    --------
    >>> from crimnet.datasets import load_capture_histories
    >>> art = load_capture_histories("Artificial_3")
    >>> check_existence(art, "A:B").exists, check_existence(art, "A:C, B:C").ok
    (False, True)
    """
    check_type(table, pd.DataFrame, param="table", func="check_existence", expected="a capture-history DataFrame")
    lists, counts = cell_counts(table)
    masks = parse_model(terms, lists) if isinstance(terms, str) else tuple(terms)
    return _explain(counts, closure(masks, len(lists)), lists)


def require_existence(
    counts: np.ndarray, params: Sequence[int] | None = None, lists: Sequence[str] | None = None
) -> Existence:
    """Raise :class:`ModelNotSupportedError` unless the counts support the model; else return the verdict.

    Parameters
    ----------
    counts : numpy.ndarray
        Counts indexed by cell mask.
    params : sequence of int, optional
        Every parameter of the model; default main effects.
    lists : sequence of str, optional
        List names, for the message; default A, B, ...
    """
    if not isinstance(counts, np.ndarray) or counts.ndim != 1:
        raise bad_parameter("counts", "require_existence", "a 1-d array of counts indexed by cell mask", counts)
    nl = counts.size.bit_length() - 1
    params = closure((), nl) if params is None else params
    lists = [chr(ord("A") + i) for i in range(nl)] if lists is None else lists
    verdict = _explain(counts, params, lists)
    if not verdict.ok:
        model = " + ".join(term_name(p, lists) for p in params if bin(p).count("1") >= 2) or "main effects"
        raise ModelNotSupportedError(f"The data cannot support the model [{model}]: {verdict.explanation}")
    return verdict
