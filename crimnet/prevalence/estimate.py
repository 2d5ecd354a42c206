"""The public estimate: how many cases in all, how many no list saw, how sure, and what to beware of.

:func:`estimate` chooses a model by the method asked (``auto`` as the reference package: BIC for up to
five lists, stepwise above), fits it, and bootstraps an interval that repeats the model choice in
every resample (:mod:`crimnet.prevalence.bootstrap`). It returns a :class:`PrevalenceEstimate`:
the numbers, the table of candidate models weighed, the terms fixed at minus infinity, and the
caveats the literature raises. It never returns a number from a model the data cannot support:
such a model is refused with :class:`crimnet.prevalence.existence.ModelNotSupportedError`.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import norm

from crimnet.errors import bad_parameter, check_choice, check_interval, check_type
from crimnet.prevalence.bootstrap import RESAMPLING, BootstrapResult, bic_bootstrap, bootstrap
from crimnet.prevalence.existence import ModelNotSupportedError, require_existence
from crimnet.prevalence.histories import CaptureHistoryError, cell_counts, from_tables
from crimnet.prevalence.loglinear import CellFit, closure, format_model, parse_model, term_name
from crimnet.prevalence.selection import (
    Candidate,
    Selection,
    bic_models,
    default_maxorder,
    downhill,
    fixed,
    main_effects,
    stepwise,
)
from crimnet.tables import CanonicalTables

__all__ = ["METHODS", "PrevalenceEstimate", "default_ntop", "estimate", "estimate_case"]

METHODS = ("auto", "stepwise", "bic", "downhill", "main-effects", "fixed")
"""The model-choice methods :func:`estimate` and ``crimnet prevalence --method`` accept."""

CANDIDATES_SHOWN = 10
"""Rows of the candidate table for BIC and downhill (the best by BIC); stepwise shows its whole path."""

SPREAD_WARNING = 2.0
"""Ratio of the largest to the smallest estimate among the candidates shown above which a caveat is raised."""

WHITEHEAD = (
    "Whitehead et al. (2021, Journal of Human Trafficking) argue that stepwise MSE estimates of UK modern slavery "
    "are unreliable: treat the point estimate with caution, and read the interval and the spread across models."
)


@dataclass(frozen=True)
class PrevalenceEstimate:
    """An MSE estimate with its interval, model, candidates and caveats.

    Attributes
    ----------
    method : str
        The method used (``auto`` resolved to ``bic`` or ``stepwise``).
    lists : list of str
        The lists (sources), in table order.
    observed : int
        Cases seen by at least one list.
    model : str
        The chosen model's generators (``'D:E'``, ``'main effects'``).
    terms : list of str
        Every interaction term of the chosen model.
    neg_inf_terms : list of str
        Terms of the model whose lists never overlap: fixed at minus infinity, their cells dropped.
    total : float
        Estimated population (observed + hidden).
    hidden : float
        Estimated cases no list saw.
    lower, upper : float
        Interval for the total at `level`.
    level : float
        Two-sided confidence level.
    interval : str
        How the interval was made.
    nboot : int
        Bootstrap resamples (0: model-based interval).
    failed : int
        Resamples with no estimate, left out of the interval.
    candidates : pandas.DataFrame
        The models weighed: ``model``, ``deviance``, ``aic``, ``bic``, ``total``, ``lower``, ``upper``
        (model-based interval: it ignores model choice), ``note``, ``chosen``.
    caveats : list of str
        What the reader must keep in mind.
    replicates : numpy.ndarray
        Bootstrap estimates (empty without a bootstrap).
    """

    method: str
    lists: list[str]
    observed: int
    model: str
    terms: list[str]
    neg_inf_terms: list[str]
    total: float
    hidden: float
    lower: float
    upper: float
    level: float
    interval: str
    nboot: int
    failed: int
    candidates: pd.DataFrame = field(repr=False)
    caveats: list[str] = field(default_factory=list)
    replicates: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False)

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of ``crimnet prevalence --json``: method, model, total, hidden, lower, upper, level, ...

        Non-finite numbers become None (JSON null).
        """

        def fin(v: float) -> float | None:
            return float(v) if math.isfinite(v) else None

        return {
            "method": self.method,
            "model": self.terms,
            "model_text": self.model,
            "total": fin(self.total),
            "hidden": fin(self.hidden),
            "lower": fin(self.lower),
            "upper": fin(self.upper),
            "level": self.level,
            "observed": self.observed,
            "lists": self.lists,
            "neg_inf_terms": self.neg_inf_terms,
            "interval": self.interval,
            "nboot": self.nboot,
            "failed_resamples": self.failed,
            "caveats": self.caveats,
            "candidates": [
                {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in row.items()}
                for row in self.candidates.to_dict("records")
            ],
        }


