"""Which neighbours drove a person's perpetrator probability: gradient saliency over the adjacent nodes.

For one person, the role model runs on the person's whole ``num_layers``-hop
neighbourhood; the gradient of the log-odds of being a perpetrator with respect to
every input feature, times the feature (gradient x input), summed over a node's
features in absolute value, is that node's saliency. Only nodes directly
adjacent to the person are named, so an explanation never names an entity the
person is not linked to.

Paper: K. Simonyan, A. Vedaldi, A. Zisserman, "Deep Inside Convolutional
Networks: Visualising Image Classification Models and Saliency Maps", ICLR
workshop 2014; gradient x input after A. Shrikumar et al., "Learning Important
Features Through Propagating Activation Differences", ICML 2017.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch

from crimnet.errors import ParameterError, check_interval, check_type
from crimnet.gnn.data import GraphData
from crimnet.gnn.roles import PERPETRATOR_ROLES, RoleModel, model_inputs
from crimnet.gnn.sampler import neighbor_loader
from crimnet.schema import ROLES

__all__ = ["adjacent_saliency", "explain_people"]


def adjacent_saliency(model: RoleModel, graph: GraphData, person: str, *, top: int = 3) -> pd.DataFrame:
    """Rank the nodes adjacent to a person by how much they raised the person's perpetrator probability.

    Parameters
    ----------
    model : RoleModel
        The role model.
    graph : GraphData
        The case as a graph.
    person : str
        A Person id of the graph.
    top : int, default 3
        Nodes returned (>= 1).

    Returns
    -------
    DataFrame
        ``label``, ``node_id`` (str), ``relation`` (the relationship type linking it to the person, ``rev_``
        when the person is its source... as stored) and ``saliency`` (float >= 0), highest first.

    Raises
    ------
    crimnet.errors.ParameterError
        If an argument has the wrong type or `person` is not in the graph.

    Notes
    -----
    One forward and one backward pass over the person's neighbourhood (every neighbour, every hop).
    """
    check_type(model, RoleModel, param="model", func="adjacent_saliency", expected="a RoleModel")
    check_type(graph, GraphData, param="graph", func="adjacent_saliency", expected="a GraphData")
    check_interval(top, param="top", func="adjacent_saliency", low=1, closed="left", integer=True)
    row = int(graph.rows("Person", [person])[0])
    if row < 0:
        raise ParameterError(
            f"The 'person' parameter of adjacent_saliency must be a Person id. Got {person!r} instead."
        )
    data = model_inputs(model, graph)
    hops = [-1] * int(model.config["num_layers"])
    batch = next(iter(neighbor_loader(data, "Person", torch.tensor([row]), num_neighbors=hops, batch_size=1)))
    net = model.model.eval()
    x = {t: batch[t].x.clone().requires_grad_(True) for t in batch.node_types}
    logits = net(x, batch.edge_index_dict)
    perp = [ROLES.index(r) for r in PERPETRATOR_ROLES]
    rest = [i for i in range(len(ROLES)) if i not in perp]
    # the log-odds of being a perpetrator: unlike the probability it does not saturate for confident people
    (torch.logsumexp(logits[0][perp], 0) - torch.logsumexp(logits[0][rest], 0)).backward()
    rows = []
    for et in batch.edge_types:
        if et[2] != "Person" or batch[et].edge_index.shape[1] == 0:
            continue
        ei = batch[et].edge_index
        src = ei[0][ei[1] == 0]
        if et[0] == "Person":
            src = src[src != 0]
        g = x[et[0]].grad
        if g is None or len(src) == 0:
            continue
        sal = (g[src] * x[et[0]][src]).abs().sum(1).detach().numpy()
        ids = graph.ids[et[0]][batch[et[0]].n_id[src].numpy()]
        rows.append(pd.DataFrame({"label": et[0], "node_id": ids.astype(str), "relation": et[1], "saliency": sal}))
    if not rows:
        return pd.DataFrame({"label": [], "node_id": [], "relation": [], "saliency": []})
    out = pd.concat(rows).sort_values("saliency", ascending=False, kind="stable")
    return out.drop_duplicates(["label", "node_id"]).head(top).reset_index(drop=True)


def explain_people(model: RoleModel, graph: GraphData, people: list[str], *, top: int = 3) -> pd.Series:
    """Say in words which adjacent entities drove each person's perpetrator probability.

    Parameters
    ----------
    model : RoleModel
        The role model.
    graph : GraphData
        The case as a graph.
    people : list of str
        Person ids.
    top : int, default 3
        Entities named per person (>= 1).

    Returns
    -------
    Series
        Indexed by person id: ``'linked to Phone:+44... (0.42), Address:... (0.17)'`` (saliency in brackets).

    Raises
    ------
    crimnet.errors.ParameterError
        If an argument has the wrong type.
    """
    check_type(people, list, param="people", func="explain_people", expected="a list of Person ids")
    texts = []
    for p in people:  # one backward pass per person explained (a handful per report)
        s = adjacent_saliency(model, graph, p, top=top)
        texts.append(
            "linked to " + ", ".join(f"{lab}:{nid} ({v:.3g})" for lab, nid, v in
                                     zip(s["label"], s["node_id"], np.asarray(s["saliency"]), strict=True))
            if len(s) else ""
        )  # fmt: skip
    return pd.Series(texts, index=pd.Index(people, dtype=object), dtype=object)
