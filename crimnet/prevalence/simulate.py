"""Capture histories simulated with a known total: the ground truth to validate estimates against.

Each of ``total`` cases is listed by list ``i`` with marginal probability ``p_i``; pairs of lists may
be dependent, with a given log odds ratio (positive: a case on one list is more likely to be on the
other, as when one agency refers cases to another; negative: lists that avoid each other). The joint
law of a case's capture history ``h`` is the log-linear model

    log P(h) = const + sum_i a_i h_i + sum_{i<j} g_ij h_i h_j,

whose main effects ``a_i`` are solved (by fixed-point iteration on the marginals) so that each list's
marginal capture probability is exactly ``p_i``; ``g_ij`` is the conditional log odds ratio of
lists ``i`` and ``j``. With every ``g_ij = 0`` the lists are independent and the main-effects model
is correct; with dependence, the model with the matching two-list terms is. The cases are drawn
once (a multinomial of ``total`` over the ``2**t`` histories), and the all-zero history (no list)
is dropped: what an analyst would see.

The generator of synthetic cases draws which lists record each victim by the same law, with a latent
visibility per victim on top (:mod:`crimnet.synthetic.victim_lists`, option ``victim_lists``);
:mod:`crimnet.prevalence.validate` checks estimates against its truth. This simulator stays the
quickest path when only a table of known total is needed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from crimnet.errors import bad_parameter, check_interval

__all__ = ["history_probabilities", "simulate_histories"]


def history_probabilities(
    probs: Sequence[float], *, dependence: Mapping[tuple[int, int], float] | None = None
) -> np.ndarray:
    """The probability of every capture history (indexed by bit mask) under the simulator's model.

    Parameters
    ----------
    probs : sequence of float
        Marginal capture probability of each list, each in (0, 1); 2 to 12 lists.
    dependence : mapping of (int, int) to float, optional
        Log odds ratio of pairs of lists by their indices; absent pairs are independent (given the rest).

    Returns
    -------
    numpy.ndarray
        Length ``2**t``, summing to 1; entry 0 is the chance that no list sees a case.

    Examples
    --------
    >>> p = history_probabilities([0.5, 0.2])
    >>> p.round(3).tolist()
    [0.4, 0.4, 0.1, 0.1]
    """
    if not isinstance(probs, Sequence | np.ndarray) or not 2 <= len(probs) <= 12:
        raise bad_parameter("probs", "history_probabilities", "a sequence of 2 to 12 probabilities", probs)
    for p in probs:
        check_interval(p, param="probs", func="history_probabilities", low=0, high=1)
    t = len(probs)
    g = np.zeros((t, t))
    for key, value in (dependence or {}).items():
        if (
            not isinstance(key, tuple)
            or len(key) != 2
            or not all(isinstance(k, int) and 0 <= k < t for k in key)
            or key[0] == key[1]
        ):
            raise bad_parameter("dependence", "history_probabilities", f"pairs of list indices in [0, {t})", key)
        check_interval(value, param="dependence", func="history_probabilities", low=-20, high=20)
        g[min(key), max(key)] = float(value)
    masks = np.arange(2**t)
    h = ((masks[:, None] >> np.arange(t)[None, :]) & 1).astype(float)
    inter = np.einsum("ci,ij,cj->c", h, g, h)
    target = np.asarray(probs, dtype=float)
    a = np.log(target / (1 - target))
    for _ in range(500):
        logp = h @ a + inter
        p = np.exp(logp - logp.max())
        p /= p.sum()
        m = h.T @ p
        step = np.log(target / (1 - target)) - np.log(m / (1 - m))
        a += step
        if np.max(np.abs(step)) < 1e-12:
            break
    logp = h @ a + inter
    p = np.exp(logp - logp.max())
    return np.asarray(p / p.sum())


def simulate_histories(
    probs: Sequence[float],
    *,
    total: int = 1000,
    dependence: Mapping[tuple[int, int], float] | None = None,
    lists: Sequence[str] | None = None,
    seed: int = 0,
) -> pd.DataFrame:
    """Simulate the capture-history table of a population of known size.

    Parameters
    ----------
    probs : sequence of float
        Marginal probability that each list records a case, each in (0, 1).
    total : int, default 1000
        The true population size, >= 1.
    dependence : mapping of (int, int) to float, optional
        Log odds ratio of pairs of lists (by index); default independent lists.
    lists : sequence of str, optional
        List names; default ``A``, ``B``, ...
    seed : int, default 0
        Random seed, >= 0.

    Returns
    -------
    pandas.DataFrame
        A capture-history table (one 0/1 column per list, ``count``; unseen cases absent) with
        ``attrs``: ``total`` (the truth), ``hidden`` (cases no list saw), ``lists``, ``probs``,
        ``dependence``.

    Examples
    --------
    >>> t = simulate_histories([0.3, 0.3, 0.3], total=1000, seed=1)
    >>> t.attrs["total"], int(t["count"].sum()) + t.attrs["hidden"]
    (1000, 1000)
    """
    p = history_probabilities(probs, dependence=dependence)
    check_interval(total, param="total", func="simulate_histories", low=1, closed="left", integer=True)
    check_interval(seed, param="seed", func="simulate_histories", low=0, closed="left", integer=True)
    t = len(probs)
    names = list(lists) if lists is not None else [chr(ord("A") + i) for i in range(t)]
    if len(names) != t or len(set(names)) != t or not all(isinstance(n, str) for n in names):
        raise bad_parameter("lists", "simulate_histories", f"{t} distinct list names", lists)
    counts = np.random.default_rng(seed).multinomial(total, p)
    rows = [
        [*(int(b) for b in bits), int(counts[m])]
        for m, bits in ((m, [(m >> i) & 1 for i in range(t)]) for m in range(1, 2**t))
        if counts[m] > 0
    ]
    df = pd.DataFrame(rows, columns=[*names, "count"], dtype="int64")
    df.attrs = {
        "total": int(total),
        "hidden": int(counts[0]),
        "lists": names,
        "probs": [float(x) for x in probs],
        "dependence": {f"{names[i]}:{names[j]}": float(v) for (i, j), v in (dependence or {}).items()},
    }
    return df
