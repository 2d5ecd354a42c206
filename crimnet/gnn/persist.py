"""Saving and loading a trained model: weights, config, feature list, versions and metrics.

A model folder holds ``model.pt`` (the network's ``state_dict``), ``model.json``
(config, features, standardisation, the calibration temperature, metrics, the versions of crimnet, torch,
torch_geometric and scikit-learn it was trained with, and the cluster ranker
when there is one).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import sklearn
import torch
import torch_geometric

from crimnet import __version__
from crimnet.errors import SchemaError, check_type
from crimnet.gnn.models import build_model
from crimnet.gnn.ranking import ClusterRanker
from crimnet.gnn.roles import RoleModel

__all__ = ["save_model", "load_model", "check_model_folder", "MODEL_FILE", "CONFIG_FILE"]

MODEL_FILE = "model.pt"
CONFIG_FILE = "model.json"


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=float))


def save_model(model: RoleModel, directory: str | os.PathLike[str], *, ranker: ClusterRanker | None = None) -> Path:
    """Write a role model (and optionally its cluster ranker) to `directory`, created if needed.

    Parameters
    ----------
    model : RoleModel
        The trained role model.
    directory : str or path
        The model folder.
    ranker : ClusterRanker, optional
        The cluster ranker trained with it.

    Returns
    -------
    Path
        The folder.

    Raises
    ------
    crimnet.errors.ParameterError
        If an argument has the wrong type.
    """
    check_type(model, RoleModel, param="model", func="save_model", expected="a RoleModel")
    check_type(directory, (str, os.PathLike), param="directory", func="save_model", expected="a path")
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    torch.save(model.model.state_dict(), out / MODEL_FILE)
    meta = {
        "config": model.config,
        "features": model.features,
        "mean": model.mean,
        "std": model.std,
        "temperature": model.temperature,
        "metrics": model.metrics,
        "ranker": None if ranker is None else ranker.to_dict(),
        "versions": {
            "crimnet": __version__,
            "torch": torch.__version__,
            "torch_geometric": torch_geometric.__version__,
            "scikit-learn": sklearn.__version__,
        },
    }
    (out / CONFIG_FILE).write_text(json.dumps(_jsonable(meta), indent=1, sort_keys=True))
    return out


def check_model_folder(directory: str | os.PathLike[str]) -> Path:
    """Return `directory` as a Path if it holds the files of a model folder, before any work that needs it.

    Parameters
    ----------
    directory : str or path
        The model folder.

    Returns
    -------
    Path

    Raises
    ------
    crimnet.errors.ParameterError
        If `directory` is not a path.
    crimnet.errors.SchemaError
        If ``model.pt`` or ``model.json`` is missing.

    Notes
    -----
    Two file checks; the files are read by :func:`load_model`.
    """
    check_type(directory, (str, os.PathLike), param="directory", func="check_model_folder", expected="a path")
    d = Path(directory)
    for name in (MODEL_FILE, CONFIG_FILE):
        if not (d / name).exists():
            raise SchemaError(f"{d}: no {name}; expected a model folder written by crimnet train.")
    return d


def load_model(directory: str | os.PathLike[str]) -> tuple[RoleModel, ClusterRanker | None]:
    """Read a model folder written by :func:`save_model`.

    Parameters
    ----------
    directory : str or path
        The model folder.

    Returns
    -------
    (RoleModel, ClusterRanker or None)
        The role model (on the CPU, in evaluation mode) and its ranker when one was saved.

    Raises
    ------
    crimnet.errors.ParameterError
        If `directory` is not a path.
    crimnet.errors.SchemaError
        If a file is missing or does not describe a model.
    """
    check_type(directory, (str, os.PathLike), param="directory", func="load_model", expected="a path")
    d = check_model_folder(directory)
    meta = json.loads((d / CONFIG_FILE).read_text())
    try:
        cfg = meta["config"]
        net = build_model(
            cfg["in_dims"],
            [tuple(e) for e in cfg["edge_types"]],
            name=cfg["name"],
            hidden=cfg["hidden"],
            num_layers=cfg["num_layers"],
        )
        net.load_state_dict(torch.load(d / MODEL_FILE, map_location="cpu", weights_only=True))
    except (KeyError, RuntimeError) as exc:
        raise SchemaError(f"{d / CONFIG_FILE}: not a crimnet model ({exc}).") from None
    net.eval()
    # models saved before calibration have no temperature: their probabilities as trained
    rm = RoleModel(
        net, cfg, meta["features"], meta["mean"], meta["std"], meta.get("metrics", {}), meta.get("temperature", 1.0)
    )
    rk = meta.get("ranker")
    ranker = None if rk is None else ClusterRanker(**rk)
    return rm, ranker
