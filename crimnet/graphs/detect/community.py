"""Community detection: Leiden, Louvain, label propagation, Infomap and consensus clustering.

Every ``<method>_clusters`` function takes an undirected :class:`igraph.Graph`
(a view from :mod:`crimnet.graphs.views`) and returns a ``clusters`` table
(DESIGN.md): one row per community with columns

* ``cluster_id`` (int64): 0, 1, ... in decreasing order of size;
* ``method`` (str): the method name;
* ``members`` (list of str): the ``node_id`` of the member vertices (only
  ``Person`` vertices when the graph has a ``label`` attribute, so clusters of
  the heterogeneous graph are groups of people);
* ``size`` (int64): the number of members;
* ``score`` (float64): NaN here; :func:`crimnet.graphs.detect.risk.cluster_risk` fills it;
* ``indicators`` (list of dict): empty here; filled by the risk scoring.

``df.attrs`` records ``method``, ``parameters``, ``quality`` (modularity of
the whole partition on the graph, or the method's own objective) and
``membership`` (list of int: the community of each vertex, in vertex order).
:func:`clusters_from_membership` and :func:`cluster_membership` convert between
the table and the membership vector. Communities too large to act on are split
by :mod:`crimnet.graphs.detect.split`.
"""

from __future__ import annotations

import contextlib
import random
import threading
from collections.abc import Iterator, Sequence
from typing import Any

import igraph as ig
import numpy as np
import pandas as pd

from crimnet.errors import bad_parameter, check_choice, check_interval, check_type
from crimnet.graphs.arrays import (
    check_membership,
    check_seeded_graph,
    edge_arrays,
    edge_strengths,
    graph_from_edges,
    member_ids,
)

__all__ = [
    "CLUSTER_COLUMNS",
    "leiden_clusters",
    "louvain_clusters",
    "label_propagation_clusters",
    "infomap_clusters",
    "consensus_clusters",
    "clusters_from_membership",
    "cluster_membership",
    "membership_table",
    "seeded_igraph",
]

CLUSTER_COLUMNS = ("cluster_id", "method", "members", "size", "score", "indicators")

_IGRAPH_RNG_LOCK = threading.Lock()
"""Held by :func:`seeded_igraph` while igraph's process-wide generator is seeded (the module's only state)."""


def seeded_igraph(seed: int) -> contextlib.AbstractContextManager[None]:
    """Seed igraph's process-wide random generator for one ``with`` block, then restore Python's.

    igraph's randomised routines (Leiden, Louvain, label propagation, Infomap)
    take no seed: they draw from one generator per process, which only
    ``igraph.set_random_number_generator`` changes and nothing reads back.
    Entering the block takes a lock, installs a private ``random.Random(seed)``
    and leaving it reinstalls the :mod:`random` module, so a result depends on
    `seed` alone and two threads never draw from each other's generator. The
    routines of :mod:`crimnet.graphs.detect` use it around every igraph call
    that draws random numbers; nothing else in crimnet touches igraph's
    generator.

    Parameters
    ----------
    seed : int
        Seed of the private generator (>= 0).

    Returns
    -------
    context manager
        Use as ``with seeded_igraph(seed): ...``.

    Raises
    ------
    crimnet.errors.ParameterError
        If `seed` is not an integer >= 0.

    Notes
    -----
    The lock is not re-entrant: inside the block, call igraph directly, never a
    crimnet routine that seeds igraph itself (it would wait for the lock
    forever). Other threads calling such routines wait until the block ends.

    Examples
    --------
    >>> g = ig.Graph.Famous("Zachary")
    >>> with seeded_igraph(3):
    ...     a = g.community_label_propagation().membership
    >>> with seeded_igraph(3):
    ...     b = g.community_label_propagation().membership
    >>> a == b
    True
    """
    check_interval(seed, param="seed", func="seeded_igraph", low=0, closed="left", integer=True)
    return _seeded(seed)


@contextlib.contextmanager
def _seeded(seed: int) -> Iterator[None]:
    with _IGRAPH_RNG_LOCK:
        ig.set_random_number_generator(random.Random(seed))
        try:
            yield
        finally:
            ig.set_random_number_generator(random)


