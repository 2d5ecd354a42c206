"""The HTML report of one run: what went in, what was found, where to cut, and how sure we are.

The report is one self-contained HTML file (tables inline, PNGs embedded as
data URIs, links to the offline pyvis pages beside it) so that it can be
attached to a case file and opened on an air-gapped machine.
"""

from __future__ import annotations

import base64
import datetime
import html
import json
import numbers
import platform
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from crimnet import __version__
from crimnet.errors import check_type
from crimnet.graphs.disrupt.ordering import DEFAULT_COSTS

if TYPE_CHECKING:
    from crimnet.prevalence.estimate import PrevalenceEstimate

__all__ = [
    "ReportInputs", "ClusterSection", "Separation", "write_report", "versions", "singular_counts",
    "HEADERS", "MEASURES", "STRATEGY_NAMES", "VERSIONED",
]  # fmt: skip


@dataclass
class Separation:
    """What acting on some nodes of a cluster does: how many inferred victims lose every path to a controller.

    Attributes
    ----------
    plan : str
        How the nodes were chosen, in words (``'the cheapest cut'``, ``'the first cut points below'``).
    nodes : list of str
        Vertex names (``'<Label>:<id>'``) acted on, in order.
    separated : int
        Inferred victims left with no path to any inferred controller of the cluster.
    victims, controllers : int
        Inferred victims and controllers of the cluster.
    """

    plan: str
    nodes: list[str]
    separated: int
    victims: int
    controllers: int


@dataclass
class ClusterSection:
    """One detected cluster as the report shows it.

    Attributes
    ----------
    cluster_id : str
        Stable cluster id.
    score : float
        Risk score: the weighted sum of the cluster's indicator strengths (see
        :mod:`crimnet.graphs.detect.risk`); higher is more likely exploitation.
    size : int
        Number of people in the cluster.
    reasons : list of str
        The indicators that drove the score, in plain words, strongest first.
    disruption : DataFrame
        Ranked disruption points for this cluster (rank, node_id, label, strategy).
    html_page : str, optional
        Relative link to the interactive subnetwork page.
    png : Path, optional
        Static picture embedded in the report.
    truth : str, optional
        For synthetic cases: what the cluster really is (ring id and typology, or "background").
    roles : DataFrame, optional
        Inferred controllers and victims (node_id, role, evidence), from observable data only.
    people : DataFrame, optional
        Every member: ``node_id``, ``name`` (as in the tables: a pseudonym token when pseudonymised),
        ``role`` and ``evidence`` (empty for members with no inferred role), and ``learned`` (a model's
        perpetrator and victim probabilities in words) when the run was given a model.
    separations : list of Separation
        What acting on some of the cluster's nodes does to its inferred victims, best plan first.
    svg : Path, optional
        The static picture as SVG (same drawing as `png`), for print.
    timeline : DataFrame, optional
        The dated records between the drawn nodes, oldest first (:func:`crimnet.viz.cluster_timeline`:
        date, end, kind, type, src, dst, what, amount, record_ids).
    timeline_png, timeline_svg : Path, optional
        The timeline as a figure.
    learned : (float, str), optional
        The learned cluster score (in [0, 1]) and its reasons in words, when the run was given a model; the
        clusters are then in the order of this score.
    """

    cluster_id: str
    score: float
    size: int
    reasons: list[str]
    disruption: pd.DataFrame
    html_page: str | None = None
    png: Path | None = None
    truth: str | None = None
    roles: pd.DataFrame | None = None
    people: pd.DataFrame | None = None
    separations: list[Separation] = field(default_factory=list)
    svg: Path | None = None
    timeline: pd.DataFrame | None = None
    timeline_png: Path | None = None
    timeline_svg: Path | None = None
    learned: tuple[float, str] | None = None


@dataclass
class ReportInputs:
    """Everything a run report shows; each part is optional except the configuration.

    Attributes
    ----------
    config : mapping
        The run's parameters, shown as they are.
    title : str
        Page title and heading.
    case : str, optional
        The case the tables belong to (:attr:`crimnet.tables.CanonicalTables.case`).
    created : datetime, optional
        When the run was made (shown in UTC).
    versions : mapping of str to str, optional
        Software versions; default :func:`versions` of this process.
    names : mapping of str to str, optional
        Display name of each vertex name ``'<Label>:<id>'`` (a person's name, an address line...).
        Ids without a name are shown as they are.
    ingest_summary, graph_counts, clusters, disruption_summary, disruption_curves_png
        The sources read, the table sizes, the top clusters, the strategies compared and their curves' figure.
    disruption_curves : DataFrame, optional
        The robustness curves (strategy, k, fraction_removed, lcc_fraction, victims_reachable_fraction),
        to say what budget has an effect.
    detection_evaluation, watch_matches, timings
        Detection against the planted truth, watch-rule matches and seconds per stage.
    gnn_scores : DataFrame, optional
        Learned scores (:func:`crimnet.gnn.workflow.score`): clusters with ``gnn_score`` or nodes with ``score``.
    gnn_people : DataFrame, optional
        The people a model puts forward (:attr:`crimnet.gnn.apply.LearnedScores.people`: ``node_id``,
        ``cluster_id``, ``p_perpetrator``, ``p_victim``, ``role``, ``neighbours``, ``relations``,
        ``saliency``), shown with the adjacent entities behind their score in words.
    prevalence : PrevalenceEstimate, optional
        A multiple systems estimate of the hidden population (:func:`crimnet.prevalence.estimate.estimate_case`).
    true_victims : (int, int), optional
        For a generated case: how many victims it holds and how many of them a list recorded
        (``truth/victim_lists.csv``), shown beside the estimate.
    """

    config: Mapping[str, Any]
    title: str = "crimnet run report"
    ingest_summary: pd.DataFrame | None = None
    graph_counts: Mapping[str, int] | None = None
    clusters: list[ClusterSection] = field(default_factory=list)
    disruption_summary: pd.DataFrame | None = None
    disruption_curves_png: Path | None = None
    detection_evaluation: pd.DataFrame | None = None
    watch_matches: pd.DataFrame | None = None
    timings: Mapping[str, float] | None = None
    case: str | None = None
    created: datetime.datetime | None = None
    versions: Mapping[str, str] | None = None
    names: Mapping[str, str] | None = None
    disruption_curves: pd.DataFrame | None = None
    gnn_scores: pd.DataFrame | None = None
    gnn_people: pd.DataFrame | None = None
    prevalence: PrevalenceEstimate | None = None
    true_victims: tuple[int, int] | None = None


