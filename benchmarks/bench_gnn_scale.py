"""Cost of the role model at scale: building the graph, training, and scoring, in wall and CPU seconds.

Run as ``python -m benchmarks.bench_gnn_scale --train CASE[:TABLES] --valid CASE[:TABLES]
--score CASE[:TABLES] ... [--name gnn_scale]``. CASE is a generated case folder (its
truth labels the people); TABLES its tables as :func:`crimnet.gnn.workflow.read_case`
takes them (an ingest's output folder, or the generator's ``truth/tables``, the default).

- ``train``: read the training and validation cases' tables, build their ``HeteroData``
  graphs (:func:`crimnet.gnn.data.to_hetero_data`: features included), and train the
  role model as ``crimnet train`` does (:func:`crimnet.gnn.roles.fit_roles` with its
  defaults: at most 60 epochs of at most :data:`crimnet.gnn.roles.EPOCH_SIZE` people,
  early stopping after 10 without a better validation score, then the temperature fit).
  The cluster ranker's fit (detection on the validation case) is not timed.
- ``score``, per ``--score`` case: read, build the graph, and give every person a
  probability per role with the trained model (:func:`crimnet.gnn.roles.predict_roles`,
  whole graph at once, or ``--batch-size`` people at a time); with the case's truth,
  the average precision of perpetrators and victims.

Each stage runs in its own interpreter, so that its peak resident memory is its own;
CPU seconds are user + system of that process (all its threads), the 1-minute load
average is taken at its start and end. -> ``results/<name>.{json,md}``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from benchmarks.common import write_results

STAGE_MARK = "STAGE-ROW "


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _timed(row: dict[str, Any], name: str, fn: Callable[[], Any]) -> Any:
    """Run `fn`, adding ``<name>_s`` (wall), ``<name>_cpu_s`` (user + system) and ``<name>_peak_mib`` to `row`.

    ``_peak_mib`` is the process's peak resident memory so far: where it rises, that step set a new peak.
    """
    w, c = time.perf_counter(), _cpu()
    value = fn()
    row[f"{name}_s"] = round(time.perf_counter() - w, 1)
    row[f"{name}_cpu_s"] = round(_cpu() - c, 1)
    row[f"{name}_peak_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return value


def _read(spec: str) -> tuple[str, Any, Any]:
    from crimnet.gnn.workflow import TRUE_TABLES, read_case

    case, _, tables = spec.partition(":")
    t, truth = read_case(case, tables or TRUE_TABLES)
    return Path(case).name + (" (ingested)" if tables else " (true tables)"), t, truth


def _graph_row(row: dict[str, Any], g: Any) -> None:
    row["people"] = int(g.data["Person"].num_nodes)
    row["nodes"] = int(sum(g.data.num_nodes_dict.values()))
    row["edges"] = int(sum(e.shape[1] for e in g.data.edge_index_dict.values()))


def _stage_train(args: argparse.Namespace) -> dict[str, Any]:
    from crimnet.gnn.data import to_hetero_data
    from crimnet.gnn.persist import save_model
    from crimnet.gnn.roles import fit_roles, role_labels

    row: dict[str, Any] = {"stage": "train", "load_start": round(os.getloadavg()[0], 2)}
    name, t, truth = _timed(row, "read", lambda: _read(args.train))
    vname, vt, vtruth = _timed(row, "read_valid", lambda: _read(args.valid))
    row["case"] = f"{name}, valid {vname}"
    g = _timed(row, "build", partial(to_hetero_data, t))
    vg = _timed(row, "build_valid", partial(to_hetero_data, vt))
    _graph_row(row, g)
    del t, vt  # the tables are not needed past the graphs
    lg, vlg = role_labels(g, truth), role_labels(vg, vtruth)
    rm = _timed(row, "train", lambda: fit_roles([lg], [vlg], seed=0, epoch_size=args.epoch_size))
    row["epochs_run"] = len(rm.metrics["history"])
    row["best_epoch"] = rm.metrics["best_epoch"]
    row["valid_ap_perp"] = round(rm.metrics["valid"]["ap_perpetrator"], 3)
    row["valid_ap_victim"] = round(rm.metrics["valid"]["ap_victim"], 3)
    row["temperature"] = round(rm.temperature, 3)
    rm.metrics["people"] = row["people"]
    save_model(rm, args.model)
    return row


def _stage_score(args: argparse.Namespace) -> dict[str, Any]:
    import numpy as np

    from crimnet.gnn.calibrate import calibration_metrics
    from crimnet.gnn.data import to_hetero_data
    from crimnet.gnn.persist import load_model
    from crimnet.gnn.roles import PERPETRATOR_ROLES, predict_roles, role_labels, role_metrics
    from crimnet.schema import ROLES

    row: dict[str, Any] = {"stage": "score", "load_start": round(os.getloadavg()[0], 2)}
    rm, _ = load_model(args.model)
    trained_on = rm.metrics.get("people", "?")
    row["model"] = f"{rm.config['name']}, hidden {rm.config['hidden']}, trained on {trained_on} people"
    name, t, truth = _timed(row, "read", lambda: _read(args.score_one))
    row["case"] = name
    g = _timed(row, "build", partial(to_hetero_data, t))
    _graph_row(row, g)
    del t  # the tables are not needed past the graph
    roles = _timed(row, "score", lambda: predict_roles(rm, g, batch_size=args.batch_size))
    row["batch_size"] = args.batch_size or "whole graph"
    p = roles[[f"p_{r}" for r in ROLES]].to_numpy()
    y = role_labels(g, truth).y.numpy()
    m = role_metrics(p, y)
    row["ap_perp"], row["ap_victim"] = round(m["ap_perpetrator"], 3), round(m["ap_victim"], 3)
    perp = [ROLES.index(r) for r in PERPETRATOR_ROLES]
    c = calibration_metrics(p, y, groups={"perpetrator": perp, "victim": [ROLES.index("victim")]})
    row["ece"], row["brier"] = round(c["ece"], 4), round(c["brier"], 4)
    row["p_perpetrator_mean"] = round(float(np.mean(p[:, perp].sum(1))), 4)
    return row


def _run_stage(argv: list[str]) -> dict[str, Any]:
    """Run one stage in a fresh interpreter and return the row it prints."""
    out = subprocess.run([sys.executable, "-m", "benchmarks.bench_gnn_scale", *argv], check=True,
                         capture_output=True, text=True)  # fmt: skip
    sys.stderr.write(out.stderr[-2000:])
    line = next(ln for ln in out.stdout.splitlines() if ln.startswith(STAGE_MARK))
    return json.loads(line[len(STAGE_MARK) :])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--train", help="CASE[:TABLES] to train on")
    ap.add_argument("--valid", help="CASE[:TABLES] for early stopping and the temperature")
    ap.add_argument("--from-model", help="score with this model folder instead of training one")
    ap.add_argument("--keep-model", help="save the trained model folder here")
    ap.add_argument("--score", action="append", default=[], help="CASE[:TABLES] to score (repeatable)")
    ap.add_argument("--batch-size", type=int, default=None, help="score this many people at a time")
    ap.add_argument("--epoch-size", type=int, default=None, help="people per epoch (default EPOCH_SIZE)")
    ap.add_argument("--name", default="gnn_scale")
    ap.add_argument("--notes", default="", help="added to the results' notes (e.g. what else ran)")
    ap.add_argument("--stage", choices=("train", "score"), help=argparse.SUPPRESS)
    ap.add_argument("--model", help=argparse.SUPPRESS)
    ap.add_argument("--score-one", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.stage is not None:
        warnings.filterwarnings("ignore")
        from crimnet.gnn.roles import EPOCH_SIZE

        args.epoch_size = args.epoch_size or EPOCH_SIZE
        import torch

        row = _stage_train(args) if args.stage == "train" else _stage_score(args)
        row["torch_threads"] = torch.get_num_threads()
        row["load_end"] = round(os.getloadavg()[0], 2)
        row["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
        print(STAGE_MARK + json.dumps(row), flush=True)
        return
    if args.from_model is None and (args.train is None or args.valid is None):
        ap.error("--train and --valid are needed unless --from-model is given")
    common = []
    if args.epoch_size:
        common += ["--epoch-size", str(args.epoch_size)]
    if args.batch_size:
        common += ["--batch-size", str(args.batch_size)]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        model = args.from_model or args.keep_model or str(Path(tmp) / "model")
        if args.from_model is None:
            train = ["--train", args.train, "--valid", args.valid]
            rows.append(_run_stage(["--stage", "train", "--model", model, *train, *common]))
            print(rows[-1], flush=True)
        for spec in args.score:
            rows.append(_run_stage(["--stage", "score", "--model", model, "--score-one", spec, *common]))
            print(rows[-1], flush=True)
    notes = (
        "Wall (_s) and CPU (_cpu_s: user + system of the stage's process, all threads) seconds per step; "
        "peak_rss_mib: the stage's own peak resident memory (each stage in a fresh interpreter); load_start / "
        "load_end: the machine's 1-minute load average (2 cores shared with other sessions' work). train: "
        "fit_roles with crimnet train's defaults (sage, hidden 64, 2 layers, batches of 512, neighbours 15 and 10, "
        "at most 60 epochs, patience 10), early-stopped on the valid case, then the temperature fit; build: "
        "features and HeteroData. score: predict_roles on the whole graph unless batch_size says otherwise; "
        "ap_perp / ap_victim / ece / brier against the case's truth (aligned through the resolution for "
        "ingested tables). "
    )
    write_results(args.name, rows, title="GNN role model: cost at scale", notes=notes + args.notes)


if __name__ == "__main__":
    main()