def clusters_from_membership(
    graph: ig.Graph,
    membership: Sequence[int] | np.ndarray,
    *,
    method: str,
    parameters: dict[str, Any] | None = None,
    member_label: str | None = "Person",
    min_size: int = 1,
    quality: float | None = None,
) -> pd.DataFrame:
    """Turn a membership vector into a ``clusters`` table.

    Parameters
    ----------
    graph : igraph.Graph
        The graph the membership refers to.
    membership : sequence of int
        Community of each vertex, in vertex order (negative: no community).
    method : str
        Method name for the ``method`` column.
    parameters : dict, optional
        Recorded in ``df.attrs['parameters']``.
    member_label : str or None, default 'Person'
        When the graph has a ``label`` vertex attribute, keep only vertices of
        this label as members; ``None`` keeps all.
    min_size : int, default 1
        Drop clusters with fewer members.
    quality : float, optional
        Partition quality; modularity of `membership` on `graph` when omitted.

    Returns
    -------
    DataFrame
        The ``clusters`` table (see the module docstring).

    Examples
    --------
    >>> g = ig.Graph([(0, 1), (2, 3)])
    >>> clusters_from_membership(g, [0, 0, 1, 1], method="x")[["cluster_id", "members", "size"]]
       cluster_id members  size
    0           0  [0, 1]     2
    1           1  [2, 3]     2
    """
    check_type(graph, ig.Graph, param="graph", func="clusters_from_membership", expected="an igraph.Graph")
    check_interval(min_size, param="min_size", func="clusters_from_membership", low=1, closed="left", integer=True)
    memb = check_membership(graph, membership, "clusters_from_membership")
    ids = member_ids(graph)
    keep = memb >= 0
    if member_label is not None and "label" in graph.vs.attributes():
        keep &= np.asarray(graph.vs["label"], dtype=object) == member_label
    if quality is None:
        quality = float(graph.modularity(np.where(memb >= 0, memb, memb.max(initial=0) + 1 + np.arange(len(memb)))))
        quality = quality if graph.ecount() else float("nan")
    pos = np.flatnonzero(keep)
    if len(pos):
        # group vertices by community with one stable sort (vertex order kept inside a community)
        pos = pos[np.argsort(memb[pos], kind="stable")]
        bounds = np.flatnonzero(np.diff(memb[pos])) + 1
        starts = np.r_[0, bounds]
        sizes = np.diff(np.r_[starts, len(pos)])
        first = pos[starts]
        # largest first; ties by the first vertex, so ids do not depend on the method's labels
        order = np.lexsort((first, -sizes))
        order = order[sizes[order] >= min_size]
        groups = np.split(ids[pos], bounds)
        members = [groups[i].tolist() for i in order]
        sizes = sizes[order]
    else:
        members, sizes = [], np.zeros(0, dtype=np.int64)
    out = pd.DataFrame(
        {
            "cluster_id": np.arange(len(members), dtype=np.int64),
            "method": pd.Series([method] * len(members), dtype=object),
            "members": pd.Series(members, dtype=object),
            "size": np.asarray(sizes, dtype=np.int64),
            "score": np.full(len(members), np.nan),
            "indicators": pd.Series([[] for _ in members], dtype=object),
        }
    )
    out.attrs.update(
        method=method,
        parameters=dict(parameters or {}),
        quality=quality,
        # a list, not the array: pandas compares attrs when concatenating tables
        membership=np.asarray(memb).tolist(),
        min_size=min_size,
    )
    return out


def membership_table(clusters: pd.DataFrame) -> pd.DataFrame:
    """Explode a ``clusters`` table into one row per member.

    Returns
    -------
    DataFrame
        Columns ``node_id`` (str), ``cluster_id`` (int64), ``method`` (str).

    Examples
    --------
    >>> c = pd.DataFrame({"cluster_id": [0], "method": ["m"], "members": [["a", "b"]]})
    >>> membership_table(c).to_dict("list")
    {'node_id': ['a', 'b'], 'cluster_id': [0, 0], 'method': ['m', 'm']}
    """
    check_type(clusters, pd.DataFrame, param="clusters", func="membership_table", expected="a clusters DataFrame")
    if len(clusters) == 0:
        return pd.DataFrame(
            {
                "node_id": pd.Series(dtype=object),
                "cluster_id": pd.Series(dtype=np.int64),
                "method": pd.Series(dtype=object),
            }
        )
    ex = clusters[["cluster_id", "method", "members"]].explode("members").dropna(subset=["members"])
    out = pd.DataFrame(
        {
            "node_id": ex["members"].astype(str).to_numpy(),
            "cluster_id": ex["cluster_id"].to_numpy(np.int64),
            "method": ex["method"].to_numpy(),
        }
    )
    return out


