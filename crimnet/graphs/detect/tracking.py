"""Stable cluster ids across detection runs, with splits and merges reported.

Investigators attach notes to cluster ids; re-running detection (a new seed,
a new batch of ingested records) must keep an id when the cluster is
substantially the same group of people.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

from crimnet.errors import check_interval, check_type

__all__ = ["match_clusters", "EVENT_COLUMNS"]

EVENT_COLUMNS = ("event", "method", "previous_ids", "current_ids", "jaccard")


def _incidence(members: pd.Series, index: pd.Index) -> sp.csr_matrix:
    ex = members.reset_index(drop=True).explode().dropna()
    cols = index.get_indexer(ex.astype(str))
    rows = ex.index.to_numpy()
    m = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(members), len(index)))
    m.data[:] = 1.0
    return m


def match_clusters(
    previous: pd.DataFrame,
    current: pd.DataFrame,
    *,
    min_jaccard: float = 0.5,
    min_share: float = 0.5,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Carry cluster ids over from a previous run and report what changed.

    Parameters
    ----------
    previous, current : DataFrame
        ``clusters`` tables (cluster_id, method, members, ...). Clusters are
        only matched within the same ``method``.
    min_jaccard : float, default 0.5
        A current cluster keeps the id of the previous cluster with the highest
        Jaccard overlap ``|P & C| / |P | C|`` when it reaches this value, each
        previous id going to at most one current cluster (best overlap first).
    min_share : float, default 0.5
        For split and merge events: a current cluster *derives from* a previous
        one holding at least this share of its members; a previous cluster
        *flows into* a current one holding at least this share of its members.

    Returns
    -------
    clusters : DataFrame
        `current` with stable ``cluster_id`` (int64): kept ids, and new ids
        counting on from the largest previous id of the method. The original id
        is in ``run_cluster_id``.
    events : DataFrame
        Columns ``event`` (``'kept'``, ``'split'``, ``'merged'``, ``'new'``,
        ``'dissolved'``), ``method``, ``previous_ids`` and ``current_ids``
        (lists of stable ids) and ``jaccard`` (float: the match overlap for
        kept, else NaN). A previous cluster splits when two or more current
        clusters derive from it; a current cluster is a merge when two or more
        previous clusters flow into it; ``new`` and ``dissolved`` are clusters
        without any counterpart (no kept match, no split or merge).

    Raises
    ------
    crimnet.errors.ParameterError
        If a parameter is out of range.

    Notes
    -----
    Overlaps come from one sparse product of the two cluster-by-person
    incidence matrices: O(total members + overlapping pairs).

    Examples
    --------
    >>> prev = pd.DataFrame({"cluster_id": [7], "method": "leiden", "members": [["a", "b", "c", "d"]]})
    >>> cur = pd.DataFrame({"cluster_id": [0, 1], "method": "leiden", "members": [["a", "b", "c"], ["x", "y"]]})
    >>> out, events = match_clusters(prev, cur)
    >>> out["cluster_id"].tolist(), events["event"].tolist()
    ([7, 8], ['kept', 'new'])
    """
    func = "match_clusters"
    for name, df in (("previous", previous), ("current", current)):
        check_type(df, pd.DataFrame, param=name, func=func, expected="a clusters DataFrame")
    check_interval(min_jaccard, param="min_jaccard", func=func, low=0, high=1, closed="right")
    check_interval(min_share, param="min_share", func=func, low=0, high=1, closed="right")
    out_parts, event_parts = [], []
    prev_methods = set(previous["method"]) if len(previous) else set()
    cur_methods = set(current["method"]) if len(current) else set()
    for method in sorted(prev_methods | cur_methods):
        p = previous[previous["method"] == method].reset_index(drop=True) if len(previous) else previous
        c = current[current["method"] == method].reset_index(drop=True) if len(current) else current
        o, e = _match_one(p, c, method, min_jaccard, min_share)
        o.attrs = {}  # attrs may hold DataFrames, which pandas cannot compare when concatenating
        out_parts.append(o)
        event_parts.append(e)
    out = pd.concat(out_parts, ignore_index=True) if out_parts else current.assign(run_cluster_id=current["cluster_id"])
    events = (
        pd.concat(event_parts, ignore_index=True)
        if event_parts
        else pd.DataFrame({c: pd.Series(dtype=object) for c in EVENT_COLUMNS})
    )
    out.attrs = dict(current.attrs)
    return out, events


