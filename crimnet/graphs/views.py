"""Graph views of the canonical tables: the heterogeneous graph and projections onto people.

Every analytic module (detection, disruption, GNN) reads the canonical tables
(:class:`crimnet.tables.CanonicalTables`) through these views. They are built
with numpy, pandas and scipy sparse products only: no Python loop runs over
edges or rows, so a 1,000,000-person case builds in seconds.

Vertices carry three attributes everywhere:

* ``name``: ``'<Label>:<id>'``, unique across labels;
* ``label``: the node label (``'Person'``, ``'Phone'``...);
* ``node_id``: the ``id`` of the node in its canonical table.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any

import igraph as ig
import numpy as np
import pandas as pd
import scipy.sparse as sp

from crimnet.errors import bad_parameter, check_choice, check_interval, check_type
from crimnet.graphs.arrays import check_graph, edge_arrays, graph_from_edges
from crimnet.schema import NODE_LABELS, REL_TYPES
from crimnet.tables import CanonicalTables

__all__ = [
    "PROJECTION_VIA",
    "hetero_graph",
    "person_projection",
    "adjacency",
    "to_networkx",
    "person_index",
    "shared_evidence",
    "vehicle_colocation",
    "HETERO_LEFT_OUT",
    "edge_arrays",
]

PROJECTION_VIA: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "phone": ("USES_PHONE",),
        "address": ("LIVES_AT",),
        "account": ("HOLDS",),
        "vehicle": ("KEEPS",),
        "business": ("WORKS_AT", "DIRECTS"),
        "payment": ("HOLDS", "PAID"),
        "call": ("USES_PHONE", "CALLED"),
        "associate": ("ASSOCIATE_OF",),
        "landlord": ("LETS", "LIVES_AT"),
    }
)
"""Kinds of shared evidence that link two people in :func:`person_projection`.

``phone``, ``address``, ``account``, ``vehicle`` and ``business`` link people
who share one such node (``business``: ``WORKS_AT``, asserted or derived from
wages, and ``DIRECTS``); ``payment`` links the holders of two accounts that
paid each other; ``call`` links the users of two phones that called each other;
``associate`` links two people one names as the other's associate
(``ASSOCIATE_OF``, a direct person-person link, weighted like a payment link by
the number of associates each has); ``landlord`` links a landlord to the people
living at the addresses they let (``LETS`` with ``LIVES_AT``).

Left out on purpose: tenants are never linked to each other through their
landlord, and ``MANAGES`` (a letting agent or business landlord) links no one,
so a landlord or agent of many tenants is at most a star of weak links (the
landlord hands out a total strength of 1), never a clique that would make the
unrelated tenants of one agent look like one ring. ``LIVES_IN`` (a person known
only to postcode) links no one either: a postcode is a street, not a household.
Vehicles seen near homes are an indicator, not a link (:func:`vehicle_colocation`).
"""

HETERO_LEFT_OUT: tuple[str, ...] = ("Postcode",)
"""Node labels :func:`hetero_graph` leaves out, with their relationships (``IN_POSTCODE``, ``SEEN_IN``, ``LIVES_IN``).