def cluster_membership(graph: ig.Graph, clusters: pd.DataFrame, *, member_label: str | None = "Person") -> np.ndarray:
    """Return the community of each vertex of `graph` from a ``clusters`` table.

    The inverse of :func:`clusters_from_membership`.

    Parameters
    ----------
    graph : igraph.Graph
        The graph whose vertices the members name (by ``node_id``, else ``name``, else index).
    clusters : DataFrame
        A ``clusters`` table; its row position is the community label.
    member_label : str or None, default 'Person'
        When the graph has a ``label`` vertex attribute, members name vertices
        of this label only (ids repeat across labels in the heterogeneous
        graph); ``None`` looks among all vertices.

    Returns
    -------
    ndarray of int64, shape (n,)
        Row of the cluster holding each vertex; -1 for vertices in no cluster.
        Members that are not vertices of `graph` are ignored.

    Raises
    ------
    crimnet.errors.ParameterError
        If `graph` is not a graph or `clusters` has no ``members`` column.

    Notes
    -----
    One hash lookup per member: O(n + total members).

    Examples
    --------
    >>> c = pd.DataFrame({"members": [["2", "3"], ["0"]]})
    >>> cluster_membership(ig.Graph(5), c).tolist()
    [1, -1, 0, 0, -1]
    """
    func = "cluster_membership"
    check_type(graph, ig.Graph, param="graph", func=func, expected="an igraph.Graph")
    if not isinstance(clusters, pd.DataFrame) or "members" not in clusters.columns:
        raise bad_parameter("clusters", func, "a clusters DataFrame with a 'members' column", clusters)
    n = graph.vcount()
    ids = np.asarray(member_ids(graph), dtype=object)
    sel = np.arange(n)
    if "label" in graph.vs.attributes() and member_label is not None:
        sel = np.flatnonzero(np.asarray(graph.vs["label"], dtype=object) == member_label)
    memb = np.full(n, -1, dtype=np.int64)
    sizes = clusters["members"].map(len).to_numpy(dtype=np.int64) if len(clusters) else np.zeros(0, np.int64)
    flat = [m for members in clusters["members"] for m in members] if len(clusters) else []
    found = pd.Index(ids[sel]).get_indexer(pd.Index(flat).astype(str)) if flat else np.zeros(0, np.int64)
    pos = np.where(found >= 0, sel[found], -1)
    row = np.repeat(np.arange(len(sizes)), sizes)
    ok = pos >= 0
    memb[pos[ok]] = row[ok]
    return memb


