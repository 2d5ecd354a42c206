"""GNN role classification and learned cluster ranking against boosted trees and today's rule scores.

Run as ``python -m benchmarks.bench_gnn [--people N] [--epochs E]``. Generated cases
(the generator's true tables; ``truth/tables``) of N people (default 2,000):
training seeds 11 and 12 (``medium``), validation seed 13 (``medium``: early
stopping and the cluster ranker's fit), test seeds 21 (``medium``), 22 (``hard``)
and 23 (``easy``): held-out seeds and other presets. Every model sees the same
label-free features (:mod:`crimnet.gnn.features`).

``--preset realistic`` uses the ``realistic`` preset (look-alike structures, every
extract in another dialect) instead: training seeds 101 and 102, validation 103-105,
test 201-203; with ``--ingested`` each case's extracts are ingested with their
specs (:func:`crimnet.ingest.pipeline.ingest`) and the models see the ingested
tables, the truth aligned through the resolution. ``--leave-out FAMILY`` adds
leave-one-typology-out rows: trained and validated on cases of the same seeds
without that exploitation family (:data:`FAMILIES`), tested on a case of that
family alone. ``--name`` names the results file, e.g.
``python -m benchmarks.bench_gnn --preset realistic --ingested --people 4000
--models sage --leave-out criminal --threads 1 --epochs 30 --name gnn_realistic``; ``--leave-out
labour,sexual,domestic --leave-out-only`` gives only those families' rows.

Rows, per test case and scorer:

- ``ap_perp`` / ``ap_victim``: node-level average precision of perpetrators
  (controller, recruiter, facilitator together) and of victims;
- ``yield100``: share of true perpetrators among the 100 people ranked highest
  as perpetrators; ``p_at_perps``: the same among the top n, n the number of
  true perpetrators;
- for the cluster rankings (``gnn ranker``, fitted with hits as positives; ``gnn ranker
  matched``, the same on size-matched negatives; ``gnn ranker parts``, fitted with every
  cluster mostly of one ring's people as a positive, :func:`crimnet.gnn.ranking.ring_parts`;
  ``gnn ranker parts matched``, the same on size-matched negatives; ``... folded``, their
  orders with fragments folded under the highest-ranked part of their structure,
  :func:`crimnet.gnn.fragments.fold_fragments`, at the threshold chosen on the validation cases
  (:func:`crimnet.gnn.ranking.with_fold_share`, ``min_share``), and the ring-part ranker folded at the
  former fixed :data:`crimnet.gnn.fragments.MIN_LINK_SHARE` beside it; the rule ``score``; and
  cluster ``size`` alone):
  ``p_at_k`` (precision at k = number of planted rings: clusters that hit a ring, half its
  perpetrators and half of the cluster its people; two hits of one ring count twice),
  ``fp_top10`` (clusters in the top 10 that do not hit a ring: fragments of rings,
  look-alikes and background), ``rings_at_k`` (distinct rings with a part among the top k,
  over k: what an investigator reading k clusters has found, fragments of one ring
  counting once), ``rings_hit_at_k`` (distinct rings hit among the top k, over k),
  ``parts_at_k`` (share of the top k that are parts of a ring), ``nonring_top10`` (top-10
  clusters that are no part of a ring) and, where the case lists its look-alikes,
  ``lookalikes_top10`` and ``lookalikes_top_k`` (look-alike structures among the top 10 and
  top k); ``rings_found``: rings hit by at least one detected cluster (what detection leaves
  any ordering to find);
- for the GNN rows, calibration of the role probabilities
  (:func:`crimnet.gnn.calibrate.calibration_metrics`): ``ece`` (top-label expected
  calibration error, 15 bins), ``ece_perp`` / ``ece_victim`` (of the summed perpetrator
  and the victim probability), ``brier`` and ``nll``, with the temperature fitted on
  the validation case (``temperature``) and, suffixed ``_raw``, without it (T = 1).

Scorers: ``sage`` and ``hgt`` (:mod:`crimnet.gnn.models`), ``hgb``
(HistGradientBoosting on the same features plus neighbourhood aggregates,
:mod:`crimnet.gnn.baselines`), ``rules`` (detection's person risk for
perpetrators, ``infer_roles``' victim score for victims) and ``rules_roles``
(``infer_roles``' controller score for perpetrators).
-> ``results/gnn.{json,md}``.
"""

from __future__ import annotations

import argparse
import copy
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from sklearn.metrics import average_precision_score