VERSIONED = ("igraph", "ladybug", "falkordb", "pandas", "numpy", "scipy", "pyvis", "matplotlib", "torch",
             "torch-geometric", "scikit-learn", "statsmodels")  # fmt: skip
"""Distributions whose versions the report lists when installed, after crimnet and Python."""

STRATEGY_NAMES: dict[str, str] = {
    "random": "At random",
    "degree": "Most links first",
    "degree_adaptive": "Most links first, recounted",
    "pagerank": "Highest PageRank first",
    "collective_influence": "Collective influence",
    "corehd": "CoreHD",
    "articulation": "Cut vertices first",
    "gnd": "Cheapest spectral cuts (GND)",
    "non_person": "No arrests",
    "victim_controller_cut": "Victim-controller cut (planted truth)",
    "detected_cut": "Victim-controller cut (inferred roles)",
    "learned_cut": "Victim-controller cut (learned roles)",
    "learned_score": "Highest learned perpetrator probability first",
    "betweenness": "Most on shortest paths first",
    "betweenness_adaptive": "Most on shortest paths first, recomputed",
    "pagerank_adaptive": "Highest PageRank first, recomputed",
    "katz": "Highest Katz centrality first",
    "katz_adaptive": "Highest Katz centrality first, recomputed",
    "decycling_reinsertion": "Break every loop, then put back",
    "gndr": "Cheapest spectral cuts, then put back (GNDR)",
}
"""Each disruption strategy's short name; the code name follows in brackets in the report's table."""

STRATEGY_TEXTS: dict[str, str] = {
    "random": "nodes removed in a random order: the baseline every other strategy must beat.",
    "degree": "the nodes with the most links first.",
    "degree_adaptive": "the node with the most links first, the links recounted after each removal.",
    "pagerank": "the nodes that the most well-linked nodes link to first.",
    "collective_influence": "the nodes whose removal fragments their neighbourhood most (Morone and Makse 2015).",
    "corehd": "the most linked nodes of the network's 2-core first, until no loop is left (Zdeborova et al. 2016).",
    "articulation": "nodes whose removal splits a group in two (cut vertices) first.",
    "gnd": (
        "the cheapest set of nodes that cuts the largest group in two along its spectral split, again and again, "
        "people costing more than phones or accounts (generalized network dismantling, Ren et al. 2019)."
    ),
    "non_person": "phones, accounts, addresses, vehicles and businesses only: what can be done without an arrest.",
    "victim_controller_cut": (
        "the fewest nodes that cut every victim off from their controllers, computed from the planted truth: "
        "a bound for the others, not a plan an investigation can follow."
    ),
    "detected_cut": (
        "the same cut between the victims and controllers inferred in this run's top clusters: "
        "what an investigation can do without knowing the truth."
    ),
    "learned_cut": (
        "the same cut weighted by a trained model's role probabilities in every cluster (a victim-controller pair "
        "counts as p(victim) x p(controller), times the learned cluster score; the evidence's roles count as "
        "certain): cuts and people first where the most expected pairs part per unit of effort, then the people "
        "the model finds most likely to be perpetrators."
    ),
    "learned_score": "the people a trained model finds most likely to be perpetrators first.",
    "betweenness": "the nodes on the most shortest paths between others first.",
    "betweenness_adaptive": "the node on the most shortest paths between others first, recomputed after each removal.",
    "pagerank_adaptive": "the node with the highest PageRank first, recomputed after each removal.",
    "katz": "the nodes reached by the most walks, shorter walks counting more (Katz centrality), first.",
    "katz_adaptive": "the node with the highest Katz centrality first, recomputed after each removal.",
    "decycling_reinsertion": (
        "the nodes that break every loop first (min-sum decycling), then the removed nodes that do not regrow "
        "the largest group put back (Braunstein et al. 2016)."
    ),
    "gndr": "the GND removals, then those that do not regrow the largest group put back (Ren et al. 2019).",
}
"""What each disruption strategy removes first, in a sentence."""