def leiden_clusters(
    graph: ig.Graph,
    *,
    resolution: float = 1.0,
    weight: str | None = "weight",
    n_iterations: int = 2,
    seed: int = 0,
    member_label: str | None = "Person",
    min_size: int = 1,
    backend: str = "igraph",
) -> pd.DataFrame:
    """Find communities with the Leiden algorithm (modularity with a resolution parameter).

    Parameters
    ----------
    graph : igraph.Graph
        Undirected graph, e.g. :func:`crimnet.graphs.views.person_projection`.
    resolution : float, default 1.0
        Resolution ``gamma`` of the generalised modularity
        ``Q = 1/2m sum_ij (A_ij - gamma k_i k_j / 2m) delta(c_i, c_j)``;
        higher gives more, smaller communities. Must be > 0.
    weight : str or None, default 'weight'
        Edge attribute of strengths (larger = closer); ``None``, or a graph
        without that attribute, is unweighted.
    n_iterations : int, default 2
        Leiden iterations (the igraph and leidenalg default); negative runs
        until an iteration improves nothing (about 10 times slower for a
        modularity gain under 0.5% on person projections).
    seed : int, default 0
        Seed of leidenalg's random number generator.
    member_label : str or None, default 'Person'
        Keep only vertices of this label as members (graphs with a ``label``).
    min_size : int, default 1
        Drop communities with fewer members.
    backend : {'igraph', 'leidenalg'}, default 'igraph'
        igraph's C implementation (``Graph.community_leiden``, modularity
        objective; about 50 times faster here) or :mod:`leidenalg`
        (``RBConfigurationVertexPartition``). Both implement Traag et al.'s
        algorithm and optimise the same objective.

    Returns
    -------
    DataFrame
        The ``clusters`` table; ``attrs['quality']`` is the modularity
        (``gamma`` = 1) of the partition.

    Raises
    ------
    crimnet.errors.ParameterError
        If a parameter is out of range or the graph is directed.

    Notes
    -----
    Each iteration
    is about O(m) on sparse graphs; memory O(n + m). Leiden guarantees
    connected communities, unlike Louvain.

    References
    ----------
    .. [1] Traag, V. A., Waltman, L. & van Eck, N. J. (2019). From Louvain to
       Leiden: guaranteeing well-connected communities. Scientific Reports 9,
       5233. doi:10.1038/s41598-019-41695-z

    Examples
    --------
    >>> g = ig.Graph.Full(4) + ig.Graph.Full(4)
    >>> _ = g.add_edge(0, 4)
    >>> leiden_clusters(g, seed=1)["members"].tolist()
    [['0', '1', '2', '3'], ['4', '5', '6', '7']]
    """
    func = "leiden_clusters"
    check_seeded_graph(graph, seed, func)
    check_interval(resolution, param="resolution", func=func, low=0)
    check_interval(n_iterations, param="n_iterations", func=func, integer=True)
    check_choice(backend, ("igraph", "leidenalg"), param="backend", func=func)
    w = edge_strengths(graph, weight, func)
    if backend == "igraph":
        with seeded_igraph(seed):
            part = graph.community_leiden(
                objective_function="modularity", weights=w, resolution=float(resolution), n_iterations=n_iterations
            )
    else:
        import leidenalg

        part = leidenalg.find_partition(
            graph,
            leidenalg.RBConfigurationVertexPartition,
            weights=w,
            resolution_parameter=float(resolution),
            n_iterations=n_iterations,
            seed=int(seed),
        )
    memb = np.asarray(part.membership)
    quality = float(graph.modularity(memb.tolist(), weights=w)) if graph.ecount() else float("nan")
    params = {
        "resolution": resolution,
        "weight": weight,
        "n_iterations": n_iterations,
        "seed": seed,
        "backend": backend,
    }
    return clusters_from_membership(
        graph, memb, method="leiden", parameters=params, member_label=member_label, min_size=min_size, quality=quality
    )


def louvain_clusters(
    graph: ig.Graph,
    *,
    resolution: float = 1.0,
    weight: str | None = "weight",
    seed: int = 0,
    member_label: str | None = "Person",
    min_size: int = 1,
) -> pd.DataFrame:
    """Find communities with the Louvain (multilevel modularity) algorithm.

    Parameters
    ----------
    graph : igraph.Graph
        Undirected graph.
    resolution : float, default 1.0
        Modularity resolution ``gamma`` (> 0); higher gives smaller communities.
    weight : str or None, default 'weight'
        Edge attribute of strengths; ``None`` for unweighted.
    seed : int, default 0
        Seed for igraph's vertex order shuffling.
    member_label : str or None, default 'Person'
        Keep only vertices of this label as members.
    min_size : int, default 1
        Drop communities with fewer members.

    Returns
    -------
    DataFrame
        The ``clusters`` table of the final level; ``attrs['quality']`` is its modularity.

    Raises
    ------
    crimnet.errors.ParameterError
        If a parameter is out of range or the graph is directed.

    Notes
    -----
    igraph's ``community_multilevel``: about O(m) per level, O(n + m) memory.
    Communities may be internally disconnected (Traag et al. 2019); prefer
    :func:`leiden_clusters`.

    References
    ----------
    .. [1] Blondel, V. D., Guillaume, J.-L., Lambiotte, R. & Lefebvre, E.
       (2008). Fast unfolding of communities in large networks. J. Stat. Mech.
       P10008. doi:10.1088/1742-5468/2008/10/P10008

    Examples
    --------
    >>> g = ig.Graph.Full(4) + ig.Graph.Full(4)
    >>> _ = g.add_edge(0, 4)
    >>> louvain_clusters(g)["size"].tolist()
    [4, 4]
    """
    func = "louvain_clusters"
    check_seeded_graph(graph, seed, func)
    check_interval(resolution, param="resolution", func=func, low=0)
    w = edge_strengths(graph, weight, func)
    with seeded_igraph(seed):
        vc = graph.community_multilevel(weights=w, resolution=float(resolution))
    quality = float(graph.modularity(vc.membership, weights=w)) if graph.ecount() else float("nan")
    params = {"resolution": resolution, "weight": weight, "seed": seed}
    return clusters_from_membership(
        graph,
        vc.membership,
        method="louvain",
        parameters=params,
        member_label=member_label,
        min_size=min_size,
        quality=quality,
    )


