"""The run report's words, computed from small hand-made inputs: names, advice, the budget, headers, optional parts."""

from __future__ import annotations

import dataclasses
import datetime
import re
from html.parser import HTMLParser

import numpy as np
import pandas as pd

from crimnet.prevalence.estimate import PrevalenceEstimate
from crimnet.report import (
    ClusterSection,
    ReportInputs,
    Separation,
    singular_counts,
    versions,
    write_report,
)


class Text(HTMLParser):
    """The page's visible text (scripts and styles left out), its table headers and its element ids."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.headers: list[str] = []
        self.ids: set[str] = set()
        self.hrefs: list[str] = []
        self._skip = False
        self._in_th = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.ids |= {a["id"]} if "id" in a else set()
        self.hrefs += [a["href"]] if tag == "a" and "href" in a else []
        self._skip = tag in ("style", "script")
        self._in_th = tag == "th"
        if self._in_th:
            self.headers.append("")

    def handle_endtag(self, tag):
        self._skip = False
        self._in_th = self._in_th and tag != "th"

    def handle_data(self, data):
        if self._skip:
            return
        self.parts.append(data)
        if self._in_th:
            self.headers[-1] += data

    @property
    def text(self) -> str:
        return re.sub(r"\s+", " ", "".join(self.parts))


def render(tmp_path, **kw) -> Text:
    page = write_report(ReportInputs(config={"seed": 1, "sources": ["a", "b"]}, **kw), tmp_path / "r.html")
    t = Text()
    t.feed(page.read_text(encoding="utf-8"))
    return t


NAMES = {"Person:p1": "ana pop", "Person:p2": "ion rus", "Person:p3": "eva lin", "Account:11:22": "11:22"}


def cluster(**kw) -> ClusterSection:
    base = dict(
        cluster_id="7",
        score=2.5,
        size=3,
        reasons=["vehicle AB12CDE, kept by a member, seen 1 times at the homes of 1 members", "3 adults at 1 address"],
        disruption=pd.DataFrame(
            {
                "rank": [1, 2],
                "node_id": ["Person:p1", "Account:11:22"],
                "label": ["Person", "Account"],
                "strategy": ["betweenness_adaptive"] * 2,
                "lcc_fraction_after": [0.5, 0.25],
            }
        ),  # fmt: skip
        people=pd.DataFrame(
            {"node_id": ["p3", "p1", "p2"], "role": ["victim", "controller", ""], "evidence": ["works", "pays", ""]}
        ),
    )
    return ClusterSection(**{**base, **kw})


def test_members_are_named_and_counts_of_one_are_singular(tmp_path):
    page = render(tmp_path, clusters=[cluster()], names=NAMES)
    text = page.text
    # controllers first, then victims, then the rest; by name, the ids beside them
    assert re.search(r"ana pop controller pays p1 eva lin victim works p3 ion rus p2", text), text
    assert "seen 1 time at the homes of 1 member" in text and "1 times" not in text
    assert "3 adults at 1 address" in text
    # the cut points by name, their kind and the share left, in words
    assert "1 ana pop Person 50% 2 11:22 Account 25%" in text
    assert "cluster-7" in page.ids and "#cluster-7" in page.hrefs


def test_separations_read_as_actions_on_named_people_and_things(tmp_path):
    separations = [
        Separation("the cheapest cut", ["Person:p1", "Person:p2", "Account:11:22"], 14, 15, 2),
        Separation("the first cut points below", ["Person:p3"], 1, 1, 1),
        Separation("a plan", ["Person:p3"], 0, 4, 1),
    ]
    text = render(tmp_path, clusters=[cluster(separations=separations)], names=NAMES).text
    assert (
        "Arresting ana pop and ion rus and freezing account 11:22 separates 14 of the 15 inferred victims from "
        "their inferred controllers (the cheapest cut)." in text
    )
    assert "Arresting eva lin separates the inferred victim from their inferred controller" in text
    assert "separates none of the inferred victims" in text
    # the best plan of each cluster is in the summary too
    assert "Cluster 7: Arresting ana pop and ion rus" in text


def summary_and_curves() -> tuple[pd.DataFrame, pd.DataFrame]:
    summary = pd.DataFrame(
        {
            "strategy": ["random", "degree", "victim_controller_cut", "detected_cut"],
            "r_index": [0.4, 0.2, 0.2, 0.25],
            "r_index_budget": [0.99, 0.97, 0.98, 0.98],
            "budget": [10] * 4,
            "cost_at_budget": [40.0, 30.0, 20.0, 25.0],
            "lcc_fraction_at_budget": [0.99, 0.95, 0.97, 0.97],
            "reachability_at_budget": [0.9, 0.8, 0.0, 0.1],
            "seconds": [0.1] * 4,
            "uses_ground_truth": [False, False, True, False],
        }
    )
    k = np.arange(0, 1001, 10)
    curves = pd.concat(
        [
            pd.DataFrame({"strategy": s, "k": k, "fraction_removed": k / 1000, "lcc_fraction": np.clip(1 - k / d, 0, 1),
                          "victims_reachable_fraction": np.nan})
            for s, d in (("random", 900), ("degree", 400), ("victim_controller_cut", 100), ("detected_cut", 500))
        ]
    )  # fmt: skip
    return summary, curves


def test_a_budget_that_breaks_nothing_is_said_plainly_with_one_that_does(tmp_path):
    summary, curves = summary_and_curves()
    page = render(tmp_path, disruption_summary=summary, disruption_curves=curves)
    text = page.text
    assert "At the budget of 10 nodes (1.0% of the 1,000 nodes)" in text
    assert "most links first) leaves 95% of it in one connected group" in text
    assert "almost nothing breaks" in text
    # degree halves the largest group after 200 nodes (1 - k/400 <= 0.5); the truth-ranked cut is not offered
    assert "removing 200 nodes (20% of the graph) in the order of most links first halves the largest group" in text
    assert "victim-controller cut (inferred roles) leaves 10% of the victim-controller pairs connected" in text
    assert "against 90% when the same number are removed at random" in text
    # the measures explained, the headers in words, the oracle named
    assert "R-index" in text and "lower is better" in text
    assert "Largest group left (share of the graph)" in page.headers
    assert not [h for h in page.headers if "_" in h]
    assert "victim_controller_cut: ranked from the planted victim/controller labels themselves" in text
    assert "Most links first (degree)" in text and "Costs per node: person 10" in text


def test_a_budget_that_breaks_the_network_needs_no_other(tmp_path):
    summary, curves = summary_and_curves()
    summary["lcc_fraction_at_budget"] = [0.9, 0.3, 0.2, 0.4]
    text = render(tmp_path, disruption_summary=summary, disruption_curves=curves).text
    assert "leaves 30% of it in one connected group." in text
    assert "almost nothing breaks" not in text and "A budget that has an effect" not in text


def test_header_contents_and_optional_sections(tmp_path):
    when = datetime.datetime(2026, 12, 7, 8, 5, tzinfo=datetime.UTC)
    estimate = PrevalenceEstimate(
        method="bic", lists=["police", "ngo"], observed=120, model="main effects", terms=[], neg_inf_terms=[],
        total=300.0, hidden=180.0, lower=210.0, upper=480.0, level=0.95, interval="bootstrap", nboot=50, failed=0,
        candidates=pd.DataFrame(), caveats=["lists are assumed independent"],
    )  # fmt: skip
    gnn = pd.DataFrame({"node_id": ["p1", "p2"], "score": [0.9, 0.2]})
    page = render(tmp_path, case="case-01", created=when, prevalence=estimate, gnn_scores=gnn, names=NAMES)
    text = page.text
    assert "Case case-01 · run 07 December 2026, 08:05 UTC" in text
    assert {"gnn", "prevalence", "configuration"} <= page.ids
    assert [h for h in page.hrefs if h.startswith("#")] == ["#gnn", "#prevalence", "#configuration"]
    assert "about 300 (210 to 480, 95% interval), so about 180 no source saw" in text
    assert "lists are assumed independent" in text
    assert "Planted truth" not in text  # only for a generated case
    inside = render(tmp_path, prevalence=estimate, true_victims=(260, 150)).text
    assert (
        "Planted truth of this generated case: 260 victims, 150 of them on a list; the true total is inside" in inside
    )
    assert "outnumber" not in inside  # 120 seen, 150 listed: no sign of split records
    outside = render(tmp_path, prevalence=estimate, true_victims=(500, 100)).text
    assert "the true total is outside the interval" in outside
    assert "The lists' 120 people outnumber the 100 victims they hold" in outside
    # most resamples without an estimate: no interval is shown as if it meant something
    shaky = dataclasses.replace(estimate, failed=148, nboot=200, lower=300.0, upper=300.0)
    text_shaky = render(tmp_path, prevalence=shaky, true_victims=(500, 100)).text
    assert "no credible interval: 148 of 200 bootstrap resamples gave no estimate" in text_shaky
    assert "300 to 300" not in text_shaky and "inside the interval" not in text_shaky
    assert "ana pop p1 0.9" in text  # learned scores by name
    for name, version in versions().items():
        assert f"{name} {version}" in text
    assert {"crimnet", "python", "igraph", "pandas"} <= set(versions())
    # left out: said in the contents, not invented
    bare = render(tmp_path).text
    assert "Not in this report:" in bare and "learned scores" in bare and "a prevalence estimate" in bare


def test_singular_counts_leave_other_numbers_alone():
    assert singular_counts("1 members, 11 members, 2.1 others, 1 other members") == (
        "1 member, 11 members, 2.1 others, 1 other member"
    )


def test_every_registered_disruption_strategy_has_a_name_and_a_sentence_in_the_report():
    from crimnet.graphs.disrupt import strategies
    from crimnet.report import STRATEGY_NAMES, STRATEGY_TEXTS

    registered = set(strategies())
    assert registered - set(STRATEGY_NAMES) == set()
    assert registered - set(STRATEGY_TEXTS) == set()
