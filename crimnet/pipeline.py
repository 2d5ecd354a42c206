"""The whole job, end to end: ingest -> store -> detect -> disrupt -> report.

This module only composes the stages; each stage lives in its own package and
knows nothing of the others' callers. :func:`run_case` is what an analyst runs
on real extracts; :func:`demo` generates a synthetic case first and also scores
the run against the planted truth.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from crimnet.errors import check_interval
from crimnet.graphs.detect import DEFAULT_METHOD

__all__ = ["PipelineRun", "run_case", "demo", "cluster_reasons", "COMPARED_STRATEGIES", "DETECTED_CUT"]

COMPARED_STRATEGIES: tuple[str, ...] = (
    "random",
    "degree",
    "degree_adaptive",
    "pagerank",
    "collective_influence",
    "corehd",
    "articulation",
    "non_person",
    "victim_controller_cut",
)
"""Strategies compared on the whole graph (the label-needing ones only when truth is known)."""

DETECTED_CUT = "detected_cut"
"""The victim-controller cut between roles inferred in this run's top clusters (no truth needed)."""


@dataclass
class PipelineRun:
    """What one run produced; every table is also written under `out`.

    Attributes
    ----------
    out : Path
        Run directory: ``ingest/``, ``store/``, ``detect/``, ``disrupt/``, ``report.html``.
    clusters : DataFrame
        Scored clusters of the reported method, highest score first.
    cluster_cuts : dict of str to DataFrame
        For each top cluster id, its ranked disruption points (rank, node_id, label, strategy).
    disruption_summary : DataFrame
        One row per strategy compared on the whole graph.
    evaluation : DataFrame or None
        Detection quality against truth (synthetic cases only).
    report : Path
        The HTML report.
    timings : dict of str to float
        Seconds per stage.
    """

    out: Path
    clusters: pd.DataFrame
    cluster_cuts: dict[str, pd.DataFrame]
    disruption_summary: pd.DataFrame
    evaluation: pd.DataFrame | None
    report: Path
    timings: dict[str, float] = field(default_factory=dict)


@contextmanager
def _timed(timings: dict[str, float], stage: str) -> Iterator[None]:
    start = time.perf_counter()
    yield
    timings[stage] = time.perf_counter() - start