def label_propagation_clusters(
    graph: ig.Graph,
    *,
    weight: str | None = "weight",
    seed: int = 0,
    member_label: str | None = "Person",
    min_size: int = 1,
) -> pd.DataFrame:
    """Find communities by label propagation.

    Parameters
    ----------
    graph : igraph.Graph
        Undirected graph.
    weight : str or None, default 'weight'
        Edge attribute of strengths; ``None`` for unweighted.
    seed : int, default 0
        Seed for igraph's update order and tie breaks.
    member_label : str or None, default 'Person'
        Keep only vertices of this label as members.
    min_size : int, default 1
        Drop communities with fewer members.

    Returns
    -------
    DataFrame
        The ``clusters`` table; ``attrs['quality']`` is its modularity.

    Raises
    ------
    crimnet.errors.ParameterError
        If a parameter is out of range or the graph is directed.

    Notes
    -----
    Near-linear: O(m) per sweep, a few sweeps. Results vary between seeds;
    :func:`consensus_clusters` stabilises them.

    References
    ----------
    .. [1] Raghavan, U. N., Albert, R. & Kumara, S. (2007). Near linear time
       algorithm to detect community structures in large-scale networks.
       Phys. Rev. E 76, 036106. doi:10.1103/PhysRevE.76.036106

    Examples
    --------
    >>> g = ig.Graph.Full(4) + ig.Graph.Full(4)
    >>> label_propagation_clusters(g)["size"].tolist()
    [4, 4]
    """
    func = "label_propagation_clusters"
    check_seeded_graph(graph, seed, func)
    w = edge_strengths(graph, weight, func)
    with seeded_igraph(seed):
        vc = graph.community_label_propagation(weights=w)
    return clusters_from_membership(
        graph,
        vc.membership,
        method="label_propagation",
        parameters={"weight": weight, "seed": seed},
        member_label=member_label,
        min_size=min_size,
    )


def infomap_clusters(
    graph: ig.Graph,
    *,
    weight: str | None = "weight",
    trials: int = 3,
    seed: int = 0,
    member_label: str | None = "Person",
    min_size: int = 1,
    chunk: int | None = None,
    chunk_above: int | None = None,
) -> pd.DataFrame:
    """Find communities with Infomap (minimum description length of a random walk).

    Parameters
    ----------
    graph : igraph.Graph
        Undirected graph.
    weight : str or None, default 'weight'
        Edge attribute of strengths (transition rates); ``None`` for unweighted.
    trials : int, default 3
        Number of attempts; the shortest code length wins. Must be >= 1.
    seed : int, default 0
        Seed for igraph's random numbers.
    member_label : str or None, default 'Person'
        Keep only vertices of this label as members.
    min_size : int, default 1
        Drop communities with fewer members.
    chunk : int or None, default None
        On graphs with more than `chunk` vertices, first find Leiden
        communities, then run Infomap inside them, on groups of communities of
        about `chunk` vertices at a time (edges between Leiden communities are
        left out). igraph's Infomap grows faster than linearly (about
        n^1.2: three disjoint copies of a 100,000-person projection take 3.6
        times as long as one), and its modules, tens of people, almost never
        straddle Leiden's communities of hundreds. ``None`` runs Infomap on the
        whole graph.
    chunk_above : int or None, default None
        Run in chunks only graphs with more than this many vertices (>= 2);
        ``None``: more than `chunk`.

    Returns
    -------
    DataFrame
        The ``clusters`` table; ``attrs['quality']`` is its modularity and
        ``attrs['codelength']`` the map equation code length (bits; the
        length-weighted mean over chunks when chunked).

    Raises
    ------
    crimnet.errors.ParameterError
        If a parameter is out of range or the graph is directed.

    Notes
    -----
    About O(trials x m log n) in practice; the slowest of the community methods
    here on large graphs.

    References
    ----------
    .. [1] Rosvall, M. & Bergstrom, C. T. (2008). Maps of random walks on
       complex networks reveal community structure. PNAS 105(4), 1118-1123.
       doi:10.1073/pnas.0706851105

    Examples
    --------
    >>> g = ig.Graph.Full(4) + ig.Graph.Full(4)
    >>> _ = g.add_edge(0, 4)
    >>> infomap_clusters(g)["size"].tolist()
    [4, 4]
    """
    func = "infomap_clusters"
    check_seeded_graph(graph, seed, func)
    check_interval(trials, param="trials", func=func, low=1, closed="left", integer=True)
    if chunk is not None:
        check_interval(chunk, param="chunk", func=func, low=2, closed="left", integer=True)
    if chunk_above is not None:
        check_interval(chunk_above, param="chunk_above", func=func, low=2, closed="left", integer=True)
    w = edge_strengths(graph, weight, func)
    if chunk is None or graph.vcount() <= (chunk if chunk_above is None else chunk_above):
        with seeded_igraph(seed):
            vc = graph.community_infomap(edge_weights=w, trials=trials)
        memb, codelength = np.asarray(vc.membership, dtype=np.int64), float(vc.codelength)
    else:
        memb, codelength = _infomap_in_chunks(graph, w, trials=trials, seed=seed, chunk=chunk)
    out = clusters_from_membership(
        graph,
        memb,
        method="infomap",
        parameters={"weight": weight, "trials": trials, "seed": seed, "chunk": chunk, "chunk_above": chunk_above},
        member_label=member_label,
        min_size=min_size,
    )
    out.attrs["codelength"] = codelength
    return out


