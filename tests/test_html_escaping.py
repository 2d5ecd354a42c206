"""Names and addresses holding markup are escaped in every page crimnet writes: the run report and the cluster pages.

People's names, business names, address lines and address ids (which ingest builds from the line) carry a
script element and attribute-breaking quotes. Every page is parsed: it must have exactly the structure (elements
and attribute names) of the same page written from harmless text, so no payload opened an element, an
attribute or a script; and the payloads must be there, escaped, so the check is not vacuous.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from itertools import cycle

import pandas as pd
import pytest

from crimnet.graphs.detect import detect
from crimnet.graphs.detect.roles import infer_roles
from crimnet.graphs.views import hetero_graph
from crimnet.report import ClusterSection, ReportInputs, write_report
from crimnet.tables import CanonicalTables
from crimnet.viz import cluster_subgraph, subnetwork_html
from tests.fixtures import toy_case

PAYLOADS = ("<script>alert(1)</script>", '" onmouseover="x', "'><img src=x onerror=y>")
HARMLESS = ("plain one", "plain two", "plain three")
RAW = ("<script>alert", '" onmouseover="', "'><img", "<img src=x")
"""The payloads' markup as it would appear unescaped (``onmouseover=`` alone is harmless text once its quotes are)."""


class Structure(HTMLParser):
    """The elements of a page, in order, with their attribute names; and the text of its script elements."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, tuple[str, ...]]] = []
        self.scripts: list[str] = []
        self.texts: list[str] = []
        self.attr_values: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, tuple(name for name, _ in attrs)))
        self.attr_values += [value or "" for _, value in attrs]
        self._in_script = tag == "script"
        if self._in_script:
            self.scripts.append("")

    def handle_endtag(self, tag):
        self.tags.append(("/" + tag, ()))
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data
        else:
            self.texts.append(data)


def parse(page: str) -> Structure:
    s = Structure()
    s.feed(page)
    s.close()
    return s


def hostile(tables: CanonicalTables, words: tuple[str, ...]) -> CanonicalTables:
    """`tables` with `words` in every person's and business's name, every address line and every address id."""
    t = CanonicalTables.from_partial({**tables.nodes, **tables.rels})
    persons, addresses, businesses = t.nodes["Person"], t.nodes["Address"], t.nodes["Business"]
    persons["name"] = [f"{w} {n}" for w, n in zip(cycle(words), persons["name"])]
    businesses["name"] = [f"{n} {w}" for w, n in zip(cycle(words), businesses["name"])]
    addresses["line"] = [f"{w} {n}" for w, n in zip(cycle(words), addresses["line"])]
    new_id = {a: f"{a}|{w}" for w, a in zip(cycle(words), addresses["id"])}
    addresses["id"] = addresses["id"].map(new_id)
    for name, rel in t.rels.items():
        if name in ("LIVES_AT", "LOCATED_AT", "SEEN_AT"):
            rel["dst"] = rel["dst"].map(new_id)
    return t


def pages(tables: CanonicalTables, out) -> dict[str, str]:
    """The report and the cluster pages of `tables`, composed as ``crimnet.pipeline.run_case`` composes them."""
    from crimnet.pipeline import cluster_reasons

    detection = detect(tables, seed=0)
    clusters = detection.clusters.sort_values("score", ascending=False).head(3)
    roles = infer_roles(tables, clusters, top=3)
    graph = hetero_graph(tables)
    names = dict(zip("Person:" + tables.nodes["Person"]["id"], tables.nodes["Person"]["name"], strict=True))
    sections, written = [], {}
    for row in clusters.itertuples():
        cid = str(row.cluster_id)
        sub = cluster_subgraph(graph, ["Person:" + str(m) for m in row.members], hops=1)
        notes = {v: f"name: {names[v]}" for v in sub.vs["name"] if v in names}  # a name in every tooltip
        first = names["Person:" + str(row.members[0])]
        page = subnetwork_html(sub, out / "clusters" / f"{cid}.html", title=f"Cluster {cid} of {first}", notes=notes)
        written[f"clusters/{cid}.html"] = page.read_text(encoding="utf-8")
        mine = roles[roles["cluster_id"].astype(str) == cid]
        sections.append(
            ClusterSection(
                cluster_id=cid,
                score=float(row.score),
                size=int(row.size),
                reasons=cluster_reasons(row.indicators)[:6] + [f"lives with {first}"],
                disruption=pd.DataFrame({"rank": [1], "node_id": [sub.vs["name"][0]], "label": ["Address"]}),
                html_page=f"clusters/{cid}.html",
                truth=f"ring of {first}",
                roles=mine.assign(name=mine["node_id"].map(lambda p: names.get("Person:" + str(p))))[
                    ["node_id", "name", "role", "evidence"]
                ],
            )
        )
    people = tables.nodes["Person"][["id", "name"]].head(5)
    inputs = ReportInputs(
        config={"note": f"case of {people['name'].iloc[0]}"},
        title=f"report on {people['name'].iloc[0]}",
        ingest_summary=people,
        clusters=sections,
        watch_matches=tables.nodes["Address"][["id", "line"]].head(5),
    )
    written["report.html"] = write_report(inputs, out / "report.html").read_text(encoding="utf-8")
    return written


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    tables, _ = toy_case(n_families=60, n_rings=2)
    base = tmp_path_factory.mktemp("escaping")
    bad, good = pages(hostile(tables, PAYLOADS), base / "bad"), pages(hostile(tables, HARMLESS), base / "good")
    assert bad.keys() == good.keys() and len(bad) >= 3
    return bad, good


def test_report_escapes_names_and_addresses(written):
    bad, good = written
    page = bad["report.html"]
    assert parse(page).tags == parse(good["report.html"]).tags  # no element or attribute came from the data
    assert not any(raw in page for raw in RAW), [raw for raw in RAW if raw in page]
    text = " ".join(parse(page).texts)
    for payload in PAYLOADS:  # the payloads are in the page, as text
        assert payload in text, payload
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "&quot; onmouseover=&quot;x" in page
    assert "&#x27;&gt;&lt;img src=x onerror=y&gt;" in page


def test_cluster_pages_escape_names_and_addresses(written):
    bad, good = written
    for name in (n for n in bad if n.startswith("clusters/")):
        page = bad[name]
        s, g = parse(page), parse(good[name])
        assert s.tags == g.tags, name  # the same elements: no payload closed the script or opened an element
        assert len(s.scripts) == len(g.scripts)
        # node data is JSON inside a script: '<' is written \u003c there, so '</script>' cannot close it
        data = [x for x in s.scripts if "new vis.DataSet(" in x]
        assert len(data) == 1, name
        assert "<" not in data[0] and ">" not in data[0]
        nodes = json.loads(re.search(r"nodes = new vis\.DataSet\((\[.*?\])\);", data[0], re.S).group(1))
        tips = " ".join(n["title"] for n in nodes) + " " + " ".join(n["label"] for n in nodes)
        assert any(p in tips for p in PAYLOADS), name  # the names and addresses are there, decoded
        # outside the scripts nothing raw: the heading holds the title, escaped
        outside = re.sub(r"<script\b.*?</script>", "", page, flags=re.S | re.I)
        assert not any(raw in outside for raw in RAW), name
        assert "&lt;script&gt;" in page or "&quot;" in page or "&#x27;" in page, name


def test_report_tables_escape_every_kind_of_column(tmp_path):
    """Text, categorical, list and nullable columns are escaped; numbers keep their format; '<NA>' is text."""
    table = pd.DataFrame(
        {
            PAYLOADS[1]: [PAYLOADS[0], None],  # a column name too
            "kind": pd.Categorical([PAYLOADS[2], "x"]),
            "ids": [[PAYLOADS[0]], []],
            "count": pd.array([3, None], dtype="Int64"),
            "flag": pd.array([True, None], dtype="boolean"),
            "share": [0.123456, float("nan")],
            "name": pd.array([PAYLOADS[1], pd.NA], dtype="string"),
        }
    )
    page = write_report(ReportInputs(config={}, watch_matches=table), tmp_path / "r.html").read_text()
    assert not any(raw in page for raw in RAW) and "<NA>" not in page
    cells = [t for t in parse(page).texts if t.strip()]
    for text in (*PAYLOADS, str([PAYLOADS[0]]), "<NA>", "0.123", "3", "True"):
        assert text in cells, text