HEADERS: dict[str, str] = {
    "strategy": "Strategy",
    "r_index": "R-index (lower is better)",
    "r_index_budget": "R-index within the budget (lower is better)",
    "budget": "Nodes removed at the budget",
    "cost_at_budget": "Cost of those removals",
    "lcc_fraction_at_budget": "Largest group left (share of the graph)",
    "reachability_at_budget": "Victim-controller pairs still connected",
    "seconds": "Seconds",
    "uses_ground_truth": "Uses the planted truth",
    "rank": "Rank",
    "node_id": "Id",
    "label": "Kind",
    "name": "Name",
    "role": "Role",
    "evidence": "Evidence",
    "lcc_fraction_after": "Largest group left after acting on ranks 1 to this (share of the neighbourhood)",
    "rows_loaded": "Rows loaded",
    "rows_quarantined": "Rows quarantined",
    "gnn_score": "Learned score",
    "part_of": "Part of cluster (fragments of one structure, crimnet.gnn.fragments)",
    "fragment": "Fragment of a higher-ranked cluster",
    "learned": "Learned probabilities",
    "perpetrator": "Perpetrator probability (learned)",
    "victim": "Victim probability (learned)",
    "linked to": "Linked to (what raised the probability)",
    "reasons": "Why (learned)",
    "score": "Score",
    "cluster_id": "Cluster",
    "method": "Method",
    "precision_at_k": "Top clusters that hold a ring (precision at k)",
    "ring_recall": "Rings found in any cluster",
    "ring_recall_at_k": "Rings found in the top clusters",
    "node_ap": "Average precision of people's risk scores",
    "nmi": "Agreement with the rings (NMI)",
    "ari": "Agreement with the rings (ARI)",
    "n_clusters": "Clusters",
    "n_rings": "Planted rings",
}
"""Column headers in words; other columns are shown with their underscores as spaces."""

MEASURES: tuple[tuple[str, str], ...] = (
    (
        "R-index",
        "Remove the nodes one at a time in the strategy's order and, after each removal, note the share of the "
        "whole graph still in its largest connected group; the R-index is the average of those shares over the "
        "whole order. It is at most about 0.5; lower is better (the network falls apart sooner).",
    ),
    (
        "R-index within the budget",
        "The same average over the removals the budget allows only, from 0 to 1; lower is better, and near 1 "
        "means the budget barely dents the network.",
    ),
    (
        "Largest group left",
        "The share of all nodes still in the largest connected group after the budget's removals; lower is "
        "better, and near 100% means the network as a whole is intact.",
    ),
    (
        "Victim-controller pairs still connected",
        "Of the victim-controller pairs (the planted truth in a synthetic case), the share whose two people are "
        "still linked by some path after the removals; 0% means every victim is cut off from their controllers. "
        "Lower is better.",
    ),
    (
        "Cost of those removals",
        "The effort of the removals in units: acting on a person (an arrest) costs more than closing an account or "
        "cutting off a phone (the costs are listed below the table). Strategies are compared at the same number "
        "of nodes.",
    ),
)
"""The disruption measures explained, as the report shows them."""

_EVALUATION_NOTE = (
    "<p>How well each method's clusters match the rings planted in this generated case. The top clusters are the "
    "k reported above; shares run from 0 to 1, higher is better; the two agreement measures compare the cluster "
    "of each ring member with their ring (1: the same grouping, 0: no better than chance).</p>"
)

_VERBS = {
    "Person": ("arresting", "person", "people"),
    "Phone": ("cutting off", "phone", "phones"),
    "Account": ("freezing", "account", "accounts"),
    "Address": ("searching", "address", "addresses"),
    "Business": ("closing", "business", "businesses"),
    "Vehicle": ("seizing", "vehicle", "vehicles"),
}

_PLURAL_NOUNS = {
    "times": "time", "members": "member", "others": "other", "calls": "call", "adults": "adult", "people": "person",
    "phones": "phone", "addresses": "address", "accounts": "account", "vehicles": "vehicle", "names": "name",
    "years": "year", "days": "day", "victims": "victim", "controllers": "controller", "businesses": "business",
    "reads": "read", "sightings": "sighting", "payments": "payment", "records": "record",
}  # fmt: skip
_ONE_PLURAL = re.compile(
    r"(?<![\d.,])\b1 ((?:other |different |family |more )*)(" + "|".join(_PLURAL_NOUNS) + r")\b('?)"
)