def _infomap_in_chunks(
    graph: ig.Graph, w: list[float] | None, *, trials: int, seed: int, chunk: int
) -> tuple[np.ndarray, float]:
    """Infomap inside Leiden communities, one call per group of communities of about `chunk` vertices."""
    n = graph.vcount()
    eu, ev = edge_arrays(graph)
    wa = np.ones(len(eu)) if w is None else np.asarray(w, dtype=float)
    with seeded_igraph(seed):
        leiden = np.asarray(
            graph.community_leiden(objective_function="modularity", weights=w, n_iterations=2).membership,
            dtype=np.int64,
        )
        sizes = np.bincount(leiden)
        # pack communities, largest first, into chunks of about `chunk` vertices (vectorised first fit by prefix)
        order = np.argsort(-sizes, kind="stable")
        chunk_of = np.empty(len(sizes), dtype=np.int64)
        chunk_of[order] = np.cumsum(sizes[order]) // chunk
        vchunk = chunk_of[leiden]
        inside = leiden[eu] == leiden[ev]
        e_chunk = vchunk[eu]
        vorder = np.argsort(vchunk, kind="stable")
        vstart = np.searchsorted(vchunk[vorder], np.arange(vchunk.max() + 2))
        eorder = np.flatnonzero(inside)[np.argsort(e_chunk[inside], kind="stable")]
        estart = np.searchsorted(e_chunk[eorder], np.arange(vchunk.max() + 2))
        local = np.empty(n, dtype=np.int64)
        memb = np.empty(n, dtype=np.int64)
        next_label, total, weighted = 0, 0.0, 0.0
        for k in range(int(vchunk.max()) + 1):
            nodes = vorder[vstart[k] : vstart[k + 1]]
            if len(nodes) == 0:
                continue
            local[nodes] = np.arange(len(nodes))
            es = eorder[estart[k] : estart[k + 1]]
            sub = graph_from_edges(len(nodes), local[eu[es]], local[ev[es]])
            vc = sub.community_infomap(edge_weights=wa[es].tolist(), trials=trials)
            m = np.asarray(vc.membership, dtype=np.int64)
            memb[nodes] = m + next_label
            next_label += int(m.max(initial=-1)) + 1
            mass = float(wa[es].sum())
            total += mass
            weighted += mass * float(vc.codelength)
    return memb, (weighted / total if total > 0 else float("nan"))


_BASE_METHODS = ("leiden", "louvain", "label_propagation")