from benchmarks.bench_realistic import top_lookalikes
from benchmarks.common import write_results
from crimnet.gnn.baselines import fit_boosted, predict_boosted, rule_scores
from crimnet.gnn.calibrate import calibration_metrics
from crimnet.gnn.data import to_hetero_data
from crimnet.gnn.fragments import MIN_LINK_SHARE, cluster_links, fold_fragments
from crimnet.gnn.ranking import cluster_features, fit_ranker, rank_clusters, ring_parts, with_fold_share
from crimnet.gnn.roles import RoleModel, fit_roles, predict_roles, role_labels
from crimnet.gnn.workflow import TRUE_TABLES, read_case
from crimnet.graphs.detect.evaluate import ring_hits
from crimnet.ingest.pipeline import ingest
from crimnet.schema import ROLES, TYPOLOGIES
from crimnet.synthetic.generate import generate_case

TRAIN = ((11, "medium"), (12, "medium"))
VALID = ((13, "medium"),)
TEST = ((21, "medium"), (22, "hard"), (23, "easy"))
REALISTIC_TRAIN = (101, 102)
# three validation cases: the cluster ranker's fit sees 13-22 ring clusters instead of 4-5
REALISTIC_VALID = (103, 104, 105)
REALISTIC_TEST = (201, 202, 203)
FAMILIES = {
    "labour": tuple(t for t in TYPOLOGIES if t.startswith("labour_")),
    "sexual": ("sexual",),
    "criminal": tuple(t for t in TYPOLOGIES if t.startswith("criminal_")),
    "domestic": ("domestic_servitude",),
}
"""Exploitation families of :data:`crimnet.schema.TYPOLOGIES`, the unit left out by ``--leave-out``."""
PERP = [ROLES.index(r) for r in ("controller", "recruiter", "facilitator")]
VICTIM = ROLES.index("victim")


def _case(root: Path, seed: int, preset: str, people: int, *, ingested: bool = False, tag: str = "", **kw) -> dict:
    """Generate a case; read its true tables, or with `ingested` ingest its extracts with their specs first."""
    name = f"{preset}{tag}-{seed}"
    d = root / name
    paths = generate_case(d, people=people, seed=seed, preset=preset, **kw)
    if ingested:
        ingest(d, d / "ingest", specs=paths.specs)
    t, truth = read_case(d, "ingest" if ingested else TRUE_TABLES)
    g = to_hetero_data(t)
    return {"name": name, "dir": d, "tables": t, "truth": truth, "graph": g, "lg": role_labels(g, truth)}


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


def _calibration_row(case: dict, model: RoleModel, roles: pd.DataFrame) -> dict:
    """ECE and Brier score of the role probabilities without (``_raw``) and with the fitted temperature."""
    raw = copy.copy(model)
    raw.temperature = 1.0
    y, probs = case["lg"].y.numpy(), [f"p_{r}" for r in ROLES]
    groups = {"perp": PERP, "victim": [VICTIM]}
    row: dict = {"temperature": model.temperature}
    for tag, r in (("_raw", predict_roles(raw, case["graph"])), ("", roles)):
        m = calibration_metrics(r[probs].to_numpy(), y, groups=groups)
        row |= {f"{k}{tag}": m[k] for k in ("ece", "ece_perp", "ece_victim", "brier", "nll")}
    return row


def _cluster_row(case: dict, scorer: str, clusters: pd.DataFrame, k: int) -> dict:
    """precision@k, rings found, non-ring clusters and look-alikes in the top of `clusters` ranked by ``score``."""
    h = ring_hits(clusters, case["truth"])
    ranked = clusters.set_index("cluster_id").loc[h["cluster_id"]].reset_index()  # score descending, then larger
    parts = ring_parts(ranked, case["truth"])
    top = parts.head(k)
    row = {"case": case["name"], "scorer": scorer, "rings": k, "p_at_k": float(h["hit"].head(k).mean()),
           "fp_top10": int((~h["hit"].head(10)).sum()),
           "rings_found": int(h.loc[h["hit"], "ring_id"].nunique()),
           "rings_at_k": top.loc[top["part"], "ring_id"].nunique() / k,
           "rings_hit_at_k": h.head(k).loc[h["hit"].head(k), "ring_id"].nunique() / k,
           "parts_at_k": float(top["part"].mean()),
           "nonring_top10": int((~parts["part"].head(10)).sum())}  # fmt: skip
    look = case["dir"] / "truth" / "lookalikes.csv"
    if look.exists():
        table = pd.read_csv(look, dtype=str, keep_default_na=False)
        row["lookalikes_top10"] = top_lookalikes(ranked, case["truth"], table)
        row["lookalikes_top_k"] = top_lookalikes(ranked, case["truth"], table, top=k)
    return row