def versions() -> dict[str, str]:
    """Return the versions of crimnet, Python and each installed distribution of :data:`VERSIONED`.

    Returns
    -------
    dict of str to str
        Name to version, crimnet and python first.
    """
    found = {"crimnet": __version__, "python": platform.python_version()}
    for dist in VERSIONED:
        try:
            found[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            continue
    return found


def singular_counts(text: str) -> str:
    """Return `text` with a count of one followed by its singular noun ('seen 1 times' -> 'seen 1 time').

    Parameters
    ----------
    text : str
        A sentence, such as an indicator's reason.

    Returns
    -------
    str

    Examples
    --------
    >>> singular_counts("seen 1 times at the homes of 1 members; 11 members, 1.5 others")
    'seen 1 time at the homes of 1 member; 11 members, 1.5 others'
    >>> singular_counts("from 1 members' accounts, with 1 other members")
    "from 1 member's accounts, with 1 other member"
    """
    check_type(text, str, param="text", func="singular_counts", expected="a str")

    def one(m: re.Match[str]) -> str:
        possessive = "'s" if m.group(3) else ""
        return f"1 {m.group(1)}{_PLURAL_NOUNS[m.group(2)]}{possessive}"

    return _ONE_PLURAL.sub(one, text)


def write_report(inputs: ReportInputs, path: str | Path) -> Path:
    """Render `inputs` as one self-contained HTML file at `path` and return the path.

    Numbers are shown as computed; no section is invented when its input is
    missing (the section is left out and the contents list says so).

    Parameters
    ----------
    inputs : ReportInputs
        What to show.
    path : str or Path
        The HTML file written (its folder is created).

    Returns
    -------
    Path
    """
    check_type(inputs, ReportInputs, param="inputs", func="write_report", expected="a ReportInputs")
    names = _Namer(inputs.names or {})
    sections: list[tuple[str, str, str]] = []  # (anchor, heading, body)
    left_out: list[str] = []

    def add(anchor: str, heading: str, body: str | None, missing: str) -> None:
        if body is None:
            left_out.append(missing)
        else:
            sections.append((anchor, heading, body))

    add("summary", "In brief", _brief(inputs, names), "a summary (no cluster or disruption result)")
    add(
        "clusters",
        "Likely perpetrator clusters",
        "".join(_cluster(c, i + 1, names) for i, c in enumerate(inputs.clusters)) if inputs.clusters else None,
        "clusters (none detected)",
    )
    add("disruption", "Disruption strategies compared", _disruption(inputs), "the disruption comparison")
    add(
        "gnn",
        "Learned scores (GNN)",
        _gnn(inputs.gnn_scores, names, inputs.gnn_people),
        "learned scores (no GNN model was given)",
    )
    hidden = _prevalence(inputs.prevalence, inputs.true_victims)
    add("prevalence", "How many are not seen", hidden, "a prevalence estimate (not run)")
    evaluation = inputs.detection_evaluation
    add(
        "evaluation",
        "Detection against ground truth",
        _EVALUATION_NOTE + _table(evaluation) if evaluation is not None else None,
        "detection against ground truth (no truth given)",
    )
    if inputs.watch_matches is not None:
        body = _table(inputs.watch_matches) if len(inputs.watch_matches) else "<p>No new matches.</p>"
        add("watch", "Watch rules: new matches", body, "")
    if inputs.ingest_summary is not None:
        summary = inputs.ingest_summary.drop(columns=["sha256"], errors="ignore")  # merge bookkeeping
        add("sources", "Sources ingested", _table(summary), "")
    if inputs.graph_counts:
        counts = pd.DataFrame({"table": list(inputs.graph_counts), "rows": list(inputs.graph_counts.values())})
        add("graph", "Graph", _table(counts), "")
    if inputs.timings:
        total = sum(inputs.timings.values())
        stages = pd.DataFrame(
            {"stage": list(inputs.timings), "seconds": [round(v, 2) for v in inputs.timings.values()]}
        )
        add("run", "Run", _table(stages) + f"<p>Total {total:.1f} s.</p>", "")
    add("configuration", "Configuration", _configuration(inputs), "")

    toc = "".join(f"<li><a href='#{a}'>{_e(h)}</a></li>" for a, h, _ in sections)
    missing = [m for m in left_out if m]
    not_here = f"<p class='meta'>Not in this report: {_e('; '.join(missing))}.</p>" if missing else ""
    body = "".join(f"<section id='{a}'><h2>{_e(h)}</h2>{b}</section>" for a, h, b in sections)
    page = (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{_e(inputs.title)}</title><style>{_CSS}</style></head><body>"
        f"<header><h1>{_e(inputs.title)}</h1>{_meta(inputs)}</header>"
        f"<nav id='contents' aria-label='Contents'><h2>Contents</h2><ol>{toc}</ol>{not_here}</nav>"
        f"<main>{body}</main></body></html>"
    )
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page, encoding="utf-8")
    return out


class _Namer:
    """Display names of vertex names; ids without one are shown without their label prefix."""

    def __init__(self, names: Mapping[str, str]) -> None:
        self.names = names

    def __call__(self, node: object, label: str = "Person") -> str:
        key = str(node)
        if key in self.names:
            return self.names[key]
        if f"{label}:{key}" in self.names:
            return self.names[f"{label}:{key}"]
        return key.split(":", 1)[1] if ":" in key and key.split(":", 1)[0] in _VERBS else key

    def label(self, node: object) -> str:
        key = str(node)
        return key.split(":", 1)[0] if ":" in key and key.split(":", 1)[0] in _VERBS else "Person"


def _meta(inputs: ReportInputs) -> str:
    bits = []
    if inputs.case:
        bits.append(f"Case <b>{_e(inputs.case)}</b>")
    if inputs.created is not None:
        when = inputs.created.astimezone(datetime.UTC) if inputs.created.tzinfo else inputs.created
        bits.append(f"run {_e(when.strftime('%d %B %Y, %H:%M'))}{' UTC' if inputs.created.tzinfo else ''}")
    bits.append(f"crimnet {_e(__version__)}")
    return f"<p class='meta'>{' · '.join(bits)}</p>"


