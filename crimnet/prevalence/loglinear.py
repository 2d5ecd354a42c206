"""Poisson log-linear models of capture histories, with the sparse-data treatment of SparseMSE.

Cells are the ``2**t - 1`` observable capture histories of ``t`` lists, indexed by bit mask (list
``i`` is bit ``i``). A model's parameters are subsets of lists, also bit masks: 0 is the intercept,
the single bits are the list main effects, a two-bit mask is a two-list interaction ``A:B``, and so
on. The expected count of cell ``h`` is ``exp(sum of the parameters p with p ⊆ h)``; the expected
count of the unobserved cell (no list) is ``exp(intercept)``, the "dark figure", and the estimated
total is the observed total plus the dark figure (Chan, Silverman & Vincent 2021, JASA 116:1297).

Sparse data (the reference package's rule). The sufficient statistic of a parameter ``p`` is
``n*(p)``, the number of cases seen on every list of ``p``. A parameter of the model with ``n*(p) = 0``
(two lists that never overlap, say) has its maximum likelihood estimate at minus infinity: it is
fixed there, and every cell containing ``p`` is dropped from the fit (its fitted value is zero). The
parameter still counts in AIC and BIC. Whether the remaining fit exists is the business of
:mod:`crimnet.prevalence.existence`.

Two fitting engines give the same numbers: statsmodels' GLM (what a user sees, through
:func:`crimnet.prevalence.fit.fit_model`, with standard errors) and a plain iteratively reweighted least-squares
loop in numpy (R's ``glm.fit`` rule: start at ``y + 0.1``, stop when the relative change of the
deviance is below 1e-10), about 20 times faster, for the thousands of fits a bootstrap makes.
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.special import gammaln

from crimnet.errors import bad_parameter

__all__ = [
    "CellFit",
    "closure",
    "design",
    "face",
    "fit_batch",
    "fit_cells",
    "format_model",
    "margins",
    "parse_model",
    "term_name",
]

MAX_ITER = 100
"""IRLS iterations before a fit is declared not converged (R's ``glm.fit`` allows 25; sparse fits need more)."""
TOL = 1e-10
"""Relative deviance change at which IRLS stops."""


def _letters(n: int) -> list[str]:
    return [chr(ord("A") + i) for i in range(n)]


def term_name(term: int, lists: Sequence[str] | None = None) -> str:
    """The name of a parameter: the names of its lists joined by ``:`` (``'(Intercept)'`` for 0).

    `lists` defaults to the letters A, B, ...

    >>> term_name(0b110, ["A", "B", "C"])
    'B:C'
    """
    if not isinstance(term, int | np.integer) or term < 0:
        raise bad_parameter("term", "term_name", "a non-negative int bit mask", term)
    if term == 0:
        return "(Intercept)"
    names = list(lists) if lists is not None else _letters(int(term).bit_length())
    return ":".join(names[i] for i in range(len(names)) if term >> i & 1)


def format_model(terms: Iterable[int], lists: Sequence[str] | None = None) -> str:
    """A model as text: its generators (interaction terms in no larger term), ``'main effects'`` when none.

    >>> format_model([0b011, 0b110], ["A", "B", "C"])
    'A:B + B:C'
    >>> format_model([0b011, 0b101, 0b110, 0b111], ["A", "B", "C"])
    'A:B:C'
    """
    if not isinstance(terms, Iterable) or not all(isinstance(t, int | np.integer) for t in terms):
        raise bad_parameter("terms", "format_model", "an iterable of int bit masks", terms)
    inter = {int(t) for t in terms if bin(t).count("1") >= 2}
    gens = sorted((t for t in inter if not any(o != t and o & t == t for o in inter)), key=_rev)
    return " + ".join(term_name(t, lists) for t in gens) or "main effects"


def _rev(t: int) -> list[int]:
    """Sort key: the list indices of a term, so A:B < A:C < B:C."""
    return [i for i in range(t.bit_length()) if t >> i & 1]


def parse_model(text: str | Sequence[str], lists: Sequence[str] | None = None) -> tuple[int, ...]:
    """Interaction terms from their names: ``'A:B, C:D'`` or ``['A:B', 'C:D']`` (``*`` and ``x`` also join).

    Parameters
    ----------
    text : str or sequence of str
        Terms separated by commas or ``+``; each names two or more lists joined by ``:``, ``*`` or
        `` x ``. An empty text or ``'main'`` is the main-effects model.
    lists : sequence of str
        The list names of the table (required).

    Returns
    -------
    tuple of int
        The terms as bit masks, sorted (not closed under subsets: see :func:`closure`).

    Raises
    ------
    crimnet.errors.ParameterError
        On a name that is not a list, or a term of fewer than two lists.

    Examples
    --------
    >>> parse_model("D:E", list("ABCDE"))
    (24,)
    """
    if isinstance(text, str):
        parts = [p for chunk in text.split(",") for p in chunk.split("+")]
    elif isinstance(text, Sequence) and all(isinstance(p, str) for p in text):
        parts = list(text)
    else:
        raise bad_parameter("text", "parse_model", "a str or a sequence of str naming terms", text)
    if lists is None:
        raise bad_parameter("lists", "parse_model", "the list names of the table", lists)
    index = {name: i for i, name in enumerate(lists)}
    terms = set()
    for raw in parts:
        part = raw.strip()
        if not part or part.lower() in ("main", "main effects"):
            continue
        names = [n.strip() for n in part.replace("*", ":").replace(" x ", ":").split(":")]
        unknown = [n for n in names if n not in index]
        if unknown or len(set(names)) < 2:
            raise bad_parameter(
                "text", "parse_model", f"terms of two or more of the lists {list(lists)} joined by ':'", raw
            )
        terms.add(sum(1 << index[n] for n in names))
    return tuple(sorted(terms))


def closure(terms: Iterable[int], nlists: int | None = None) -> tuple[int, ...]:
    """Every parameter of the hierarchical model generated by `terms`: intercept, main effects, all subsets.

    `nlists` (the number of lists, whose main effects are always in) defaults to the lists the terms
    mention. O(sum over terms of 2**size).

    >>> closure([0b111], 3)
    (0, 1, 2, 3, 4, 5, 6, 7)
    """
    if not isinstance(terms, Iterable) or not all(isinstance(t, int | np.integer) and t >= 0 for t in terms):
        raise bad_parameter("terms", "closure", "an iterable of non-negative int bit masks", terms)
    terms = [int(t) for t in terms]
    if nlists is None:
        nlists = max([t.bit_length() for t in terms] + [0])
    if not isinstance(nlists, int) or nlists < 0:
        raise bad_parameter("nlists", "closure", "a non-negative int", nlists)
    params = {0, *(1 << i for i in range(nlists))}
    for t in terms:
        bits = [1 << i for i in range(nlists) if t >> i & 1]
        for r in range(1, len(bits) + 1):
            params.update(sum(c) for c in itertools.combinations(bits, r))
    return tuple(sorted(params))


def design(nlists: int, params: Sequence[int] | None = None) -> np.ndarray:
    """The 0/1 model matrix: row ``h - 1`` is cell ``h`` (1 .. 2**nlists - 1), one column per parameter.

    Entry ``(h, p)`` is 1 when ``p ⊆ h``; `params` defaults to every subset (the saturated model).
    O(2**nlists * len(params)).

    >>> design(2, [0, 1, 2, 3]).tolist()
    [[1.0, 1.0, 0.0, 0.0], [1.0, 0.0, 1.0, 0.0], [1.0, 1.0, 1.0, 1.0]]
    """
    if not isinstance(nlists, int) or not 1 <= nlists <= 20:
        raise bad_parameter("nlists", "design", "an int in [1, 20]", nlists)
    cells = np.arange(1, 2**nlists, dtype=np.int64)[:, None]
    p = np.asarray(range(2**nlists) if params is None else params, dtype=np.int64)[None, :]
    return ((cells & p) == p).astype(np.float64)


def margins(counts: np.ndarray, params: Sequence[int] | None = None) -> np.ndarray:
    """The sufficient statistics ``n*(p)``: cases seen on every list of each parameter ``p``.

    ``counts`` is indexed by cell mask (:func:`crimnet.prevalence.histories.cell_counts`); `params`
    defaults to every subset. O(2**t * params).
    """
    counts = _counts(counts, "margins")
    if params is None:
        params = range(counts.size)
    cells = np.arange(counts.size, dtype=np.int64)[:, None]
    p = np.asarray(params, dtype=np.int64)[None, :]
    return (((cells & p) == p) * counts[:, None]).sum(axis=0)


@dataclass(frozen=True)
class CellFit:
    """The fit of one model to one vector of counts, on the face fixed by the sparse-data rule.

    Attributes
    ----------
    params : tuple of int
        Every parameter of the (hierarchical) model, intercept first.
    neg_inf : tuple of int
        Parameters with ``n*(p) = 0``, fixed at minus infinity.
    cells : numpy.ndarray
        The masks of the cells fitted (those containing no minus-infinity parameter).
    coef : numpy.ndarray
        Estimated parameters, aligned with the estimated ones (``params`` less ``neg_inf``).
    fitted : numpy.ndarray
        Fitted expected counts of ``cells``.
    observed : int
        Cases observed (the sum of the counts).
    dark : float
        The fitted count of the unobserved cell, ``exp(intercept)``.
    loglik : float
        Poisson log-likelihood of the fitted cells.
    deviance : float
        Poisson deviance against the saturated model of the fitted cells.
    se_log_dark : float
        Standard error of the intercept (the log dark figure), from the inverse information.
    converged : bool
        Whether IRLS converged and the model matrix has full column rank.
    """

    params: tuple[int, ...]
    neg_inf: tuple[int, ...]
    cells: np.ndarray
    coef: np.ndarray
    fitted: np.ndarray
    observed: int
    dark: float
    loglik: float
    deviance: float
    se_log_dark: float
    converged: bool

    @property
    def total(self) -> float:
        """The estimated population: observed cases plus the dark figure."""
        return self.observed + self.dark

    @property
    def bic(self) -> float:
        """BIC as the reference package: ``npar * log(cases observed) - 2 loglik``, every parameter counted."""
        return len(self.params) * math.log(max(self.observed, 1)) - 2 * self.loglik

    @property
    def aic(self) -> float:
        """AIC: ``2 npar - 2 loglik``, counting the minus-infinity parameters (as SparseMSE's adjusted AIC)."""
        return 2 * len(self.params) - 2 * self.loglik


def _counts(counts: object, func: str) -> np.ndarray:
    if not isinstance(counts, np.ndarray) or counts.ndim != 1 or counts.size < 4 or counts.size & (counts.size - 1):
        raise bad_parameter("counts", func, "a 1-d array of length 2**t of counts indexed by cell mask", counts)
    return counts


def face(
    counts: np.ndarray, params: Sequence[int] | None = None
) -> tuple[tuple[int, ...], tuple[int, ...], np.ndarray]:
    """Split a model's parameters into estimated and minus-infinity ones, and the cells left to fit.

    Returns ``(estimated, neg_inf, cells)``: parameters with ``n*(p) > 0``, those with ``n*(p) = 0``, and
    the cell masks containing none of the latter. `params` defaults to main effects.
    """
    counts = _counts(counts, "face")
    if params is None:
        params = closure((), counts.size.bit_length() - 1)
    nstar = margins(counts, params)
    neg_inf = tuple(p for p, n in zip(params, nstar, strict=True) if n == 0)
    est = tuple(p for p, n in zip(params, nstar, strict=True) if n > 0)
    cells = np.arange(1, counts.size, dtype=np.int64)
    if neg_inf:
        drop = np.zeros(cells.size, dtype=bool)
        for p in neg_inf:
            drop |= (cells & p) == p
        cells = cells[~drop]
    return est, neg_inf, cells


def _irls(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, bool]:
    """Poisson IRLS with log link; returns ``(coef, fitted, inverse information, converged)``."""
    mu = y + 0.1
    eta = np.log(mu)
    dev_old = math.inf
    coef = np.zeros(x.shape[1])
    info: np.ndarray = np.eye(x.shape[1])
    converged = False
    for _ in range(MAX_ITER):
        z = eta + (y - mu) / mu
        xw = x * mu[:, None]
        info = x.T @ xw
        try:
            coef = np.linalg.solve(info, xw.T @ z)
        except np.linalg.LinAlgError:
            return coef, mu, info, False
        eta = x @ coef
        mu = np.exp(np.minimum(eta, 700.0))
        dev = _deviance(y, mu)
        if abs(dev - dev_old) / (abs(dev) + 0.1) < TOL:
            converged = True
            break
        dev_old = dev
    xw = x * mu[:, None]
    info = x.T @ xw
    try:
        cov = np.linalg.inv(info)
    except np.linalg.LinAlgError:
        return coef, mu, info, False
    return coef, mu, cov, converged


def _deviance(y: np.ndarray, mu: np.ndarray) -> float:
    with np.errstate(divide="ignore", invalid="ignore"):
        term = np.where(y > 0, y * np.log(y / mu), 0.0)
    return float(2 * np.sum(term - (y - mu)))


def fit_cells(counts: np.ndarray, params: Sequence[int] | None = None, *, engine: str = "numpy") -> CellFit:
    """Fit a log-linear model to counts indexed by cell mask, fixing empty-margin parameters at minus infinity.

    Parameters
    ----------
    counts : numpy.ndarray
        Counts indexed by cell mask, length ``2**t`` (``counts[0]`` ignored).
    params : sequence of int, optional
        Every parameter of the model (see :func:`closure`), intercept included; default main effects.
    engine : {'numpy', 'statsmodels'}, default 'numpy'
        IRLS in numpy (fast) or statsmodels' ``GLM(..., family=Poisson())``; the same estimates.

    Returns
    -------
    CellFit
        ``converged`` is False when the fit failed (rank deficiency, no convergence): its numbers are
        then not to be used. Whether the estimate exists at all is checked beforehand by
        :func:`crimnet.prevalence.existence.check_existence`. O(iterations * cells * params**2).
    """
    counts = _counts(counts, "fit_cells")
    if engine not in ("numpy", "statsmodels"):
        raise bad_parameter("engine", "fit_cells", "one of ['numpy', 'statsmodels']", engine)
    nlists = counts.size.bit_length() - 1
    params = closure((), nlists) if params is None else tuple(params)
    est, neg_inf, cells = face(counts, params)
    x = design(nlists, est)[cells - 1]
    y = counts[cells].astype(np.float64)
    observed = int(counts[1:].sum())
    if np.linalg.matrix_rank(x) < x.shape[1] or y.sum() == 0:
        nan = float("nan")
        return CellFit(params, neg_inf, cells, np.full(len(est), nan), np.full(cells.size, nan), observed,
                       nan, nan, nan, nan, False)  # fmt: skip
    if engine == "statsmodels":
        import statsmodels.api as sm

        with warnings.catch_warnings():
            # a saturated fit (two lists) has no residual degrees of freedom: statsmodels warns, the fit is fine
            warnings.simplefilter("ignore")
            res = sm.GLM(y, x, family=sm.families.Poisson()).fit(tol=1e-12, maxiter=MAX_ITER)
        coef, mu = np.asarray(res.params), np.asarray(res.fittedvalues)
        cov = np.asarray(res.cov_params())
        converged = bool(res.converged)
    else:
        coef, mu, cov, converged = _irls(x, y)
    loglik = float(np.sum(y * np.log(np.maximum(mu, 1e-300)) - mu - gammaln(y + 1)))
    return CellFit(
        params=params,
        neg_inf=neg_inf,
        cells=cells,
        coef=coef,
        fitted=mu,
        observed=observed,
        dark=float(np.exp(coef[0])),
        loglik=loglik,
        deviance=_deviance(y, mu),
        se_log_dark=float(math.sqrt(max(cov[0, 0], 0.0))),
        converged=converged and bool(np.all(np.isfinite(coef))),
    )


def fit_batch(counts: np.ndarray, params: Sequence[int] | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Fit one model to many count vectors at once (a bootstrap's resamples): totals, BICs, success.

    Parameters
    ----------
    counts : numpy.ndarray
        Shape ``(B, 2**t)``: one count vector per row, indexed by cell mask.
    params : sequence of int, optional
        Every parameter of the model; default main effects.

    Returns
    -------
    totals, bic : numpy.ndarray
        Estimated total and BIC per row (NaN where the fit failed).
    ok : numpy.ndarray of bool
        Rows whose fit converged.

    Notes
    -----
    Rows are grouped by which parameters have an empty margin (the face they are fitted on); each
    group runs the IRLS of :func:`fit_cells` as stacked linear algebra, so a thousand resamples
    cost about as much Python as one. The existence check is the caller's. O(iterations * B * cells * params**2).
    """
    if not isinstance(counts, np.ndarray) or counts.ndim != 2:
        raise bad_parameter("counts", "fit_batch", "a 2-d array of count vectors (one per row)", counts)
    nlists = counts.shape[1].bit_length() - 1
    params = closure((), nlists) if params is None else tuple(params)
    p = np.asarray(params, dtype=np.int64)
    allcells = np.arange(counts.shape[1], dtype=np.int64)
    inc = (allcells[:, None] & p[None, :]) == p[None, :]
    empty = (counts @ inc) == 0  # B x params: margins that are zero
    totals = np.full(counts.shape[0], np.nan)
    bic = np.full(counts.shape[0], np.nan)
    ok = np.zeros(counts.shape[0], dtype=bool)
    groups: dict[bytes, list[int]] = {}
    for i, row in enumerate(empty):
        groups.setdefault(row.tobytes(), []).append(i)
    observed = counts[:, 1:].sum(axis=1)
    for rows_list in groups.values():
        rows = np.asarray(rows_list)
        neg = empty[rows[0]]
        est = [q for q, e in zip(params, neg, strict=True) if not e]
        keep = np.ones(allcells.size, dtype=bool)
        keep[0] = False
        for q, e in zip(params, neg, strict=True):
            if e:
                keep &= (allcells & q) != q
        cells = allcells[keep]
        x = design(nlists, est)[cells - 1]
        y = counts[np.ix_(rows, cells)].astype(np.float64)
        coef, mu, conv = _irls_batch(x, y)
        loglik = np.sum(y * np.log(np.maximum(mu, 1e-300)) - mu - gammaln(y + 1), axis=1)
        good = conv & np.all(np.isfinite(coef), axis=1)
        n_obs = np.maximum(observed[rows], 1)
        totals[rows] = np.where(good, observed[rows] + np.exp(coef[:, 0]), np.nan)
        bic[rows] = np.where(good, len(params) * np.log(n_obs) - 2 * loglik, np.nan)
        ok[rows] = good
    return totals, bic, ok


def _irls_batch(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Stacked Poisson IRLS: ``x`` cells x params, ``y`` B x cells; returns coef (B x p), fitted, converged."""
    mu = y + 0.1
    eta = np.log(mu)
    dev_old = np.full(y.shape[0], np.inf)
    coef = np.zeros((y.shape[0], x.shape[1]))
    conv = np.zeros(y.shape[0], dtype=bool)
    active = np.ones(y.shape[0], dtype=bool)
    for _ in range(MAX_ITER):
        a = np.flatnonzero(active)
        if a.size == 0:
            break
        m, e = mu[a], eta[a]
        z = e + (y[a] - m) / m
        info = np.einsum("bc,cp,cq->bpq", m, x, x)
        rhs = np.einsum("bc,cp->bp", m * z, x)
        try:
            beta = np.linalg.solve(info, rhs[..., None])[..., 0]
        except np.linalg.LinAlgError:
            beta = np.stack([np.linalg.lstsq(info[k], rhs[k], rcond=None)[0] for k in range(a.size)])
        coef[a] = beta
        eta[a] = beta @ x.T
        mu[a] = np.exp(np.minimum(eta[a], 700.0))
        with np.errstate(divide="ignore", invalid="ignore"):
            ya = y[a]
            dev = 2 * np.sum(np.where(ya > 0, ya * np.log(ya / mu[a]), 0.0) - (ya - mu[a]), axis=1)
        done = np.abs(dev - dev_old[a]) / (np.abs(dev) + 0.1) < TOL
        conv[a[done]] = True
        active[a[done]] = False
        dev_old[a] = dev
    return coef, mu, conv
