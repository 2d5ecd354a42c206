"""Fragments of one structure among ranked clusters: fold them under the highest-ranked part.

Detection caps clusters at an investigator's size (``max_cluster_size``, 30 people by default) and community
detection may cut one ring along its houses, so a ring of 40 people comes out as two or three clusters: one with
its controllers and recruiters, one of victims sharing its houses. A ranker that sees ring-like clusters puts
all of them high, and its top k then holds fewer than k distinct rings. :func:`cluster_links` measures how
strongly two clusters are tied in the person projection, and :func:`fold_fragments` keeps the highest-ranked
cluster of each strongly tied group as the group's head and moves the others (the fragments) behind every head,
each naming the head it belongs to: the top k of the folded order are k distinct candidate structures.
"""

from __future__ import annotations

from collections.abc import Sequence

import igraph as ig
import numpy as np
import pandas as pd

from crimnet.errors import ParameterError, check_columns, check_interval, check_type
from crimnet.graphs.views import person_projection
from crimnet.tables import CanonicalTables

__all__ = ["cluster_links", "fold_fragments", "fold_yield", "choose_min_share", "MIN_LINK_SHARE", "FOLD_SHARES"]

MIN_LINK_SHARE = 0.1
"""Default share of the smaller cluster's link weight that must go to the other for the two to be one structure.

Used where no validation cases chose one (a ranker saved before :func:`choose_min_share`, a direct call). On
4,000-person realistic cases the fragments of one ring share 0.10-0.42 of the smaller one's weight, 90% of other
cluster pairs under 0.025 (``docs/gnn.md``). A share, not a count: it does not grow with the case."""

FOLD_SHARES = (0.025, 0.05, 0.1, 0.2, 0.4, 1.0)
"""Fold thresholds :func:`choose_min_share` chooses among: from folding any tie above the background's (0.025)
to folding only clusters wholly tied to a higher one (1.0, in effect no folding)."""


def cluster_links(tables: CanonicalTables | ig.Graph, clusters: pd.DataFrame) -> pd.DataFrame:
    """How strongly each pair of clusters is tied in the person projection.

    Parameters
    ----------
    tables : CanonicalTables or igraph.Graph
        The case, or its person projection (:func:`crimnet.graphs.views.person_projection`, vertices with a
        ``node_id`` and edges with a ``weight``) when already built.
    clusters : DataFrame
        ``cluster_id`` and ``members`` (lists of Person ids) of one detection method (members disjoint; a person
        in several clusters counts in the first).

    Returns
    -------
    DataFrame
        One row per linked pair (``cluster_a`` < ``cluster_b`` in the order of `clusters`): ``weight`` (float,
        summed projection weight of the edges between them) and ``share`` (float in [0, 1]: `weight` over the
        smaller of the two clusters' weighted degrees, edges inside it counted from both ends).

    Raises
    ------
    crimnet.errors.ParameterError
        If an argument has the wrong type or `clusters` lacks a column.

    Notes
    -----
    One pass over the projection's m edges and one group-by: O(m + members). The weighted degree counts
    every edge of the members, to people outside clusters too, so a cluster mostly tied to the background has a
    low share towards any one cluster.

    Examples
    --------
    >>> g = ig.Graph(n=4, edges=[(0, 1), (1, 2), (2, 3)])
    >>> g.vs["node_id"] = list("abcd")
    >>> g.es["weight"] = [1.0, 1.0, 1.0]
    >>> c = pd.DataFrame({"cluster_id": [7, 8], "members": [["a", "b"], ["c", "d"]]})
    >>> cluster_links(g, c).to_dict("records")
    [{'cluster_a': 7, 'cluster_b': 8, 'weight': 1.0, 'share': 0.3333333333333333}]
    """
    check_type(tables, (CanonicalTables, ig.Graph), param="tables", func="cluster_links",
               expected="a CanonicalTables or a person projection")  # fmt: skip
    check_type(clusters, pd.DataFrame, param="clusters", func="cluster_links", expected="a clusters DataFrame")
    check_columns(clusters, ["cluster_id", "members"], param="clusters", func="cluster_links")
    g = person_projection(tables) if isinstance(tables, CanonicalTables) else tables
    empty = pd.DataFrame({"cluster_a": clusters["cluster_id"].iloc[:0], "cluster_b": clusters["cluster_id"].iloc[:0],
                          "weight": np.zeros(0), "share": np.zeros(0)})  # fmt: skip
    if g.ecount() == 0 or not len(clusters):
        return empty
    m = clusters[["cluster_id", "members"]].reset_index(drop=True).explode("members").dropna(subset=["members"])
    pos = pd.Series(m.index.to_numpy(), index=m["members"].astype(str).to_numpy())  # row of `clusters`
    pos = pos[~pos.index.duplicated()]
    ends = np.asarray(g.get_edgelist(), dtype=np.int64)
    w = np.asarray(g.es["weight"], dtype=float)
    at = pos.reindex(np.asarray(g.vs["node_id"], dtype=str)).to_numpy(dtype=float)  # NaN: in no cluster
    a, b = at[ends[:, 0]], at[ends[:, 1]]
    end, end_w = np.r_[a, b], np.r_[w, w]  # every edge from both ends: weighted degrees summed per cluster
    held = ~np.isnan(end)
    degree = np.bincount(end[held].astype(np.int64), weights=end_w[held], minlength=len(clusters))
    between = ~np.isnan(a) & ~np.isnan(b) & (a != b)
    if not between.any():
        return empty
    lo, hi = np.minimum(a, b)[between].astype(np.int64), np.maximum(a, b)[between].astype(np.int64)
    pairs = pd.DataFrame({"lo": lo, "hi": hi, "weight": w[between]}).groupby(["lo", "hi"], as_index=False).sum()
    smaller = np.minimum(degree[pairs["lo"]], degree[pairs["hi"]])
    ids = clusters["cluster_id"].to_numpy()
    return pd.DataFrame({"cluster_a": ids[pairs["lo"]], "cluster_b": ids[pairs["hi"]],
                         "weight": pairs["weight"].to_numpy(dtype=float),
                         "share": pairs["weight"].to_numpy(dtype=float) / smaller})  # fmt: skip