def _brief(inputs: ReportInputs, names: _Namer) -> str | None:
    items = []
    if inputs.clusters:
        c = inputs.clusters[0]
        by = "first by the learned cluster score" if c.learned is not None else "highest-scoring"
        score = f"score {c.score:.2f}"
        score = f"learned score {c.learned[0]:.2f}, rule {score}" if c.learned is not None else score
        items.append(
            f"{len(inputs.clusters)} cluster{'s' if len(inputs.clusters) != 1 else ''} reported; the {by}, "
            f"<a href='#cluster-{_e(c.cluster_id)}'>cluster {_e(c.cluster_id)}</a>, has {c.size} "
            f"{'person' if c.size == 1 else 'people'} ({score})."
        )
        for c in inputs.clusters:
            if c.separations:
                items.append(f"Cluster {_e(c.cluster_id)}: {_separation_text(c.separations[0], names)}")
    budget = _budget_text(inputs)
    if budget:
        items.append(budget)
    return "<ul class='brief'>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>" if items else None


def _cluster(c: ClusterSection, rank: int, names: _Namer) -> str:
    reasons = "".join(f"<li>{_e(singular_counts(r))}</li>" for r in c.reasons) or "<li>no indicator fired</li>"
    learned = f"learned score {c.learned[0]:.2f}, rule " if c.learned is not None else ""
    head = (
        f"<h3 id='cluster-{_e(c.cluster_id)}'>{rank}. Cluster {_e(c.cluster_id)}: {learned}score {c.score:.2f}, "
        f"{c.size} {'person' if c.size == 1 else 'people'}</h3>"
    )
    if c.learned is not None:  # the order of the clusters: say why, before the rules' reasons
        why = c.learned[1] or "no feature raised it"
        head += f"<p class='learned'>Learned cluster score {c.learned[0]:.2f}: {_e(why)}.</p>"
    truth = f"<p class='truth'>Ground truth: {_e(c.truth)}</p>" if c.truth else ""
    link = (
        f"<p><a class='open' href='{_e(c.html_page)}'>Open the interactive subnetwork of cluster {_e(c.cluster_id)}</a>"
        "</p>"
        if c.html_page
        else ""
    )
    drawing = c.png or c.svg
    pictures = _img(drawing, f"drawing of cluster {c.cluster_id}") if drawing is not None else ""
    people = _people(c, names)
    roles = ""
    if people is None and c.roles is not None and len(c.roles):
        shown = c.roles.assign(name=[names(n) for n in c.roles["node_id"]])[["name", "role", "evidence", "node_id"]]
        roles = f"<p>Inferred roles (from the evidence above, not confirmed):</p>{_table(shown)}"
    advice = "".join(f"<p class='advice'>{_separation_text(s, names)}</p>" for s in c.separations)
    cut = "<p>No disruption point found.</p>"
    if len(c.disruption):
        d = c.disruption.head(10)
        shown = pd.DataFrame(
            {
                "rank": d["rank"],
                "name": [names(n) for n in d["node_id"]],
                "label": d["label"] if "label" in d else [names.label(n) for n in d["node_id"]],
            }
        )
        if "lcc_fraction_after" in d:
            shown["lcc_fraction_after"] = [f"{v:.0%}" for v in d["lcc_fraction_after"]]
        how = STRATEGY_TEXTS.get(str(d["strategy"].iloc[0]), "") if "strategy" in d else ""
        cut = (f"<p class='meta'>Ranked by the strategy that removes {_e(how)}</p>" if how else "") + _table(shown)
    events = _timeline(c)
    return (
        f"<article class='cluster'>{head}{truth}<h4>Why</h4><ul>{reasons}</ul>{people or roles}{events}{link}"
        f"{pictures}<h4>Where to cut first</h4>{advice}{cut}</article>"
    )


def _timeline(c: ClusterSection, rows: int = 15) -> str:
    """The cluster's timeline: its figure and its first `rows` records in words (the page lists them all)."""
    figure = c.timeline_svg or c.timeline_png
    picture = _img(figure, f"timeline of cluster {c.cluster_id}") if figure is not None else ""
    t = c.timeline
    if t is None or not len(t):
        return f"<h4>Timeline</h4>{picture}" if picture else ""
    shown = pd.DataFrame({"date": t["date"].astype(str)})
    if "end" in t and (t["end"].fillna("").astype(str) != "").any():
        shown["until"] = t["end"].fillna("").astype(str)
    shown["what"] = t["what"].astype(str) if "what" in t else t["type"].astype(str)
    if "amount" in t and t["amount"].notna().any():
        shown["amount"] = [f"{v:,.2f}" if pd.notna(v) else "" for v in t["amount"]]
    more = len(t) - rows
    tail = f"<p class='meta'>And {more:,} more on the cluster's page.</p>" if more > 0 else ""
    return f"<h4>Timeline</h4>{picture}{_table(shown.head(rows))}{tail}"


def _people(c: ClusterSection, names: _Namer) -> str | None:
    """The members with names and roles, controllers then victims then the rest (None without a member list)."""
    people = c.people
    if not isinstance(people, pd.DataFrame) or not len(people):
        return None
    df = people.copy()
    if "name" not in df and "node_id" in df:
        df["name"] = [names(n) for n in df["node_id"]]
    if "role" in df:
        order = {"controller": 0, "victim": 1}
        df = df.assign(_o=df["role"].map(order).fillna(2)).sort_values(["_o", "name"], kind="stable")
        df["role"] = df["role"].fillna("").replace({"other": ""})
    cols = [col for col in ("name", "role", "evidence", "learned", "node_id") if col in df]
    note = "<p>Inferred roles of the members (from the evidence above, not confirmed):</p>"
    if "role" in df and not (df["role"] != "").any():
        note = "<p>Members (no role could be inferred):</p>"
        cols = [col for col in cols if col not in ("role", "evidence")]
    return note + _table(df[cols].reset_index(drop=True))


