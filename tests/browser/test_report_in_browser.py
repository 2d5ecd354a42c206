"""The run report and the cluster pages of a small run, opened in headless Chromium (Debian's package).

One run of a generated case (400 people, the demo's pipeline, 3 clusters drawn) is built for the module.
Every page is opened offline: any request that is not for a file is recorded and refused, and a JavaScript
error or a console error fails the test. Screenshots (and a PDF of the report printed with its print
stylesheet) are saved as artefacts, in ``$CRIMNET_ARTEFACTS`` or a pytest temporary folder; their paths
are printed (``pytest -s``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from crimnet.gnn.workflow import train
from crimnet.graphs.views import hetero_graph
from crimnet.pipeline import run_case
from crimnet.synthetic import generate_case
from crimnet.tables import CanonicalTables
from tests.browser.offline import Visit, visit

A4_PRINTABLE_PX = 718  # an A4 page less 1.5 cm margins, at the 96 px per inch a browser prints with


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    base = tmp_path_factory.mktemp("browser")
    case = generate_case(base / "case", people=400, seed=3).root
    specs = case / "specs" if (case / "specs").is_dir() else None
    out = base / "run"
    # a tiny role model of two other towns, so the report holds its learned-scores section as make demo's does
    towns = [generate_case(base / f"town{s}", people=300, seed=s).root for s in (31, 32)]
    train([towns[0]], base / "model", valid=[towns[1]], hidden=8, epochs=3, patience=2, batch_size=256)
    # the demo's run with its top 3 clusters drawn, not 5: drawing is most of a small run's time
    result = run_case(case, out, truth=case, specs=specs, top=3, seed=3, model=base / "model")
    tables = CanonicalTables.read(out / "ingest" / "tables")
    names = dict(zip(tables.nodes["Person"]["id"].astype(str), tables.nodes["Person"]["name"].astype(str), strict=True))
    top = result.clusters.head(3)
    members = {str(c): [str(m) for m in ms] for c, ms in zip(top["cluster_id"], top["members"], strict=True)}
    graph = hetero_graph(tables)
    first = str(top["cluster_id"].iloc[0])
    idx = graph.vs.select(name_in={"Person:" + m for m in members[first]}).indices
    hood = {graph.vs[u]["name"] for v in idx for u in graph.neighborhood(v, order=1)}  # members and what ties them
    return {"out": out, "result": result, "names": names, "members": members, "first": first, "hood": hood}


def assert_clean(seen: Visit) -> None:
    assert not seen.errors, seen.errors
    assert not seen.outside, f"requests outside the file: {seen.outside}"


def overflowing_tables(page: Any) -> list[str]:
    """Tables wider than their container, or whose container scrolls sideways, and the page's own overflow."""
    return page.evaluate(
        """() => {
          const bad = [];
          document.querySelectorAll('table').forEach((t, i) => {
            const box = t.parentElement;
            if (t.scrollWidth > box.clientWidth + 1 || box.scrollWidth > box.clientWidth + 1) {
              bad.push(`table ${i} (${t.rows[0] ? t.rows[0].innerText.slice(0, 40) : ''}): `
                       + `${t.scrollWidth} px in ${box.clientWidth} px`);
            }
          });
          const doc = document.documentElement;
          if (doc.scrollWidth > doc.clientWidth + 1) bad.push(`page: ${doc.scrollWidth} px in ${doc.clientWidth} px`);
          return bad;
        }"""
    )


def test_report_opens_offline_with_contents_names_and_advice(browser, run, artefacts):
    seen = visit(browser, run["out"] / "report.html", width=1024)
    page = seen.page
    assert page.title() == "crimnet run report"
    # the table of contents: every entry leads to a section of the page
    anchors = page.eval_on_selector_all("nav#contents a", "els => els.map(a => a.getAttribute('href'))")
    assert len(anchors) >= 8 and all(a.startswith("#") for a in anchors)
    missing = [a for a in anchors if not page.evaluate("id => !!document.getElementById(id)", a[1:])]
    assert not missing, missing
    assert re.search(r"Case case-[0-9a-f]+ · run \d{2} \w+ \d{4}, \d{2}:\d{2} UTC", page.inner_text("header"))
    # the top cluster's members listed by their names, not their ids
    first = page.locator("article.cluster").first
    shown = first.locator("table").first.evaluate("t => [...t.tBodies[0].rows].map(r => r.cells[0].innerText)")
    expected = sorted(run["names"][m] for m in run["members"][run["first"]])
    assert sorted(shown) == expected
    assert page.locator("article.cluster").count() == len(run["members"])
    text = page.inner_text("main")
    assert not re.search(r"(?<![\d.])1 (times|members|others|calls)\b", text)
    # plain-word advice per cluster, and what the budget does
    advice = page.locator(".advice").all_inner_texts()
    assert any(re.search(r"separates (all \d+|\d+ of the \d+|the) inferred victims?", a) for a in advice), advice
    assert any("At the budget of" in a for a in advice)
    headers = page.eval_on_selector_all("th", "els => els.map(e => e.innerText)")
    assert headers and not [h for h in headers if "_" in h]  # human headers, no snake_case
    assert "R-index" in page.inner_text("#disruption dl.measures")
    # the learned scores: the person the model puts first, by name, among the people it puts forward
    people = pd.read_csv(run["out"] / "score" / "people.csv")
    learned = page.inner_text("#gnn")
    assert "Learned scores" in page.inner_text("#gnn h2") and run["names"][people["node_id"].iloc[0]] in learned
    shot = artefacts / "report-1024.png"
    page.screenshot(path=str(shot), full_page=True)
    print(f"report screenshot: {shot}")
    assert shot.stat().st_size > 10_000
    assert_clean(seen)
    page.close()