A postcode is a location precision, not an entity of the network: every address of a
street is in it, so as a vertex it would join neighbouring households through one hub
and be a top target of every degree-based disruption strategy. Sightings known only to
postcode meet homes in :func:`vehicle_colocation` and in the query library
(``seen_near_home``).
"""

_WEIGHTINGS = ("resource_allocation", "adamic_adar", "count")


def _record_counts(df: pd.DataFrame) -> np.ndarray:
    """Number of raw records behind each row (at least 1)."""
    if "record_ids" not in df.columns or len(df) == 0:
        return np.ones(len(df))
    counts = df["record_ids"].map(lambda r: 0 if r is None else len(r), na_action="ignore")
    counts = pd.to_numeric(counts, errors="coerce").fillna(0).to_numpy(dtype=float)
    return np.maximum(counts, 1.0)


def hetero_graph(tables: CanonicalTables) -> ig.Graph:
    """Build the undirected heterogeneous graph of every node and relationship.

    Parameters
    ----------
    tables : CanonicalTables
        The canonical tables of one case.

    Returns
    -------
    igraph.Graph
        Undirected; one vertex per node of every label but those of
        :data:`HETERO_LEFT_OUT` (``Postcode``), in label order of
        :data:`crimnet.schema.NODE_LABELS` then table order, with vertex
        attributes ``name`` (``'<Label>:<id>'``), ``label`` and ``node_id``.
        One edge per ``(src, dst, type)``, with edge attributes ``type`` (the
        relationship type) and ``weight`` (float: the number of events for
        event types ``PAID``, ``CALLED``, ``SEEN_AT``; the number of raw records
        behind the row for pair types, at least 1). ``PAID`` edges also carry
        ``amount`` (total, minor units); other edges have ``amount`` 0.

    Raises
    ------
    crimnet.errors.ParameterError
        If `tables` is not a :class:`CanonicalTables`.

    Notes
    -----
    Time and memory O(n + m) in nodes and relationship rows (a pandas group-by
    per type). Relationships whose ends are missing from the node tables are
    dropped, so the graph is always consistent.

    Examples
    --------
    >>> import pandas as pd
    >>> t = CanonicalTables.from_partial({
    ...     "Person": pd.DataFrame({"id": ["p1", "p2"]}),
    ...     "Phone": pd.DataFrame({"id": ["+447700900001"]}),
    ...     "USES_PHONE": pd.DataFrame({"src": ["p1", "p2"], "dst": ["+447700900001"] * 2})})
    >>> g = hetero_graph(t)
    >>> g.vcount(), g.ecount(), g.vs["name"]
    (3, 2, ['Person:p1', 'Person:p2', 'Phone:+447700900001'])
    """
    check_type(tables, CanonicalTables, param="tables", func="hetero_graph", expected="a CanonicalTables")
    labels, ids, offsets = [], [], {}
    start = 0
    for label in (lab for lab in NODE_LABELS if lab not in HETERO_LEFT_OUT):
        node_ids = tables.nodes[label]["id"].astype(str).to_numpy()
        offsets[label] = (start, pd.Index(node_ids))
        labels.append(np.full(len(node_ids), label, dtype=object))
        ids.append(node_ids)
        start += len(node_ids)
    n = start
    all_ids = np.concatenate(ids) if ids else np.array([], dtype=object)
    all_labels = np.concatenate(labels) if labels else np.array([], dtype=object)
    src_parts, dst_parts, type_parts, weight_parts, amount_parts = [], [], [], [], []
    for rel, spec in REL_TYPES.items():
        df = tables.rels[rel]
        if len(df) == 0 or spec.src in HETERO_LEFT_OUT or spec.dst in HETERO_LEFT_OUT:
            continue
        s0, s_index = offsets[spec.src]
        d0, d_index = offsets[spec.dst]
        s = s_index.get_indexer(df["src"].astype(str))
        d = d_index.get_indexer(df["dst"].astype(str))
        ok = (s >= 0) & (d >= 0)
        weight = np.ones(len(df)) if spec.key == "event" else _record_counts(df)
        amount = df["amount"].fillna(0).to_numpy(dtype=float) if rel == "PAID" else np.zeros(len(df))
        agg = (
            pd.DataFrame({"s": s[ok] + s0, "d": d[ok] + d0, "w": weight[ok], "a": amount[ok]})
            .groupby(["s", "d"], sort=False)
            .sum()
            .reset_index()
        )
        src_parts.append(agg["s"].to_numpy())
        dst_parts.append(agg["d"].to_numpy())
        weight_parts.append(agg["w"].to_numpy(dtype=float))
        amount_parts.append(agg["a"].to_numpy(dtype=float))
        type_parts.append(np.full(len(agg), rel, dtype=object))
    if src_parts:
        edges = np.column_stack([np.concatenate(src_parts), np.concatenate(dst_parts)]).astype(np.int64)
    else:
        edges = np.empty((0, 2), dtype=np.int64)
    g = graph_from_edges(n, edges[:, 0], edges[:, 1])
    g.vs["name"] = [f"{lab}:{i}" for lab, i in zip(all_labels, all_ids, strict=True)] if n else []
    g.vs["label"] = all_labels.tolist()
    g.vs["node_id"] = all_ids.tolist()
    if src_parts:
        g.es["type"] = np.concatenate(type_parts).tolist()
        g.es["weight"] = np.concatenate(weight_parts).tolist()
        g.es["amount"] = np.concatenate(amount_parts).tolist()
    else:
        g.es["type"], g.es["weight"], g.es["amount"] = [], [], []
    return g


def person_index(tables: CanonicalTables) -> pd.Index:
    """Return the Person ids of `tables` as an index (vertex order of the projection)."""
    check_type(tables, CanonicalTables, param="tables", func="person_index", expected="a CanonicalTables")
    return pd.Index(tables.nodes["Person"]["id"].astype(str).to_numpy())


def _incidence(rows: pd.Series, cols: pd.Series, row_index: pd.Index) -> tuple[sp.csr_matrix, pd.Index]:
    """Binary sparse incidence (persons x entities) from two id columns."""
    r = row_index.get_indexer(rows.astype(str))
    ok = r >= 0
    codes, uniques = pd.factorize(cols.astype(str)[ok], sort=False)
    m = sp.csr_matrix((np.ones(ok.sum()), (r[ok], codes)), shape=(len(row_index), len(uniques)), dtype=np.float64)
    m.data[:] = 1.0  # duplicates summed by csr construction: keep incidence binary
    m.sum_duplicates()
    m.data[:] = 1.0
    return m, pd.Index(uniques)


def _entity_weights(n_people: np.ndarray, weighting: str) -> np.ndarray:
    n = n_people.astype(float)
    with np.errstate(divide="ignore"):
        if weighting == "resource_allocation":
            w = 1.0 / np.maximum(n - 1.0, 1.0)
        elif weighting == "adamic_adar":
            w = 1.0 / np.log(np.maximum(n, 2.0))
        else:
            w = np.ones_like(n)
    w[n < 2] = 0.0
    return w


def _upper(m: sp.spmatrix) -> sp.coo_matrix:
    m = sp.triu(m, k=1).tocoo()
    keep = m.data != 0
    return sp.coo_matrix((m.data[keep], (m.row[keep], m.col[keep])), shape=m.shape)


def _shared_pairs(b: sp.csr_matrix, weighting: str, max_shared: int) -> tuple[sp.coo_matrix, sp.coo_matrix, int]:
    """Weighted and count co-occurrence of people sharing a column of `b`."""
    n_people = np.asarray(b.sum(axis=0)).ravel()
    keep = (n_people >= 2) & (n_people <= max_shared)
    skipped = int((n_people > max_shared).sum())
    b = b[:, np.flatnonzero(keep)]
    w = _entity_weights(n_people[keep], weighting)
    weighted = _upper(b @ sp.diags(w) @ b.T)
    counts = _upper(b @ b.T)
    return weighted, counts, skipped


def _linked_pairs(
    hold: sp.csr_matrix, link: sp.csr_matrix, weighting: str, max_shared: int, repeat: bool
) -> tuple[sp.coo_matrix, sp.coo_matrix, int]:
    """People linked through an entity-entity relation (payments between accounts, calls between phones).

    Each linked entity pair (a, b) contributes ``e_ab / sqrt(k_a k_b)`` (resource
    allocation) with ``k`` the number of distinct counterparts of an entity and
    ``e_ab`` the number of events between them (1 when `repeat` is False);
    entities with more than `max_shared` counterparts are skipped.
    """
    events = (link + link.T).tocsr()  # events between a and b, both directions (link holds counts)
    events.setdiag(0)
    events.eliminate_zeros()
    sym = events.copy()
    sym.data[:] = 1.0
    k = np.asarray(sym.sum(axis=1)).ravel()
    drop = k > max_shared
    skipped = int(drop.sum())
    mask = sp.diags((~drop).astype(float))
    sym = (mask @ sym @ mask).tocsr()
    sym.eliminate_zeros()
    events = (mask @ events @ mask).tocsr()
    events.eliminate_zeros()
    coo = events.tocoo()
    n_ev = coo.data if repeat else np.ones(coo.nnz)
    if weighting == "count":
        vals = n_ev
    elif weighting == "adamic_adar":
        vals = n_ev / np.log1p(np.sqrt(k[coo.row] * k[coo.col]))
    else:
        vals = n_ev / np.sqrt(k[coo.row] * k[coo.col])
    weighted_link = sp.csr_matrix((vals, (coo.row, coo.col)), shape=sym.shape)
    weighted = hold @ weighted_link @ hold.T
    counts = hold @ sym @ hold.T
    return _upper(weighted), _upper(counts), skipped


def _associate_pairs(
    tables: CanonicalTables, people: pd.Index, weighting: str, max_shared: int, repeat: bool
) -> tuple[sp.coo_matrix, sp.coo_matrix, int]:
    """People named as associates (``ASSOCIATE_OF``): a direct link, weighted as a payment link between two people.

    Each named pair (a, b) contributes ``e_ab / sqrt(k_a k_b)`` (resource allocation), with
    ``k`` the number of distinct associates of a person and ``e_ab`` 1, or 2 when each names
    the other and `repeat` is True; a person with more than `max_shared` associates (a
    prolific nominal whose contact list the source copied) links no one.
    """
    df = tables.rels["ASSOCIATE_OF"]
    n = len(people)
    s = people.get_indexer(df["src"].astype(str))
    d = people.get_indexer(df["dst"].astype(str))
    ok = (s >= 0) & (d >= 0) & (s != d)
    link = sp.csr_matrix((np.ones(ok.sum()), (s[ok], d[ok])), shape=(n, n))
    link.sum_duplicates()
    link.data[:] = 1.0  # one row per pair in a canonical table: a named pair counts once per direction
    return _linked_pairs(sp.identity(n, format="csr"), link, weighting, max_shared, repeat)


def _landlord_pairs(
    tables: CanonicalTables, people: pd.Index, weighting: str, max_shared: int
) -> tuple[sp.coo_matrix, sp.coo_matrix, int]:
    """Landlords (``LETS``) linked to the people living (``LIVES_AT``) at the places they let: a star, not a clique.

    A landlord with ``n`` distinct tenants hands each the weight of one entity shared by
    ``n + 1`` people (resource allocation: ``1 / n``, a total strength of 1 whatever the
    number of tenants); tenants are not linked to each other through the landlord. A landlord
    with more than `max_shared` tenants links no one.
    """
    lets, lives = tables.rels["LETS"], tables.rels["LIVES_AT"]
    places = pd.Index(pd.unique(lets["dst"].astype(str)))
    n = len(people)
    if not len(places):
        empty = sp.coo_matrix((n, n))
        return empty, empty, 0

    def incidence(df: pd.DataFrame) -> sp.csr_matrix:
        r = people.get_indexer(df["src"].astype(str))
        c = places.get_indexer(df["dst"].astype(str))
        ok = (r >= 0) & (c >= 0)
        m = sp.csr_matrix((np.ones(ok.sum()), (r[ok], c[ok])), shape=(n, len(places)))
        m.sum_duplicates()
        m.data[:] = 1.0
        return m

    counts = (incidence(lets) @ incidence(lives).T).tocsr()  # landlord x tenant: addresses let to them
    counts.setdiag(0)
    counts.eliminate_zeros()
    tenants = np.diff(counts.indptr)
    drop = tenants > max_shared
    keep = sp.diags((~drop).astype(float))
    counts = (keep @ counts).tocsr()
    counts.eliminate_zeros()
    binary = counts.copy()
    binary.data[:] = 1.0
    weighted = sp.diags(_entity_weights(tenants + 1, weighting)) @ binary
    return _upper(weighted + weighted.T), _upper(counts + counts.T), int(drop.sum())


def person_projection(
    tables: CanonicalTables,
    *,
    via: Sequence[str] = tuple(PROJECTION_VIA),
    max_shared: int = 50,
    weighting: str = "resource_allocation",
    kind_weights: Mapping[str, float] | None = None,
    repeat: bool = True,
) -> ig.Graph:
    """Project the case onto people: link two people by everything they share.

    Two people are linked by each phone, address, account, vehicle or business
    they share, and by payments between their accounts and calls between their
    phones. A shared thing counts for more the fewer people share it: a phone
    shared by 3 people says more than an address shared by 300.

    Parameters
    ----------
    tables : CanonicalTables
        The canonical tables of one case.
    via : sequence of str, default all
        Kinds of evidence to use, from :data:`PROJECTION_VIA`: ``'phone'``,
        ``'address'``, ``'account'``, ``'vehicle'``, ``'business'``,
        ``'payment'``, ``'call'``, ``'associate'``, ``'landlord'``.
    max_shared : int, default 50
        Entities shared by more than `max_shared` people (large employers,
        student halls, a bank's clearing account) are skipped: they say little
        and a clique of n people costs n^2 / 2 edges. For ``payment`` and
        ``call``, accounts or phones with more than `max_shared` distinct
        counterparts are skipped; for ``associate``, people with more than
        `max_shared` associates; for ``landlord``, landlords with more than
        `max_shared` tenants. The numbers skipped are in ``graph["skipped"]``.
    weighting : {'resource_allocation', 'adamic_adar', 'count'}, default 'resource_allocation'
        Weight of one shared entity held by ``n`` people:
        ``1 / (n - 1)`` (resource allocation, Zhou et al. 2009), ``1 / log(n)``
        (Adamic & Adar 2003) or ``1``. For payment and call links between
        entities ``a`` and ``b`` with ``k_a``, ``k_b`` distinct counterparts:
        ``1 / sqrt(k_a k_b)``, ``1 / log(1 + sqrt(k_a k_b))`` or ``1`` per event.
    kind_weights : mapping of str to float, optional
        Multiplier (>= 0) of each kind's weights, default 1 for every kind; e.g.
        ``{'call': 3.0}`` trusts calls more than a shared workplace.
    repeat : bool, default True
        Multiply payment and call links by the number of events between the
        two accounts or phones (both directions): repeated contact is stronger
        evidence than a single call. False counts each linked pair once.

    Returns
    -------
    igraph.Graph
        Undirected, one vertex per Person in table order (attributes ``name``,
        ``label`` = ``'Person'``, ``node_id``), one edge per linked pair with
        attributes ``weight`` (float, a strength: the sum of the shared
        entities' weights), ``n_<kind>`` (int, the number of shared entities or
        linked entity pairs of each kind in `via`) and ``evidence`` (str,
        ``'phone:1;address:2'``: the non-zero counts). Graph attributes ``via``,
        ``weighting``, ``max_shared`` and ``skipped`` (dict kind -> number of
        entities skipped). Use :func:`shared_evidence` for the identities of
        the shared entities of given pairs.

    Raises
    ------
    crimnet.errors.ParameterError
        If a parameter is out of range.

    Notes
    -----
    With ``B`` the binary person-by-entity incidence of one kind and ``w`` the
    entity weights, the weighted adjacency is ``B diag(w) B^T`` (diagonal
    dropped), summed over kinds; payments use ``H S H^T`` with ``H`` the
    person-by-account holding incidence and ``S`` the weighted symmetric
    account-payment adjacency. Time O(sum over entities of min(n, max_shared)^2)
    sparse products; memory O(number of linked pairs).

    With resource allocation each entity hands out a total strength of 1 to
    each of its holders, so a person's strength from one address equals 1
    whatever its occupancy, and a pair sharing a phone of two people gets 1.

    References
    ----------
    .. [1] Adamic, L. A. & Adar, E. (2003). Friends and neighbors on the Web.
       Social Networks 25(3), 211-230. doi:10.1016/S0378-8733(03)00009-1
    .. [2] Zhou, T., Lü, L. & Zhang, Y.-C. (2009). Predicting missing links via
       local information. Eur. Phys. J. B 71, 623-630. doi:10.1140/epjb/e2009-00335-8

    Examples
    --------
    >>> import pandas as pd
    >>> t = CanonicalTables.from_partial({
    ...     "Person": pd.DataFrame({"id": ["a", "b", "c"]}),
    ...     "Phone": pd.DataFrame({"id": ["+1"]}),
    ...     "USES_PHONE": pd.DataFrame({"src": ["a", "b", "c"], "dst": ["+1"] * 3})})
    >>> g = person_projection(t)
    >>> g.ecount(), g.es["weight"], g.es["evidence"][0]
    (3, [0.5, 0.5, 0.5], 'phone:1')
    """
    func = "person_projection"
    check_type(tables, CanonicalTables, param="tables", func=func, expected="a CanonicalTables")
    if isinstance(via, str) or not isinstance(via, Sequence):
        raise bad_parameter("via", func, f"a sequence of {sorted(PROJECTION_VIA)}", via)
    for kind in via:
        check_choice(kind, PROJECTION_VIA, param="via", func=func)
    check_interval(max_shared, param="max_shared", func=func, low=2, closed="left", integer=True)
    check_choice(weighting, _WEIGHTINGS, param="weighting", func=func)
    check_type(repeat, bool, param="repeat", func=func, expected="a bool")
    kind_weights = dict(kind_weights or {})
    for kind, mult in kind_weights.items():
        check_choice(kind, PROJECTION_VIA, param="kind_weights", func=func)
        check_interval(mult, param=f"kind_weights[{kind!r}]", func=func, low=0, closed="left")
    people = person_index(tables)
    n = len(people)
    weighted_parts: list[sp.coo_matrix] = []
    count_parts: dict[str, sp.coo_matrix] = {}
    skipped: dict[str, int] = {}
    for kind in dict.fromkeys(via):
        if kind in ("payment", "call"):
            hold_rel, link_rel = PROJECTION_VIA[kind]
            hold_df, link_df = tables.rels[hold_rel], tables.rels[link_rel]
            hold, ents = _incidence(hold_df["src"], hold_df["dst"], people)
            s = ents.get_indexer(link_df["src"].astype(str))
            d = ents.get_indexer(link_df["dst"].astype(str))
            ok = (s >= 0) & (d >= 0) & (s != d)
            link = sp.csr_matrix((np.ones(ok.sum()), (s[ok], d[ok])), shape=(len(ents), len(ents)))
            link.sum_duplicates()  # number of payments or calls from a to b
            weighted, counts, skip = _linked_pairs(hold, link, weighting, max_shared, repeat)
        elif kind == "associate":
            weighted, counts, skip = _associate_pairs(tables, people, weighting, max_shared, repeat)
        elif kind == "landlord":
            weighted, counts, skip = _landlord_pairs(tables, people, weighting, max_shared)
        else:
            frames = [tables.rels[r] for r in PROJECTION_VIA[kind]]
            df = pd.concat([f[["src", "dst"]] for f in frames], ignore_index=True)
            b, _ = _incidence(df["src"], df["dst"], people)
            weighted, counts, skip = _shared_pairs(b, weighting, max_shared)
        weighted_parts.append(weighted * float(kind_weights.get(kind, 1.0)))
        count_parts[kind] = counts
        skipped[kind] = skip
    total = sp.csr_matrix((n, n))
    for part in weighted_parts:
        total = total + part.tocsr()
    total = total.tocoo()
    keep = total.data > 0
    rows, cols, weights = total.row[keep], total.col[keep], total.data[keep]
    g = graph_from_edges(n, rows, cols)
    g.vs["name"] = ("Person:" + people.to_series().astype(str)).tolist()
    g.vs["label"] = ["Person"] * n
    g.vs["node_id"] = people.tolist()
    g.es["weight"] = weights.astype(float).tolist()
    combo = np.zeros(len(rows), dtype=np.int64)  # one code per distinct combination of counts
    kind_vals = []
    for kind, counts in count_parts.items():
        c = counts.tocsr()
        vals = np.rint(np.asarray(c[rows, cols]).ravel()).astype(np.int64) if len(rows) else np.zeros(0, np.int64)
        g.es[f"n_{kind}"] = vals.tolist()
        kind_vals.append(vals)
        combo = pd.factorize(combo * (int(vals.max(initial=0)) + 1) + vals, sort=False)[0].astype(np.int64)
    # the evidence text of each distinct combination, written once (a few dozen, however many edges)
    first = np.unique(combo, return_index=True)[1]
    texts = np.array(
        [
            ";".join(f"{kind}:{vals[i]}" for kind, vals in zip(count_parts, kind_vals, strict=True) if vals[i] > 0)
            for i in first
        ]
        + [""],
        dtype=object,
    )
    evidence = texts[combo] if len(rows) else np.zeros(0, dtype=object)
    g.es["evidence"] = evidence.tolist()
    g["via"] = list(dict.fromkeys(via))
    g["weighting"] = weighting
    g["max_shared"] = max_shared
    g["skipped"] = skipped
    g["kind_weights"] = {k: float(kind_weights.get(k, 1.0)) for k in dict.fromkeys(via)}
    return g


def shared_evidence(tables: CanonicalTables, pairs: pd.DataFrame) -> pd.DataFrame:
    """List the entities two people share, for given pairs of Person ids.

    Parameters
    ----------
    tables : CanonicalTables
        The canonical tables of one case.
    pairs : DataFrame
        Columns ``a`` and ``b``: Person ids.

    Returns
    -------
    DataFrame
        Columns ``a``, ``b`` (str), ``label`` (str, label of the shared node)
        and ``entity_id`` (str): one row per shared Phone, Address, Account,
        Vehicle or Business.

    Notes
    -----
    O(number of pairs x entities per person): a join, meant for explaining a
    few edges, not for the whole graph.

    Examples
    --------
    >>> t = CanonicalTables.from_partial({
    ...     "Person": pd.DataFrame({"id": ["a", "b"]}), "Phone": pd.DataFrame({"id": ["+1"]}),
    ...     "USES_PHONE": pd.DataFrame({"src": ["a", "b"], "dst": ["+1", "+1"]})})
    >>> shared_evidence(t, pd.DataFrame({"a": ["a"], "b": ["b"]})).to_dict("records")
    [{'a': 'a', 'b': 'b', 'label': 'Phone', 'entity_id': '+1'}]
    """
    check_type(tables, CanonicalTables, param="tables", func="shared_evidence", expected="a CanonicalTables")
    check_type(pairs, pd.DataFrame, param="pairs", func="shared_evidence", expected="a DataFrame with a, b")
    owned = []
    for rel in ("USES_PHONE", "LIVES_AT", "HOLDS", "KEEPS", "WORKS_AT", "DIRECTS"):
        df = tables.rels[rel][["src", "dst"]].astype(str)
        owned.append(df.assign(label=REL_TYPES[rel].dst))
    own = pd.concat(owned, ignore_index=True).drop_duplicates()
    p = pairs[["a", "b"]].astype(str)
    left = p.merge(own, left_on="a", right_on="src").drop(columns="src")
    both = left.merge(own, left_on=["b", "dst", "label"], right_on=["src", "dst", "label"]).drop(columns="src")
    return both.rename(columns={"dst": "entity_id"})[["a", "b", "label", "entity_id"]].reset_index(drop=True)


def vehicle_colocation(tables: CanonicalTables) -> pd.DataFrame:
    """List the vehicles seen at people's homes: at the home address, or in the home's postcode.

    A sighting at an address (``SEEN_AT``) meets the people living there (``LIVES_AT``); a
    sighting known only to postcode (``SEEN_IN``, an ANPR camera's postcode) meets the people
    living at an address in that postcode (``LIVES_AT`` then ``IN_POSTCODE``) and those known
    only to that postcode (``LIVES_IN``). This is the view of "a vehicle seen near a member's
    home"; it is an indicator for clusters and roles, not a link of the person projection
    (a camera in a street sees every resident's neighbours' visitors).

    Parameters
    ----------
    tables : CanonicalTables
        The canonical tables of one case.

    Returns
    -------
    DataFrame
        One row per (vehicle, person, place): ``vehicle_id``, ``person_id``, ``precision``
        (``'address'`` or ``'postcode'``), ``place_id`` (the Address or Postcode id),
        ``sightings`` (int), ``first_ts`` and ``last_ts`` (UTC timestamps), sorted by
        vehicle, person, precision and place.

    Notes
    -----
    O(s + h) joins for s sightings and h homes; the rows are at most sightings times the
    residents of one postcode.

    Examples
    --------
    >>> t = CanonicalTables.from_partial({
    ...     "Person": pd.DataFrame({"id": ["p"]}), "Vehicle": pd.DataFrame({"id": ["V1"]}),
    ...     "Address": pd.DataFrame({"id": ["LS1 4AB|1 a st"]}), "Postcode": pd.DataFrame({"id": ["LS1 4AB"]}),
    ...     "LIVES_AT": pd.DataFrame({"src": ["p"], "dst": ["LS1 4AB|1 a st"]}),
    ...     "IN_POSTCODE": pd.DataFrame({"src": ["LS1 4AB|1 a st"], "dst": ["LS1 4AB"]}),
    ...     "SEEN_IN": pd.DataFrame({"id": ["r1"], "src": ["V1"], "dst": ["LS1 4AB"], "ts": ["2024-01-01T10:00:00Z"]})})
    >>> vehicle_colocation(t)[["vehicle_id", "person_id", "precision", "place_id", "sightings"]].values.tolist()
    [['V1', 'p', 'postcode', 'LS1 4AB', 1]]
    """
    check_type(tables, CanonicalTables, param="tables", func="vehicle_colocation", expected="a CanonicalTables")

    def ends(rel: str, a: str, b: str) -> pd.DataFrame:
        df = tables.rels[rel]
        return pd.DataFrame({a: df["src"].astype(str).to_numpy(), b: df["dst"].astype(str).to_numpy()})

    def sightings(rel: str) -> pd.DataFrame:
        df = tables.rels[rel]
        return pd.DataFrame(
            {"vehicle_id": df["src"].astype(str).to_numpy(), "place_id": df["dst"].astype(str).to_numpy(),
             "ts": df["ts"].to_numpy()}
        )  # fmt: skip

    homes = ends("LIVES_AT", "person_id", "place_id").drop_duplicates()
    in_pc = ends("IN_POSTCODE", "address", "place_id")
    pc_homes = homes.rename(columns={"place_id": "address"}).merge(in_pc, on="address")[["person_id", "place_id"]]
    pc_homes = pd.concat([pc_homes, ends("LIVES_IN", "person_id", "place_id")], ignore_index=True).drop_duplicates()
    parts = []
    for rel, where, precision in (("SEEN_AT", homes, "address"), ("SEEN_IN", pc_homes, "postcode")):
        met = sightings(rel).merge(where, on="place_id")
        if len(met):
            agg = met.groupby(["vehicle_id", "person_id", "place_id"], sort=False)["ts"].agg(
                sightings="size", first_ts="min", last_ts="max"
            )
            parts.append(agg.reset_index().assign(precision=precision))
    cols = ["vehicle_id", "person_id", "precision", "place_id", "sightings", "first_ts", "last_ts"]
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype="int64" if c == "sightings" else object) for c in cols})
    out = pd.concat(parts, ignore_index=True)[cols]
    out["sightings"] = out["sightings"].astype("int64")
    return out.sort_values(["vehicle_id", "person_id", "precision", "place_id"]).reset_index(drop=True)


def adjacency(graph: ig.Graph, *, weight: str | None = "weight") -> sp.csr_matrix:
    """Return the symmetric sparse adjacency matrix of an undirected graph.

    Parameters
    ----------
    graph : igraph.Graph
        An undirected graph.
    weight : str or None, default 'weight'
        Edge attribute holding strengths; ``None`` (or a graph without that
        attribute) gives 1 per edge. Parallel edges are summed.

    Returns
    -------
    scipy.sparse.csr_matrix
        ``(n, n)`` float64, symmetric, in vertex order.

    Raises
    ------
    crimnet.errors.ParameterError
        If `graph` is not an undirected igraph graph.

    Notes
    -----
    O(n + m) time and memory.

    Examples
    --------
    >>> adjacency(ig.Graph([(0, 1), (1, 2)])).toarray()
    array([[0., 1., 0.],
           [1., 0., 1.],
           [0., 1., 0.]])
    """
    check_graph(graph, "adjacency", undirected=True)
    n = graph.vcount()
    if graph.ecount() == 0:
        return sp.csr_matrix((n, n))
    eu, ev = edge_arrays(graph)
    if weight is not None and weight in graph.es.attributes():
        w = np.asarray(graph.es[weight], dtype=float)
    else:
        w = np.ones(len(eu))
    loops = eu == ev
    rows = np.concatenate([eu, ev[~loops]])
    cols = np.concatenate([ev, eu[~loops]])
    vals = np.concatenate([w, w[~loops]])
    a = sp.csr_matrix((vals, (rows, cols)), shape=(n, n))
    a.sum_duplicates()
    return a


def to_networkx(graph: ig.Graph, *, max_nodes: int = 200_000) -> Any:
    """Convert a graph to a :class:`networkx.Graph` (for small graphs).

    Parameters
    ----------
    graph : igraph.Graph
        An undirected graph from this module.
    max_nodes : int, default 200000
        Refuse larger graphs: networkx holds Python dicts per node and edge
        (about 1 KiB per edge).

    Returns
    -------
    networkx.Graph
        Nodes are vertex indices, with every vertex attribute; edges carry every
        edge attribute. Parallel edges (several types between two nodes in the
        heterogeneous graph) become one edge whose ``weight`` is summed.

    Raises
    ------
    crimnet.errors.ParameterError
        If the graph has more than `max_nodes` vertices.

    Examples
    --------
    >>> to_networkx(ig.Graph([(0, 1)])).number_of_edges()
    1
    """
    import networkx as nx

    check_graph(graph, "to_networkx", undirected=True)
    check_interval(max_nodes, param="max_nodes", func="to_networkx", low=0, closed="left", integer=True)
    check_interval(graph.vcount(), param="graph (vertex count)", func="to_networkx", high=max_nodes, closed="both")
    out = nx.Graph()
    attrs = graph.vs.attributes()
    out.add_nodes_from((v.index, {a: v[a] for a in attrs}) for v in graph.vs)
    eattrs = graph.es.attributes()
    for e in graph.es:
        u, v = e.tuple
        data = {a: e[a] for a in eattrs}
        if out.has_edge(u, v) and "weight" in data:
            out[u][v]["weight"] = out[u][v].get("weight", 0.0) + data["weight"]
        else:
            out.add_edge(u, v, **data)
    return out
