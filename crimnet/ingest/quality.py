"""Quality of person resolution against generated ground truth (pairwise precision and recall)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from crimnet.errors import ParameterError, check_type

__all__ = ["resolution_quality"]


def _pairs(sizes: np.ndarray) -> int:
    sizes = sizes.astype(np.int64)
    return int((sizes * (sizes - 1) // 2).sum())


def resolution_quality(resolution: pd.DataFrame, truth_entities: pd.DataFrame) -> dict[str, float]:
    """Score person resolution pairwise against the true entities.

    A pair of person records is *predicted* when both records got the same
    entity id, and *true* when both belong to the same true person. Precision
    is the share of predicted pairs that are true, recall the share of true
    pairs that are predicted, F1 their harmonic mean.

    Parameters
    ----------
    resolution : DataFrame
        The resolution table: ``source``, ``record_id``, ``entity_id``.
    truth_entities : DataFrame
        ``truth/entities.csv``: ``source``, ``record_id``, ``entity_type``,
        ``entity_id`` (only ``entity_type == 'Person'`` rows are used, when the
        column is present).

    Returns
    -------
    dict
        ``precision``, ``recall``, ``f1`` (float; 1.0 when there are no pairs
        to get wrong), ``pairs_true``, ``pairs_predicted``, ``pairs_correct``
        and ``records`` (int: person records found in both tables).

    Raises
    ------
    crimnet.errors.ParameterError
        If a table lacks the columns above.

    Notes
    -----
    Pairs are never materialised: with cluster sizes from the contingency
    table of (predicted entity, true entity), the pair counts are sums of
    C(n, 2) over groups. Time O(n log n), memory O(n) for n records.

    References
    ----------
    Christen, P. (2012). Data Matching, ch. 7 (pairwise quality measures).
    doi:10.1007/978-3-642-31164-2.

    Examples
    --------
    >>> res = pd.DataFrame({"source": ["a"] * 4, "record_id": ["1", "2", "3", "4"],
    ...                     "entity_id": ["P1", "P1", "P1", "P2"]})
    >>> truth = pd.DataFrame({"source": ["a"] * 4, "record_id": ["1", "2", "3", "4"],
    ...                       "entity_type": ["Person"] * 4, "entity_id": ["T1", "T1", "T2", "T2"]})
    >>> q = resolution_quality(res, truth)
    >>> q["pairs_predicted"], q["pairs_true"], q["pairs_correct"], round(q["precision"], 3), q["recall"]
    (3, 2, 1, 0.333, 0.5)
    """
    for name, df in (("resolution", resolution), ("truth_entities", truth_entities)):
        check_type(df, pd.DataFrame, param=name, func="resolution_quality", expected="a pandas DataFrame")
        missing = {"source", "record_id", "entity_id"} - set(df.columns)
        if missing:
            raise ParameterError(
                f"The {name!r} parameter of resolution_quality must have columns source, record_id, entity_id. "
                f"Got columns {list(df.columns)} instead."
            )
    truth = truth_entities
    if "entity_type" in truth.columns:
        truth = truth[truth["entity_type"] == "Person"]
    left = resolution[["source", "record_id", "entity_id"]].astype(str)
    right = truth[["source", "record_id", "entity_id"]].astype(str).drop_duplicates(["source", "record_id"])
    both = left.merge(right, on=["source", "record_id"], suffixes=("_pred", "_true"))
    predicted = _pairs(both.groupby("entity_id_pred").size().to_numpy())
    true = _pairs(both.groupby("entity_id_true").size().to_numpy())
    correct = _pairs(both.groupby(["entity_id_pred", "entity_id_true"]).size().to_numpy())
    precision = correct / predicted if predicted else 1.0
    recall = correct / true if true else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": float(precision),
        "recall": float(recall),
        "f1": float(f1),
        "pairs_true": true,
        "pairs_predicted": predicted,
        "pairs_correct": correct,
        "records": len(both),
    }