def consensus_clusters(
    graph: ig.Graph,
    *,
    method: str = "leiden",
    n_runs: int = 10,
    threshold: float = 0.5,
    max_rounds: int = 5,
    resolution: float = 1.0,
    weight: str | None = "weight",
    seed: int = 0,
    member_label: str | None = "Person",
    min_size: int = 1,
) -> pd.DataFrame:
    """Find stable communities by consensus over many randomised runs.

    Runs `method` `n_runs` times with seeds ``seed, seed + 1, ...``, keeps
    each edge with weight equal to the share of runs that put its two ends in
    the same community (edges below `threshold` are dropped), and repeats on
    that consensus graph until every kept edge is agreed by all runs or
    `max_rounds` is reached. The final partition is the connected components
    of the consensus graph.

    Parameters
    ----------
    graph : igraph.Graph
        Undirected graph.
    method : {'leiden', 'louvain', 'label_propagation'}, default 'leiden'
        Base method run repeatedly.
    n_runs : int, default 10
        Runs per round (>= 2).
    threshold : float, default 0.5
        Minimum share of runs, in (0, 1], that must agree for an edge to stay.
    max_rounds : int, default 5
        Upper bound on consensus rounds (>= 1).
    resolution : float, default 1.0
        Resolution passed to Leiden and Louvain.
    weight : str or None, default 'weight'
        Edge attribute of strengths for the first round.
    seed : int, default 0
        First seed.
    member_label : str or None, default 'Person'
        Keep only vertices of this label as members.
    min_size : int, default 1
        Drop communities with fewer members.

    Returns
    -------
    DataFrame
        The ``clusters`` table, ``method`` ``'consensus_<method>'``;
        ``attrs['quality']`` is the modularity on the input graph and
        ``attrs['rounds']`` the number of rounds run.

    Raises
    ------
    crimnet.errors.ParameterError
        If a parameter is out of range or the graph is directed.

    Notes
    -----
    O(max_rounds x n_runs x cost of `method`); memory O(n + m) (co-membership
    is only evaluated on existing edges, never as an n x n matrix).

    References
    ----------
    .. [1] Lancichinetti, A. & Fortunato, S. (2012). Consensus clustering in
       complex networks. Scientific Reports 2, 336. doi:10.1038/srep00336

    Examples
    --------
    >>> g = ig.Graph.Full(4) + ig.Graph.Full(4)
    >>> _ = g.add_edge(0, 4)
    >>> consensus_clusters(g, n_runs=4)["size"].tolist()
    [4, 4]
    """
    func = "consensus_clusters"
    check_seeded_graph(graph, seed, func)
    check_choice(method, _BASE_METHODS, param="method", func=func)
    check_interval(n_runs, param="n_runs", func=func, low=2, closed="left", integer=True)
    check_interval(threshold, param="threshold", func=func, low=0, high=1, closed="right")
    check_interval(max_rounds, param="max_rounds", func=func, low=1, closed="left", integer=True)
    check_interval(resolution, param="resolution", func=func, low=0)
    w0 = edge_strengths(graph, weight, func)
    edges = np.asarray(graph.get_edgelist(), dtype=np.int64).reshape(-1, 2)
    w = np.asarray(w0 if w0 is not None else np.ones(len(edges)), dtype=float)
    n = graph.vcount()
    current = graph_from_edges(n, edges[:, 0], edges[:, 1])
    current.es["weight"] = w.tolist()
    rounds = 0
    for rounds in range(1, max_rounds + 1):
        if current.ecount() == 0:
            break
        agree = np.zeros(current.ecount())
        e = np.asarray(current.get_edgelist(), dtype=np.int64)
        for r in range(n_runs):
            s = seed + (rounds - 1) * n_runs + r
            if method == "leiden":
                c = leiden_clusters(current, resolution=resolution, seed=s, member_label=None)
            elif method == "louvain":
                c = louvain_clusters(current, resolution=resolution, seed=s, member_label=None)
            else:
                c = label_propagation_clusters(current, seed=s, member_label=None)
            memb = np.asarray(c.attrs["membership"])
            agree += memb[e[:, 0]] == memb[e[:, 1]]
        share = agree / n_runs
        keep = share >= threshold
        nxt = graph_from_edges(n, e[keep][:, 0], e[keep][:, 1])
        nxt.es["weight"] = share[keep].tolist()
        current = nxt
        if keep.all() and (share[keep] == 1.0).all():
            break
    memb = np.asarray(current.connected_components().membership)
    quality = float(graph.modularity(memb.tolist(), weights=w0)) if graph.ecount() else float("nan")
    params = {
        "method": method,
        "n_runs": n_runs,
        "threshold": threshold,
        "max_rounds": max_rounds,
        "resolution": resolution,
        "weight": weight,
        "seed": seed,
    }
    out = clusters_from_membership(
        graph,
        memb,
        method=f"consensus_{method}",
        parameters=params,
        member_label=member_label,
        min_size=min_size,
        quality=quality,
    )
    out.attrs["rounds"] = rounds
    return out