def default_ntop(nlists: int) -> int | None:
    """The reference package's number of best-BIC models kept by the bootstrap: all (None) up to 3 lists, 20, 100.

    >>> default_ntop(3), default_ntop(4), default_ntop(5)
    (None, 20, 100)
    """
    if not isinstance(nlists, int) or nlists < 2:
        raise bad_parameter("nlists", "default_ntop", "an int >= 2", nlists)
    return None if nlists <= 3 else 20 if nlists == 4 else 100


def _model_interval(fit: CellFit, level: float) -> tuple[float, float]:
    """SparseMSE's model-based interval: observed + log-normal hidden figure."""
    z = float(norm.ppf(0.5 + level / 2))
    if not math.isfinite(fit.se_log_dark) or fit.dark <= 0:
        return float("nan"), float("nan")
    log_h = math.log(fit.dark)
    return fit.observed + math.exp(log_h - z * fit.se_log_dark), fit.observed + math.exp(log_h + z * fit.se_log_dark)


def _candidate_table(
    candidates: list[Candidate], lists: list[str], *, chosen: tuple[int, ...], level: float = 0.95
) -> pd.DataFrame:
    """The candidate models as a table: model, deviance, AIC, BIC, estimate, model-based interval, note, chosen.

    Parameters
    ----------
    candidates : list of Candidate
        From a :class:`crimnet.prevalence.selection.Selection`.
    lists : list of str
        List names.
    chosen : tuple of int
        The chosen model's terms (marks its row).
    level : float, default 0.95
        Level of the model-based interval, in (0, 1).
    """
    if not isinstance(candidates, list):
        raise bad_parameter("candidates", "candidate_table", "a list of Candidate", candidates)
    check_interval(level, param="level", func="candidate_table", low=0, high=1)
    rows = []
    for c in candidates:
        if c.fit is None:
            continue
        lo, hi = _model_interval(c.fit, level)
        rows.append(
            {
                "model": format_model(c.terms, lists),
                "deviance": c.fit.deviance,
                "aic": c.fit.aic,
                "bic": c.fit.bic,
                "total": c.fit.total,
                "lower": lo,
                "upper": hi,
                "note": c.note,
                "chosen": tuple(sorted(c.terms)) == tuple(sorted(chosen)),
            }
        )
    return pd.DataFrame(rows, columns=["model", "deviance", "aic", "bic", "total", "lower", "upper", "note", "chosen"])


def _rule(method: str, *, terms: tuple[int, ...], pthresh: float, maxorder: int | None) -> Any:
    """The selection rule as ``counts -> Selection | None``, sharing one existence cache."""
    cache: dict = {}
    if method == "stepwise":
        return lambda c: stepwise(c, pthresh=pthresh, cache=cache)
    if method == "downhill":
        return lambda c: downhill(c, maxorder=maxorder, cache=cache)
    if method == "main-effects":
        return lambda c: main_effects(c, cache=cache)
    return lambda c: fixed(c, terms=terms, cache=cache)


def _caveats(sel: Selection, method: str, table: pd.DataFrame, lists: list[str], counts: np.ndarray,
             boot: BootstrapResult | None) -> list[str]:  # fmt: skip
    notes = [
        "MSE assumes a closed population over the period, no errors in linking records across lists, and that "
        "the model's interactions capture the dependence between lists; heterogeneous chances of being listed "
        "that no term captures bias the estimate, usually downwards. It counts everyone the lists hold: people "
        "listed who are not victims (false referrals) inflate it by about their share, and people recorded "
        "together (a raid's victims all referred at once) are not independent, which the interval ignores."
    ]
    if method == "stepwise":
        notes.append(WHITEHEAD)
    if sel.fit.neg_inf:
        names = ", ".join(term_name(p, lists) for p in sel.fit.neg_inf)
        notes.append(
            f"Lists {names} never overlap: those terms are fixed at minus infinity (no case can be on both), as "
            "SparseMSE does; the estimate then leans on that structural assumption."
        )
    observed = int(counts.sum())
    empty = int(np.sum(counts[1:] == 0))
    if observed < 100 or empty > counts.size // 2:
        notes.append(
            f"Sparse data: {observed} cases, {empty} of {counts.size - 1} capture histories empty. Estimates from "
            "sparse tables depend strongly on the model; intervals are wide and can still be too narrow."
        )
    totals = [c.fit.total for c in sel.candidates[:CANDIDATES_SHOWN] if c.fit is not None]
    if len(totals) > 1 and max(totals) / max(min(totals), 1e-9) > SPREAD_WARNING:
        notes.append(
            f"The candidate models disagree: their estimates range from {min(totals):,.0f} to {max(totals):,.0f}. "
            "The choice of model drives the answer."
        )
    if boot is not None and boot.failed:
        notes.append(f"{boot.failed} of {boot.replicates.size} bootstrap resamples gave no estimate and were left out.")
    if boot is not None and not math.isfinite(boot.acceleration):
        notes.append(
            "The jackknife could not estimate the BCa acceleration; it was set to 0 (a bias-corrected interval)."
        )
    return notes