def test_no_report_table_overflows_at_1024_px_or_in_print(browser, run, artefacts):
    seen = visit(browser, run["out"] / "report.html", width=1024)
    assert seen.page.locator("table").count() >= 10
    assert overflowing_tables(seen.page) == []
    assert_clean(seen)
    seen.page.close()
    printed = visit(browser, run["out"] / "report.html", width=A4_PRINTABLE_PX, media="print")
    assert overflowing_tables(printed.page) == []
    assert printed.page.evaluate("getComputedStyle(document.querySelector('nav')).breakAfter") == "page"
    printed.page.screenshot(path=str(artefacts / "report-print.png"), full_page=True)
    pdf = artefacts / "report.pdf"
    printed.page.pdf(
        path=str(pdf), format="A4", margin={"top": "1.5cm", "bottom": "1.5cm", "left": "1cm", "right": "1cm"}
    )
    print(f"report printed: {pdf}")
    assert pdf.read_bytes()[:5] == b"%PDF-"
    assert_clean(printed)
    printed.page.close()


def test_report_links_to_cluster_pages_that_open_offline(browser, run):
    seen = visit(browser, run["out"] / "report.html")
    links = seen.page.eval_on_selector_all("a.open", "els => els.map(a => a.getAttribute('href'))")
    assert sorted(links) == sorted(f"clusters/{c}.html" for c in run["members"])
    assert sorted(p.name for p in (run["out"] / "clusters").glob("*.html")) == sorted(Path(x).name for x in links)
    with seen.page.expect_navigation():
        seen.page.locator("a.open").first.click()
    assert seen.page.url.endswith(f"/clusters/{run['first']}.html")
    seen.page.wait_for_function("() => window.crimnetReady === true", timeout=10_000)
    assert_clean(seen)
    seen.page.close()


def open_cluster(browser: Any, run: dict[str, Any], cid: str) -> Visit:
    seen = visit(browser, run["out"] / "clusters" / f"{cid}.html", width=1280, height=900)
    seen.page.wait_for_function("() => window.crimnetReady === true", timeout=10_000)
    return seen


def test_cluster_page_draws_every_node(browser, run, artefacts):
    cid = run["first"]
    seen = open_cluster(browser, run, cid)
    page = seen.page
    drawn = page.evaluate(
        """() => {
          const net = window.crimnetNetwork;
          const canvas = document.querySelector('#crimnet-graph canvas');
          const px = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
          let ink = 0;
          for (let i = 0; i < px.length; i += 4) if (px[i + 3] > 0 && (px[i] < 200 || px[i + 1] < 200)) ink++;
          return {ids: window.crimnetNodes.getIds(), body: net.body.nodeIndices.length,
                  declared: Number(document.getElementById('crimnet-page').dataset.nodeCount), ink: ink};
        }"""
    )
    # the members and everything one step from them (phones, accounts, places, people), each drawn once
    assert set(drawn["ids"]) == run["hood"] and len(run["hood"]) > len(run["members"][cid])
    assert drawn["body"] == len(drawn["ids"]) == drawn["declared"] == len(run["hood"])
    assert drawn["ink"] > 1_000  # something is painted on the canvas
    shot = artefacts / f"cluster-{cid}.png"
    page.screenshot(path=str(shot), full_page=True)
    print(f"cluster page screenshot: {shot}")
    assert_clean(seen)
    page.close()


def test_a_click_on_a_node_shows_its_panel(browser, run):
    cid = run["first"]
    seen = open_cluster(browser, run, cid)
    page = seen.page
    # a member drawn where a click lands on it (not under another node or off the canvas)
    target = page.evaluate(
        """(ids) => {
          const net = window.crimnetNetwork;
          const box = document.getElementById('crimnet-graph').getBoundingClientRect();
          const inside = (p) => p.x > box.left + 5 && p.x < Math.min(box.right, innerWidth) - 5
                                && p.y > box.top + 5 && p.y < Math.min(box.bottom, innerHeight) - 5;
          for (const id of ids) {
            const p = window.crimnetNodePosition(id);
            if (!p || !inside(p)) continue;
            const d = net.canvasToDOM(net.getPositions([id])[id]);
            if (net.getNodeAt(d) === id) return {id: id, x: p.x, y: p.y};
          }
          return null;
        }""",
        sorted("Person:" + m for m in run["members"][cid]),
    )
    assert target is not None, "no member can be clicked"
    page.mouse.click(target["x"], target["y"])
    panel = page.locator("#crimnet-panel")
    assert panel.get_attribute("data-node") == target["id"]
    name = run["names"][target["id"].split(":", 1)[1]]
    assert panel.locator("h2").inner_text() == name
    assert page.evaluate("window.crimnetNetwork.getSelectedNodes()") == [target["id"]]
    assert_clean(seen)
    page.close()


def test_search_finds_a_named_person(browser, run):
    cid = run["first"]
    members = run["members"][cid]
    unique = pd.Series([run["names"][m] for m in members]).value_counts()
    person = next(m for m in members if unique[run["names"][m]] == 1)  # a name no other member has
    name = run["names"][person]
    seen = open_cluster(browser, run, cid)
    page = seen.page
    page.fill("#crimnet-search", name)
    page.press("#crimnet-search", "Enter")
    assert page.locator("#crimnet-search-result").inner_text().startswith(f"Found {name}")
    assert page.evaluate("window.crimnetNetwork.getSelectedNodes()") == [f"Person:{person}"]
    assert page.locator("#crimnet-panel h2").inner_text() == name
    page.fill("#crimnet-search", "nobody by this name")
    page.press("#crimnet-search", "Enter")
    assert "No node matches" in page.locator("#crimnet-search-result").inner_text()
    assert_clean(seen)
    page.close()
