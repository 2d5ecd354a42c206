"""Disruption benchmarks.

Sections (run all, or name some on the command line)::

    python -m benchmarks.bench_disrupt [curve] [networks] [cases] [scale] [exact]

- ``curve``: the union-find robustness curve against brute force (components
  recomputed after every removal) on 10,000 nodes (every step compared) and
  100,000 nodes (a sample of steps compared and timed; the full brute-force
  time is the mean step time times the number of steps). The script asserts
  that the curves agree. -> ``results/disrupt.{json,md}`` (section ``curve``).
- ``scale``: each adaptive strategy on sparse graphs of 10k, 100k and 1M nodes,
  each in its own process with a 10-minute limit; a size is skipped when the
  previous size projects past the limit. -> ``results/disrupt.{json,md}``
  (section ``scale``).
- ``networks``: every registered strategy on every published network bundled
  with crimnet (:mod:`crimnet.datasets`): sum of LCC over k = 1..20 (the
  published measure, beside the published figure where there is one), the same
  after recovery, R-index to a 5% budget and in full; and the optimiser's
  result. -> ``results/disrupt_networks.{json,md}``.
- ``exact``: the critical node problem solved exactly (integer program, HiGHS,
  60 s a network) on every bundled network of at most 110 nodes, removing 10%
  of the nodes: the optimum (or the solver's lower bound) of pairwise
  connectivity against the optimiser's, and the lower bound it gives on the
  largest component against the optimiser's. -> ``results/disrupt_exact.{json,md}``.
- ``cases``: ``medium`` generated cases (several seeds): victim-controller
  reachability after removing at most 1% of nodes, mean and spread per
  strategy. -> ``results/disrupt_cases.{json,md}``.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import igraph as ig
import numpy as np
import pandas as pd

from benchmarks.common import RESULTS, markdown_table, write_results
from crimnet import datasets
from crimnet.cases import load_network
from crimnet.graphs import disrupt as d
from crimnet.graphs.disrupt.robustness import robustness_curve, robustness_curve_bruteforce

ADAPTIVE = [
    "degree_adaptive",
    "corehd",
    "decycling_reinsertion",
    "collective_influence",
    "pagerank_adaptive",
    "articulation",
    "betweenness_adaptive",
]
LIMIT_S = 600
TITLE = "Disruption: union-find curve and adaptive strategies at scale"
NOTES = (
    "curve: union-find (Newman-Ziff) vs recomputing components after every removal; the script asserts identical "
    "curves at every compared step. scale: full removal orders (every node), each run in its own process with a "
    f"{LIMIT_S} s limit, on Barabasi-Albert graphs with 2 links per node (m ~ 2n); a size is skipped when the smaller "
    "size's CPU time, scaled linearly in n (x1.2), exceeds the limit. seconds is wall time, cpu_seconds the "
    "process CPU time (the shared 2-core machine was busy with other benchmarks, so wall time overstates)."
)


def _graph(n: int, seed: int) -> ig.Graph:
    """A sparse random graph with a heavy-tailed degree (preferential attachment, 2 links per node)."""
    ig.set_random_number_generator(__import__("random").Random(seed))
    return ig.Graph.Barabasi(n, 2)


def _merge(name: str, section: str, rows: list[dict], title: str, notes: str) -> None:
    path = RESULTS / f"{name}.json"
    old = []
    if path.exists():
        old = [r for r in json.loads(path.read_text())["rows"] if r.get("section") != section]
    write_results(name, old + rows, title=title, notes=notes)


# ----------------------------------------------------------------------------- curve


def bench_curve() -> list[dict]:
    rows = []
    for n, sample in ((10_000, None), (100_000, 400)):
        g = _graph(n, 1)
        ranking = d.degree_adaptive_ranking(g, seed=0)
        rng = np.random.default_rng(0)
        pairs = [(int(a), int(b)) for a, b in rng.integers(0, n, size=(2000, 2))]
        t0 = time.perf_counter()
        fast = robustness_curve(g, ranking, pairs=pairs)
        t_fast = time.perf_counter() - t0
        steps = None if sample is None else np.unique(np.linspace(0, n, sample).astype(int))
        t0 = time.perf_counter()
        slow = robustness_curve_bruteforce(g, ranking, pairs=pairs, steps=steps)
        t_slow = time.perf_counter() - t0
        ks = slow["k"].to_numpy()
        pd.testing.assert_frame_equal(fast.iloc[ks].reset_index(drop=True), slow)  # identical curves
        full_slow = t_slow if steps is None else t_slow / len(ks) * (n + 1)
        rows.append(
            {
                "section": "curve",
                "graph": f"Barabasi-Albert n={n}, m={g.ecount()}",
                "ranking": "degree_adaptive (all n nodes)",
                "pairs": len(pairs),
                "steps_compared": len(ks),
                "union_find_s": round(t_fast, 3),
                "bruteforce_s": round(full_slow, 1),
                "bruteforce_measured": "all steps" if steps is None else f"{len(ks)} steps, extrapolated",
                "speedup": round(full_slow / t_fast, 1),
                "curves_identical": True,
            }
        )
        print(rows[-1], flush=True)
    return rows


# ----------------------------------------------------------------------------- scale


def _scale_child(name: str, n: int) -> None:
    g = _graph(n, 2)
    t0, c0 = time.perf_counter(), time.process_time()
    r = d.get_strategy(name).func(g, seed=0)
    print(json.dumps({"seconds": time.perf_counter() - t0, "cpu_seconds": time.process_time() - c0, "len": len(r)}))


def bench_scale(sizes=(10_000, 100_000, 1_000_000)) -> list[dict]:
    rows = []
    for name in ADAPTIVE:
        prev = None
        for n in sizes:
            row = {"section": "scale", "strategy": name, "n": n, "m": 2 * n - 3}
            if prev is not None and prev * (n / sizes[sizes.index(n) - 1]) * 1.2 > LIMIT_S:
                row.update(seconds=None, status=f"skipped: projected > {LIMIT_S} s from the smaller size")
                rows.append(row)
                print(row, flush=True)
                prev = math.inf
                continue
            t0 = time.perf_counter()
            try:
                out = subprocess.run(
                    [sys.executable, "-m", "benchmarks.bench_disrupt", "_child", name, str(n)],
                    capture_output=True,
                    text=True,
                    timeout=LIMIT_S,
                    check=True,
                )
                res = json.loads(out.stdout.strip().splitlines()[-1])
                row.update(
                    seconds=round(res["seconds"], 2),
                    cpu_seconds=round(res["cpu_seconds"], 2),
                    status="ok" if res["len"] == n else "incomplete",
                )
                prev = res["cpu_seconds"]
            except subprocess.TimeoutExpired:
                row.update(seconds=None, status=f"timeout > {LIMIT_S} s (wall {time.perf_counter() - t0:.0f} s)")
                prev = math.inf
            rows.append(row)
            print(row, flush=True)
            _merge("disrupt", "scale", rows, TITLE, NOTES)  # keep partial results
    return rows


# ----------------------------------------------------------------------------- networks

K_SUM = 20
"""Removals summed in the published figure: the LCC after k = 1..20 removals (Cavallaro et al. 2020)."""
RECOVERY_P = 0.5
PUBLISHED_LCC_SUM = {
    f"montagna_{net}{variant}": (
        published,
        "Cavallaro et al. 2020, PLoS ONE 15(8) e0236476 (sequential betweenness, unweighted: the best of their "
        "8 sequential attacks; results files of github.com/lcucav/networkdisruption)",
    )
    for net, published in (("meetings", 545), ("phonecalls", 276))
    for variant in ("_raw", "_undirected", "_undirected_sumweights")
}
"""Published sums of LCC over k = 1..20 (the three files of each Montagna network share one unweighted graph)."""


def _lcc_sum(g: ig.Graph, ranking: pd.DataFrame, k: int) -> int:
    return int(sum(d.lcc_after_removals(g, ranking["node_id"].head(k))))


def bench_networks(iterations: int = 30_000) -> tuple[list[dict], list[dict]]:
    """Per network and strategy: sum of LCC over k = 1..20, after recovery, R-index to 5%; and the optimiser."""
    rows, summary = [], []
    for name in sorted(datasets.list(kind="network")["name"]):
        g = datasets.load_network(name)
        n = g.vcount()
        k20, k5 = min(K_SUM, n), max(1, int(0.05 * n))
        res = d.disrupt(g, budget=k5, seed=0)
        blocks = res.params["blocks"]
        for r in res.summary.itertuples():
            ranking = res.rankings[res.rankings["strategy"] == r.strategy]
            rec = d.recovery_curve(g, ranking, p=RECOVERY_P, k=k20, seed=0)
            rows.append(
                {
                    "network": name,
                    "n": n,
                    "m": g.ecount(),
                    "strategy": r.strategy,
                    "lcc_sum_20": _lcc_sum(g, ranking, k20),
                    "lcc_sum_20_recovered": int(round(rec["lcc_fraction_recovered"].iloc[1:].sum() * n)),
                    "r_index_5pct": round(r.r_index_budget, 4),
                    "lcc_at_5pct": round(r.lcc_fraction_at_budget, 4),
                    "r_index": round(r.r_index, 4),
                    "block": blocks.get(r.strategy, ""),
                    "seconds": round(r.seconds, 3),
                }
            )
        seeds = [res.rankings[res.rankings["strategy"] == s] for s in res.summary["strategy"]]
        opt20 = d.optimise_removals(g, k=k20, seeds=seeds, iterations=iterations, time_limit=60, seed=0)
        opt5 = d.optimise_removals(g, k=k5, seeds=seeds, iterations=iterations, time_limit=60, seed=0)
        rec = d.recovery_curve(g, opt20.ranking, p=RECOVERY_P, k=k20, seed=0)
        rows.append(
            {
                "network": name,
                "n": n,
                "m": g.ecount(),
                "strategy": "optimised",
                "lcc_sum_20": opt20.value,
                "lcc_sum_20_recovered": int(round(rec["lcc_fraction_recovered"].iloc[1:].sum() * n)),
                "r_index_5pct": round(opt5.value / (k5 * n), 4),
                "lcc_at_5pct": round(opt5.lcc[-1] / n, 4),
                "r_index": "",
                "block": "",
                "seconds": round(opt20.seconds + opt5.seconds, 3),
            }
        )
        mine = pd.DataFrame([r for r in rows if r["network"] == name and r["strategy"] != "optimised"])
        best = mine.sort_values(["lcc_sum_20", "r_index_5pct"], kind="stable").iloc[0]
        best5 = mine.sort_values(["r_index_5pct", "lcc_sum_20"], kind="stable").iloc[0]
        published, source = PUBLISHED_LCC_SUM.get(name, ("", ""))
        summary.append(
            {
                "network": name,
                "n": n,
                "m": g.ecount(),
                "published_lcc_sum_20": published,
                "published_source": source,
                "best_heuristic": best["strategy"],
                "best_lcc_sum_20": int(best["lcc_sum_20"]),
                "optimised_lcc_sum_20": opt20.value,
                "best_r_5pct": f"{best5['r_index_5pct']:.4f} ({best5['strategy']})",
                "optimised_r_5pct": round(opt5.value / (k5 * n), 4),
            }
        )
        print(summary[-1], flush=True)
    return rows, summary


COSTED = {"ndrangheta_infinito_bipartite": ("P", "Meeting"), "moreno_crime_bipartite": ("p", "Crime")}
"""Bipartite networks whose nodes are people (id prefix) or events: acting on an event is cheaper."""
COSTS = {"Person": 10.0, "Meeting": 1.0, "Crime": 1.0}
BUDGET_COST = 50.0


def bench_costs() -> list[dict]:
    """GND against the cost-aware strategies on the same costs: people cost 10, meetings or crimes 1."""
    rows = []
    for name, (prefix, event) in COSTED.items():
        g = datasets.load_network(name)
        g.vs["label"] = ["Person" if str(v).startswith(prefix) else event for v in g.vs["name"]]
        res = d.disrupt(g, costs=COSTS, budget_cost=BUDGET_COST, seed=0)
        for r in res.summary.itertuples():
            rows.append(
                {
                    "network": name,
                    "strategy": r.strategy,
                    "budget_cost": BUDGET_COST,
                    "nodes_removed": r.budget,
                    "cost_at_budget": r.cost_at_budget,
                    "lcc_at_budget": round(r.lcc_fraction_at_budget, 4),
                    "r_index_at_budget": round(r.r_index_budget, 4),
                }
            )
    return rows


def write_networks(rows: list[dict], summary: list[dict], costs: list[dict]) -> None:
    """``results/disrupt_networks.{json,md}``: the researcher's table first, then every strategy's row."""
    title = "Disruption strategies on published criminal networks"
    notes = (
        f"lcc_sum_20: sum over k = 1..20 (k = 1..n on smaller networks) of the largest connected component's size "
        "after removing the first k nodes of the strategy's order (Cavallaro et al. 2020's measure; lower is "
        "better). lcc_sum_20_recovered: the same order replayed on a network that recovers after each removal "
        f"(crimnet.graphs.disrupt.recovery_curve, broker mode, p = {RECOVERY_P}, seed 0; Duijn, Kashirin & Sloot "
        "2014). r_index_5pct: R-index to a budget of 5% of the nodes (Schneider et al. 2011), lcc_at_5pct the LCC "
        "share there, r_index the full R-index. block: nodes removed between two recomputations of an adaptive "
        "strategy (1 = sequential). optimised: crimnet.graphs.disrupt.optimise_removals (simulated annealing over "
        "removal sequences, seeded by the best of the strategies above, 30,000 steps or 60 s, seed 0), run once for "
        "k = 20 and once for the 5% budget; never worse than its seed by construction. Edge lists read as "
        "undirected, simple and unweighted (directed and bipartite files included as they are). Published "
        "figure: the only sums of LCC published for bundled networks are Montagna's, from the LCC curves "
        "Cavallaro et al. (2020) published with their code: 545 (meetings) and 276 (phone calls) for sequential "
        "betweenness, their best attack on either (the three files of each network share the same unweighted "
        "graph; crimnet reproduces their 32 curves, tests/graphs/disrupt/test_cavallaro_published_curves.py). "
        "Cite the original authors (see crimnet/datasets/networks/README.md)."
    )
    write_results("disrupt_networks", rows, title=title, notes=notes)
    path = RESULTS / "disrupt_networks.json"
    payload = json.loads(path.read_text())
    payload["summary"] = summary
    payload["costs"] = costs
    path.write_text(json.dumps(payload, indent=2, default=str) + "\n")
    md = (RESULTS / "disrupt_networks.md").read_text().split("\n\n")
    # title, machine, versions, then the summary table before the per-strategy one
    head, rest = md[:3], md[3:]
    cost_note = (
        f"People cost {COSTS['Person']:g}, meetings (Infinito) and crimes (Moreno) {COSTS['Meeting']:g}; budget "
        f"{BUDGET_COST:g} cost units; every strategy ranks by benefit per unit cost (GND weights its Laplacian "
        "and its vertex cover by the costs). lcc_at_budget: largest component share after the strategy's longest "
        "prefix within the budget (lower is better)."
    )
    table = (
        "## Best per network\n\n" + markdown_table(summary) + "\n\n## Cost-aware: GND and the others on the same "
        "costs\n\n" + cost_note + "\n\n" + markdown_table(costs) + "\n\n## Every strategy"
    )
    (RESULTS / "disrupt_networks.md").write_text("\n\n".join([*head, table, *rest]))


# ----------------------------------------------------------------------------- generated cases


def bench_cases(seeds=(1, 2, 3), people: int = 10_000) -> tuple[list[dict], str]:
    try:
        from crimnet.synthetic import generate_case  # type: ignore[attr-defined]
    except ImportError as exc:
        return [], f"Generated cases not run: crimnet.synthetic.generate_case unavailable ({exc})."
    per_seed = []
    with tempfile.TemporaryDirectory() as tmp:
        for seed in seeds:
            case = Path(tmp) / f"case{seed}"
            paths = generate_case(case, people=people, seed=seed, preset="medium")
            net = load_network(tables=paths.truth_tables, truth=case)
            n = net.graph.vcount()
            res = d.disrupt(
                net.graph, budget=0.01, victims=net.victims, controllers=net.controllers, pairs=net.pairs, seed=seed
            )
            for r in res.summary.itertuples():
                per_seed.append(
                    {
                        "seed": seed,
                        "n": n,
                        "pairs": len(net.pairs),
                        "strategy": r.strategy,
                        "reachability_1pct": r.reachability_at_budget,
                        "r_index": r.r_index,
                        "r_index_1pct": r.r_index_budget,
                        "seconds": r.seconds,
                    }
                )
            print(f"case seed {seed}: n={n}, pairs={len(net.pairs)}", flush=True)
    df = pd.DataFrame(per_seed)
    agg = (
        df.groupby("strategy", sort=False)
        .agg(
            reach_mean=("reachability_1pct", "mean"),
            reach_std=("reachability_1pct", "std"),
            r_mean=("r_index", "mean"),
            r_std=("r_index", "std"),
            r1_mean=("r_index_1pct", "mean"),
            seconds=("seconds", "mean"),
            n=("n", "mean"),
        )
        .reset_index()
    )
    rows = [{k: (round(v, 4) if isinstance(v, float) else v) for k, v in row.items()} for row in agg.to_dict("records")]
    best = agg.sort_values("reach_mean").iloc[0]
    note = (
        f"Generator true tables (hetero graph, all node types), medium preset, {people} people, "
        f"seeds {list(seeds)}; budget 1% of all nodes. Best: {best.strategy} "
        f"with reachability {best.reach_mean:.3f} (target < 0.2: {'met' if best.reach_mean < 0.2 else 'NOT met'})."
    )
    return rows, note


def bench_exact(max_nodes: int = 110, share: float = 0.1, time_limit: float = 60.0) -> list[dict]:
    """Per small bundled network: exact (or bounded) pairwise connectivity at k = 10% of n, and the optimiser's gap."""
    rows = []
    for name in sorted(datasets.list(kind="network")["name"]):
        g = datasets.load_network(name)
        n = g.vcount()
        if n > max_nodes:
            continue
        k = max(1, round(share * n))
        exact = d.critical_nodes_exact(g, k, time_limit=time_limit)
        found = d.optimise_removals(g, k=k, objective="pairwise_at_k", iterations=2000, seed=0)
        lcc = d.optimise_removals(g, k=k, objective="lcc_at_k", iterations=2000, seed=0)
        rows.append(
            {
                "network": name,
                "n": n,
                "m": g.ecount(),
                "k": k,
                "exact_pairwise": exact.pairwise,
                "lower_bound": exact.lower_bound,
                "proved_optimal": exact.optimal,
                "solver_s": round(exact.seconds, 1),
                "best_heuristic_pairwise": found.seed_value,
                "optimised_pairwise": found.value,
                "gap_to_bound": found.value - exact.lower_bound,
                "lcc_lower_bound": exact.lcc_lower_bound,
                "optimised_lcc_at_k": lcc.value,
            }
        )
        print(rows[-1], flush=True)
    return rows


