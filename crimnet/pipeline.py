"""The whole job, end to end: ingest -> store -> detect -> disrupt -> report.

This module only composes the stages; each stage lives in its own package and
knows nothing of the others' callers. :func:`run_case` is what an analyst runs
on real extracts; :func:`demo` generates a synthetic case first and also scores
the run against the planted truth.
"""

from __future__ import annotations

import datetime
import json
import os
import shutil
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from crimnet.errors import CrimnetError, bad_parameter, check_interval, check_type
from crimnet.frames import write_csv
from crimnet.graphs.detect import DEFAULT_METHOD
from crimnet.graphs.store import BOLT_SCHEMES, GraphStore
from crimnet.graphs.store.base import redact_uri
from crimnet.ingest.readers import DEFAULT_MAX_FIELD_CHARS
from crimnet.ingest.spec_choice import choose_specs
from crimnet.outputs import check_replaceable, staging_dir, swap_in
from crimnet.tables import CanonicalTables

__all__ = [
    "PipelineRun", "run_case", "demo", "cluster_reasons", "COMPARED_STRATEGIES", "DETECTED_CUT", "LEARNED_CUT",
    "LEARNED_STRATEGY", "RUN_STAGES", "DEMO_STAGES", "VICTIM_LIST_SOURCES", "CaseMerge", "merge_into",
]  # fmt: skip

RUN_STAGES: tuple[str, ...] = ("ingest", "store", "detect", "disrupt", "report")
"""The stages of :func:`run_case`, in order, as its `on_stage` callback names them."""
DEMO_STAGES: tuple[str, ...] = ("generate", *RUN_STAGES)

VICTIM_LIST_SOURCES: tuple[str, ...] = ("nrm_referrals", "ngo_casework", "helpline_reports", "police_victims")
"""The sources of the shipped specs that list potential victims: the lists a prevalence estimate counts by default."""
"""The stages of :func:`demo`, in order."""

COMPARED_STRATEGIES: tuple[str, ...] = (
    "random",
    "degree",
    "degree_adaptive",
    "pagerank",
    "collective_influence",
    "corehd",
    "articulation",
    "gnd",
    "non_person",
    "victim_controller_cut",
)
"""Strategies compared on the whole graph (the label-needing ones only when truth is known)."""

DETECTED_CUT = "detected_cut"
"""The victim-controller cut between roles inferred in this run's top clusters (no truth needed)."""
LEARNED_CUT = "learned_cut"
"""The victim-controller cut weighted by the roles a model learned, the inferred ones added (``model=``)."""
LEARNED_STRATEGY = "learned_score"
"""The registered strategy that acts on people by their learned perpetrator probability first."""