def _separation_text(s: Separation, names: _Namer) -> str:
    """'Arresting A and B and cutting off phone X separates 14 of 15 inferred victims from their controllers.'"""
    by_label: dict[str, list[str]] = {}
    for node in s.nodes:
        by_label.setdefault(names.label(node), []).append(names(node))
    acts = []
    for label, shown in by_label.items():
        verb, one, many = _VERBS.get(label, ("acting on", "node", "nodes"))
        kind = "" if label == "Person" else f"{one if len(shown) == 1 else many} "
        acts.append(f"{verb} {kind}{_and(['<b>' + _e(n) + '</b>' for n in shown])}")
    first = _and(acts)
    first = first[:1].upper() + first[1:]
    n = s.victims
    whom = "their inferred controller" + ("s" if s.controllers != 1 else "")
    if s.separated == 0:
        share = "none of the inferred victims"
    elif s.separated == n:
        share = "the inferred victim" if n == 1 else f"all {n} inferred victims"
    else:
        share = f"{s.separated} of the {n} inferred victims"
    return f"{first} separates {share} from {whom} ({_e(s.plan)})."


def _and(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _disruption(inputs: ReportInputs) -> str | None:
    summary = inputs.disruption_summary
    if summary is None:
        return None
    shown = summary.drop(columns=["seconds"], errors="ignore").copy()
    shown["strategy"] = [f"{_strategy(code)} ({code})" for code in shown["strategy"].astype(str)]
    for col in ("lcc_fraction_at_budget", "reachability_at_budget"):
        if col in shown:
            shown[col] = [f"{v:.0%}" if pd.notna(v) else "not known" for v in shown[col]]
    if "uses_ground_truth" in shown:
        shown["uses_ground_truth"] = shown["uses_ground_truth"].map({True: "yes", False: "no"})
    body = ""
    budget = _budget_text(inputs)
    if budget:
        body += f"<p class='advice'>{budget}</p>"
    body += _table(shown)
    oracle = summary.get("uses_ground_truth", pd.Series(dtype=bool)).astype(bool)
    if oracle.any():
        strategy_names = ", ".join(summary.loc[oracle.to_numpy(), "strategy"].astype(str))
        body += (
            f"<p>{_e(strategy_names)}: ranked from the planted victim/controller labels themselves "
            "(uses_ground_truth), "
            "a bound for the other strategies, not something an investigation can run.</p>"
        )
    glossary = "".join(f"<dt>{_e(term)}</dt><dd>{_e(text)}</dd>" for term, text in MEASURES)
    costs = ", ".join(f"{label.lower()} {cost:g}" for label, cost in DEFAULT_COSTS.items())
    body += f"<h3>What the measures mean</h3><dl class='measures'>{glossary}</dl><p>Costs per node: {_e(costs)}.</p>"
    strategies = "".join(
        f"<dt>{_e(_strategy(code))} ({_e(code)})</dt><dd>{_e(STRATEGY_TEXTS.get(str(code), ''))}</dd>"
        for code in summary["strategy"].astype(str)
    )
    body += f"<h3>The strategies</h3><dl class='measures'>{strategies}</dl>"
    if inputs.disruption_curves_png is not None:
        body += _img(inputs.disruption_curves_png, "robustness curves: largest group and victim-controller pairs left")
    return body


def _budget_text(inputs: ReportInputs) -> str | None:
    """What the budget does, plainly: whether the network as a whole breaks, and a budget that breaks it."""
    summary = inputs.disruption_summary
    if summary is None or not len(summary) or "lcc_fraction_at_budget" not in summary:
        return None
    fair = summary[~summary.get("uses_ground_truth", pd.Series(False, index=summary.index)).astype(bool)]
    fair = fair if len(fair) else summary
    k = int(fair["budget"].iloc[0])
    best = fair.sort_values("lcc_fraction_at_budget", kind="stable").iloc[0]
    n = _graph_size(inputs.disruption_curves, k)
    of_n = f" ({k / n:.1%} of the {n:,} nodes)" if n else ""
    lcc = float(best["lcc_fraction_at_budget"])
    text = (
        f"At the budget of {k} node{'s' if k != 1 else ''}{of_n}, the best strategy for breaking the network "
        f"({_e(_strategy(best['strategy']).lower())}) leaves {lcc:.0%} of it "
        "in one connected group"
    )
    text += ": at this budget the network as a whole stays connected, almost nothing breaks." if lcc >= 0.8 else "."
    curves = inputs.disruption_curves
    if lcc > 0.5 and curves is not None and len(curves):
        halves = curves[curves["lcc_fraction"] <= 0.5].sort_values(["k"], kind="stable")
        firsts = halves.groupby("strategy", sort=False)["k"].min().sort_values(kind="stable")
        firsts = firsts[[s for s in firsts.index if s in set(fair["strategy"].astype(str))]]
        if len(firsts):
            name, need = str(firsts.index[0]), int(firsts.iloc[0])
            share = f" ({need / n:.0%} of the graph)" if n else ""
            text += (
                f" A budget that has an effect: removing {need:,} nodes{share} in the order of "
                f"{_e(_strategy(name).lower())} halves the largest group."
            )
    reach = fair.dropna(subset=["reachability_at_budget"]) if "reachability_at_budget" in fair else fair.iloc[:0]
    if len(reach):
        cut = reach.sort_values("reachability_at_budget", kind="stable").iloc[0]
        text += (
            f" What the same budget does achieve: {_e(_strategy(cut['strategy']).lower())} "
            f"leaves {float(cut['reachability_at_budget']):.0%} of the victim-controller pairs connected"
        )
        rnd = reach[reach["strategy"] == "random"]
        text += (
            f", against {float(rnd['reachability_at_budget'].iloc[0]):.0%} when the same number are removed at random."
            if len(rnd)
            else "."
        )
    return text


def _strategy(code: object) -> str:
    return STRATEGY_NAMES.get(str(code), str(code))


def _graph_size(curves: pd.DataFrame | None, k: int) -> int | None:
    """The number of nodes of the graph, read back from a curve (k / fraction_removed)."""
    if curves is None or not len(curves):
        return None
    row = curves[curves["k"] > 0].head(1)
    return round(float(row["k"].iloc[0]) / float(row["fraction_removed"].iloc[0])) if len(row) else None


def _gnn(scores: pd.DataFrame | None, names: _Namer, people: pd.DataFrame | None = None) -> str | None:
    if scores is None and people is None:
        return None
    parts = [
        "<p>Scores learned from labelled cases (crimnet train); higher is more like the exploitation seen "
        "in training. A second opinion beside the rule score, not evidence in itself.</p>"
    ]
    if people is not None and len(people):
        parts.append(
            "<h3>People the model puts forward</h3><p>By the learned probability of being a controller, recruiter "
            "or facilitator, with the entities directly linked to each that raised it most (their share of the "
            "push in brackets).</p>" + _table(_learned_people(people, names))
        )
    if scores is not None and len(scores):
        shown = scores.head(20).copy()
        if "node_id" in shown and "name" not in shown:
            shown.insert(0, "name", [names(n) for n in shown["node_id"]])
        keep = [c for c in shown.columns if c not in ("members", "neighbours", "indicators", "method")]
        parts.append("<h3>Clusters by the learned cluster score</h3>" + _table(shown[keep]))
    elif scores is not None:
        parts.append("<p>No cluster was ranked (the model has no cluster ranker, or no cluster was found).</p>")
    return "".join(parts)


def _learned_people(people: pd.DataFrame, names: _Namer) -> pd.DataFrame:
    """The people a model puts forward, with their explanation in words: named entities, not ids."""

    def words(nodes: Sequence[str], relations: Sequence[str], saliency: Sequence[float]) -> str:
        total = sum(saliency) or 1.0
        return "; ".join(
            f"{_VERBS.get(names.label(n), ('', 'entity', ''))[1]} {names(n)} "
            f"({rel.removeprefix('rev_').replace('_', ' ').lower()}, {v / total:.0%})"
            for n, rel, v in zip(nodes, relations, saliency, strict=True)
        )

    return pd.DataFrame(
        {
            "name": [names(n) for n in people["node_id"]],
            "cluster_id": people["cluster_id"].astype(object).where(people["cluster_id"].notna(), ""),
            "perpetrator": [f"{v:.2f}" for v in people["p_perpetrator"]],
            "victim": [f"{v:.2f}" for v in people["p_victim"]],
            "linked to": [
                words(n, r, v) for n, r, v in zip(people["neighbours"], people["relations"], people["saliency"],
                                                  strict=True)
            ],
            "node_id": people["node_id"].astype(str),
        }
    )  # fmt: skip


def _prevalence(est: PrevalenceEstimate | None, truth: tuple[int, int] | None) -> str | None:
    if est is None:
        return None
    # an interval from the few resamples that gave an estimate says nothing about the many that did not
    credible = not (est.nboot and est.failed * 2 > est.nboot)
    interval = (
        f"{est.lower:,.0f} to {est.upper:,.0f}, {est.level:.0%} interval"
        if credible
        else f"no credible interval: {est.failed} of {est.nboot} bootstrap resamples gave no estimate"
    )
    text = (
        f"<p>{est.observed:,} people were seen by at least one of {len(est.lists)} sources "
        f"({_e(', '.join(est.lists))}). A multiple systems estimate ({_e(est.method)}, model {_e(est.model)}) puts "
        f"the total at about <b>{est.total:,.0f}</b> ({interval}), so about {est.hidden:,.0f} no source saw.</p>"
    )
    if truth is not None:
        total, listed = truth
        covered = f" the true total is {'inside' if est.lower <= total <= est.upper else 'outside'} the interval."
        split = (
            f" The lists' {est.observed:,} people outnumber the {listed:,} victims they hold: records of one victim on "
            "two lists were left apart, which raises the estimate."
            if est.observed > listed
            else ""
        )
        text += (
            f"<p>Planted truth of this generated case: {total:,} victims, {listed:,} of them on a list;"
            f"{covered if credible else ''}{split}</p>"
        )
    caveats = "".join(f"<li>{_e(c)}</li>" for c in est.caveats)
    return text + (f"<p>Keep in mind:</p><ul>{caveats}</ul>" if caveats else "")


def _configuration(inputs: ReportInputs) -> str:
    params = pd.DataFrame({"parameter": list(inputs.config), "value": [_plain(v) for v in inputs.config.values()]})
    found = dict(inputs.versions) if inputs.versions is not None else versions()
    soft = pd.DataFrame({"software": list(found), "version": list(found.values())})
    raw = _e(json.dumps(dict(inputs.config), indent=2, default=str))
    return (
        f"<h3>Parameters</h3>{_table(params)}<h3>Versions</h3>{_table(soft)}"
        f"<details><summary>As JSON</summary><pre>{raw}</pre></details>"
    )


def _plain(v: object) -> str:
    if v is None:
        return "none"
    if isinstance(v, list | tuple):
        return ", ".join(str(x) for x in v) if v else "none"
    return str(v)


def _table(df: pd.DataFrame, columns: Sequence[str] | None = None) -> str:
    """`df` as an HTML table; every text cell and column name escaped, quotes included (pandas leaves quotes)."""
    shown = df if columns is None else df[list(columns)]
    shown = shown.copy()
    for col in shown.columns:
        dtype = shown[col].dtype
        if isinstance(dtype, np.dtype) and dtype.kind in "biufcmM":  # numpy numbers, booleans, dates: no markup
            continue
        shown[col] = pd.Series([_cell(v) for v in shown[col].astype(object)], index=shown.index, dtype=object)
    shown.columns = [_e(_header(c)) for c in shown.columns]
    return (
        "<div class='wrap'>"
        + shown.to_html(index=False, border=0, classes="t", float_format=lambda x: f"{x:.3g}", escape=False)
        + "</div>"
    )


def _header(column: object) -> str:
    text = str(column)
    if text in HEADERS:
        return HEADERS[text]
    text = text.replace("_", " ")
    return text[:1].upper() + text[1:]


def _cell(v: object) -> object:
    """A table cell ready for ``to_html(escape=False)``: text escaped; numbers, dates and missing values as they are."""
    if v is pd.NA:
        return _e(v)  # pandas writes it '<NA>'
    if isinstance(v, (numbers.Number, datetime.date, datetime.timedelta, np.datetime64, np.timedelta64)):
        return v
    if pd.api.types.is_scalar(v) and pd.isna(v):
        return v
    return _breakable(str(v))


def _breakable(text: str) -> str:
    """`text` escaped, with line-break opportunities in tokens too long for a table column (paths, URIs, hashes)."""
    return " ".join(
        "<wbr>".join(_e(chunk) for part in _SEPARATED.split(token) for chunk in _chunks(part))
        if len(token) > _LONG
        else _e(token)
        for token in text.split(" ")
    )


def _chunks(part: str) -> list[str]:
    return [part[i : i + _LONG // 2] for i in range(0, len(part), _LONG // 2)] or [part]


_LONG = 40  # characters: a longer token gets break opportunities after its separators and every 20 characters
_SEPARATED = re.compile(r"(?<=[/|:_,.;=&-])")


def _img(picture: str | Path, alt: str) -> str:
    """A PNG or SVG file, or SVG markup, as an image inlined in a data URI (an image runs no script)."""
    if isinstance(picture, str) and picture.lstrip().startswith("<"):
        kind, raw = "svg+xml", picture.encode()
    else:
        kind = "svg+xml" if Path(picture).suffix.lower() == ".svg" else "png"
        raw = Path(picture).read_bytes()
    return f"<img alt='{_e(alt)}' src='data:image/{kind};base64,{base64.b64encode(raw).decode()}'>"


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;max-width:1100px;
margin:2em auto;padding:0 1em;color:#222;line-height:1.4}
h1{margin-bottom:0}h2{border-bottom:1px solid #ddd;padding-bottom:.2em}.meta{color:#555}section{margin-top:2em}
nav ol{columns:2;padding-left:1.5em}
.wrap{max-width:100%}
table.t{border-collapse:collapse;font-size:.9em;max-width:100%;table-layout:auto}
table.t td,table.t th{padding:3px 8px;border-bottom:1px solid #ddd;text-align:left;vertical-align:top;
overflow-wrap:break-word}
table.t th{background:#f3f3f3}
.cluster{border-left:4px solid #e15759;padding-left:1em;margin:1.5em 0}.truth{color:#555;font-style:italic}
.advice{background:#fff7e6;border-left:4px solid #f28e2b;padding:.5em .8em}
dl.measures dt{font-weight:bold;margin-top:.5em}dl.measures dd{margin-left:1.5em}
img{max-width:100%;height:auto}pre{background:#f6f6f6;padding:1em;white-space:pre-wrap;overflow-wrap:anywhere}
@media print{
body{max-width:none;margin:0;padding:0;font-size:10pt;color:#000}
nav{break-after:page}a{color:#000;text-decoration:none}a.open::after{content:" (" attr(href) ")";font-size:.85em}
table.t{font-size:8pt;width:100%}table.t td,table.t th{padding:2px 4px}
thead{display:table-header-group}tr,img,.advice{break-inside:avoid}
h2,h3,h4{break-after:avoid}.cluster{border-left:2px solid #999}details{display:none}
}
"""
