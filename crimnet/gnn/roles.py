"""Training and applying the role classifier of people (controller, recruiter, facilitator, victim, none).

:func:`fit_roles` trains a model of :mod:`crimnet.gnn.models` on labelled
graphs with mini-batches of sampled neighbourhoods
(:func:`crimnet.gnn.sampler.neighbor_loader`), class-weighted cross-entropy
against the imbalance (people with a role are a few percent), and early stopping
on the average precision of held-out graphs, then a temperature fitted on them
(:mod:`crimnet.gnn.calibrate`). :func:`predict_roles` gives every person a
probability per role. Features are standardised with the training
graphs' means and deviations, kept in the :class:`RoleModel`.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import torch
from sklearn.metrics import average_precision_score
from torch import nn

from crimnet.errors import ParameterError, check_choice, check_interval, check_type
from crimnet.gnn.calibrate import fit_temperature
from crimnet.gnn.data import GraphData, edge_types
from crimnet.gnn.models import MODELS, build_model
from crimnet.gnn.sampler import neighbor_loader
from crimnet.schema import ROLES

__all__ = [
    "torch_threads",
    "PERPETRATOR_ROLES",
    "EPOCH_SIZE",
    "RoleModel",
    "LabelledGraph",
    "role_labels",
    "fit_roles",
    "calibrate_roles",
    "predict_roles",
    "pick_device",
    "role_metrics",
    "model_inputs",
]

PERPETRATOR_ROLES = ("controller", "recruiter", "facilitator")
"""Roles that count as perpetrators in the node-level measures."""

EPOCH_SIZE = 16_384
"""Default most labelled people per training graph and epoch of :func:`fit_roles` (32 batches of 512)."""


def pick_device(device: str | None = None) -> torch.device:
    """Return the torch device to use: `device` if given, else CUDA when present, else the CPU.

    Examples
    --------
    >>> pick_device("cpu").type
    'cpu'
    """
    if device is not None:
        check_type(device, str, param="device", func="pick_device", expected="a str such as 'cpu' or 'cuda'")
        return torch.device(device)
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def torch_threads(threads: int | None, *, func: str = "torch_threads") -> AbstractContextManager[None]:
    """Run the body with torch's CPU threads set to `threads` (>= 1), restored after; None leaves them be.

    `func` is the public function a wrong `threads` is reported against (the caller that took it).

    Training and scoring default to one thread: on a machine whose cores other work shares, torch's threads
    spin against that work. Training on the 100,000-person realistic case took 210 s with one thread and
    720 s with two, on 2 shared cores (``benchmarks/results/gnn_train_100k*.md``).

    Examples
    --------
    >>> before = torch.get_num_threads()
    >>> with torch_threads(1):
    ...     torch.get_num_threads()
    1
    >>> torch.get_num_threads() == before
    True
    """
    if threads is not None:  # checked on the call, not on entering the block
        check_interval(threads, param="threads", func=func, low=1, closed="left", integer=True)
    return _threads(threads)


@contextmanager
def _threads(threads: int | None) -> Iterator[None]:
    before = torch.get_num_threads()
    torch.set_num_threads(threads or before)
    try:
        yield
    finally:
        torch.set_num_threads(before)


@dataclass
class LabelledGraph:
    """A graph and the role of each of its people.

    Attributes
    ----------
    graph : GraphData
        The case as a graph.
    y : torch.Tensor
        int64, one per Person row: the index of the role in :data:`crimnet.schema.ROLES`, -1 when unknown.
    """

    graph: GraphData
    y: torch.Tensor


def role_labels(graph: GraphData, truth: pd.DataFrame) -> LabelledGraph:
    """Attach ground-truth roles (``node_id``, ``role``: aligned truth) to the people of a graph.

    Parameters
    ----------
    graph : GraphData
        :func:`crimnet.gnn.data.to_hetero_data` output.
    truth : DataFrame
        ``node_id`` (Person id) and ``role`` (one of :data:`crimnet.schema.ROLES`), e.g.
        :func:`crimnet.synthetic.truth.align_truth`. People absent from it are unlabelled (-1).

    Returns
    -------
    LabelledGraph

    Raises
    ------
    crimnet.errors.ParameterError
        If `graph` is not a :class:`GraphData` or `truth` lacks the columns.

    Examples
    --------
    >>> from crimnet.tables import CanonicalTables
    >>> from crimnet.gnn.data import to_hetero_data
    >>> g = to_hetero_data(CanonicalTables.from_partial({"Person": pd.DataFrame({"id": ["a", "b"]})}))
    >>> role_labels(g, pd.DataFrame({"node_id": ["b"], "role": ["victim"]})).y.tolist()
    [-1, 3]
    """
    check_type(graph, GraphData, param="graph", func="role_labels", expected="a GraphData")
    check_type(truth, pd.DataFrame, param="truth", func="role_labels", expected="a DataFrame with node_id and role")
    if not {"node_id", "role"} <= set(truth.columns):
        raise ParameterError(
            f"The 'truth' parameter of role_labels must be a DataFrame with node_id and role. "
            f"Got columns {list(truth.columns)!r} instead."
        )
    code = pd.Series(range(len(ROLES)), index=list(ROLES))
    t = truth.drop_duplicates("node_id").set_index(truth.drop_duplicates("node_id")["node_id"].astype(str))
    roles = t["role"].reindex(graph.ids["Person"]).map(code)
    return LabelledGraph(graph, torch.tensor(roles.fillna(-1).to_numpy(dtype=np.int64)))


@dataclass
class RoleModel:
    """A trained role classifier and everything needed to apply it to another case.

    Attributes
    ----------
    model : torch.nn.Module
        The network (on the CPU between uses).
    config : dict
        ``name``, ``hidden``, ``num_layers``, ``num_neighbors``, ``batch_size``, ``lr``, ``epochs``, ``patience``,
        ``seed``, ``epoch_size``, ``in_dims`` and ``edge_types``.
    features : dict of str to list of str
        Feature columns per node type, in the model's order.
    mean, std : dict of str to list of float
        Standardisation of each node type's features (from the training graphs).
    metrics : dict
        Training history and validation measures.
    temperature : float, default 1.0
        The logits are divided by it before the softmax (:func:`crimnet.gnn.calibrate.fit_temperature`, fitted
        on the validation cases by :func:`fit_roles`; 1.0: uncalibrated).
    """

    model: nn.Module
    config: dict[str, Any]
    features: dict[str, list[str]]
    mean: dict[str, list[float]]
    std: dict[str, list[float]]
    metrics: dict[str, Any] = field(default_factory=dict)
    temperature: float = 1.0


def model_inputs(rm: RoleModel, g: GraphData) -> Any:
    """Return a copy of the graph's HeteroData with features aligned to the model's columns and standardised.

    Columns the graph lacks are 0 before standardisation; columns the model does not know are dropped.
    """
    check_type(rm, RoleModel, param="rm", func="model_inputs", expected="a RoleModel")
    data = copy.copy(g.data)
    for t, cols in rm.features.items():
        if t not in g.ids:
            continue
        have = g.features.get(t, [])
        x = g.data[t].x
        pos = {c: i for i, c in enumerate(have)}
        aligned = torch.zeros(x.shape[0], len(cols))
        for j, c in enumerate(cols):
            if c in pos:
                aligned[:, j] = x[:, pos[c]]
        mean = torch.tensor(rm.mean[t], dtype=torch.float32)
        std = torch.tensor(rm.std[t], dtype=torch.float32)
        data[t].x = (aligned - mean) / std
    return data


def _standardisation(graphs: Sequence[GraphData]) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    mean, std = {}, {}
    for t, cols in graphs[0].features.items():
        xs = [g.data[t].x for g in graphs if g.features.get(t) == cols]
        x = torch.cat(xs) if xs else torch.zeros(0, len(cols))
        m = x.mean(0) if len(x) else torch.zeros(len(cols))
        s = x.std(0) if len(x) > 1 else torch.ones(len(cols))
        s = torch.where(torch.isfinite(s) & (s > 1e-6), s, torch.ones_like(s))
        mean[t], std[t] = [float(v) for v in m], [float(v) for v in s]
    return mean, std


def role_metrics(proba: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """Average precision of perpetrators (controller, recruiter, facilitator) and of victims.

    Parameters
    ----------
    proba : ndarray
        ``(n, len(ROLES))`` probabilities, or scores, per role.
    y : ndarray
        Role index per person (-1: unknown, skipped).

    Returns
    -------
    dict
        ``ap_perpetrator``, ``ap_victim``, ``ap_controller`` (NaN when the class is absent) and ``ap_mean``
        (mean of the first two).

    Examples
    --------
    >>> p = np.array([[.9, 0, 0, 0, .1], [0, 0, 0, .8, .2], [0, 0, 0, 0, 1]])
    >>> role_metrics(p, np.array([0, 3, 4]))["ap_mean"]
    1.0
    """
    check_type(proba, np.ndarray, param="proba", func="role_metrics", expected="an ndarray")
    ok = y >= 0
    p, yy = proba[ok], y[ok]
    perp_idx = [ROLES.index(r) for r in PERPETRATOR_ROLES]
    out = {}
    for name, truth, score in (
        ("ap_perpetrator", np.isin(yy, perp_idx), p[:, perp_idx].sum(1)),
        ("ap_victim", yy == ROLES.index("victim"), p[:, ROLES.index("victim")]),
        ("ap_controller", yy == ROLES.index("controller"), p[:, ROLES.index("controller")]),
    ):
        out[name] = float(average_precision_score(truth, score)) if truth.any() else float("nan")
    out["ap_mean"] = float(np.nanmean([out["ap_perpetrator"], out["ap_victim"]]))
    return out


@torch.no_grad()
def _logits(rm: RoleModel, g: GraphData, device: torch.device, batch_size: int | None) -> torch.Tensor:
    """The network's logits per person (CPU, ``[n, len(ROLES)]``), before temperature and softmax."""
    rm.model.eval()
    data = model_inputs(rm, g)
    n = g.data["Person"].num_nodes
    if n == 0:
        return torch.zeros((0, len(ROLES)))
    if batch_size is None:
        data = data.to(device)
        return rm.model(data.x_dict, data.edge_index_dict).cpu()
    hops = [-1] * int(rm.config["num_layers"])
    out = torch.zeros((n, len(ROLES)))
    for batch in neighbor_loader(data, "Person", num_neighbors=hops, batch_size=batch_size):
        b = batch.to(device)
        k = b["Person"].batch_size
        out[b["Person"].n_id[:k]] = rm.model(b.x_dict, b.edge_index_dict)[:k].cpu()
    return out


