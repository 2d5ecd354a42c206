"""Hidden links: on the bundled published networks (GraphSAGE vs Adamic-Adar and Katz) and in generated cases.

Run as ``python -m benchmarks.bench_gnn_links [--seeds N] [--part all|networks|cases]``.

- Networks: for each bundled network with at least 100 edges (one copy of each), hide 10% of the edges
  (seeds 0..N-1, default 3), draw as many unlinked pairs, and score the pairs with
  :func:`crimnet.gnn.links.link_prediction`: AUC and average precision per method, averaged over the seeds.
- Cases: generate towns of ``--people`` (default 1,500) of the medium and hard presets, seeds 7001 and 7002,
  and on their true tables hide person-phone and person-account links with
  :func:`crimnet.gnn.case_links.case_link_prediction` (split seed 0, nothing tuned): 10% of each type, any
  link ("any"), and 3% of the person-phone links among those whose person and phone both keep another
  ("shared", ``keep_last``); structural scores, logistic regressions and a heterogeneous GraphSAGE.

-> ``results/gnn_links.{json,md}``; a part not run keeps its rows from the existing JSON.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch

from benchmarks.common import RESULTS, markdown_table, measure, write_results
from crimnet.datasets import list as list_datasets
from crimnet.datasets import load_network
from crimnet.gnn.case_links import case_link_prediction
from crimnet.gnn.links import link_prediction
from crimnet.synthetic import generate_case
from crimnet.tables import CanonicalTables

CASE_SEEDS = (7001, 7002)
PRESETS = ("medium", "hard")
SETTINGS = {"any": {"share": 0.1, "keep_last": False}, "shared": {"share": 0.03, "keep_last": True,
                                                                 "rels": ["USES_PHONE"]}}  # fmt: skip


def network_rows(seeds: int) -> list[dict[str, Any]]:
    """Rows of the published networks, mean over `seeds` splits."""
    cat = list_datasets(kind="network")
    # networks of 100 edges or more; the raw and summed-weight copies of the Montagna network have its edges
    keep = (cat["edges"].fillna(0) >= 100) & ~cat["name"].str.contains("_raw|_sumweights")
    rows = []
    for name in cat[keep]["name"].tolist():
        g = load_network(name)
        runs = [link_prediction(g, share=0.1, seed=s, epochs=200) for s in range(seeds)]
        for method in runs[0]["method"]:
            sel = [r[r["method"] == method].iloc[0] for r in runs]
            rows.append({"network": name, "nodes": g.vcount(), "edges": g.ecount(), "method": method,
                         "auc": float(np.mean([s["auc"] for s in sel])), "ap": float(np.mean([s["ap"] for s in sel])),
                         "hidden": int(sel[0]["hidden"])})  # fmt: skip
        print(name, flush=True)
    return rows


def case_rows(people: int) -> list[dict[str, Any]]:
    """Rows of the generated cases: one per preset, seed, setting, type and scorer."""
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for preset in PRESETS:
            for seed in CASE_SEEDS:
                generate_case(Path(tmp) / f"{preset}{seed}", people=people, seed=seed, preset=preset)
                t = CanonicalTables.read(Path(tmp) / f"{preset}{seed}" / "truth" / "tables")
                for setting, kw in SETTINGS.items():
                    run = measure(lambda t=t, kw=kw: case_link_prediction(t, seed=0, **kw))  # type: ignore[misc]
                    for r in run.value.to_dict("records"):
                        rows.append({"preset": preset, "seed": seed, "setting": setting, **r,
                                     "seconds": round(run.seconds, 1)})  # fmt: skip
                print(preset, seed, flush=True)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--people", type=int, default=1500)
    ap.add_argument("--part", choices=["all", "networks", "cases"], default="all")
    args = ap.parse_args()
    warnings.filterwarnings("ignore")
    torch.set_num_threads(1)
    old = json.loads((RESULTS / "gnn_links.json").read_text()) if (RESULTS / "gnn_links.json").exists() else {}
    nets = network_rows(args.seeds) if args.part != "cases" else old["rows"]
    cases = case_rows(args.people) if args.part != "networks" else old["case_rows"]
    net_notes = (
        f"10% of edges hidden, as many unlinked pairs as negatives; mean over {args.seeds} seeds. gnn_sage: "
        "GraphSAGE (2 layers, 32 wide) on structural node features with a dot-product decoder, 200 full-batch "
        "steps on the kept edges with one sampled negative per positive."
        if args.part != "cases"
        else old["notes"].split("\n\n## ")[0]
    )
    mean = (
        pd.DataFrame(cases)
        .groupby(["setting", "rel", "method", "preset"], sort=False)[["auc", "ap", "hidden"]]
        .mean()
        .reset_index()
    )
    people = int(args.people) if args.part != "networks" else old.get("people", args.people)
    case_notes = (
        f"## Generated cases\n\nHidden person-phone (`USES_PHONE`) and person-account (`HOLDS`) links of the true "
        f"tables of {people}-person towns, mean over seeds {CASE_SEEDS[0]} and {CASE_SEEDS[1]} (one split each, "
        "seed 0), as many negatives of the same types drawn uniformly among unlinked pairs. `any`: 10% of each "
        "type's links; `shared`: 3% of the person-phone links, among those whose person and phone both keep "
        "another (`keep_last`; no account has two holders, so no `HOLDS` row). adamic_adar: on the whole graph; "
        "shared_things: Adamic-Adar over paths person - thing - person - candidate; katz: truncated at length 5 on "
        "the whole graph; logreg: logistic regression on those three and the ends' degrees, fitted on a second "
        "split of the visible links; logreg_pair: the same on the three scores only; hetero_sage: heterogeneous "
        "GraphSAGE (2 layers, 32 wide, features the degree per relationship type) with a dot-product decoder, 100 "
        "full-batch steps, each supervised by a random 30% of the type's visible links hidden from its message "
        "passing. Per-case rows, with seconds per case and setting, in the JSON (`case_rows`).\n\n"
        + markdown_table(mean.to_dict("records"))
    )
    path = write_results(
        "gnn_links",
        nets,
        title="Hidden links: published networks (GNN vs Adamic-Adar and Katz) and generated cases",
        notes=net_notes + "\n\n" + case_notes,
    )
    payload = json.loads(path.read_text())
    payload.update(case_rows=cases, people=people)
    path.write_text(json.dumps(payload, indent=2, default=str) + "\n")


if __name__ == "__main__":
    main()