def fold_fragments(order: Sequence[object], links: pd.DataFrame, *, min_share: float = MIN_LINK_SHARE) -> pd.DataFrame:
    """Fold clusters tied to a higher-ranked one under it: the top k become k distinct candidate structures.

    Parameters
    ----------
    order : sequence
        Cluster ids, best first (e.g. :func:`crimnet.gnn.ranking.rank_clusters`' ``cluster_id``).
    links : DataFrame
        :func:`cluster_links` of the same clusters (``cluster_a``, ``cluster_b``, ``share``).
    min_share : float, default :data:`MIN_LINK_SHARE`
        Two clusters are parts of one structure when the weight between them is at least this share of the
        smaller one's weighted degree (in (0, 1]).

    Returns
    -------
    DataFrame
        One row per cluster of `order`, in the folded order (heads in their order, then the fragments in
        theirs): ``cluster_id``, ``part_of`` (the head of its structure: itself for a head; a fragment tied
        to another fragment joins that one's head) and ``fragment`` (bool).

    Raises
    ------
    crimnet.errors.ParameterError
        If an argument has the wrong type or is out of range, or `links` lacks a column.

    Notes
    -----
    A cluster joins the higher-ranked cluster it shares the most weight with, among those above `min_share`:
    single-linkage over ties that are strong for the smaller cluster. O(c + l log l) for c clusters and l links.
    This moves fragments, it does not merge them: the members and scores of every cluster stay as they were.

    Examples
    --------
    >>> links = pd.DataFrame({"cluster_a": [1, 2], "cluster_b": [3, 4], "share": [0.3, 0.01]})
    >>> fold_fragments([3, 1, 2, 4], links).to_dict("list")
    {'cluster_id': [3, 2, 4, 1], 'part_of': [3, 2, 4, 3], 'fragment': [False, False, False, True]}
    """
    check_type(order, (list, tuple, np.ndarray, pd.Series, pd.Index), param="order", func="fold_fragments",
               expected="a sequence of cluster ids")  # fmt: skip
    check_type(links, pd.DataFrame, param="links", func="fold_fragments", expected="a cluster_links DataFrame")
    check_columns(links, ["cluster_a", "cluster_b", "share"], param="links", func="fold_fragments")
    check_interval(min_share, param="min_share", func="fold_fragments", low=0, high=1, closed="right")
    ids = pd.Index(list(order))
    rank = pd.Series(np.arange(len(ids)), index=ids)
    strong = links[links["share"].to_numpy(dtype=float) >= min_share]
    ra = rank.reindex(strong["cluster_a"].to_numpy()).to_numpy(dtype=float)
    rb = rank.reindex(strong["cluster_b"].to_numpy()).to_numpy(dtype=float)
    ok = ~np.isnan(ra) & ~np.isnan(rb)
    later, earlier = np.maximum(ra, rb)[ok].astype(np.int64), np.minimum(ra, rb)[ok].astype(np.int64)
    ties = pd.DataFrame({"later": later, "earlier": earlier, "share": strong["share"].to_numpy(dtype=float)[ok]})
    best = ties.sort_values(["later", "share", "earlier"], ascending=[True, False, True]).drop_duplicates("later")
    parent = np.arange(len(ids))
    parent[best["later"].to_numpy()] = best["earlier"].to_numpy()
    for i in best["later"].sort_values().to_numpy():  # parents rank earlier: their heads are already final
        parent[i] = parent[parent[i]]
    fragment = parent != np.arange(len(ids))
    folded = np.r_[np.flatnonzero(~fragment), np.flatnonzero(fragment)]
    return pd.DataFrame({"cluster_id": ids[folded], "part_of": ids[parent[folded]], "fragment": fragment[folded]})


