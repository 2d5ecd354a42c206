"""One model fitted to a capture-history table, refused when the data cannot support it.

:func:`fit_model` is what a user calls to fit a model of their choosing: the existence check first
(:func:`crimnet.prevalence.existence.require_existence`), then statsmodels' Poisson GLM on the
cells left by the sparse-data rule (:mod:`crimnet.prevalence.loglinear`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from crimnet.errors import bad_parameter, check_type
from crimnet.prevalence.existence import require_existence
from crimnet.prevalence.histories import cell_counts
from crimnet.prevalence.loglinear import closure, fit_cells, format_model, parse_model, term_name

__all__ = ["ModelFit", "fit_model"]


@dataclass(frozen=True)
class ModelFit:
    """A fitted model, in words: what a user sees (statsmodels' fit).

    Attributes
    ----------
    lists : list of str
        List names.
    terms : tuple of int
        The interaction terms asked for (bit masks; the model is their hierarchical closure).
    model : str
        The terms as text (``'D:E'``, ``'main effects'``).
    neg_inf_terms : list of str
        Terms whose lists never overlap in the data, fixed at minus infinity (their cells dropped).
    observed : int
        Cases observed.
    hidden : float
        Estimated cases seen by no list (the dark figure).
    total : float
        Estimated population, ``observed + hidden``.
    deviance, aic, bic : float
        Fit statistics; AIC and BIC count every parameter, minus-infinity ones included.
    df : int
        Residual degrees of freedom: fitted cells less estimated parameters.
    se_log_hidden : float
        Standard error of ``log(hidden)``.
    coefficients : pandas.Series
        Estimated parameters by name, minus-infinity ones as ``-inf``.
    """

    lists: list[str]
    terms: tuple[int, ...]
    model: str
    neg_inf_terms: list[str]
    observed: int
    hidden: float
    total: float
    deviance: float
    aic: float
    bic: float
    df: int
    se_log_hidden: float
    coefficients: pd.Series = field(repr=False)

    def interval(self, level: float = 0.95) -> tuple[float, float]:
        """The model-based interval of SparseMSE's ``estimatepopulation.0``: log-normal hidden figure.

        ``observed + exp(intercept ± z * se)``: ignores model choice, so narrower than a bootstrap's.
        """
        if not isinstance(level, float | int) or not 0 < level < 1:
            raise bad_parameter("level", "ModelFit.interval", "a float in (0, 1)", level)
        from scipy.stats import norm

        z = float(norm.ppf(0.5 + level / 2))
        log_h = math.log(self.hidden)
        return (
            self.observed + math.exp(log_h - z * self.se_log_hidden),
            self.observed + math.exp(log_h + z * self.se_log_hidden),
        )


def fit_model(table: pd.DataFrame, terms: Iterable[int] | str = (), *, check: bool = True) -> ModelFit:
    """Fit one log-linear model to a capture-history table with statsmodels.

    Parameters
    ----------
    table : pandas.DataFrame
        A capture-history table (:mod:`crimnet.prevalence.histories`).
    terms : iterable of int or str, default ()
        Interaction terms as bit masks or as text (``'D:E'``, see :func:`parse_model`); the model is
        their hierarchical closure. Empty: main effects only.
    check : bool, default True
        Refuse a model whose estimate does not exist or is not identifiable
        (:func:`crimnet.prevalence.existence.require_existence`).

    Returns
    -------
    ModelFit

    Raises
    ------
    crimnet.prevalence.existence.ModelNotSupportedError
        If `check` and the data cannot support the model; the message names the terms.

    Examples
    --------
    >>> from crimnet.datasets import load_capture_histories
    >>> round(fit_model(load_capture_histories("NewOrl"), "D:E").total, 2)
    1183.69
    """
    check_type(table, pd.DataFrame, param="table", func="fit_model", expected="a capture-history DataFrame")
    lists, counts = cell_counts(table)
    term_masks = parse_model(terms, lists) if isinstance(terms, str) else tuple(terms)
    if not all(isinstance(t, int | np.integer) and 0 < t < 2 ** len(lists) for t in term_masks):
        raise bad_parameter("terms", "fit_model", "bit masks of lists or a text naming terms", terms)
    params = closure(term_masks, len(lists))
    if check:
        require_existence(counts, params, lists)
    cf = fit_cells(counts, params, engine="statsmodels")
    est = [p for p in params if p not in cf.neg_inf]
    coefs = pd.Series(
        [*cf.coef, *([-math.inf] * len(cf.neg_inf))], index=[term_name(p, lists) for p in [*est, *cf.neg_inf]]
    )
    return ModelFit(
        lists=list(lists),
        terms=tuple(sorted(set(term_masks))),
        model=format_model(term_masks, lists),
        neg_inf_terms=[term_name(p, lists) for p in cf.neg_inf],
        observed=cf.observed,
        hidden=cf.dark,
        total=cf.total,
        deviance=cf.deviance,
        aic=cf.aic,
        bic=cf.bic,
        df=int(cf.cells.size - len(est)),
        se_log_hidden=cf.se_log_dark,
        coefficients=coefs,
    )
