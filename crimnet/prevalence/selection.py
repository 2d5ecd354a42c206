"""Model choice: stepwise, BIC over hierarchical models, downhill, main effects, a fixed model.

Every rule works on counts indexed by cell mask (:func:`crimnet.prevalence.histories.cell_counts`),
refuses models the data cannot support (:func:`crimnet.prevalence.existence.supports`) and returns a
:class:`Selection`: the chosen model, its fit, and the candidates it weighed.

- **stepwise** (Chan, Silverman & Vincent 2021, JASA; SparseMSE's ``stepwisefit``): start from main
  effects; at each step, for every two-list term not yet in, the number of cases on both lists,
  ``n*``, is compared with its Poisson distribution under the current fit (mean: the fitted
  counts of the cells containing both lists); the p-value is ``min(P(X <= n*), P(X >= n*))``. The term
  with the smallest p-value (the first in list order on a tie) is added if that p-value is below
  ``pthresh`` (default 0.02) and the data support the enlarged model; otherwise stop. A pair that
  never overlaps can enter: it is then fixed at minus infinity. When a list is empty (a bootstrap
  resample can leave a small list with no case), no term enters: SparseMSE's existence check refuses
  every model then, while :func:`~crimnet.prevalence.existence.supports` would fix the list at minus
  infinity and go on; following the reference here gives its published New Orleans interval.
- **bic** (Silverman, Chan & Vincent 2024, Stat. Comput. 34:44): every hierarchical model with
  interactions up to ``maxorder`` (default: 1 for two lists, 2 for three, 3 for four or five, 2
  for six, as the reference package) is fitted where the data support it and ranked by
  ``BIC = npar log(n) - 2 loglik`` (n = cases observed, every parameter counted).
- **downhill** (same paper): from main effects, move to the neighbour (one term added whose
  subsets are all in, or one generator removed) of smallest BIC while it improves, at most 20 moves.
- **main-effects** and **fixed**: one model.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.special import pdtr, pdtrc

from crimnet.errors import bad_parameter, check_interval
from crimnet.prevalence.existence import supports
from crimnet.prevalence.loglinear import CellFit, closure, fit_cells, term_name

__all__ = [
    "Candidate",
    "Selection",
    "bic_models",
    "default_maxorder",
    "downhill",
    "fixed",
    "hierarchical_models",
    "main_effects",
    "stepwise",
]


@dataclass(frozen=True)
class Candidate:
    """One model weighed by a selection rule.

    Attributes
    ----------
    terms : tuple of int
        Interaction terms (bit masks; with every subset for a hierarchical model).
    fit : CellFit or None
        Its fit, None when the data cannot support it.
    note : str
        Why it is listed: a stepwise step and its p-value, a BIC rank...
    """

    terms: tuple[int, ...]
    fit: CellFit | None
    note: str = ""


@dataclass(frozen=True)
class Selection:
    """The model a rule chose, its fit, and the candidates weighed (in the rule's order)."""

    method: str
    terms: tuple[int, ...]
    fit: CellFit
    candidates: list[Candidate] = field(default_factory=list)


def _check_counts(counts: object, func: str) -> np.ndarray:
    if not isinstance(counts, np.ndarray) or counts.ndim != 1 or counts.size < 4 or counts.size & (counts.size - 1):
        raise bad_parameter("counts", func, "a 1-d array of length 2**t of counts indexed by cell mask", counts)
    return counts


def _nlists(counts: np.ndarray) -> int:
    return int(counts.size.bit_length() - 1)


def _fit(counts: np.ndarray, terms: Sequence[int], cache: dict | None) -> CellFit | None:
    params = closure(terms, _nlists(counts))
    if not supports(counts, params, cache):
        return None
    fit = fit_cells(counts, params)
    return fit if fit.converged else None


def main_effects(counts: np.ndarray, *, cache: dict | None = None) -> Selection | None:
    """Main effects only (lists independent). None if the data cannot support it.

    Parameters
    ----------
    counts : numpy.ndarray
        Counts indexed by cell mask, length ``2**t``.
    cache : dict, optional
        Existence verdicts shared between calls (see :func:`crimnet.prevalence.existence.supports`).
    """
    _check_counts(counts, "main_effects")
    fit = _fit(counts, (), cache)
    return None if fit is None else Selection("main-effects", (), fit, [Candidate((), fit, "main effects")])


def fixed(counts: np.ndarray, *, terms: Sequence[int] = (), cache: dict | None = None) -> Selection | None:
    """A model fixed in advance (its hierarchical closure). None if the data cannot support it.

    Parameters
    ----------
    counts : numpy.ndarray
        Counts indexed by cell mask.
    terms : sequence of int, default ()
        Interaction terms as bit masks.
    cache : dict, optional
        Existence verdicts shared between calls.
    """
    _check_counts(counts, "fixed")
    full = tuple(p for p in closure(terms, _nlists(counts)) if bin(p).count("1") >= 2)
    fit = _fit(counts, full, cache)
    return None if fit is None else Selection("fixed", full, fit, [Candidate(full, fit, "fixed")])


def stepwise(counts: np.ndarray, *, pthresh: float = 0.02, cache: dict | None = None) -> Selection | None:
    """Forward stepwise selection of two-list terms by Poisson p-value (SparseMSE's ``stepwisefit``).

    Parameters
    ----------
    counts : numpy.ndarray
        Counts indexed by cell mask.
    pthresh : float, default 0.02
        A term enters only with a p-value below this, in [0, 1]; 0 gives main effects, 1 every pair
        the data support.
    cache : dict, optional
        Existence verdicts shared between calls.

    Returns
    -------
    Selection or None
        None only if main effects cannot be fitted. The candidates are the models of the path.

    Notes
    -----
    The existence check is run only for the candidates whose p-value is below ``pthresh``, in
    increasing p-value order, until one passes: the same choice as checking every candidate first
    (the reference code sets the p-value of a failing candidate to 1), for far fewer linear programs.
    O(steps * pairs * cells) plus the fits.
    """
    _check_counts(counts, "stepwise")
    check_interval(pthresh, param="pthresh", func="stepwise", low=0, high=1, closed="both")
    nl = _nlists(counts)
    fit = _fit(counts, (), cache)
    if fit is None:
        return None
    cells = np.arange(counts.size, dtype=np.int64)
    empty = [i for i in range(nl) if counts[(cells >> i) & 1 == 1].sum() == 0]
    # SparseMSE's checkident refuses every model when a list is empty (its main-effect margin is 0), so
    # no term can enter; main effects are still fitted, the empty list's effect at minus infinity
    note = f"; list {', '.join(term_name(1 << i) for i in empty)} empty: no term can enter" if empty else ""
    path = [Candidate((), fit, "start: main effects" + note)]
    if pthresh == 0 or empty:
        return Selection("stepwise", (), fit, path)
    pairs = [(1 << i) | (1 << j) for i in range(nl) for j in range(i + 1, nl)]
    nstar = {p: int(counts[(cells & p) == p].sum()) for p in pairs}
    included: list[int] = []
    for _ in range(len(pairs)):
        pvals = []
        for k, p in enumerate(pairs):
            if p in included:
                continue
            pstar = float(fit.fitted[(fit.cells & p) == p].sum())
            n = nstar[p]
            pval = min(float(pdtr(n, pstar)), float(pdtrc(n - 1, pstar)) if n > 0 else 1.0)
            pvals.append((pval, k, p))
        chosen = None
        for pval, _k, p in sorted(pvals):
            if pval >= pthresh:
                break
            trial = _fit(counts, (*included, p), cache)
            if trial is not None:
                chosen = (pval, p, trial)
                break
        if chosen is None:
            break
        pval, p, fit = chosen
        included.append(p)
        path.append(Candidate(tuple(included), fit, f"step {len(included)}: added with p = {pval:.3g}"))
    return Selection("stepwise", tuple(included), fit, path)


def default_maxorder(nlists: int) -> int:
    """The reference package's highest interaction order for BIC: 1, 2, 3, 3, 2 for 2..6 lists (2 above).

    >>> [default_maxorder(t) for t in range(2, 8)]
    [1, 2, 3, 3, 2, 2]
    """
    if not isinstance(nlists, int) or nlists < 2:
        raise bad_parameter("nlists", "default_maxorder", "an int >= 2", nlists)
    return {2: 1, 3: 2, 4: 3, 5: 3, 6: 2}.get(nlists, 2)


def hierarchical_models(nlists: int, *, maxorder: int | None = None) -> list[tuple[int, ...]]:
    """Every hierarchical model of `nlists` lists with interactions up to `maxorder`, as terms.

    A hierarchical model holds, with any interaction, every interaction of its lists' subsets; main
    effects are always in. Each model is returned as the sorted tuple of all its interaction terms.

    Parameters
    ----------
    nlists : int
        Number of lists, 2 to 6 (above 6 the count explodes).
    maxorder : int, optional
        Highest interaction order, 1 .. nlists - 1; default :func:`default_maxorder`.

    Returns
    -------
    list of tuple of int
        Main effects first. 113 models for four lists up to order 3; 8 for three up to order 2.

    Examples
    --------
    >>> len(hierarchical_models(3)), len(hierarchical_models(4))
    (8, 113)
    """
    if not isinstance(nlists, int) or not 2 <= nlists <= 6:
        raise bad_parameter("nlists", "hierarchical_models", "an int in [2, 6]", nlists)
    order = default_maxorder(nlists) if maxorder is None else maxorder
    check_interval(order, param="maxorder", func="hierarchical_models", low=1, high=nlists - 1, closed="both",
                   integer=True)  # fmt: skip
    terms = [sum(1 << i for i in c) for r in range(2, order + 1) for c in itertools.combinations(range(nlists), r)]
    out: list[tuple[int, ...]] = []

    def walk(k: int, chosen: list[int], have: set[int]) -> None:
        if k == len(terms):
            out.append(tuple(sorted(chosen)))
            return
        walk(k + 1, chosen, have)
        t = terms[k]
        subs = [t & ~(1 << i) for i in range(nlists) if t >> i & 1]
        if all(bin(s).count("1") < 2 or s in have for s in subs):
            have.add(t)
            chosen.append(t)
            walk(k + 1, chosen, have)
            chosen.pop()
            have.discard(t)

    walk(0, [], set())
    out.sort(key=lambda m: (len(m), m))
    return out


def bic_models(counts: np.ndarray, *, maxorder: int | None = None, cache: dict | None = None) -> list[Candidate]:
    """Fit every supported hierarchical model and rank them by BIC (smallest first).

    Parameters
    ----------
    counts : numpy.ndarray
        Counts indexed by cell mask (2 to 6 lists).
    maxorder : int, optional
        Highest interaction order; default :func:`default_maxorder`.
    cache : dict, optional
        Existence verdicts shared between calls.

    Returns
    -------
    list of Candidate
        Only models the data support, by increasing BIC (ties kept in enumeration order); the note is
        the rank. O(models * fit).
    """
    _check_counts(counts, "bic_models")
    ranked = []
    for terms in hierarchical_models(_nlists(counts), maxorder=maxorder):
        fit = _fit(counts, terms, cache)
        if fit is not None:
            ranked.append(Candidate(terms, fit))
    ranked.sort(key=lambda c: c.fit.bic if c.fit is not None else math.inf)
    return [Candidate(c.terms, c.fit, f"BIC rank {i + 1}") for i, c in enumerate(ranked)]


def _neighbours(terms: Sequence[int], nlists: int, *, maxorder: int) -> list[tuple[int, ...]]:
    """The hierarchical models one step from `terms`: one term added (its subsets all in) or one generator removed.

    Parameters
    ----------
    terms : sequence of int
        Every interaction term of a hierarchical model.
    nlists : int
        Number of lists.
    maxorder : int
        Highest interaction order of an added term.

    Examples
    --------
    >>> sorted(_neighbours((0b011,), 3, maxorder=2))
    [(), (3, 5), (3, 6)]
    """
    if not isinstance(terms, Sequence) or not all(isinstance(t, int) for t in terms):
        raise bad_parameter("terms", "neighbours", "a sequence of int bit masks", terms)
    have = set(terms)
    out = []
    for r in range(2, maxorder + 1):
        for c in itertools.combinations(range(nlists), r):
            t = sum(1 << i for i in c)
            if t in have:
                continue
            if all(bin(t & ~(1 << i)).count("1") < 2 or (t & ~(1 << i)) in have for i in c):
                out.append(tuple(sorted(have | {t})))
    for g in have:
        if not any(o != g and o & g == g for o in have):
            out.append(tuple(sorted(have - {g})))
    return out


def downhill(
    counts: np.ndarray, *, maxorder: int | None = None, niter: int = 20, cache: dict | None = None
) -> Selection | None:
    """Downhill search by BIC among hierarchical models, from main effects.

    Parameters
    ----------
    counts : numpy.ndarray
        Counts indexed by cell mask.
    maxorder : int, optional
        Highest interaction order; default the number of lists less one (as the reference package's
        ``downhill_fit``).
    niter : int, default 20
        Most moves, at least 1.
    cache : dict, optional
        Existence verdicts shared between calls.

    Returns
    -------
    Selection or None
        The local BIC minimum; candidates are every model evaluated, by BIC. None if main effects
        cannot be fitted.
    """
    _check_counts(counts, "downhill")
    check_interval(niter, param="niter", func="downhill", low=1, closed="left", integer=True)
    nl = _nlists(counts)
    order = nl - 1 if maxorder is None else maxorder
    check_interval(order, param="maxorder", func="downhill", low=1, high=nl - 1, closed="both", integer=True)
    current: tuple[int, ...] = ()
    best = _fit(counts, current, cache)
    if best is None:
        return None
    seen: dict[tuple[int, ...], CellFit | None] = {current: best}
    for _ in range(niter):
        new = [m for m in _neighbours(current, nl, maxorder=order) if m not in seen]
        if not new:
            break
        fits = {m: _fit(counts, m, cache) for m in new}
        seen.update(fits)
        ok = [(f.bic, m, f) for m, f in fits.items() if f is not None]
        if not ok:
            break
        bic, m, f = min(ok, key=lambda item: (item[0], item[1]))
        if bic >= best.bic:
            break
        current, best = m, f
    visited = sorted(((f.bic, m, f) for m, f in seen.items() if f is not None), key=lambda item: (item[0], item[1]))
    cands = [Candidate(m, f, f"BIC rank {i + 1} of those visited") for i, (_, m, f) in enumerate(visited)]
    return Selection("downhill", current, best, cands)
