"""The label-free victim-controller cut on rule-inferred roles against the same cut on learned roles.

Run as ``python -m benchmarks.bench_gnn_cut [--people N] [--train-people N] [--seeds 21,22] [--preset P]
[--train-preset P]``.
A role model (:func:`crimnet.gnn.workflow.train`, GraphSAGE, the settings of ``make demo``) is trained on the
true tables of generated cases of seeds 11 (training) and 12 (validation, early stopping and the cluster ranker);
each test case (other seeds) is ingested (its people resolved from the extracts, as ``crimnet run-case`` does),
its clusters detected with the pipeline's method, and its heterogeneous graph cut at a 1% budget (unit costs) by:

- ``detected_cut``: rule-inferred roles (:func:`crimnet.graphs.detect.roles.infer_roles`) in the top 10
  clusters by rule score (``crimnet.cases.detected_cut_ranking``): the rule baseline;
- ``learned_cut``: what ``run_case --model`` compares: :func:`crimnet.graphs.disrupt.expected_cut_ranking` on
  :func:`crimnet.gnn.apply.cluster_probabilities` of every cluster in the learned order (pairs weighted by
  p(victim) x p(controller) x the learned cluster score, the evidence's roles of the top 10 learned clusters
  counting as certain), then the people by learned perpetrator probability;
- ``learned_cut, no completion``: the same, degree after the expected pairs (what the completion adds);
- ``learned_cut, no evidence``: the same from the model's probabilities alone;
- ``learned_cut, default costs``: the same ordered by expected pairs per unit of
  :data:`crimnet.graphs.disrupt.DEFAULT_COSTS` (an arrest ten times a phone seizure; what ``run_case``
  compares), its reach still at 1% of the nodes;
- ``0.5-roles cut``: the former ``learned_cut``: a member is a controller when the evidence or the model
  (perpetrator probability >= 0.5) says so, else a victim when either says so
  (:func:`crimnet.gnn.apply.cluster_roles`), pairs within the top 10 rule-scored clusters, completed by degree;
- ``learned_score``: people by learned perpetrator probability;
- ``victim_controller_cut``: the true roles (the floor).

``reach_1pct`` is the share of TRUE (victim, controller of the same ring) pairs still connected after the
removals; role precision and recall are among the members of the clusters acted on (the 0.5 roles, for the
rows that have them); ``expected_pairs`` is the expected cut's total of p(victim) x p(controller) over the
groups it cut, ``cut_nodes`` the nodes of those cuts, ``people_acted`` the people among the first 1% of
nodes (arrests, against seizures of phones, accounts, addresses); ``learned_cut_seconds`` is the mean time of one
learned-cut row, ranking and reach evaluation together.
-> ``results/gnn_cut.{json,md}`` (medium preset) or ``results/gnn_cut_<preset>.{json,md}``.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import pandas as pd
import torch

from benchmarks.bench_roles import reach, role_quality, true_pairs
from benchmarks.common import write_results
from crimnet.cases import detected_cut_ranking
from crimnet.gnn.apply import cluster_probabilities, cluster_roles, learned_order, score_tables
from crimnet.gnn.workflow import train
from crimnet.graphs import disrupt as d
from crimnet.graphs.detect import DEFAULT_METHOD, detect
from crimnet.graphs.detect.roles import infer_roles, inferred_pairs
from crimnet.graphs.views import hetero_graph
from crimnet.ingest.pipeline import ingest
from crimnet.synthetic import generate_case
from crimnet.synthetic.truth import align_truth, read_truth, read_truth_entities

TOP = 10


def _acted(graph, r: pd.DataFrame, pairs, budget: int) -> dict:
    """reach_1pct, and how many of the first `budget` nodes acted on are people (arrests rather than seizures)."""
    return {
        "reach_1pct": reach(graph, r, pairs, budget),
        "people_acted": int((r["label"].head(budget) == "Person").sum()),
    }


def _pairs_cut(graph, roles: pd.DataFrame, budget: int, seed: int) -> tuple[pd.DataFrame, int]:
    names = set(graph.vs["name"])
    pairs = [p for p in inferred_pairs(roles) if p[0] in names and p[1] in names]
    return d.victim_controller_cut_ranking(graph, pairs=pairs, budget=budget, seed=seed), len(pairs)


def run_case(case: Path, work: Path, model: Path, seed: int) -> list[dict]:
    res = ingest(case, work / "ingest", specs=case / "specs" if (case / "specs").is_dir() else None)
    tables = res.tables
    aligned = align_truth(read_truth(case), resolution=res.resolution, truth_entities=read_truth_entities(case))
    clusters = detect(tables, methods=(DEFAULT_METHOD,), seed=seed).clusters.sort_values("score", ascending=False)
    graph = hetero_graph(tables)
    budget = max(1, int(0.01 * graph.vcount()))
    pairs = true_pairs(aligned, set(graph.vs["name"]))
    base = {"seed": seed, "people": int(len(tables.nodes["Person"])), "n": graph.vcount(), "budget": budget}
    base["true_pairs"] = len(pairs)
    t0 = time.perf_counter()
    learned = score_tables(model, tables, clusters, people=0)
    score_s = time.perf_counter() - t0
    rows = []
    rule_roles = infer_roles(tables, clusters, top=TOP)
    r = detected_cut_ranking(graph, tables, clusters, top=TOP, budget=budget, seed=seed)
    rows.append({"strategy": "detected_cut", **_acted(graph, r, pairs, budget), "inferred_pairs":
                 r.attrs["pairs"], **role_quality(rule_roles, aligned)})  # fmt: skip
    # what run_case --model does: the learned order, the evidence of its top clusters, every cluster weighed
    ordered = learned_order(clusters, learned.clusters)
    evidence = infer_roles(tables, ordered.head(TOP), top=TOP)
    p = pd.Series(learned.roles["p_perpetrator"].to_numpy(), index="Person:" + learned.roles["node_id"])
    t0 = time.perf_counter()
    for name, ev, then, costs in (
        ("learned_cut", evidence, p, None),
        ("learned_cut, no completion", evidence, None, None),
        ("learned_cut, no evidence", None, p, None),
        ("learned_cut, default costs", evidence, p, d.DEFAULT_COSTS),
    ):
        members = cluster_probabilities(ordered, learned.roles, evidence=ev)
        r = d.expected_cut_ranking(graph, members=members, budget=budget, seed=seed, completion=then, costs=costs)
        rows.append({"strategy": name, **_acted(graph, r, pairs, budget),
                     "expected_pairs": r.attrs["expected_pairs"], "cut_nodes": r.attrs["cut_nodes"]})  # fmt: skip
    cut_s = (time.perf_counter() - t0) / 4
    roles = cluster_roles(clusters.head(TOP), learned.roles, evidence=rule_roles)
    r, n_pairs = _pairs_cut(graph, roles, budget, seed)
    rows.append({"strategy": "0.5-roles cut", **_acted(graph, r, pairs, budget), "inferred_pairs": n_pairs,
                 **role_quality(roles, aligned)})  # fmt: skip
    graph.vs["score"] = [p.get(n) for n in graph.vs["name"]]
    r = d.learned_score_ranking(graph, budget=budget, seed=seed)
    rows.append({"strategy": "learned_score", **_acted(graph, r, pairs, budget)})
    r = d.victim_controller_cut_ranking(graph, pairs=pairs, budget=budget, seed=seed)
    rows.append({"strategy": "victim_controller_cut (true roles)", **_acted(graph, r, pairs, budget)})
    timing = {"score_seconds": round(score_s, 2), "learned_cut_seconds": round(cut_s, 2)}
    return [base | row | timing for row in rows]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--people", type=int, default=5000)
    ap.add_argument("--train-people", type=int, default=1500)
    ap.add_argument("--seeds", default="21,22")
    ap.add_argument("--preset", default="medium")
    ap.add_argument("--train-preset", default=None, help="preset of the training cases (default: --preset)")
    args = ap.parse_args()
    torch.set_num_threads(1)
    train_preset = args.train_preset or args.preset
    rows: list[dict] = []
    with tempfile.TemporaryDirectory() as tmp:
        w = Path(tmp)
        cases = [
            generate_case(w / f"t{s}", people=args.train_people, seed=s, preset=train_preset).root for s in (11, 12)
        ]
        t0 = time.perf_counter()
        out = train([cases[0]], w / "model", valid=[cases[1]], hidden=32, epochs=20, patience=4, seed=0)
        train_s = time.perf_counter() - t0
        print("trained", round(train_s, 1), out["role_metrics"]["valid"], flush=True)
        for seed in (int(s) for s in args.seeds.split(",")):
            case = generate_case(w / f"c{seed}", people=args.people, seed=seed, preset=args.preset).root
            for row in run_case(case, w / f"work{seed}", w / "model", seed):
                rows.append(row | {"train_seconds": round(train_s, 1)})
                print(rows[-1], flush=True)
    df = pd.DataFrame(rows)
    mean = df.groupby("strategy", sort=False)["reach_1pct"].mean().round(4)
    out_rows = [{k: (round(v, 4) if isinstance(v, float) else v) for k, v in r.items()} for r in rows]
    out_rows += [{"seed": "mean", "strategy": k, "reach_1pct": v} for k, v in mean.items()]
    write_results(
        "gnn_cut"
        + ("" if args.preset == "medium" else f"_{args.preset}")
        + ("" if train_preset == args.preset else f"_trained_{train_preset}"),
        out_rows,
        title="Victim-controller cut at a 1% budget: rule-inferred roles against learned roles",
        notes=(
            f"{args.preset} preset; model trained on the true tables of {train_preset} cases of seeds 11 (train) and "
            "12 (validation), "
            f"{args.train_people} people each (hidden 32, at most 20 epochs, patience 4, one torch thread); test "
            f"cases of {args.people} people, seeds {args.seeds}, ingested from their extracts; detection "
            f"{DEFAULT_METHOD}; top {TOP} clusters; unit costs. reach_1pct: share of true victim-controller pairs "
            "still connected after removing 1% of the graph's nodes; people_acted: people among those nodes."
        ),
    )


if __name__ == "__main__":
    main()