def estimate(
    table: pd.DataFrame,
    *,
    method: str = "auto",
    model: str | None = None,
    pthresh: float = 0.02,
    maxorder: int | None = None,
    ntop: int | None = None,
    nboot: int = 1000,
    seed: int = 1234,
    level: float = 0.95,
    resample: str = "multinomial",
) -> PrevalenceEstimate:
    """Estimate the size of a hidden population from capture histories (multiple systems estimation).

    Parameters
    ----------
    table : pandas.DataFrame
        A capture-history table: one 0/1 column per list and ``count``
        (:mod:`crimnet.prevalence.histories`, :func:`crimnet.datasets.load_capture_histories`).
    method : {'auto', 'stepwise', 'bic', 'downhill', 'main-effects', 'fixed'}, default 'auto'
        Model choice: ``auto`` is BIC for up to five lists and stepwise above, as the reference package.
    model : str, optional
        The terms of the ``fixed`` model (``'A:B, C:D'``); required by ``fixed`` only.
    pthresh : float, default 0.02
        Stepwise p-value threshold, in [0, 1].
    maxorder : int, optional
        Highest interaction order for ``bic`` and ``downhill`` (default as the reference package).
    ntop : int, optional
        BIC bootstrap: keep the `ntop` models best by BIC on the original data (>= 1); default all for up
        to three lists, 20 for four, 100 for five or six.
    nboot : int, default 1000
        Bootstrap resamples, >= 0; 0 gives the model-based interval of the chosen model (which
        ignores model choice).
    seed : int, default 1234
        Seed of the bootstrap, >= 0.
    level : float, default 0.95
        Confidence level, in (0, 1).
    resample : {'multinomial', 'binomial'}, default 'multinomial'
        Bootstrap resampling: the reference packages' ``multinomial`` keeps the number observed fixed,
        which leaves its variation out of the interval; ``binomial`` redraws it
        (:func:`crimnet.prevalence.bootstrap.draw_resamples`).

    Returns
    -------
    PrevalenceEstimate

    Raises
    ------
    crimnet.prevalence.existence.ModelNotSupportedError
        When the data cannot support the model asked for (or any model, for BIC); the message names
        the terms and says why.

    Examples
    --------
    >>> from crimnet.datasets import load_capture_histories
    >>> r = estimate(load_capture_histories("NewOrl"), method="stepwise", nboot=0)
    >>> r.model, round(r.total, 2)
    ('D:E', 1183.69)
    """
    check_type(table, pd.DataFrame, param="table", func="estimate", expected="a capture-history DataFrame")
    check_choice(method, METHODS, param="method", func="estimate")
    check_interval(pthresh, param="pthresh", func="estimate", low=0, high=1, closed="both")
    check_interval(nboot, param="nboot", func="estimate", low=0, closed="left", integer=True)
    check_interval(seed, param="seed", func="estimate", low=0, closed="left", integer=True)
    check_interval(level, param="level", func="estimate", low=0, high=1)
    check_choice(resample, RESAMPLING, param="resample", func="estimate")
    if ntop is not None:
        check_interval(ntop, param="ntop", func="estimate", low=1, closed="left", integer=True)
    if model is not None and not isinstance(model, str):
        raise bad_parameter("model", "estimate", "a str naming terms such as 'A:B, C:D', or None", model)
    lists, counts = cell_counts(table)
    nl = len(lists)
    if maxorder is not None:
        check_interval(maxorder, param="maxorder", func="estimate", low=1, high=nl - 1, closed="both", integer=True)
    resolved = ("bic" if nl <= 5 else "stepwise") if method == "auto" else method
    if resolved == "bic" and nl > 6:
        raise bad_parameter("method", "estimate", "not 'bic' for more than six lists (use 'stepwise')", method)
    if resolved == "fixed" and model is None:
        raise bad_parameter("model", "estimate", "the terms of the fixed model (e.g. 'A:B') when method='fixed'", model)
    terms = parse_model(model, lists) if (model is not None and resolved == "fixed") else ()

    boot: BootstrapResult | None = None
    if resolved == "bic":
        order = default_maxorder(nl) if maxorder is None else maxorder
        ranked = bic_models(counts, maxorder=order)
        if not ranked:
            raise ModelNotSupportedError(
                f"The data cannot support any hierarchical model of {nl} lists up to order {order}: the maximum "
                "likelihood estimate does not exist or is not identifiable for each (Fienberg-Rinaldo check)."
            )
        best = ranked[0]
        assert best.fit is not None
        sel = Selection("bic", best.terms, best.fit, ranked)
        if nboot > 0:
            keep = ntop if ntop is not None else default_ntop(nl)
            models = [c.terms for c in ranked[: keep if keep is not None else len(ranked)]]
            boot = bic_bootstrap(counts, models=models, nboot=nboot, seed=seed, level=level, resample=resample)
        shown = ranked[:CANDIDATES_SHOWN]
    else:
        rule = _rule(resolved, terms=terms, pthresh=pthresh, maxorder=maxorder)
        chosen = rule(counts)
        if chosen is None:
            # explain why, naming the terms (raises)
            require_existence(counts, closure(terms, nl), lists)
            raise ModelNotSupportedError(f"The {resolved} model could not be fitted to these data.")
        sel = chosen
        if nboot > 0:

            def total_of(c: np.ndarray) -> float:
                s = rule(c)
                return float("nan") if s is None else float(s.fit.total)

            boot = bootstrap(counts, rule=total_of, nboot=nboot, seed=seed, level=level, resample=resample)
        shown = sel.candidates if resolved == "stepwise" else sel.candidates[:CANDIDATES_SHOWN]
    fit = sel.fit
    if boot is not None:
        lower, upper = boot.lower, boot.upper
        how = (
            f"BCa bootstrap, {nboot} {resample} resamples, "
            + (f"BIC selection among the {len(models)} best models repeated in each" if resolved == "bic"
               else "model choice repeated in each" if resolved in ("stepwise", "downhill") else "model fixed")
        )  # fmt: skip
    else:
        lower, upper = _model_interval(fit, level)
        how = "model-based (log-normal hidden figure; ignores the uncertainty of model choice)"
    all_terms = [term_name(p, lists) for p in closure(sel.terms, nl) if bin(p).count("1") >= 2]
    return PrevalenceEstimate(
        method=resolved,
        lists=list(lists),
        observed=int(counts.sum()),
        model=format_model(sel.terms, lists),
        terms=all_terms,
        neg_inf_terms=[term_name(p, lists) for p in fit.neg_inf],
        total=float(fit.total),
        hidden=float(fit.dark),
        lower=float(lower),
        upper=float(upper),
        level=float(level),
        interval=how,
        nboot=int(nboot),
        failed=0 if boot is None else boot.failed,
        candidates=_candidate_table(list(shown), list(lists), chosen=sel.terms, level=level),
        caveats=_caveats(Selection(sel.method, sel.terms, sel.fit, list(shown)), resolved, table, lists, counts, boot),
        replicates=np.zeros(0) if boot is None else boot.replicates,
    )