def evaluate(train: list[dict], valid: list[dict], test: list[dict], models: list[str], epochs: int,
             label: str = "") -> list[dict]:  # fmt: skip
    """Train every role model and the boosted trees on `train`, the ranker on `valid`; score `test`."""
    rows: list[dict] = []
    fitted = {}
    for name in models:
        t0 = time.perf_counter()
        fitted[name] = fit_roles([c["lg"] for c in train], [c["lg"] for c in valid], model=name,
                                 epochs=epochs, patience=6, seed=0)  # fmt: skip
        print("trained", label, name, flush=True)
        rows.append({"case": f"train{label}", "scorer": name, "train_s": time.perf_counter() - t0,
                     "best_epoch": fitted[name].metrics["best_epoch"]})  # fmt: skip
    t0 = time.perf_counter()
    hgb = fit_boosted([c["lg"] for c in train])
    rows.append({"case": f"train{label}", "scorer": "hgb", "train_s": time.perf_counter() - t0})
    # the cluster ranker: fitted on the validation cases' detected clusters, scored by the first model
    first = fitted[models[0]]
    feats, hits, parts, ring_of, valid_links, rings = [], [], [], [], [], []
    for c in valid:
        clusters = rule_scores(c["tables"]).attrs["clusters"]
        feats.append(cluster_features(clusters, predict_roles(first, c["graph"])))
        hits.append(ring_hits(clusters, c["truth"]).set_index("cluster_id")["hit"])
        p = ring_parts(clusters, c["truth"])
        parts.append(p["part"])
        ring_of.append(p["ring_id"].where(p["part"]))
        valid_links.append(cluster_links(c["tables"], clusters))
        rings.append(int(c["truth"]["ring_id"].dropna().nunique()))
    rankers = {  # name: (ranker, fold fragments)
        "cluster gnn ranker": (fit_ranker(feats, hits), False),
        "cluster gnn ranker matched": (fit_ranker(feats, hits, matched=3), False),
        "cluster gnn ranker parts": (fit_ranker(feats, parts), False),
        "cluster gnn ranker parts matched": (fit_ranker(feats, parts, matched=3), False),
    }
    for name in ("cluster gnn ranker parts", "cluster gnn ranker parts matched"):  # fold threshold chosen on valid
        rankers[f"{name} folded"] = (with_fold_share(rankers[name][0], feats, ring_of, valid_links, rings), True)
    # the former fixed threshold beside the chosen one
    rankers[f"cluster gnn ranker parts folded at {MIN_LINK_SHARE:g}"] = (rankers["cluster gnn ranker parts"][0], True)
    for c in test:
        rules = rule_scores(c["tables"])
        for name, m in fitted.items():
            r = predict_roles(m, c["graph"])
            rows.append(_node_row(c, name, r["p_perpetrator"].to_numpy(), r["p_victim"].to_numpy()))
            rows[-1].update(_calibration_row(c, m, r))
        p = predict_boosted(hgb, c["graph"])
        rows.append(_node_row(c, "hgb", p[:, PERP].sum(1), p[:, VICTIM]))
        rows.append(_node_row(c, "rules", rules["risk"].to_numpy(), rules["score_victim"].to_numpy()))
        rows.append(_node_row(c, "rules_roles", rules["score_controller"].to_numpy(), rules["score_victim"].to_numpy()))
        clusters = rules.attrs["clusters"]
        k = int(c["truth"]["ring_id"].dropna().nunique())
        feats = cluster_features(clusters, predict_roles(first, c["graph"]))
        links = cluster_links(c["tables"], clusters)
        for name, (ranker, fold) in rankers.items():
            ranked = rank_clusters(ranker, feats)
            order = ranked["cluster_id"]
            if fold:
                order = fold_fragments(order, links, min_share=ranker.min_share)["cluster_id"]
            learned = clusters.set_index("cluster_id").loc[order].reset_index()
            # the folded order is the ranking itself: scores by rank, so that ties are not re-broken by size
            learned["score"] = np.arange(len(learned), 0, -1.0) if fold else ranked["gnn_score"].to_numpy()
            rows.append(_cluster_row(c, name, learned, k))
            if fold:
                rows[-1]["min_share"] = ranker.min_share
        rows.append(_cluster_row(c, "cluster rule score", clusters, k))
        rows.append(_cluster_row(c, "cluster size", clusters.assign(score=clusters["size"]), k))
    return rows


def _families(text: str) -> list[str]:
    """``--leave-out``: comma-separated names of :data:`FAMILIES`."""
    names = [t for t in text.split(",") if t]
    bad = [t for t in names if t not in FAMILIES]
    if bad:
        raise argparse.ArgumentTypeError(f"unknown families {bad}; choose from {sorted(FAMILIES)}")
    return names