_RUN_MARKER = "config.json"  # every run folder holds it: a folder without it is never replaced
_CARRIED = ("watch.json", "audit.jsonl")  # what a rerun keeps of the default store: watch rules, the audit log


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
    warnings : list of str
        What the run skipped without failing: a spec that could not read a file's header when
        several specs were given (see :func:`crimnet.ingest.spec_choice.choose_specs`); also in
        ``config.json`` and the report's configuration.
    """

    out: Path
    clusters: pd.DataFrame
    cluster_cuts: dict[str, pd.DataFrame]
    disruption_summary: pd.DataFrame
    evaluation: pd.DataFrame | None
    report: Path
    timings: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


@dataclass
class CaseMerge:
    """What :func:`merge_into` wrote and linked.

    Attributes
    ----------
    written : dict of str to int
        Rows added or changed per table.
    tables : CanonicalTables
        The tables written: the case's own, its people linked to the store's renamed to their ids.
    links : DataFrame
        Incoming person -> stored person (:class:`crimnet.ingest.link_cases.CaseLinks`); empty
        when the store held no one of another case.
    kept_apart : int
        Events whose id the store held with other content, kept as ``'<case>/<id>'``.
    """

    written: dict[str, int]
    tables: CanonicalTables
    links: pd.DataFrame
    kept_apart: int = 0


def merge_into(
    store: GraphStore, tables: CanonicalTables, *, match_level: str = "balanced", seed: int = 0
) -> CaseMerge:
    """Write a case into a store holding other cases, resolving its people against the store's.

    The store then records both cases (``merge=True`` of
    :meth:`~crimnet.graphs.store.base.GraphStore.write`); its people are resolved against the people
    it holds (:func:`crimnet.ingest.link_cases.link_cases`), so one person named in both cases is one
    node, holding both cases' evidence, whose ``resolution`` says why. A new batch of a case the
    store already holds (or a store holding no one) is written as it is.

    Parameters
    ----------
    store : GraphStore
        An open, writable store (embedded or Bolt).
    tables : CanonicalTables
        The case to write.
    match_level : {'strict', 'balanced', 'inclusive'}, default 'balanced'
        How much evidence links two people (:data:`crimnet.ingest.resolve.MATCH_LEVELS`).
    seed : int, default 0
        Seed of the resolver.

    Returns
    -------
    CaseMerge

    Raises
    ------
    crimnet.errors.StoreError
        The store refused the write (it is left as it was).

    Notes
    -----
    Reads the whole store (:meth:`~crimnet.graphs.store.base.GraphStore.tables`) to resolve against
    it: O(store + case) memory, and the resolver's O(n log n) time on both cases' people.
    """
    from crimnet.ingest.link_cases import link_cases

    check_type(tables, CanonicalTables, param="tables", func="merge_into", expected="a CanonicalTables")
    stored = None if tables.case is not None and tables.case in store.cases else store.tables()
    if stored is None or stored.nodes["Person"].empty:
        return CaseMerge(store.write(tables, merge=True), tables, pd.DataFrame(columns=["incoming_id", "stored_id"]))
    linked = link_cases(stored, tables, match_level=match_level, seed=seed)
    return CaseMerge(store.write(linked.tables, merge=True), linked.tables, linked.links, linked.kept_apart)


@contextmanager
def _timed(timings: dict[str, float], stage: str, on_stage: Callable[[str], object] | None = None) -> Iterator[None]:
    if on_stage is not None:
        on_stage(stage)
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
    merge: bool = False,
    on_stage: Callable[[str], object] | None = None,
    specs: str | Path | Sequence[str | Path] | None = None,
    max_field_chars: int | None = DEFAULT_MAX_FIELD_CHARS,
    victim_lists: Sequence[str] | None = None,
    model: str | Path | None = None,
) -> PipelineRun:
    """Run ingest, store, detection, disruption and the report on a set of agency extracts.

    Parameters
    ----------
    sources : path or sequence of paths
        Extract files or folders, as for :func:`crimnet.ingest.pipeline.ingest`.
    out : str or Path
        Run directory: a new or empty folder, or an earlier run (it holds ``config.json``), which
        the run replaces as a whole. The run is built in a temporary sibling
        (``.<out>.tmp-<pid>``) and swapped into place at the end, so a failed run leaves the
        earlier one untouched and nothing beside it. Any other non-empty folder is refused, and
        so are sources or `truth` inside `out` (the swap would delete them).
    store : str, optional
        A ``bolt://`` / ``neo4j://`` URI or a directory; default ``<out>/store`` (embedded), which
        is built afresh with the run and replaces the earlier run's store (its watch rules and
        audit log are kept). Another store keeps what it holds: the run's tables are upserted into
        it, and a store of another case is refused unless `merge`.
    truth : path, optional
        A generated case's folder (with ``truth/``): adds evaluation against the planted rings
        and the victim-controller measures to the disruption comparison.
    previous : path, optional
        An earlier ingest output to merge with (a new batch of its case); it may be the
        ``ingest/`` of the run `out` replaces.
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
    merge : bool, default False
        Write this case into a `store` that holds another case, resolving its people against the
        store's (:func:`merge_into`): the store then holds both cases, one person named in both as
        one node, and the run (detection, disruption, report) uses the linked ids.
    on_stage : callable, optional
        Called with each stage's name (:data:`RUN_STAGES`) as the stage starts, for progress displays.
    specs : path, sequence of paths, or None
        Spec files or folders of ``*.toml``, as for :func:`crimnet.ingest.pipeline.ingest`; None uses
        the shipped specs. When more than one spec results, a spec whose file patterns match a file
        whose header lacks one of its columns is skipped for that file with a warning (the next
        matching spec is tried; a file no spec can read is left out), not a failure of the run;
        the warnings are in :attr:`PipelineRun.warnings`. With one spec it stays an error.
    max_field_chars : int or None, default DEFAULT_MAX_FIELD_CHARS
        Longest cell read, in characters; a row holding a longer one is quarantined (None: no
        limit). As for :func:`crimnet.ingest.pipeline.ingest`.
    victim_lists : sequence of str, optional
        The sources that list potential victims (referrals, casework, a helpline, police victim
        records); when two or more of them hold records, the report shows a multiple systems
        estimate of how many victims none of them saw
        (:func:`crimnet.prevalence.estimate.estimate_case`). Default: those of
        :data:`VICTIM_LIST_SOURCES` present.
    model : path, optional
        A model folder written by ``crimnet train`` (needs the ``gnn`` extra). The case's people are
        then scored with it (:func:`crimnet.gnn.apply.score_tables`): role probabilities go to
        ``score/node_scores.csv`` and, as ``p_<role>`` properties, to the store's people; the
        disruption comparison adds ``learned_score`` (people by perpetrator probability) and
        :data:`LEARNED_CUT` (the victim-controller cut weighted by the learned role probabilities in
        every cluster, the evidence's roles counting as certain, then the people by perpetrator
        probability: :func:`crimnet.graphs.disrupt.expected_cut_ranking`); the report lists
        the people the model puts forward with the entities behind their score, and the clusters by
        the learned cluster score. Without it nothing of this runs.

    Returns
    -------
    PipelineRun

    Raises
    ------
    crimnet.errors.CrimnetError
        `out` is a file or a non-empty folder that is not a run, or holds a source, a spec, `truth`
        or `store`; :class:`~crimnet.errors.SpecError` when a spec is wrong, or one spec was given
        and it cannot read a file it matches, or no given spec can read any file;
        :class:`~crimnet.errors.StoreError` when `store` holds another case and `merge` is False
        (raised by the store; the earlier run in `out` is left as it was).

    Notes
    -----
    Watch rules saved in the store (``crimnet watch add``) run after the store
    write; their new matches appear in the report.
    """
    func = "run_case"
    check_interval(top, param="top", func=func, low=1, high=100, closed="both", integer=True)
    check_interval(budget, param="budget", func=func, low=0, high=1)
    check_type(out, (str, os.PathLike), param="out", func=func, expected="a path")
    check_type(merge, bool, param="merge", func=func, expected="a bool")
    if on_stage is not None and not callable(on_stage):
        raise bad_parameter("on_stage", func, "a callable or None", on_stage)
    final = _run_folder(out)
    _check_run_out(final, sources, truth, store, specs, model)
    _check_model(model)
    choice = choose_specs(sources, specs)  # before any work: a wrong spec fails here
    build = staging_dir(final)
    try:
        run = _run_into(
            build, final, choice.sources, store=store, truth=truth, previous=previous, method=method, top=top,
            budget=budget, seed=seed, progress=progress, merge=merge, on_stage=on_stage, specs=choice.specs,
            warnings=choice.warnings, named=(sources, specs), max_field_chars=max_field_chars,
            victim_lists=victim_lists, model=model,
        )  # fmt: skip
        swap_in(final, build, marker=_RUN_MARKER, process="run")
    finally:
        shutil.rmtree(build, ignore_errors=True)
    return run


def _run_folder(out: str | os.PathLike[str]) -> Path:
    final = Path(out)
    return final.resolve() if final.name in ("", ".", "..") else final  # its sibling needs a name


def _inside(path: str | os.PathLike[str], folder: Path) -> bool:
    p, f = Path(path).resolve(), folder.resolve()
    return p == f or f in p.parents


def _paths(items: Any) -> list[Any]:
    """A path or a sequence of paths (or None) as a list."""
    return [] if items is None else [items] if isinstance(items, str | os.PathLike) else list(items)


def _check_run_out(final: Path, sources: Any, truth: Any, store: Any, specs: Any = None, model: Any = None) -> None:
    """Refuse, before any work, a run folder whose replacement would delete what the run was given."""
    named = [("source", s) for s in _paths(sources)] + [("spec", s) for s in _paths(specs)]
    named += [("truth", truth)] if truth is not None else []
    named += [("model", model)] if model is not None else []
    for what, item in named:
        if isinstance(item, str | os.PathLike) and _inside(item, final):
            raise CrimnetError(
                f"{item}: this {what} lies inside the run directory {final}, which run_case replaces as a whole "
                "(deleting what is in it); move it out, or write the run to another directory."
            )
    if store is not None and not str(store).startswith(BOLT_SCHEMES):
        if _inside(store, final) and Path(store).resolve() != (final / "store").resolve():
            raise CrimnetError(
                f"{store}: this store lies inside the run directory {final}, which run_case replaces as a whole; "
                f"name a store elsewhere, or leave --store out to use {final / 'store'} (built with the run)."
            )
    check_replaceable(final, marker=_RUN_MARKER, process="run")


def _run_into(
    out: Path,
    final: Path,
    sources: str | Path | Sequence[str | Path],
    *,
    store: str | None,
    truth: str | Path | None,
    previous: str | Path | None,
    method: str,
    top: int,
    budget: float,
    seed: int,
    progress: bool,
    merge: bool,
    on_stage: Callable[[str], object] | None = None,
    specs: Any = None,
    warnings: Sequence[str] = (),
    named: tuple[Any, Any] | None = None,
    max_field_chars: int | None = DEFAULT_MAX_FIELD_CHARS,
    victim_lists: Sequence[str] | None = None,
    model: str | Path | None = None,
) -> PipelineRun:
    """Run every stage into `out` (the staging folder), naming `final` (where it is swapped to) in what it writes.

    `sources` and `specs` are what ingest reads (:func:`crimnet.ingest.spec_choice.choose_specs`'s choice);
    `named` the sources and specs as the caller gave them, for the configuration (default: the same).
    """
    from crimnet.cases import write_detection
    from crimnet.graphs.detect import detect, evaluate_detection
    from crimnet.graphs.detect.roles import infer_roles
    from crimnet.graphs.disrupt.score_ranked import SCORE_ATTRIBUTE
    from crimnet.graphs.store import open_store
    from crimnet.graphs.views import hetero_graph
    from crimnet.ingest.pipeline import ingest
    from crimnet.queries.watch import run_watch_rules

    def shown(p: str | os.PathLike[str]) -> str:  # a path in the staging folder, as it will be after the swap
        return str(final / Path(p).resolve().relative_to(out.resolve())) if _inside(p, out) else str(p)

    default_store = store is None or (
        not str(store).startswith(BOLT_SCHEMES) and Path(store).resolve() == (final / "store").resolve()
    )
    store_at = out / "store" if default_store else store
    if default_store and (final / "store").is_dir():
        (out / "store").mkdir(parents=True, exist_ok=True)
        for name in _CARRIED:
            if (final / "store" / name).is_file():
                shutil.copy2(final / "store" / name, out / "store" / name)
    timings: dict[str, float] = {}
    given_sources, given_specs = named if named is not None else (sources, specs)
    config = {
        "sources": [shown(s) for s in _paths(given_sources)],
        "specs": [shown(s) for s in _paths(given_specs) if isinstance(s, str | os.PathLike)] or None,
        "store": str(final / "store") if default_store else redact_uri(str(store)),  # never a password
        "truth": shown(truth) if truth else None,
        "previous": str(previous) if previous else None,
        "method": method,
        "top": top,
        "budget": budget,
        "seed": seed,
        "max_field_chars": max_field_chars,
        "model": str(model) if model is not None else None,
        "warnings": list(warnings),
    }
    (out / "config.json").write_text(json.dumps(config, indent=2) + "\n")

    with _timed(timings, "ingest", on_stage):
        ingested = ingest(
            sources, out / "ingest", specs=specs, previous=previous, progress=progress, max_field_chars=max_field_chars
        )
        tables = ingested.tables  # ingest leaves its tables on disk; reading them back is part of the step
    with _timed(timings, "store", on_stage), open_store(store_at, create=True) as db:
        # merged into a store of other cases, its people resolved against theirs: the run goes on with linked ids
        rename = {}
        if merge:
            merged = merge_into(db, tables, seed=seed)
            tables = merged.tables
            rename = dict(zip(merged.links["incoming_id"], merged.links["stored_id"], strict=True))
        else:
            db.write(tables)
        watch = run_watch_rules(db)
        with _timed(timings, "detect", on_stage):
            detection = detect(tables, methods=(method,), seed=seed)
            write_detection(detection, out / "detect")
        risk = detection.node_scores.query("method == @method + '_risk'")
        db.write_scores("Person", risk.rename(columns={"score": "risk"}), columns=["risk"])
    timings["store"] -= timings["detect"]

    truth_aligned = _truth(truth, ingested, rename) if truth else None
    evaluation = (
        evaluate_detection(detection, truth_aligned, tables=tables, k=top) if truth_aligned is not None else None
    )
    clusters = detection.clusters.query("method == @method").sort_values("score", ascending=False)
    learned = None
    if model is not None:
        with _timed(timings, "score"):
            learned = _learn(model, tables, clusters, store_at, out / "score")
        from crimnet.gnn.apply import learned_order

        clusters = learned_order(clusters, learned.clusters)  # the top clusters are the learned score's

    with _timed(timings, "disrupt", on_stage):
        graph = hetero_graph(tables)
        roles = infer_roles(tables, clusters.head(top), top=top)  # the run's top clusters (learned order too)
        write_csv(roles, out / "detect" / "roles.csv")  # formula cells neutralised
        cuts, sections = _cluster_cuts(
            graph, clusters.head(top), roles, out, truth_aligned, seed=seed, tables=tables, risk=risk
        )
        learned_members = None
        if learned is not None:
            from crimnet.gnn.apply import cluster_probabilities, cluster_roles

            graph.vs[SCORE_ATTRIBUTE] = _person_scores(graph, learned.roles)
            write_csv(cluster_roles(clusters.head(top), learned.roles, evidence=roles), out / "score" / "roles.csv")
            learned_members = cluster_probabilities(clusters, learned.roles, evidence=roles)
        summary, curves, curves_png = _compare(
            graph, tables, clusters, truth_aligned, top=top, budget=budget, seed=seed, out=out / "disrupt",
            learned_members=learned_members,
        )  # fmt: skip

    with _timed(timings, "report", on_stage):
        _add_people(sections, graph, clusters.head(top), roles, seed=seed)
        if learned is not None:
            _add_learned(sections, learned.roles, clusters)
        hidden = _hidden_victims(tables, VICTIM_LIST_SOURCES if victim_lists is None else victim_lists, seed=seed)
        found = _Found(summary, curves, curves_png, evaluation, watch, hidden, _true_victims(truth))
        report = _report(config, ingested, tables, sections, found, timings, out, learned)
    report_path = final / report.relative_to(out)
    return PipelineRun(final, clusters, cuts, summary, evaluation, report_path, timings, list(warnings))


def demo(
    out: str | Path,
    *,
    people: int = 5_000,
    seed: int = 7,
    preset: str = "medium",
    progress: bool = False,
    on_stage: Callable[[str], object] | None = None,
    model: str | Path | None = None,
) -> PipelineRun:
    """Generate a synthetic case and run the whole pipeline on it, scored against its truth.

    Parameters
    ----------
    out : str or Path
        Run directory; the generated extracts go to ``<out>/case``. As for :func:`run_case`, an
        earlier run there (a demo's or a case's) is replaced as a whole, atomically, and any other
        non-empty folder is refused.
    people, seed, preset
        As for :func:`crimnet.synthetic.generate_case` (any of
        :data:`crimnet.synthetic.params.PRESETS`). A case that carries the specs of its files
        (``<case>/specs``, as the realistic preset writes) is ingested with them.
    progress, on_stage
        As for :func:`run_case`; `on_stage` names the stages of :data:`DEMO_STAGES`.
    model : path, optional
        A model folder (``crimnet train``) to score the case with, as for :func:`run_case`; train it on
        cases of other seeds than `seed`.

    Returns
    -------
    PipelineRun
    """
    from crimnet.synthetic import generate_case

    check_type(out, (str, os.PathLike), param="out", func="demo", expected="a path")
    check_type(progress, bool, param="progress", func="demo", expected="a bool")
    if on_stage is not None and not callable(on_stage):
        raise bad_parameter("on_stage", "demo", "a callable or None", on_stage)
    final = _run_folder(out)
    _check_run_out(final, [], None, None, None, model)
    _check_model(model)
    build = staging_dir(final)
    try:
        if on_stage is not None:
            on_stage("generate")
        start = time.perf_counter()
        # with the agencies' lists of potential victims, so the report shows how many no list saw
        case = generate_case(build / "case", people=people, seed=seed, preset=preset, victim_lists="default")
        generated = time.perf_counter() - start
        # a case rendered in agency dialects carries the specs of its files (crimnet generate --preset realistic)
        specs = case.root / "specs" if (case.root / "specs").is_dir() else None
        choice = choose_specs(case.root, specs)
        run = _run_into(
            build, final, choice.sources, store=None, truth=case.root, previous=None, method=DEFAULT_METHOD, top=5,
            budget=0.01, seed=seed, progress=progress, merge=False, on_stage=on_stage, specs=choice.specs,
            warnings=choice.warnings, named=(case.root, specs), model=model,
        )  # fmt: skip
        swap_in(final, build, marker=_RUN_MARKER, process="run")
    finally:
        shutil.rmtree(build, ignore_errors=True)
    run.timings = {"generate": generated, **run.timings}
    return run


def _truth(case_dir: str | Path, ingested: Any, rename: dict[str, str]) -> pd.DataFrame:
    """The case's truth aligned to its resolved people, `rename`d where a merge linked them to a store's."""
    from crimnet.synthetic.truth import align_truth, read_truth, read_truth_entities

    aligned = align_truth(
        read_truth(case_dir), resolution=ingested.resolution, truth_entities=read_truth_entities(case_dir)
    )
    return aligned.assign(node_id=aligned["node_id"].map(lambda v: rename.get(v, v))) if rename else aligned


def _check_model(model: str | Path | None) -> None:
    """Refuse a model folder that is not one before any work (scoring comes after ingest and detection)."""
    if model is not None:
        from crimnet.gnn.persist import check_model_folder

        check_model_folder(model)


def _learn(model: str | Path, tables: Any, clusters: pd.DataFrame, store_at: Any, out: Path) -> Any:
    """Score the case with a saved model, write the scores under `out` and to the store's people."""
    from crimnet.gnn.apply import score_tables, write_learned
    from crimnet.graphs.store import open_store

    learned = score_tables(model, tables, clusters)
    write_learned(learned, out)
    columns = [c for c in learned.roles.columns if c.startswith("p_")]
    with open_store(store_at) as db:
        db.write_scores("Person", learned.roles[["node_id", *columns]], columns=columns)
    return learned


def _person_scores(graph: Any, roles: pd.DataFrame) -> list[float | None]:
    """Each vertex's learned perpetrator probability: people the model scored, None for every other node."""
    p = dict(zip("Person:" + roles["node_id"].astype(str), roles["p_perpetrator"].astype(float), strict=True))
    return [p.get(n) for n in graph.vs["name"]]


def _cluster_cuts(
    graph: Any,
    clusters: pd.DataFrame,
    roles: pd.DataFrame,
    out: Path,
    truth_aligned: pd.DataFrame | None,
    *,
    seed: int,
    tables: Any = None,
    risk: pd.DataFrame | None = None,
) -> tuple[dict[str, pd.DataFrame], list[Any]]:
    """Rank each top cluster's disruption points and write its page, figures and timeline under ``clusters/``.

    Pages and figures name people, addresses and businesses from `tables`, mark inferred roles and
    the cut points, and size people by `risk` (``node_scores`` rows: node_id, score).
    """
    from crimnet.graphs.disrupt import DEFAULT_COSTS, cluster_disruption_points
    from crimnet.report import ClusterSection
    from crimnet.viz import write_subnetwork

    named = clusters.assign(members=[["Person:" + str(m) for m in ms] for ms in clusters["members"]])
    points = cluster_disruption_points(graph, named, top=len(named), per_cluster=10, costs=DEFAULT_COSTS, seed=seed)
    cuts = {
        str(cid): grp.drop(columns="cluster_id").reset_index(drop=True)
        for cid, grp in points.groupby("cluster_id", sort=False)
    }
    risk_of = (
        dict(zip("Person:" + risk["node_id"].astype(str), risk["score"].astype(float), strict=True))
        if risk is not None
        else {}
    )
    truth_of = _truth_text(truth_aligned)
    sections = []
    for row, members in zip(clusters.itertuples(), named["members"], strict=True):
        cid = str(row.cluster_id)
        mine = roles.loc[roles["cluster_id"].astype(str) == cid]
        cut = cuts.get(cid, pd.DataFrame())
        drawn = write_subnetwork(
            graph, out / "clusters" / f"{cid}.html", members=members, tables=tables, hops=1,
            roles=dict(zip("Person:" + mine["node_id"].astype(str), mine["role"].astype(str), strict=True)),
            risk={m: risk_of[m] for m in members if m in risk_of},
            cuts=cut["node_id"].astype(str).tolist() if len(cut) else [],
            title=f"Cluster {cid}: score {row.score:.2f}, {row.size} people", seed=seed,
        )  # fmt: skip
        sections.append(
            ClusterSection(
                cluster_id=cid,
                score=float(row.score),
                size=int(row.size),
                reasons=cluster_reasons(row.indicators)[:6],
                disruption=cut,
                html_page=str(drawn.html.relative_to(out)),
                png=drawn.png,
                truth=truth_of(row.members) if truth_of else None,
                roles=mine.loc[mine["role"] != "other", ["node_id", "role", "evidence"]].reset_index(drop=True),
                svg=drawn.svg,
                timeline=drawn.timeline,
                timeline_png=drawn.timeline_png,
                timeline_svg=drawn.timeline_svg,
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
    learned_members: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, Path]:
    """Compare strategies on the whole graph, the detected-role cut of this run's clusters among them.

    With `learned_members` (:func:`crimnet.gnn.apply.cluster_probabilities`) the cut they weigh
    (:data:`LEARNED_CUT`, completed by the graph's learned scores) and those scores alone
    (:data:`LEARNED_STRATEGY`) are compared too. Returns the summary, the robustness curves and the path
    of their figure.
    """
    from crimnet.cases import detected_cut_ranking
    from crimnet.graphs.disrupt import DEFAULT_COSTS, SCORE_ATTRIBUTE, disrupt, expected_cut_ranking
    from crimnet.synthetic.truth import ring_pairs

    pairs = ring_pairs(truth_aligned, names=set(graph.vs["name"])) if truth_aligned is not None else None
    strategies: list[Any] = [s for s in COMPARED_STRATEGIES if pairs or s != "victim_controller_cut"]

    # passed as a function, not registered: it needs this run's tables and clusters; its ranking names it DETECTED_CUT
    def detected_cut(g: Any, *, budget: int | None = None, seed: int = 0, **kw: Any) -> pd.DataFrame:
        top_clusters = clusters.head(top)  # the run's top clusters, in the learned order when a model ranked them
        return detected_cut_ranking(g, tables, top_clusters, top=top, budget=budget, costs=kw.get("costs"), seed=seed)

    # the cut the learned probabilities weigh, then the people by learned perpetrator probability
    def learned_cut(g: Any, *, budget: int | None = None, seed: int = 0, **kw: Any) -> pd.DataFrame:
        then = pd.Series(g.vs[SCORE_ATTRIBUTE], index=g.vs["name"], dtype=float)
        return expected_cut_ranking(
            g, members=learned_members, budget=budget, costs=kw.get("costs"), seed=seed, completion=then,
            strategy=LEARNED_CUT,
        )  # fmt: skip

    strategies.append(detected_cut)
    if learned_members is not None:
        strategies += [LEARNED_STRATEGY, learned_cut]
    # one cost model for all (the one non_person optimises for): cost_at_budget compares what each cut takes
    res = disrupt(graph, strategies=strategies, budget=budget, pairs=pairs, seed=seed, costs=DEFAULT_COSTS)
    paths = res.write(out)
    return res.summary, res.curves, paths[-1]


@dataclass
class _Found:
    """What detection and disruption found, as the report shows it."""

    summary: pd.DataFrame
    curves: pd.DataFrame
    curves_png: Path
    evaluation: pd.DataFrame | None
    watch: pd.DataFrame
    prevalence: Any  # PrevalenceEstimate or None
    true_victims: tuple[int, int] | None


def _report(
    config: dict[str, Any],
    ingested: Any,
    tables: Any,
    sections: list[Any],
    found: _Found,
    timings: dict[str, float],
    out: Path,
    learned: Any = None,
) -> Path:
    from crimnet.report import ReportInputs, write_report
    from crimnet.viz import display_names

    people = learned.people if learned is not None else None
    shown = _shown_nodes(sections)
    if people is not None:  # the people the model puts forward and the entities named in their explanations
        shown = sorted({*shown, *("Person:" + people["node_id"].astype(str)), *people["neighbours"].explode().dropna()})

    inputs = ReportInputs(
        config=config,
        title="crimnet run report",
        ingest_summary=ingested.summary,
        graph_counts=tables.counts(),
        clusters=sections,
        disruption_summary=found.summary,
        disruption_curves_png=found.curves_png,
        detection_evaluation=found.evaluation,
        watch_matches=found.watch,
        timings=timings,
        case=tables.case,
        created=datetime.datetime.now(datetime.UTC),
        names=display_names(tables, shown),
        disruption_curves=found.curves,
        prevalence=found.prevalence,
        true_victims=found.true_victims,
        gnn_scores=learned.clusters if learned is not None else None,
        gnn_people=people,
    )
    return write_report(inputs, out / "report.html")


def _shown_nodes(sections: list[Any]) -> list[str]:
    """Vertex names of the nodes the report names: the top clusters' members, roles, cut points and cuts.

    Naming only these keeps the report's cost independent of the case's size (a name per node of a
    million-person case is millions of lookups for a page that shows a few hundred).
    """
    shown: set[str] = set()
    for c in sections:
        for frame in (c.roles, c.people):
            if isinstance(frame, pd.DataFrame) and "node_id" in frame:
                shown.update(f"Person:{n}" for n in frame["node_id"].astype(str))
        if isinstance(c.disruption, pd.DataFrame) and "node_id" in c.disruption:
            shown.update(c.disruption["node_id"].astype(str))
        for s in c.separations or ():
            shown.update(s.nodes)
    return sorted(shown)


def _hidden_victims(tables: Any, lists: Sequence[str], *, seed: int) -> Any:
    """The multiple systems estimate over the victim lists present (two or more), or None.

    A model the lists cannot support (lists that never overlap) gives None: the report then says no
    estimate was made rather than print a number the data cannot carry.
    """
    from crimnet.errors import CrimnetError
    from crimnet.prevalence.estimate import estimate_case

    people = tables.nodes["Person"]
    present = {s for sources in people["sources"] for s in sources} if len(people) else set()
    used = [s for s in lists if s in present]
    if len(used) < 2:
        return None
    try:
        return estimate_case(tables, sources=used, nboot=200, seed=seed)
    except CrimnetError:
        return None


def _true_victims(truth: str | Path | None) -> tuple[int, int] | None:
    """(victims, victims on a list) of a generated case with victim lists, else None."""
    if truth is None or not (Path(truth) / "truth" / "victim_lists.csv").exists():
        return None
    from crimnet.prevalence.validate import read_victim_truth

    table, _ = read_victim_truth(truth)
    return len(table), int(table["listed"].sum())


def _add_people(sections: list[Any], graph: Any, clusters: pd.DataFrame, roles: pd.DataFrame, *, seed: int) -> None:
    """Give each cluster section its member list and what cutting its inferred victims off would take."""
    from crimnet.graphs.disrupt import DEFAULT_COSTS, victim_controller_cut_ranking
    from crimnet.report import Separation

    by_id = {str(cid): list(ms) for cid, ms in zip(clusters["cluster_id"], clusters["members"], strict=True)}
    for section in sections:
        members = by_id.get(str(section.cluster_id), [])
        mine = roles[roles["cluster_id"].astype(str) == str(section.cluster_id)]
        people = pd.DataFrame({"node_id": [str(m) for m in members]}).merge(
            mine[["node_id", "role", "evidence"]].astype({"node_id": str}), on="node_id", how="left"
        )
        people.loc[people["role"] == "other", "evidence"] = ""
        section.people = people.fillna({"role": "", "evidence": ""})
        victims = ["Person:" + v for v in mine.loc[mine["role"] == "victim", "node_id"].astype(str)]
        controllers = ["Person:" + c for c in mine.loc[mine["role"] == "controller", "node_id"].astype(str)]
        if not victims or not controllers:
            continue
        idx = graph.vs.select(name_in=set("Person:" + str(m) for m in members)).indices
        hood = graph.induced_subgraph(sorted({u for v in idx for u in graph.neighborhood(v, order=1)}))
        cut = victim_controller_cut_ranking(
            hood, victims=victims, controllers=controllers, costs=DEFAULT_COSTS, seed=seed
        )
        plans = [("the cheapest cut", cut["node_id"].astype(str).tolist())]
        if len(section.disruption):
            plans.append(("the first cut points below", section.disruption["node_id"].astype(str).tolist()))
        for plan, order in plans:
            nodes, separated = _fewest(hood, order, victims, controllers)
            best = section.separations[0] if section.separations else None
            # a plan is advice when it separates someone, and more people or with fewer actions than the one before
            if nodes and (best is None or (separated, -len(nodes)) > (best.separated, -len(best.nodes))):
                section.separations.append(Separation(plan, nodes, separated, len(victims), len(controllers)))


def _add_learned(sections: list[Any], roles: pd.DataFrame, clusters: pd.DataFrame) -> None:
    """Give each cluster section its learned cluster score with reasons (`clusters`: :func:`learned_order`'s),
    and its members their learned perpetrator and victim probabilities, in words."""
    by_id = roles.astype({"node_id": str}).set_index("node_id")
    scored = clusters.dropna(subset=["gnn_score"]) if "gnn_score" in clusters else clusters.iloc[:0]
    columns = (scored["cluster_id"], scored["gnn_score"], scored["reasons"])
    why = {str(c): (float(g), str(r)) for c, g, r in zip(*columns, strict=True)}
    for section in sections:
        section.learned = why.get(str(section.cluster_id))
        if isinstance(section.people, pd.DataFrame) and len(section.people):
            p = by_id.reindex(section.people["node_id"].astype(str))
            section.people["learned"] = [
                f"perpetrator {a:.2f}, victim {b:.2f}" if pd.notna(a) else ""
                for a, b in zip(p["p_perpetrator"], p["p_victim"], strict=True)
            ]


def _fewest(
    hood: Any, order: list[str], victims: list[str], controllers: list[str], most: int = 10
) -> tuple[list[str], int]:
    """The shortest prefix of `order` (at most `most` nodes) that separates the most victims, and that number."""
    best: tuple[list[str], int] = ([], 0)
    for k in range(1, min(most, len(order)) + 1):
        separated = _separated(hood, order[:k], victims, controllers)
        if separated > best[1]:
            best = (order[:k], separated)
        if separated == len(victims):
            break
    return best


def _separated(hood: Any, removed: list[str], victims: list[str], controllers: list[str]) -> int:
    """Victims still in `hood` after `removed` is taken out that share no component with any controller."""
    gone = set(removed)
    left = hood.induced_subgraph([v.index for v in hood.vs if v["name"] not in gone])
    comp = dict(zip(left.vs["name"], left.connected_components().membership, strict=True))
    held = {comp[c] for c in controllers if c in comp}
    return sum(1 for v in victims if v in comp and comp[v] not in held)