def _match_one(
    p: pd.DataFrame, c: pd.DataFrame, method: str, min_jaccard: float, min_share: float
) -> tuple[pd.DataFrame, pd.DataFrame]:
    np_, nc = len(p), len(c)
    pid = p["cluster_id"].to_numpy(np.int64) if np_ else np.zeros(0, np.int64)
    ids = pd.Index(
        pd.unique(
            pd.concat(
                [
                    p["members"].explode() if np_ else pd.Series(dtype=object),
                    c["members"].explode() if nc else pd.Series(dtype=object),
                ]
            )
            .dropna()
            .astype(str)
        )
    )
    if np_ and nc:
        mp, mc = _incidence(p["members"], ids), _incidence(c["members"], ids)
        inter = (mp @ mc.T).tocoo()
        sp_ = np.asarray(mp.sum(axis=1)).ravel()
        sc = np.asarray(mc.sum(axis=1)).ravel()
        pi, ci, x = inter.row, inter.col, inter.data
        jac = x / (sp_[pi] + sc[ci] - x)
        share_of_c, share_of_p = x / sc[ci], x / sp_[pi]
    else:
        pi = ci = np.zeros(0, np.int64)
        jac = share_of_c = share_of_p = np.zeros(0)
    # greedy one-to-one matching, best Jaccard first
    new_id = np.full(nc, -1, dtype=np.int64)
    used_p = np.zeros(np_, dtype=bool)
    kept_jac = np.full(nc, np.nan)
    cand = np.flatnonzero(jac >= min_jaccard)
    for i in cand[np.argsort(-jac[cand], kind="stable")]:
        if new_id[ci[i]] < 0 and not used_p[pi[i]]:
            new_id[ci[i]] = pid[pi[i]]
            used_p[pi[i]] = True
            kept_jac[ci[i]] = jac[i]
    start = int(pid.max(initial=-1)) + 1
    fresh = np.flatnonzero(new_id < 0)
    new_id[fresh] = np.arange(start, start + len(fresh))
    out = c.copy()
    out["run_cluster_id"] = c["cluster_id"].to_numpy() if nc else np.zeros(0, np.int64)
    out["cluster_id"] = new_id
    events: list[dict] = []
    for j in np.flatnonzero(~np.isnan(kept_jac)):
        events.append(
            {
                "event": "kept",
                "previous_ids": [int(new_id[j])],
                "current_ids": [int(new_id[j])],
                "jaccard": float(kept_jac[j]),
            }
        )
    derives = share_of_c >= min_share  # current ci derives from previous pi
    flows = share_of_p >= min_share  # previous pi flows into current ci
    split_p: set[int] = set()
    merged_c: set[int] = set()
    for q in np.unique(pi[derives]):
        kids = np.unique(ci[derives & (pi == q)])
        if len(kids) >= 2:
            split_p.add(int(q))
            events.append(
                {
                    "event": "split",
                    "previous_ids": [int(pid[q])],
                    "current_ids": sorted(int(new_id[k]) for k in kids),
                    "jaccard": np.nan,
                }
            )
    for k in np.unique(ci[flows]):
        parents = np.unique(pi[flows & (ci == k)])
        if len(parents) >= 2:
            merged_c.add(int(k))
            events.append(
                {
                    "event": "merged",
                    "previous_ids": sorted(int(pid[q]) for q in parents),
                    "current_ids": [int(new_id[k])],
                    "jaccard": np.nan,
                }
            )
    in_split_kids = set(ci[derives & np.isin(pi, list(split_p))].tolist())
    in_merge_parents = set(pi[flows & np.isin(ci, list(merged_c))].tolist())
    for k in range(nc):
        if np.isnan(kept_jac[k]) and k not in merged_c and k not in in_split_kids:
            events.append({"event": "new", "previous_ids": [], "current_ids": [int(new_id[k])], "jaccard": np.nan})
    for q in range(np_):
        if not used_p[q] and q not in split_p and q not in in_merge_parents:
            events.append({"event": "dissolved", "previous_ids": [int(pid[q])], "current_ids": [], "jaccard": np.nan})
    ev = pd.DataFrame(events, columns=["event", "previous_ids", "current_ids", "jaccard"])
    ev.insert(1, "method", method)
    return out, ev