def estimate_case(
    tables: CanonicalTables,
    *,
    people: Collection[str] | None = None,
    sources: Collection[str] | None = None,
    method: str = "auto",
    pthresh: float = 0.02,
    nboot: int = 200,
    seed: int = 1234,
    level: float = 0.95,
) -> PrevalenceEstimate | None:
    """The estimate for a resolved case: the people (e.g. potential victims) and the sources that list them.

    What the run report shows when a case has several victim-listing sources.

    Parameters
    ----------
    tables : CanonicalTables
        A resolved case (``Person.sources`` lists the sources that mention each person).
    people : collection of str, optional
        The person ids to count (potential victims flagged by a rule, a role score or the truth); default all.
    sources : collection of str, optional
        The lists; default every source that lists one of the people.
    method : str, default 'auto'
        As :func:`estimate`.
    pthresh : float, default 0.02
        Stepwise threshold, in [0, 1].
    nboot : int, default 200
        Bootstrap resamples, >= 0 (the report's default is smaller than :func:`estimate`'s).
    seed : int, default 1234
        Bootstrap seed, >= 0.
    level : float, default 0.95
        Confidence level, in (0, 1).

    Returns
    -------
    PrevalenceEstimate or None
        None when fewer than two sources list the people (no overlap to learn from).

    Raises
    ------
    crimnet.prevalence.existence.ModelNotSupportedError
        When the data cannot support any model of the method.
    """
    check_type(tables, CanonicalTables, param="tables", func="estimate_case", expected="CanonicalTables")
    check_interval(pthresh, param="pthresh", func="estimate_case", low=0, high=1, closed="both")
    check_interval(nboot, param="nboot", func="estimate_case", low=0, closed="left", integer=True)
    check_interval(seed, param="seed", func="estimate_case", low=0, closed="left", integer=True)
    check_interval(level, param="level", func="estimate_case", low=0, high=1)
    check_choice(method, METHODS, param="method", func="estimate_case")
    try:
        table = from_tables(tables, people=people, sources=sources)
    except CaptureHistoryError:
        return None
    return estimate(table, method=method, pthresh=pthresh, nboot=nboot, seed=seed, level=level)