def run_case(
    sources: str | Path | Sequence[str | Path],
    out: str | Path,
    *,
    store: str | None = None,
    truth: str | Path | None = None,
    previous: str | Path | None = None,
    method: str = DEFAULT_METHOD,
    top: int = 5,
    budget: float = 0.01,
    seed: int = 0,
    progress: bool = False,
) -> PipelineRun:
    """Run ingest, store, detection, disruption and the report on a set of agency extracts.

    Parameters
    ----------
    sources : path or sequence of paths
        Extract files or folders, as for :func:`crimnet.ingest.pipeline.ingest`.
    out : str or Path
        Run directory (created).
    store : str, optional
        A ``bolt://`` / ``neo4j://`` URI or a directory; default ``<out>/store`` (embedded).
    truth : path, optional
        A generated case's folder (with ``truth/``): adds evaluation against the planted rings
        and the victim-controller measures to the disruption comparison.
    previous : path, optional
        An earlier ingest output to merge with (a new batch).
    method : str, default DEFAULT_METHOD
        Detection method reported (see :data:`crimnet.graphs.detect.detection.METHODS`); by default
        :data:`crimnet.graphs.detect.detection.DEFAULT_METHOD`, the best measured one
        (benchmarks/results/detect.md).
    top : int, default 5
        Number of clusters reported with their disruption points.
    budget : float, default 0.01
        Share of the graph's nodes the whole-graph disruption comparison may remove, in (0, 1).
    seed : int, default 0
        Seed of every randomised step.
    progress : bool, default False
        Show progress bars.

    Returns
    -------
    PipelineRun

    Notes
    -----
    Watch rules saved in the store (``crimnet watch add``) run after the store
    write; their new matches appear in the report.
    """
    from crimnet.cases import write_detection
    from crimnet.graphs.detect import detect, evaluate_detection
    from crimnet.graphs.detect.roles import infer_roles
    from crimnet.graphs.store import open_store
    from crimnet.graphs.views import hetero_graph
    from crimnet.ingest.pipeline import ingest
    from crimnet.queries.watch import run_watch_rules

    func = "run_case"
    check_interval(top, param="top", func=func, low=1, high=100, closed="both", integer=True)
    check_interval(budget, param="budget", func=func, low=0, high=1)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    timings: dict[str, float] = {}
    config = {
        "sources": [str(s) for s in ([sources] if isinstance(sources, str | Path) else sources)],
        "store": store or str(out / "store"),
        "truth": str(truth) if truth else None,
        "previous": str(previous) if previous else None,
        "method": method,
        "top": top,
        "budget": budget,
        "seed": seed,
    }
    (out / "config.json").write_text(json.dumps(config, indent=2) + "\n")

    with _timed(timings, "ingest"):
        ingested = ingest(sources, out / "ingest", previous=previous, progress=progress)
        tables = ingested.tables  # ingest leaves its tables on disk; reading them back is part of the step
    with _timed(timings, "store"), open_store(store or out / "store") as db:
        db.write(tables)
        watch = run_watch_rules(db)
        with _timed(timings, "detect"):
            detection = detect(tables, methods=(method,), seed=seed)
            write_detection(detection, out / "detect")
        risk = detection.node_scores.query("method == @method + '_risk'")
        db.write_scores("Person", risk.rename(columns={"score": "risk"}), columns=["risk"])
    timings["store"] -= timings["detect"]

    truth_aligned = _truth(truth, ingested) if truth else None
    evaluation = (
        evaluate_detection(detection, truth_aligned, tables=tables, k=top) if truth_aligned is not None else None
    )
    clusters = detection.clusters.query("method == @method").sort_values("score", ascending=False)

    with _timed(timings, "disrupt"):
        graph = hetero_graph(tables)
        roles = infer_roles(tables, clusters, top=top)
        roles.to_csv(out / "detect" / "roles.csv", index=False)
        cuts, sections = _cluster_cuts(graph, clusters.head(top), roles, out, truth_aligned, seed=seed)
        summary, curves_png = _compare(
            graph, tables, clusters, truth_aligned, top=top, budget=budget, seed=seed, out=out / "disrupt"
        )

    with _timed(timings, "report"):
        report = _report(config, ingested, tables, sections, summary, curves_png, evaluation, watch, timings, out)
    return PipelineRun(out, clusters, cuts, summary, evaluation, report, timings)


def demo(out: str | Path, *, people: int = 5_000, seed: int = 7, preset: str = "medium") -> PipelineRun:
    """Generate a synthetic case and run the whole pipeline on it, scored against its truth.

    Parameters
    ----------
    out : str or Path
        Run directory; the generated extracts go to ``<out>/case``.
    people, seed, preset
        As for :func:`crimnet.synthetic.generate_case`.

    Returns
    -------
    PipelineRun
    """
    from crimnet.synthetic import generate_case

    out = Path(out)
    start = time.perf_counter()
    case = generate_case(out / "case", people=people, seed=seed, preset=preset)
    generated = time.perf_counter() - start
    run = run_case(case.root, out, truth=case.root, seed=seed, progress=True)
    run.timings = {"generate": generated, **run.timings}
    return run


def _truth(case_dir: str | Path, ingested: Any) -> pd.DataFrame:
    from crimnet.synthetic.truth import align_truth, read_truth, read_truth_entities

    return align_truth(
        read_truth(case_dir), resolution=ingested.resolution, truth_entities=read_truth_entities(case_dir)
    )


def _cluster_cuts(
    graph: Any, clusters: pd.DataFrame, roles: pd.DataFrame, out: Path, truth_aligned: pd.DataFrame | None, *, seed: int
) -> tuple[dict[str, pd.DataFrame], list[Any]]:
    from crimnet.graphs.disrupt import DEFAULT_COSTS, cluster_disruption_points
    from crimnet.report import ClusterSection
    from crimnet.viz import cluster_subgraph, subnetwork_html, subnetwork_png

    named = clusters.assign(members=[["Person:" + str(m) for m in ms] for ms in clusters["members"]])
    points = cluster_disruption_points(graph, named, top=len(named), per_cluster=10, costs=DEFAULT_COSTS, seed=seed)
    cuts = {
        str(cid): grp.drop(columns="cluster_id").reset_index(drop=True)
        for cid, grp in points.groupby("cluster_id", sort=False)
    }
    truth_of = _truth_text(truth_aligned)
    sections = []
    for row, members in zip(clusters.itertuples(), named["members"], strict=True):
        cid = str(row.cluster_id)
        sub = cluster_subgraph(graph, members, hops=1)
        page = subnetwork_html(sub, out / "clusters" / f"{cid}.html", title=f"Cluster {cid} (score {row.score:.2f})")
        png = subnetwork_png(sub, out / "clusters" / f"{cid}.png", title=f"Cluster {cid}", seed=seed)
        sections.append(
            ClusterSection(
                cluster_id=cid,
                score=float(row.score),
                size=int(row.size),
                reasons=cluster_reasons(row.indicators)[:6],
                disruption=cuts.get(cid, pd.DataFrame()),
                html_page=str(page.relative_to(out)),
                png=png,
                truth=truth_of(row.members) if truth_of else None,
                roles=roles.loc[
                    (roles["cluster_id"].astype(str) == cid) & (roles["role"] != "other"),
                    ["node_id", "role", "evidence"],
                ].reset_index(drop=True),
            )
        )
    return cuts, sections