def _predict(rm: RoleModel, g: GraphData, device: torch.device, batch_size: int | None) -> np.ndarray:
    return torch.softmax(_logits(rm, g, device, batch_size) / rm.temperature, 1).numpy().astype(np.float64)


def predict_roles(
    model: RoleModel, graph: GraphData, *, batch_size: int | None = None, device: str | None = None
) -> pd.DataFrame:
    """Give every person of a graph a probability per role.

    Parameters
    ----------
    model : RoleModel
        :func:`fit_roles` output (or :func:`crimnet.gnn.persist.load_model`).
    graph : GraphData
        The case as a graph (:func:`crimnet.gnn.data.to_hetero_data`).
    batch_size : int, optional
        Score in mini-batches of this many people with their whole neighbourhoods (deterministic, bounded
        memory for large cases); the whole graph at once when None.
    device : str, optional
        ``'cpu'``, ``'cuda'``...; default CUDA when present.

    Returns
    -------
    DataFrame
        One row per person in node-table order: ``node_id`` (str), ``p_<role>`` for each role of
        :data:`crimnet.schema.ROLES` (float64, summing to 1), ``p_perpetrator`` (controller + recruiter +
        facilitator) and ``role`` (the most probable).

    Raises
    ------
    crimnet.errors.ParameterError
        If an argument has the wrong type or `batch_size` < 1.

    Notes
    -----
    O(L (n + m) h^2) for L layers of width h over n nodes and m edges.
    """
    check_type(model, RoleModel, param="model", func="predict_roles", expected="a RoleModel")
    check_type(graph, GraphData, param="graph", func="predict_roles", expected="a GraphData")
    if batch_size is not None:
        check_interval(batch_size, param="batch_size", func="predict_roles", low=1, closed="left", integer=True)
    dev = pick_device(device)
    model.model.to(dev)
    p = _predict(model, graph, dev, batch_size)
    model.model.to("cpu")
    out = pd.DataFrame({"node_id": graph.ids["Person"].to_numpy(dtype=object)})
    for i, r in enumerate(ROLES):
        out[f"p_{r}"] = p[:, i].astype(float)
    out["p_perpetrator"] = out[[f"p_{r}" for r in PERPETRATOR_ROLES]].sum(axis=1)
    out["role"] = np.array(ROLES, dtype=object)[p.argmax(1)] if len(p) else pd.Series(dtype=object)
    return out


