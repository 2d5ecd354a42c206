"""Temperature scaling of the role model's probabilities, and the measures of calibration.

The role model is trained with class weights (:func:`crimnet.gnn.roles.fit_roles`), so that
the rare roles count; its softmax probabilities are therefore not calibrated, and the
learned victim-controller cut reads them as probabilities (expected pairs
p_victim x p_controller). Temperature scaling divides the logits by one scalar T > 0
fitted to minimise the negative log-likelihood of held-out people (the validation
cases), which keeps every person's most probable role and the order of each role's
probabilities, and softens (T > 1) or sharpens (T < 1) them.

Paper: C. Guo, G. Pleiss, Y. Sun, K. Q. Weinberger, "On Calibration of Modern Neural
Networks", ICML 2017 (temperature scaling; expected calibration error over 15 bins).
G. W. Brier, "Verification of forecasts expressed in terms of probability", Monthly
Weather Review 78, 1950 (the Brier score).
"""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor

from crimnet.errors import check_interval, check_type

__all__ = ["fit_temperature", "calibration_metrics", "TEMPERATURE_RANGE"]

TEMPERATURE_RANGE = (0.05, 20.0)
"""Bounds of the fitted temperature: a guard against degenerate fits on a handful of people."""


def fit_temperature(logits: Tensor, y: Tensor, *, max_iter: int = 200) -> float:
    """Fit the temperature T minimising the NLL of ``softmax(logits / T)`` on the labelled rows.

    Parameters
    ----------
    logits : torch.Tensor
        float, ``[n, num_classes]``: the model's logits (before softmax) of held-out people.
    y : torch.Tensor
        int64, ``[n]``: class index per row, -1 when unknown (skipped).
    max_iter : int, default 200
        L-BFGS iterations (>= 1).

    Returns
    -------
    float
        T, within :data:`TEMPERATURE_RANGE`; 1.0 when no row is labelled.

    Raises
    ------
    crimnet.errors.ParameterError
        If `logits` or `y` is not a tensor, or `max_iter` < 1.

    Notes
    -----
    One parameter, log T (so T stays positive), fitted by L-BFGS on the mean cross-entropy:
    O(max_iter x n x num_classes). Unweighted: calibration is about how often a probability comes
    true among people as they occur, not as the class weights of training count them.

    Examples
    --------
    >>> logits = torch.tensor([[4.0, 0.0], [4.0, 0.0], [0.0, 4.0], [4.0, 0.0]])
    >>> round(fit_temperature(logits, torch.tensor([0, 1, 1, 0])), 1) > 1.0
    True
    """
    check_type(logits, Tensor, param="logits", func="fit_temperature", expected="a float tensor [n, classes]")
    check_type(y, Tensor, param="y", func="fit_temperature", expected="an int64 tensor [n]")
    check_interval(max_iter, param="max_iter", func="fit_temperature", low=1, closed="left", integer=True)
    ok = y >= 0
    if not bool(ok.any()):
        return 1.0
    z, t = logits[ok].detach().double(), y[ok].long()
    log_t = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.LBFGS([log_t], lr=0.1, max_iter=max_iter, line_search_fn="strong_wolfe")

    def closure() -> Tensor:
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(z / log_t.exp(), t)
        loss.backward()
        return loss

    opt.step(closure)
    low, high = TEMPERATURE_RANGE
    return float(np.clip(float(log_t.detach().exp()), low, high))


def _ece(confidence: np.ndarray, correct: np.ndarray, bins: int) -> float:
    """Sum over equal-width confidence bins of (bin share) x |accuracy - mean confidence|."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.searchsorted(edges, confidence, side="left") - 1, 0, bins - 1)
    n = np.bincount(which, minlength=bins)
    conf = np.bincount(which, weights=confidence, minlength=bins)
    acc = np.bincount(which, weights=correct.astype(float), minlength=bins)
    filled = n > 0
    return float(np.abs(acc[filled] - conf[filled]).sum() / max(len(confidence), 1))


def calibration_metrics(
    proba: np.ndarray, y: np.ndarray, *, bins: int = 15, groups: dict[str, list[int]] | None = None
) -> dict[str, float]:
    """Expected calibration error, Brier score and negative log-likelihood of class probabilities.

    Parameters
    ----------
    proba : ndarray
        ``[n, num_classes]`` probabilities (rows summing to 1).
    y : ndarray
        Class index per row (-1: unknown, skipped).
    bins : int, default 15
        Equal-width confidence bins of the ECE (Guo et al. use 15).
    groups : dict of str to list of int, optional
        Named groups of classes (e.g. ``{"perpetrator": [0, 1, 2], "victim": [3]}``): for each, the ECE of
        the binary forecast "the person is in the group" with probability the group's summed probability,
        as ``ece_<name>``.

    Returns
    -------
    dict
        ``ece`` (top-label: the most probable class's probability against whether it is right), ``brier``
        (mean over people of the summed squared error over classes, in [0, 2]), ``nll`` (mean negative
        log-likelihood, probabilities floored at 1e-12), ``ece_<name>`` per group, and ``n``; NaN values
        without labelled rows.

    Raises
    ------
    crimnet.errors.ParameterError
        If `proba` is not an ndarray or `bins` < 1.

    Notes
    -----
    O(n x num_classes).

    Examples
    --------
    >>> m = calibration_metrics(np.array([[0.9, 0.1], [0.9, 0.1]]), np.array([0, 1]))
    >>> round(m["ece"], 2), round(m["brier"], 2)
    (0.4, 0.82)
    """
    check_type(proba, np.ndarray, param="proba", func="calibration_metrics", expected="an ndarray [n, classes]")
    check_interval(bins, param="bins", func="calibration_metrics", low=1, closed="left", integer=True)
    ok = np.asarray(y) >= 0
    p, t = proba[ok].astype(float), np.asarray(y)[ok].astype(int)
    nan = float("nan")
    named = groups or {}
    if len(t) == 0:
        return {"ece": nan, "brier": nan, "nll": nan, **{f"ece_{k}": nan for k in named}, "n": 0.0}
    onehot = np.eye(p.shape[1])[t]
    out = {
        "ece": _ece(p.max(1), p.argmax(1) == t, bins),
        "brier": float(((p - onehot) ** 2).sum(1).mean()),
        "nll": float(-np.log(np.clip(p[np.arange(len(t)), t], 1e-12, 1.0)).mean()),
    }
    for name, cls in named.items():
        out[f"ece_{name}"] = _ece(p[:, cls].sum(1).clip(0, 1), np.isin(t, cls), bins)
    out["n"] = float(len(t))
    return out