def main(argv: list[str]) -> None:
    if argv[:1] == ["_child"]:
        _scale_child(argv[1], int(argv[2]))
        return
    sections = argv or ["curve", "networks", "cases", "scale", "exact"]
    if "curve" in sections:
        _merge("disrupt", "curve", bench_curve(), TITLE, NOTES)
    if "networks" in sections:
        write_networks(*bench_networks(), bench_costs())
    if "cases" in sections:
        rows, note = bench_cases()
        write_results(
            "disrupt_cases", rows, title="Victim-controller reachability on medium generated cases", notes=note
        )
    if "scale" in sections:
        _merge("disrupt", "scale", bench_scale(), TITLE, NOTES)
    if "exact" in sections:
        write_results(
            "disrupt_exact",
            bench_exact(),
            title="Critical nodes: the optimiser against the exact optimum on small published networks",
            notes=(
                "k = 10% of the nodes (rounded, at least 1). exact_pairwise: pairs of nodes still joined by a path "
                "after the best k removals the integer program found in 60 s (crimnet.graphs.disrupt.exact, "
                "HiGHS); lower_bound: no k removals do better (= exact_pairwise when proved_optimal). "
                "optimised_pairwise: optimise_removals(objective='pairwise_at_k', 2,000 steps) seeded by the best "
                "heuristic (best_heuristic_pairwise); gap_to_bound: optimised minus lower bound. lcc_lower_bound: "
                "1 + 2 lower_bound / (n - k), rounded up, a bound on the largest component after any k removals; "
                "optimised_lcc_at_k: optimise_removals(objective='lcc_at_k', 2,000 steps). Directed networks are "
                "read as undirected."
            ),
        )


if __name__ == "__main__":
    main(sys.argv[1:])