def _class_weights(ys: Sequence[torch.Tensor]) -> torch.Tensor:
    """Square roots of the balanced weights n / (k n_c): rare roles count more without dominating."""
    y = torch.cat([v[v >= 0] for v in ys])
    counts = torch.bincount(y, minlength=len(ROLES)).float()
    w = torch.where(counts > 0, len(y) / (len(ROLES) * counts.clamp(min=1)), torch.zeros_like(counts))
    return w.sqrt()


def fit_roles(
    train: Sequence[LabelledGraph],
    valid: Sequence[LabelledGraph],
    *,
    model: str = "sage",
    hidden: int = 64,
    num_layers: int = 2,
    num_neighbors: Sequence[int] = (15, 10),
    batch_size: int = 512,
    lr: float = 0.005,
    epochs: int = 60,
    patience: int = 10,
    seed: int = 0,
    device: str | None = None,
    epoch_size: int | None = EPOCH_SIZE,
) -> RoleModel:
    """Train a role classifier on labelled graphs, early-stopped on held-out ones.

    Parameters
    ----------
    train : sequence of LabelledGraph
        Training cases (at least one).
    valid : sequence of LabelledGraph
        Validation cases (at least one): the epoch with the best mean of perpetrator and victim average
        precision on them is kept.
    model : {'sage', 'hgt'}, default 'sage'
        :data:`crimnet.gnn.models.MODELS`.
    hidden : int, default 64
        Hidden width (>= 1).
    num_layers : int, default 2
        Message-passing layers, in [1, 6].
    num_neighbors : sequence of int, default (15, 10)
        Neighbours sampled per edge type at each hop (length `num_layers`; -1: all).
    batch_size : int, default 512
        People per mini-batch (>= 1).
    lr : float, default 0.005
        Adam learning rate (> 0).
    epochs : int, default 60
        Most epochs (>= 1).
    patience : int, default 10
        Epochs without improvement before stopping (>= 1).
    seed : int, default 0
        Seed of the weights, the sampler and the batch order (>= 0).
    device : str, optional
        Default CUDA when present, else the CPU.
    epoch_size : int or None, default :data:`EPOCH_SIZE`
        Most labelled people of each training graph visited per epoch (>= 1): a new random subset each epoch
        when the graph has more, so that an epoch, and the early stopping's clock, cost the same on a
        100,000-person case as on a 15,000-person one; None visits every labelled person every epoch.

    Returns
    -------
    RoleModel
        The best model (on the CPU), its config, features, standardisation and metrics (``history``: per epoch
        loss and validation measures; ``best_epoch``; ``valid``: the best validation measures;
        ``calibration``: the temperature and the validation people's NLL before and after it;
        ``train_seconds``), and its ``temperature``, fitted on the validation people after training
        (:func:`crimnet.gnn.calibrate.fit_temperature`).

    Raises
    ------
    crimnet.errors.ParameterError
        If an argument is of the wrong type or out of range.

    Notes
    -----
    Each epoch visits every labelled person of every training graph once (at most `epoch_size` of each), in
    mini-batches of sampled neighbourhoods: O(epochs x min(people, epoch_size) x prod(num_neighbors) x h^2),
    plus one whole-graph pass over each validation graph per epoch: O(epochs x L (n + m) h^2).
    """
    for name, value in (("train", train), ("valid", valid)):
        check_type(value, (list, tuple), param=name, func="fit_roles", expected="a non-empty list of LabelledGraph")
        if not value or not all(isinstance(v, LabelledGraph) for v in value):
            raise ParameterError(
                f"The {name!r} parameter of fit_roles must be a non-empty list of LabelledGraph. Got {value!r} instead."
            )
    check_choice(model, MODELS, param="model", func="fit_roles")
    check_interval(batch_size, param="batch_size", func="fit_roles", low=1, closed="left", integer=True)
    check_interval(lr, param="lr", func="fit_roles", low=0, closed="neither")
    check_interval(epochs, param="epochs", func="fit_roles", low=1, closed="left", integer=True)
    check_interval(patience, param="patience", func="fit_roles", low=1, closed="left", integer=True)
    check_interval(seed, param="seed", func="fit_roles", low=0, closed="left", integer=True)
    if epoch_size is not None:
        check_interval(epoch_size, param="epoch_size", func="fit_roles", low=1, closed="left", integer=True)
    hops = [int(k) for k in num_neighbors]
    if len(hops) != num_layers:
        raise ParameterError(
            f"The 'num_neighbors' parameter of fit_roles must have num_layers={num_layers} entries. "
            f"Got {hops!r} instead."
        )
    torch.manual_seed(seed)
    dev = pick_device(device)
    started = time.perf_counter()
    first = train[0].graph
    mean, std = _standardisation([lg.graph for lg in train])
    in_dims = {t: len(c) for t, c in first.features.items()}
    etypes = [e for e in edge_types() if e[0] in in_dims and e[2] in in_dims]
    net = build_model(in_dims, etypes, name=model, hidden=hidden, num_layers=num_layers)
    config = {
        "name": model, "hidden": hidden, "num_layers": num_layers, "num_neighbors": hops, "batch_size": batch_size,
        "lr": lr, "epochs": epochs, "patience": patience, "seed": seed, "epoch_size": epoch_size, "in_dims": in_dims,
        "edge_types": [list(e) for e in etypes],
    }  # fmt: skip
    rm = RoleModel(net, config, dict(first.features), mean, std)
    weights = _class_weights([lg.y for lg in train]).to(dev)
    loss_fn = nn.CrossEntropyLoss(weight=weights)
    net.to(dev)
    opt = torch.optim.Adam(net.parameters(), lr=lr, weight_decay=1e-4)
    inputs = [model_inputs(rm, lg.graph) for lg in train]
    best, best_state, best_epoch, history = -np.inf, copy.deepcopy(net.state_dict()), 0, []
    loaders = [
        neighbor_loader(
            data,
            "Person",
            torch.nonzero(lg.y >= 0).flatten(),
            num_neighbors=hops,
            batch_size=batch_size,
            shuffle=True,
            seed=seed * 1009 + gi,
            num_samples=epoch_size,
        )  # fmt: skip
        for gi, (lg, data) in enumerate(zip(train, inputs, strict=True))
    ]
    for epoch in range(epochs):
        net.train()
        total, count = 0.0, 0
        for lg, loader in zip(train, loaders, strict=True):
            for batch in loader:
                b = batch.to(dev)
                k = b["Person"].batch_size
                logits = net(b.x_dict, b.edge_index_dict)[:k]
                loss = loss_fn(logits, lg.y[b["Person"].n_id[:k].cpu()].to(dev))
                opt.zero_grad()
                loss.backward()
                opt.step()
                total, count = total + float(loss.detach()) * k, count + k
        rm.model = net
        scores = [role_metrics(_predict(rm, v.graph, dev, None), v.y.numpy()) for v in valid]
        val = {k: float(np.nanmean([s[k] for s in scores])) for k in scores[0]}
        history.append({"epoch": epoch, "loss": total / max(count, 1), **val})
        if val["ap_mean"] > best + 1e-4:
            best, best_state, best_epoch = val["ap_mean"], copy.deepcopy(net.state_dict()), epoch
        elif epoch - best_epoch >= patience:
            break
    net.load_state_dict(best_state)
    rm.model = net
    rm.metrics = {
        "history": history,
        "best_epoch": best_epoch,
        "valid": {k: v for k, v in history[best_epoch].items() if k not in ("epoch", "loss")},
        "calibration": calibrate_roles(rm, valid, device=dev.type),
        "train_seconds": time.perf_counter() - started,
        "device": dev.type,
    }
    return rm


