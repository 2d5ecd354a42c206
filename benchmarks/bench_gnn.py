"""GNN role classification and learned cluster ranking against boosted trees and today's rule scores.

Run as ``python -m benchmarks.bench_gnn [--people N] [--epochs E]``. Generated cases
(the generator's true tables; ``truth/tables``) of N people (default 2,000):
training seeds 11 and 12 (``medium``), validation seed 13 (``medium``: early
stopping and the cluster ranker's fit), test seeds 21 (``medium``), 22 (``hard``)
and 23 (``easy``): held-out seeds and other presets. Every model sees the same
label-free features (:mod:`crimnet.gnn.features`).

Rows, per test case and scorer:

- ``ap_perp`` / ``ap_victim``: node-level average precision of perpetrators
  (controller, recruiter, facilitator together) and of victims;
- ``yield100``: share of true perpetrators among the 100 people ranked highest
  as perpetrators; ``p_at_perps``: the same among the top n, n the number of
  true perpetrators;
- for the cluster rankings (``gnn ranker`` vs the rule ``score``):
  ``p_at_k`` (precision at k = number of planted rings) and ``fp_top10``
  (clusters in the top 10 that are not a planted ring: look-alikes and background).

Scorers: ``sage`` and ``hgt`` (:mod:`crimnet.gnn.models`), ``hgb``
(HistGradientBoosting on the same features plus neighbourhood aggregates,
:mod:`crimnet.gnn.baselines`), ``rules`` (detection's person risk for
perpetrators, ``infer_roles``' victim score for victims) and ``rules_roles``
(``infer_roles``' controller score for perpetrators).
-> ``results/gnn.{json,md}``.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import torch
from sklearn.metrics import average_precision_score

from benchmarks.common import write_results
from crimnet.gnn.baselines import fit_boosted, predict_boosted, rule_scores
from crimnet.gnn.data import to_hetero_data
from crimnet.gnn.ranking import cluster_features, fit_ranker, rank_clusters
from crimnet.gnn.roles import fit_roles, predict_roles, role_labels
from crimnet.gnn.workflow import read_case
from crimnet.graphs.detect.evaluate import ring_hits
from crimnet.schema import ROLES
from crimnet.synthetic.generate import generate_case

TRAIN = ((11, "medium"), (12, "medium"))
VALID = ((13, "medium"),)
TEST = ((21, "medium"), (22, "hard"), (23, "easy"))
PERP = [ROLES.index(r) for r in ("controller", "recruiter", "facilitator")]
VICTIM = ROLES.index("victim")


def _case(root: Path, seed: int, preset: str, people: int) -> dict:
    d = root / f"{preset}-{seed}"
    generate_case(d, people=people, seed=seed, preset=preset)
    t, truth = read_case(d)
    g = to_hetero_data(t)
    return {"name": f"{preset}-{seed}", "tables": t, "truth": truth, "graph": g, "lg": role_labels(g, truth)}


def _node_row(case: dict, scorer: str, perp: np.ndarray, victim: np.ndarray) -> dict:
    y = case["lg"].y.numpy()
    ok = y >= 0
    is_perp, is_victim = np.isin(y, PERP)[ok], (y == VICTIM)[ok]
    order = np.argsort(-perp[ok], kind="stable")
    n_perp = int(is_perp.sum())
    return {
        "case": case["name"],
        "scorer": scorer,
        "ap_perp": float(average_precision_score(is_perp, perp[ok])),
        "ap_victim": float(average_precision_score(is_victim, victim[ok])),
        "yield100": float(is_perp[order[:100]].mean()),
        "p_at_perps": float(is_perp[order[:n_perp]].mean()) if n_perp else float("nan"),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--people", type=int, default=2000)
    ap.add_argument("--epochs", type=int, default=40)
    ap.add_argument("--models", default="sage,hgt", help="comma-separated models of crimnet.gnn.models.MODELS")
    ap.add_argument("--name", default="gnn", help="results file name under benchmarks/results")
    args = ap.parse_args()
    warnings.filterwarnings("ignore")
    torch.set_num_threads(2)
    print("cases", flush=True)
    rows: list[dict] = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        train = [_case(root, s, p, args.people) for s, p in TRAIN]
        valid = [_case(root, s, p, args.people) for s, p in VALID]
        test = [_case(root, s, p, args.people) for s, p in TEST]
        models = {}
        for name in args.models.split(","):
            t0 = time.perf_counter()
            models[name] = fit_roles([c["lg"] for c in train], [c["lg"] for c in valid], model=name,
                                     epochs=args.epochs, patience=6, seed=0)  # fmt: skip
            print("trained", name, flush=True)
            rows.append({"case": "train", "scorer": name, "train_s": time.perf_counter() - t0,
                         "best_epoch": models[name].metrics["best_epoch"]})  # fmt: skip
        t0 = time.perf_counter()
        hgb = fit_boosted([c["lg"] for c in train])
        rows.append({"case": "train", "scorer": "hgb", "train_s": time.perf_counter() - t0})
        # the cluster ranker: fitted on the validation case's detected clusters, scored by the first model
        first = args.models.split(",")[0]
        feats, hits = [], []
        for c in valid:
            c["rules"] = rule_scores(c["tables"])
            clusters = c["rules"].attrs["clusters"]
            feats.append(cluster_features(clusters, predict_roles(models[first], c["graph"])))
            hits.append(ring_hits(clusters, c["truth"]).set_index("cluster_id")["hit"])
        ranker = fit_ranker(feats, hits)
        for c in test:
            rules = rule_scores(c["tables"])
            for name, m in models.items():
                r = predict_roles(m, c["graph"])
                rows.append(_node_row(c, name, r["p_perpetrator"].to_numpy(), r["p_victim"].to_numpy()))
            p = predict_boosted(hgb, c["graph"])
            rows.append(_node_row(c, "hgb", p[:, PERP].sum(1), p[:, VICTIM]))
            rows.append(_node_row(c, "rules", rules["risk"].to_numpy(), rules["score_victim"].to_numpy()))
            rows.append(
                _node_row(c, "rules_roles", rules["score_controller"].to_numpy(), rules["score_victim"].to_numpy())
            )
            clusters = rules.attrs["clusters"]
            k = int(c["truth"]["ring_id"].dropna().nunique())
            ranked = rank_clusters(ranker, cluster_features(clusters, predict_roles(models[first], c["graph"])))
            learned = clusters.set_index("cluster_id").loc[ranked["cluster_id"]].reset_index()
            learned["score"] = ranked["gnn_score"].to_numpy()
            for name, cl in (("cluster gnn ranker", learned), ("cluster rule score", clusters)):
                h = ring_hits(cl, c["truth"])
                rows.append({"case": c["name"], "scorer": name, "rings": k, "p_at_k": float(h["hit"].head(k).mean()),
                             "fp_top10": int((~h["hit"].head(10)).sum())})  # fmt: skip
    notes = (
        f"{args.people} people per case, the generator's true tables; train seeds 11-12 (medium), validation "
        "13 (medium), test 21 (medium), 22 (hard), 23 (easy). 2 CPU threads; train_s is wall time (seconds) "
        "including per-epoch validation."
    )
    write_results(
        args.name, rows, title="GNN roles and learned cluster ranking vs boosted trees and rules", notes=notes
    )


if __name__ == "__main__":
    main()