def _realistic_notes(people: int, ingested: bool, leave_out: list[str]) -> str:
    tables = (
        "ingested from their extracts with their specs (crimnet.ingest.pipeline.ingest), the truth aligned through "
        "the resolution"
        if ingested
        else "the generator's true tables"
    )
    seeds = ", ".join
    notes = (
        f"{people} people per case, the realistic preset (look-alike structures, every extract in another dialect), "
        f"{tables}; train seeds {seeds(map(str, REALISTIC_TRAIN))}, validation {seeds(map(str, REALISTIC_VALID))} "
        f"(early stopping and the cluster ranker's fit), test {seeds(map(str, REALISTIC_TEST))}."
    )
    for left_out in leave_out:
        notes += (
            f" Leave-one-typology-out: rows '*-without-{left_out}' train and validate on cases (same seeds) without "
            f"the {left_out} family ({seeds(FAMILIES[left_out])}) and test on a case of that family alone (seed "
            f"{REALISTIC_TEST[0]}, '*-only-{left_out}')."
        )
    return notes + (
        " lookalikes_top10: top-10 clusters whose people are all outside rings with two or more of them in one "
        "structure of truth/lookalikes.csv (benchmarks.bench_realistic.top_lookalikes); fp_top10: top-10 clusters "
        "that do not hit a planted ring; rings_at_k: distinct rings with a cluster mostly of their people among the "
        "top k, over k; nonring_top10: top-10 clusters no part of a ring. train_s is wall time on a shared 2-core "
        "machine."
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--people", type=int, default=2000)
    ap.add_argument("--epochs", type=int, default=40)
    ap.add_argument("--models", default="sage,hgt", help="comma-separated models of crimnet.gnn.models.MODELS")
    ap.add_argument("--name", default="gnn", help="results file name under benchmarks/results")
    ap.add_argument("--preset", default="mixed", choices=("mixed", "realistic"),
                    help="mixed: medium/hard/easy true tables; realistic: held-out seeds of that preset")  # fmt: skip
    ap.add_argument("--ingested", action="store_true", help="ingest each case's extracts with its specs first")
    ap.add_argument("--leave-out", default="", type=_families,
                    help="also train without each of these exploitation families (comma-separated) and test on a "
                         "case of it alone")  # fmt: skip
    ap.add_argument("--leave-out-only", action="store_true", help="only the leave-one-typology-out rows")
    ap.add_argument("--threads", type=int, default=2, help="torch threads")
    ap.add_argument("--test-people", type=int, default=None,
                    help="people per realistic test case (default --people): train small, test larger")  # fmt: skip
    args = ap.parse_args()
    args.test_people = args.test_people or args.people
    warnings.filterwarnings("ignore")
    torch.set_num_threads(args.threads)
    models = args.models.split(",")
    print("cases", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)

        def case(seed: int, preset: str, people: int = args.people, **kw) -> dict:
            return _case(root, seed, preset, people, ingested=args.ingested, **kw)

        rows = []
        if args.preset == "realistic" and not args.leave_out_only:
            rows = evaluate([case(s, "realistic") for s in REALISTIC_TRAIN],
                            [case(s, "realistic") for s in REALISTIC_VALID],
                            [case(s, "realistic", args.test_people) for s in REALISTIC_TEST], models,
                            args.epochs)  # fmt: skip
        elif not args.leave_out_only:
            rows = evaluate([case(s, p) for s, p in TRAIN], [case(s, p) for s, p in VALID],
                            [case(s, p) for s, p in TEST], models, args.epochs)  # fmt: skip
        for left_out in args.leave_out:
            family = FAMILIES[left_out]
            without = {t: 1.0 for t in TYPOLOGIES if t not in family}
            tag = f"-without-{left_out}"
            rows += evaluate(
                [case(s, "realistic", tag=tag, typology_mix=without) for s in REALISTIC_TRAIN],
                [case(s, "realistic", tag=tag, typology_mix=without) for s in REALISTIC_VALID],
                [case(REALISTIC_TEST[0], "realistic", tag=f"-only-{left_out}",
                      typology_mix={t: 1.0 for t in family})], models, args.epochs, label=tag,
            )  # fmt: skip
    if args.preset == "realistic":
        notes = _realistic_notes(args.people, args.ingested, args.leave_out)
        if args.test_people != args.people:
            notes += f" Test cases (seeds {', '.join(map(str, REALISTIC_TEST))}) of {args.test_people} people."
    else:
        notes = (
            f"{args.people} people per case, the generator's true tables; train seeds 11-12 (medium), validation "
            f"13 (medium), test 21 (medium), 22 (hard), 23 (easy). {args.threads} torch thread(s); train_s is wall "
            "time (seconds) including per-epoch validation."
        )
    write_results(
        args.name, rows, title="GNN roles and learned cluster ranking vs boosted trees and rules", notes=notes
    )


if __name__ == "__main__":
    main()