def calibrate_roles(model: RoleModel, valid: Sequence[LabelledGraph], *, device: str | None = None) -> dict[str, float]:
    """Fit the model's temperature on held-out labelled people and set it (temperature scaling).

    Parameters
    ----------
    model : RoleModel
        A trained role model; its ``temperature`` is replaced.
    valid : sequence of LabelledGraph
        Held-out cases (not the training ones): their labelled people's whole-graph logits are the fit's data.
    device : str, optional
        Default CUDA when present.

    Returns
    -------
    dict
        ``temperature`` and the held-out people's mean negative log-likelihood at temperature 1
        (``valid_nll_before``) and at the fitted one (``valid_nll_after``); NaN without labelled people.

    Raises
    ------
    crimnet.errors.ParameterError
        If `model` is not a :class:`RoleModel` or `valid` not a list of :class:`LabelledGraph`.

    Notes
    -----
    One whole-graph forward pass per case, then :func:`crimnet.gnn.calibrate.fit_temperature`. Class weights
    (training) make the rare roles count and leave the probabilities uncalibrated; the learned cut reads them
    as probabilities. Paper: C. Guo, G. Pleiss, Y. Sun, K. Q. Weinberger, "On Calibration of Modern Neural
    Networks", ICML 2017.
    """
    check_type(model, RoleModel, param="model", func="calibrate_roles", expected="a RoleModel")
    check_type(valid, (list, tuple), param="valid", func="calibrate_roles", expected="a list of LabelledGraph")
    if not all(isinstance(v, LabelledGraph) for v in valid):
        raise ParameterError(
            f"The 'valid' parameter of calibrate_roles must be a list of LabelledGraph. Got {valid!r} instead."
        )
    dev = pick_device(device)
    model.model.to(dev)
    logits = torch.cat([_logits(model, v.graph, dev, None) for v in valid] or [torch.zeros(0, len(ROLES))])
    model.model.to("cpu")
    y = torch.cat([v.y for v in valid] or [torch.zeros(0, dtype=torch.long)])
    model.temperature = fit_temperature(logits, y)
    ok = y >= 0
    nll = [float(nn.functional.cross_entropy(logits[ok] / t, y[ok])) if bool(ok.any()) else float("nan")
           for t in (1.0, model.temperature)]  # fmt: skip
    return {"temperature": model.temperature, "valid_nll_before": nll[0], "valid_nll_after": nll[1]}
