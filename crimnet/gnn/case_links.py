"""Hidden links in a case: hide a share of the true person-phone and person-account links and predict them back.

:func:`crimnet.gnn.case_graph.case_graph` turns a case's canonical tables into one
undirected graph over every node type (each relationship type collapsed to its distinct pairs).
:func:`hide_links` holds out a share of the links of the chosen relationship
types (``USES_PHONE``, ``HOLDS``) and draws as many unlinked pairs of the same
types as negatives. The held-out pairs are then scored by

- ``adamic_adar``: Adamic-Adar on the whole graph (common neighbours of a person
  and a phone are phones the person uses that called it);
- ``shared_things``: Adamic-Adar through shared things, i.e. weighted paths of
  length 3 ``person - thing - other person - candidate``, each shared thing
  weighted by 1 / log(its degree);
- ``katz``: truncated Katz over the whole graph;
- ``logreg`` / ``logreg_pair``: a logistic regression over those scores, with and
  without the degrees of the two ends, trained on a second split of the visible
  links only (never on the held-out pairs, no tuning);
- ``hetero_sage``: a heterogeneous GraphSAGE link scorer trained on the visible
  links (:mod:`crimnet.gnn.hetero_links`).

:func:`case_link_prediction` runs it all and reports AUC and average precision per
relationship type and scorer.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from crimnet.errors import ParameterError, check_interval, check_type
from crimnet.gnn.case_graph import CaseGraph, case_graph
from crimnet.gnn.hetero_links import hetero_sage_link_scores
from crimnet.gnn.links import adamic_adar_scores, adamic_adar_weights, adjacency, katz_scores
from crimnet.schema import REL_TYPES
from crimnet.tables import CanonicalTables

__all__ = [
    "hide_links",
    "shared_things_scores",
    "pair_features",
    "link_metrics",
    "case_link_prediction",
    "HIDDEN_RELS",
    "PAIR_SCORES",
]

HIDDEN_RELS = ("USES_PHONE", "HOLDS")
"""Relationship types whose links are hidden by default: person-phone and person-account."""

PAIR_SCORES = ("adamic_adar", "shared_things", "katz")
"""The structural scores of a pair, in the order of :func:`pair_features`' first columns."""