def cluster_reasons(indicators: Any) -> list[str]:
    """Return a cluster's indicator sentences, strongest contribution first.

    `indicators` is a ``clusters`` row's ``indicators``: a list of dicts or its JSON text.
    """
    items = json.loads(indicators) if isinstance(indicators, str) else list(indicators)
    return [i["text"] for i in sorted(items, key=lambda i: -float(i.get("contribution", 0)))]


def _truth_text(truth_aligned: pd.DataFrame | None) -> Any:
    if truth_aligned is None:
        return None
    by_node = truth_aligned.set_index("node_id")

    def describe(members: Sequence[str]) -> str:
        known = by_node.reindex([m for m in members if m in by_node.index])
        ringed = known[known["role"] != "none"]
        if ringed.empty:
            return f"background: none of its {len(members)} people is in a planted ring"
        ring = ringed["ring_id"].mode().iloc[0]
        typ = ringed.loc[ringed["ring_id"] == ring, "typology"].iloc[0]
        roles = ringed.loc[ringed["ring_id"] == ring, "role"].value_counts().to_dict()
        role_text = ", ".join(f"{n} {r}{'s' if n > 1 else ''}" for r, n in roles.items())
        return f"ring {ring} ({typ}): {role_text} among {len(members)} people"

    return describe


def _compare(
    graph: Any,
    tables: Any,
    clusters: pd.DataFrame,
    truth_aligned: pd.DataFrame | None,
    *,
    top: int,
    budget: float,
    seed: int,
    out: Path,
) -> tuple[pd.DataFrame, Path]:
    """Compare strategies on the whole graph, the detected-role cut of this run's clusters among them."""
    from crimnet.cases import detected_cut_ranking
    from crimnet.graphs.disrupt import DEFAULT_COSTS, disrupt
    from crimnet.synthetic.truth import ring_pairs

    pairs = ring_pairs(truth_aligned, names=set(graph.vs["name"])) if truth_aligned is not None else None
    strategies = [s for s in COMPARED_STRATEGIES if pairs or s != "victim_controller_cut"]

    # passed as a function, not registered: it needs this run's tables and clusters; its ranking names it DETECTED_CUT
    def detected_cut(g: Any, *, budget: int | None = None, seed: int = 0, **kw: Any) -> pd.DataFrame:
        return detected_cut_ranking(g, tables, clusters, top=top, budget=budget, costs=kw.get("costs"), seed=seed)

    # one cost model for all (the one non_person optimises for): cost_at_budget compares what each cut takes
    res = disrupt(
        graph, strategies=[*strategies, detected_cut], budget=budget, pairs=pairs, seed=seed, costs=DEFAULT_COSTS
    )
    paths = res.write(out)
    return res.summary, paths[-1]


def _report(
    config: dict[str, Any],
    ingested: Any,
    tables: Any,
    sections: list[Any],
    summary: pd.DataFrame,
    curves_png: Path,
    evaluation: pd.DataFrame | None,
    watch: pd.DataFrame,
    timings: dict[str, float],
    out: Path,
) -> Path:
    from crimnet.report import ReportInputs, write_report

    inputs = ReportInputs(
        config=config,
        title="crimnet run report",
        ingest_summary=ingested.summary,
        graph_counts=tables.counts(),
        clusters=sections,
        disruption_summary=summary,
        disruption_curves_png=curves_png,
        detection_evaluation=evaluation,
        watch_matches=watch,
        timings=timings,
    )
    return write_report(inputs, out / "report.html")