def fold_yield(
    order: Sequence[object],
    links: pd.DataFrame,
    ring_of: pd.Series,
    k: int,
    *,
    shares: Sequence[float] = FOLD_SHARES,
) -> pd.DataFrame:
    """Distinct rings among the top k of the folded order, at each fold threshold, on a case with known rings.

    Parameters
    ----------
    order : sequence
        Cluster ids, best first (the ranker's order).
    links : DataFrame
        :func:`cluster_links` of the same clusters.
    ring_of : Series
        Ring id by cluster id: the ring a cluster is mostly made of, missing for clusters no part of a ring
        (:func:`crimnet.gnn.ranking.ring_parts`' ``ring_id`` where ``part``).
    k : int
        How many clusters an investigator reads: the number of planted rings (>= 1).
    shares : sequence of float, default :data:`FOLD_SHARES`
        Thresholds to try, each in (0, 1].

    Returns
    -------
    DataFrame
        One row per share: ``min_share`` (float) and ``rings_at_k`` (float in [0, 1]: distinct rings with a part
        among the top k of the order folded at that share, over k).

    Raises
    ------
    crimnet.errors.ParameterError
        If an argument has the wrong type or is out of range.

    Notes
    -----
    One :func:`fold_fragments` per share: O(s (c + l log l)).

    Examples
    --------
    >>> links = pd.DataFrame({"cluster_a": [1], "cluster_b": [2], "share": [0.3]})
    >>> ring_of = pd.Series(["R", "R", "S"], index=[1, 2, 3])  # clusters 1 and 2: two parts of ring R
    >>> fold_yield([1, 2, 3], links, ring_of, 2, shares=(0.2, 0.5)).to_dict("list")
    {'min_share': [0.2, 0.5], 'rings_at_k': [1.0, 0.5]}
    """
    check_type(order, (list, tuple, np.ndarray, pd.Series, pd.Index), param="order", func="fold_yield",
               expected="a sequence of cluster ids")  # fmt: skip
    check_type(links, pd.DataFrame, param="links", func="fold_yield", expected="a cluster_links DataFrame")
    check_type(ring_of, pd.Series, param="ring_of", func="fold_yield", expected="a Series of ring ids by cluster id")
    check_interval(k, param="k", func="fold_yield", low=1, closed="left", integer=True)
    rows = []
    for share in shares:
        top = fold_fragments(order, links, min_share=share)["cluster_id"].head(k)
        rows.append({"min_share": float(share), "rings_at_k": ring_of.reindex(top.to_numpy()).dropna().nunique() / k})
    return pd.DataFrame(rows, columns=["min_share", "rings_at_k"])


def choose_min_share(yields: pd.DataFrame) -> float:
    """The fold threshold that put the most distinct rings in the top k of the validation cases.

    Parameters
    ----------
    yields : DataFrame
        :func:`fold_yield` rows of one or more validation cases (``min_share``, ``rings_at_k``).

    Returns
    -------
    float
        The share with the highest mean ``rings_at_k``; among equals the largest (the one that folds least:
        folding moves clusters down, and it should do so only where validation shows it pays).

    Raises
    ------
    crimnet.errors.ParameterError
        If `yields` is not a DataFrame, lacks a column or is empty.

    Examples
    --------
    >>> choose_min_share(pd.DataFrame({"min_share": [0.05, 0.1, 0.4], "rings_at_k": [0.6, 0.8, 0.8]}))
    0.4
    """
    check_type(yields, pd.DataFrame, param="yields", func="choose_min_share", expected="fold_yield rows")
    check_columns(yields, ["min_share", "rings_at_k"], param="yields", func="choose_min_share")
    if not len(yields):
        raise ParameterError("The 'yields' parameter of choose_min_share must have rows. Got an empty DataFrame.")
    mean = yields.groupby("min_share")["rings_at_k"].mean()
    best = mean[np.isclose(mean.to_numpy(), mean.max())]
    return float(best.index.max())
