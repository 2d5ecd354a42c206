"""A case as one undirected graph over every node type, with its links kept per relationship type.

The common ground of the hidden-link experiments on cases (:mod:`crimnet.gnn.case_links`): global node indices
(labels one after another, in :data:`crimnet.schema.NODE_LABELS` order) and each relationship type's distinct
pairs, so links of one type can be hidden and the rest passed to any scorer.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from crimnet.errors import check_type
from crimnet.schema import NODE_LABELS, REL_TYPES
from crimnet.tables import CanonicalTables

__all__ = ["CaseGraph", "case_graph"]


@dataclass
class CaseGraph:
    """A case as one undirected graph over every node type.

    Attributes
    ----------
    n : int
        Number of nodes, all labels together.
    offsets : dict of str to int
        Index of a label's first node: node ``i`` of label ``L`` (row ``i`` of its table) is ``offsets[L] + i``.
    ids : dict of str to pandas.Index
        Per label, node ids in row order.
    links : dict of str to ndarray
        Per relationship type, its distinct ``(src, dst)`` pairs ``(k, 2)`` as global node indices, sorted.
    """

    n: int
    offsets: dict[str, int]
    ids: dict[str, pd.Index]
    links: dict[str, np.ndarray]

    def edges(self) -> np.ndarray:
        """Return every link of every type ``(m, 2)``."""
        return np.concatenate([v for v in self.links.values()] + [np.zeros((0, 2), dtype=np.int64)])


def case_graph(tables: CanonicalTables) -> CaseGraph:
    """Build the :class:`CaseGraph` of a case's canonical tables.

    Parameters
    ----------
    tables : CanonicalTables
        One case.

    Returns
    -------
    CaseGraph
        Event types (``PAID``, ``CALLED``...) collapsed to their distinct pairs; rows whose ends are missing from
        the node tables and self-links dropped.

    Raises
    ------
    crimnet.errors.ParameterError
        If `tables` is not a :class:`CanonicalTables`.

    Notes
    -----
    O(n + m log m); no Python loop over rows.

    Examples
    --------
    >>> t = CanonicalTables.from_partial({
    ...     "Person": pd.DataFrame({"id": ["p1", "p2"]}), "Phone": pd.DataFrame({"id": ["+447700900001"]}),
    ...     "USES_PHONE": pd.DataFrame({"src": ["p1", "p2"], "dst": ["+447700900001"] * 2})})
    >>> g = case_graph(t)
    >>> g.n, g.links["USES_PHONE"].tolist()
    (3, [[0, 2], [1, 2]])
    """
    check_type(tables, CanonicalTables, param="tables", func="case_graph", expected="a CanonicalTables")
    ids = {label: pd.Index(tables.nodes[label]["id"].astype(str)) for label in NODE_LABELS}
    sizes = np.array([len(ids[label]) for label in NODE_LABELS], dtype=np.int64)
    offsets = dict(zip(NODE_LABELS, np.r_[0, np.cumsum(sizes)[:-1]].tolist(), strict=True))
    links = {}
    for rel, spec in REL_TYPES.items():
        df = tables.rels[rel]
        s = ids[spec.src].get_indexer(df["src"].astype(str))
        d = ids[spec.dst].get_indexer(df["dst"].astype(str))
        ok = (s >= 0) & (d >= 0)
        pairs = np.c_[s[ok] + offsets[spec.src], d[ok] + offsets[spec.dst]].astype(np.int64).reshape(-1, 2)
        pairs = np.unique(pairs[pairs[:, 0] != pairs[:, 1]], axis=0)
        links[rel] = pairs
    return CaseGraph(n=int(sizes.sum()), offsets=offsets, ids=ids, links=links)