def _negatives(g: CaseGraph, rel: str, count: int, known: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Draw `count` distinct (src, dst) pairs of `rel`'s labels uniformly, none of them in `known` (k, 2)."""
    spec = REL_TYPES[rel]
    ns, nd = len(g.ids[spec.src]), len(g.ids[spec.dst])
    lo_s, lo_d = g.offsets[spec.src], g.offsets[spec.dst]
    known_codes = (known[:, 0] - lo_s) * nd + (known[:, 1] - lo_d)
    if ns * nd - len(np.unique(known_codes)) < count:
        raise ParameterError(f"The relation {rel!r} has fewer than {count} unlinked pairs to draw as negatives.")
    got = np.zeros(0, dtype=np.int64)
    while len(got) < count:  # rejection sampling: a few rounds of 4 x count draws
        codes = rng.integers(0, ns, 4 * count) * nd + rng.integers(0, nd, 4 * count)
        codes = np.r_[got, codes[~np.isin(codes, known_codes)]]
        _, first = np.unique(codes, return_index=True)
        got = codes[np.sort(first)][:count]  # distinct, in order of drawing
    return np.c_[got // nd + lo_s, got % nd + lo_d]


def _hideable(pairs: np.ndarray, rng: np.random.Generator, keep_last: bool) -> np.ndarray:
    """Positions of the links of `pairs` that may be hidden, in random order (all of them unless `keep_last`)."""
    order = rng.permutation(len(pairs))
    if keep_last:
        # every thing keeps the last of its links in this random order; of the others, every person may lose all
        # but (degree - 1), so any prefix of what is left leaves both ends a link
        df = pd.DataFrame(pairs[order], columns=["s", "d"])
        order = order[(df.groupby("d").cumcount(ascending=False) > 0).to_numpy()]
        s = pd.Series(pairs[order, 0])
        deg = pd.Series(pairs[:, 0]).value_counts()
        order = order[(s.groupby(s).cumcount() < s.map(deg) - 1).to_numpy()]
    return order


def _hide(g: CaseGraph, rel: str, hide_at: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, pd.DataFrame]:
    """Remove the links of `rel` at positions `hide_at`; return what stays and the test pairs with negatives."""
    pairs = g.links[rel]
    hide = np.zeros(len(pairs), dtype=bool)
    hide[hide_at] = True
    neg = _negatives(g, rel, int(hide.sum()), pairs, rng)
    both = np.r_[pairs[hide], neg]
    label = np.r_[np.ones(len(neg), dtype=np.int64), np.zeros(len(neg), dtype=np.int64)]
    return pairs[~hide], pd.DataFrame({"rel": rel, "src": both[:, 0], "dst": both[:, 1], "label": label})


def hide_links(
    g: CaseGraph,
    *,
    rels: Sequence[str] = HIDDEN_RELS,
    share: float = 0.1,
    seed: int = 0,
    keep_last: bool = False,
) -> tuple[dict[str, np.ndarray], pd.DataFrame]:
    """Hide a share of the links of `rels` and draw as many unlinked pairs of the same types.

    Parameters
    ----------
    g : CaseGraph
        The case.
    rels : sequence of str, default ('USES_PHONE', 'HOLDS')
        Relationship types whose links are hidden (each ``round(share x links)``, at least 1).
    share : float, default 0.1
        Share hidden per type, in (0, 1).
    seed : int, default 0
        Seed (>= 0).
    keep_last : bool, default False
        Never hide a node's last link of a type: a link is hidden only where both its ends keep another link of
        that type. Off by default because in generated cases every account has exactly one holder (so no
        ``HOLDS`` link could be hidden) and most people one phone.

    Returns
    -------
    (dict of str to ndarray, DataFrame)
        The visible links (``g.links`` less the hidden ones) and the test pairs: ``rel``, ``src``, ``dst`` (global
        node indices) and ``label`` (1 hidden link, 0 negative), negatives drawn uniformly among the pairs of
        the type's labels linked by no link of the type (hidden ones included).

    Raises
    ------
    crimnet.errors.ParameterError
        If a type is unknown, has fewer than 2 links, fewer links that may be hidden than the share asks, or
        too few unlinked pairs.

    Notes
    -----
    O(m log m). With `keep_last`, each thing's links of the type are put in a random order and all but its last
    may go; of those, each person may lose all but one of their links, so what is hidden leaves both ends a link.

    Examples
    --------
    >>> t = CanonicalTables.from_partial({
    ...     "Person": pd.DataFrame({"id": [f"p{i}" for i in range(10)]}),
    ...     "Phone": pd.DataFrame({"id": [f"+4477009000{i:02d}" for i in range(10)]}),
    ...     "USES_PHONE": pd.DataFrame({"src": [f"p{i}" for i in range(10)],
    ...                                 "dst": [f"+4477009000{i:02d}" for i in range(10)]})})
    >>> visible, test = hide_links(case_graph(t), rels=["USES_PHONE"], share=0.2)
    >>> len(visible["USES_PHONE"]), test["label"].tolist()
    (8, [1, 1, 0, 0])
    """
    check_type(g, CaseGraph, param="g", func="hide_links", expected="a CaseGraph")
    check_interval(share, param="share", func="hide_links", low=0, high=1, closed="neither")
    check_interval(seed, param="seed", func="hide_links", low=0, closed="left", integer=True)
    rng = np.random.default_rng(seed)
    visible = dict(g.links)
    tests = []
    for rel in rels:
        if rel not in g.links:
            raise ParameterError(f"The 'rels' parameter of hide_links must name relationship types. Got {rel!r}.")
        pairs = g.links[rel]
        if len(pairs) < 2:
            raise ParameterError(f"The relation {rel!r} must have 2 links or more to hide. Got {len(pairs)}.")
        n_hide = max(1, int(round(share * len(pairs))))
        order = _hideable(pairs, rng, keep_last)
        if len(order) < n_hide:
            raise ParameterError(
                f"The relation {rel!r} has {len(order)} links that may be hidden; share={share} asks {n_hide}."
            )
        visible[rel], test = _hide(g, rel, order[:n_hide], rng)
        tests.append(test)
    return visible, pd.concat(tests, ignore_index=True)


def shared_things_scores(n: int, edges: np.ndarray, pairs: np.ndarray) -> np.ndarray:
    """Adamic-Adar through shared things: weighted paths of length 3 from a person to a candidate.

    ``score(u, v) = sum over paths u - w - x - v of 1 / log(deg w)``: `u` shares `w` (an address, a phone, an
    account...) with `x`, who is linked to `v`. The bipartite counterpart of Adamic-Adar, whose common neighbours
    a person and a phone or account rarely have.

    Parameters
    ----------
    n : int
        Number of nodes (>= 1).
    edges : ndarray
        (m, 2) undirected links.
    pairs : ndarray
        (p, 2) pairs to score.

    Returns
    -------
    ndarray
        (p,) float64 scores.

    Notes
    -----
    Two sparse products restricted to the pairs' rows: O(p x d^2) for mean degree d. Papers: L. A. Adamic,
    E. Adar, "Friends and neighbors on the Web", Social Networks 25 (2003); paths of length 3 for bipartite
    link prediction as in I. A. Kovacs et al., "Network-based prediction of protein interactions", Nature
    Communications 10 (2019); D. Liben-Nowell, J. Kleinberg, "The link-prediction problem for social networks",
    JASIST 58 (2007) for the family of such scores.

    Examples
    --------
    >>> e = np.array([[0, 2], [1, 2], [1, 3]])  # people 0 and 1 share thing 2; 1 uses thing 3
    >>> round(float(shared_things_scores(4, e, np.array([[0, 3]]))[0]), 4)
    1.4427
    """
    check_interval(n, param="n", func="shared_things_scores", low=1, closed="left", integer=True)
    a = adjacency(n, edges)
    two = a[pairs[:, 0]] @ sp.diags(adamic_adar_weights(a)) @ a  # (p, n): weighted 2-paths u - w - x
    return np.asarray(two.multiply(a[pairs[:, 1]]).sum(1)).ravel()


def pair_features(n: int, links: dict[str, np.ndarray], pairs: np.ndarray, rel: str) -> pd.DataFrame:
    """Structural scores and end degrees of pairs, from the links that are visible.

    Parameters
    ----------
    n : int
        Number of nodes.
    links : dict of str to ndarray
        Visible links per relationship type ``(k, 2)``.
    pairs : ndarray
        (p, 2) candidate ``(src, dst)`` pairs of `rel`.
    rel : str
        The candidates' relationship type.

    Returns
    -------
    DataFrame
        :data:`PAIR_SCORES` columns, then ``deg_src``, ``deg_dst`` (the ends' numbers of links) and
        ``rel_deg_src``, ``rel_deg_dst`` (their numbers of links of `rel`).
    """
    check_interval(n, param="n", func="pair_features", low=1, closed="left", integer=True)
    check_type(links, dict, param="links", func="pair_features", expected="a dict of link arrays")
    edges = np.concatenate(list(links.values()))
    out = pd.DataFrame(
        {
            "adamic_adar": adamic_adar_scores(n, edges, pairs),
            "shared_things": shared_things_scores(n, edges, pairs),
            "katz": katz_scores(n, edges, pairs),
        }
    )
    deg = np.bincount(edges.ravel(), minlength=n)
    rdeg = np.bincount(links[rel].ravel(), minlength=n)
    for end, col in (("src", 0), ("dst", 1)):
        out[f"deg_{end}"] = deg[pairs[:, col]]
        out[f"rel_deg_{end}"] = rdeg[pairs[:, col]]
    return out


def link_metrics(label: np.ndarray, score: np.ndarray) -> dict[str, float]:
    """AUC (ties count half) and average precision of scores against 0/1 labels.

    Parameters
    ----------
    label : ndarray
        (p,) 1 for a hidden link, 0 for a negative; both must occur.
    score : ndarray
        (p,) scores, higher meaning more likely a link.

    Returns
    -------
    dict of str to float
        ``auc``: the chance that a random hidden link outscores a random negative; ``ap``: the mean, over the
        hidden links, of the precision of the ranking down to each (scikit-learn's definitions). O(p log p).

    Examples
    --------
    >>> link_metrics(np.array([1, 0, 1, 0]), np.array([0.9, 0.8, 0.3, 0.1]))
    {'auc': 0.75, 'ap': 0.8333333333333333}
    """
    check_type(label, np.ndarray, param="label", func="link_metrics", expected="a numpy array of 0/1 labels")
    check_type(score, np.ndarray, param="score", func="link_metrics", expected="a numpy array of scores")
    return {"auc": float(roc_auc_score(label, score)), "ap": float(average_precision_score(label, score))}


def _learned_scores(
    g: CaseGraph,
    visible: dict[str, np.ndarray],
    x_test: pd.DataFrame,
    rel: str,
    share: float,
    seed: int,
    keep_last: bool,
) -> dict[str, np.ndarray]:
    """Fit the logistic regressions on a split of the visible links and score test pairs of `rel` (features `x_test`).

    The split hides links of the visible graph the way the test split did (same `keep_last`; `share` of them, or
    half of those that may go when fewer), so training pairs look like the test pairs.
    """
    rng = np.random.default_rng(seed + 1)
    inner = CaseGraph(n=g.n, offsets=g.offsets, ids=g.ids, links=visible)
    order = _hideable(visible[rel], rng, keep_last)
    n_hide = min(max(1, int(round(share * len(visible[rel])))), len(order) // 2)
    if n_hide < 1:
        raise ParameterError(f"The relation {rel!r} has no visible link left to train the learned scorers on.")
    train_links = dict(visible)
    train_links[rel], train = _hide(inner, rel, order[:n_hide], rng)
    x_train = pair_features(g.n, train_links, train[["src", "dst"]].to_numpy(), rel)
    out = {}
    for name, cols in (("logreg", list(x_train.columns)), ("logreg_pair", list(PAIR_SCORES))):
        model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
        model.fit(np.log1p(x_train[cols].to_numpy()), train["label"].to_numpy())
        out[name] = model.predict_proba(np.log1p(x_test[cols].to_numpy()))[:, 1]
    return out


def case_link_prediction(
    tables: CanonicalTables,
    *,
    rels: Sequence[str] = HIDDEN_RELS,
    share: float = 0.1,
    seed: int = 0,
    keep_last: bool = False,
    epochs: int = 100,
) -> pd.DataFrame:
    """Hide `share` of the links of `rels` in a case and measure how well each scorer finds them.

    Parameters
    ----------
    tables : CanonicalTables
        A case's true tables (``truth/tables`` of a generated case), so that the hidden links are real.
    rels : sequence of str, default ('USES_PHONE', 'HOLDS')
        Person-thing relationship types to hide.
    share : float, default 0.1
        Share hidden per type, in (0, 1).
    seed : int, default 0
        Seed of the split; the learned scorers' own split of the visible links uses ``seed + 1`` (>= 0).
    keep_last : bool, default False
        As :func:`hide_links`: only hide links whose ends both keep another link of the type (shared phones).
    epochs : int, default 100
        Training steps of the heterogeneous GraphSAGE scorer (:func:`crimnet.gnn.hetero_links.hetero_sage_link_scores`).

    Returns
    -------
    DataFrame
        One row per type and scorer (``adamic_adar``, ``shared_things``, ``katz``, ``logreg``,
        ``logreg_pair``, ``hetero_sage``): ``rel``, ``method``, ``auc``, ``ap``, ``hidden``.

    Raises
    ------
    crimnet.errors.ParameterError
        As :func:`case_graph` and :func:`hide_links`.

    Notes
    -----
    Katz (L. Katz, Psychometrika 18, 1953) is truncated at walks of length 5 with half the inverse of the
    largest adjacency eigenvalue as attenuation; the logistic regressions are fitted per type on a second
    split of the visible links (positives hidden from it, as many negatives), their features computed on
    what that split leaves, then applied to the test pairs with features computed on the visible links.
    """
    g = case_graph(tables)
    visible, test = hide_links(g, rels=rels, share=share, seed=seed, keep_last=keep_last)
    rows = []
    for rel in rels:
        t = test[test["rel"] == rel]
        x = pair_features(g.n, visible, t[["src", "dst"]].to_numpy(), rel)
        scores = {name: x[name].to_numpy() for name in PAIR_SCORES}
        scores.update(_learned_scores(g, visible, x, rel, share, seed, keep_last))
        scores["hetero_sage"] = hetero_sage_link_scores(
            g, visible, rel, t[["src", "dst"]].to_numpy(), epochs=epochs, seed=seed
        )
        for name, s in scores.items():
            m = link_metrics(t["label"].to_numpy(), s)
            rows.append({"rel": rel, "method": name, **m, "hidden": int(t["label"].sum())})
    return pd.DataFrame(rows)
