"""Interactive subnetwork pages: one offline HTML file each, vis-network inlined, nothing fetched.

A page draws a subgraph (best :func:`crimnet.viz.annotate.annotate`-d) at fixed
positions computed here (:func:`crimnet.viz.subgraphs.seeded_layout`), physics
off: the same picture on every load, drawn at once. Names label the nodes;
colour and shape give the type, size the risk, a coloured border and a line of
text the inferred role, a thick black border and ``✂<rank>`` a cut point. A
hover shows a node's summary, a click its properties, the source records behind
it and behind each of its links, and highlights its neighbours; a search box
finds a person by name; checkboxes filter by type. A subgraph of more than
`max_nodes` is not drawn: the page says how many nodes it has and how to narrow it.

Hooks for browser tests: ``window.crimnetNetwork`` (the vis.Network),
``window.crimnetNodes`` / ``window.crimnetEdges`` (its DataSets, ids the vertex
names ``'<Label>:<id>'``), ``window.crimnetSelect(id)`` (what a click does),
``window.crimnetSearch(text)`` (returns the id found or null),
``window.crimnetNodePosition(id)`` (the node's page coordinates, for a real
click), ``window.crimnetReady`` (true once drawn); ``#crimnet-page`` carries
``data-node-count``, ``data-edge-count`` and ``data-drawn``.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import igraph as ig
import numpy as np

from crimnet.errors import check_interval, check_type
from crimnet.viz.style import CUT_COLOUR, LABEL_COLOURS, OTHER_COLOUR, ROLE_COLOURS, VIS_SHAPES
from crimnet.viz.subgraphs import seeded_layout

__all__ = ["subnetwork_html", "NARROW_HINT"]

NARROW_HINT = "Narrow it: draw fewer hops around one person, one cluster, or the path between two people."
"""What a page too large to draw tells the analyst to do instead."""

_VIS_JS = "lib/vis-9.1.2/vis-network.min.js"  # shipped inside the pyvis package
_SPACING_PX = 110  # distance of a node to its nearest neighbour (lower quartile), in canvas pixels
_FONT_PX = 20  # label size at zoom 1; the page never opens below zoom 0.7 (14 px)
_SYMBOLS = {"dot": "●", "triangle": "▲", "square": "■", "diamond": "◆", "star": "★", "triangleDown": "▼"}


def subnetwork_html(
    graph: ig.Graph,
    path: str | Path,
    *,
    title: str = "crimnet subnetwork",
    notes: Mapping[str, str] | None = None,
    height_px: int = 750,
    max_nodes: int = 500,
    seed: int = 0,
    timeline: str = "",
) -> Path:
    """Write `graph` as a self-contained interactive HTML page and return its path.

    Parameters
    ----------
    graph : igraph.Graph
        Vertex attributes ``name`` and ``label``; ``member`` (drawn larger) and those of
        :func:`crimnet.viz.annotate.annotate` (``display``, ``role``, ``cut``, ``risk``, ``props``,
        ``records``; edges ``records``, ``details``) are used when present.
    path : str or Path
        Output file.
    title : str
        Page title and heading.
    notes : mapping of str to str, optional
        Extra text per vertex name (roles, scores), in its tooltip and panel.
    height_px : int, default 750
        Canvas height in pixels.
    max_nodes : int, default 500
        Largest subgraph drawn; a larger one gets a page with its node count and how to narrow it.
    seed : int, default 0
        Layout seed.
    timeline : str
        An HTML section shown under the drawing (:func:`crimnet.viz.timeline.timeline_html`); trusted markup.

    Returns
    -------
    Path
        The written file. It references no remote resource: it works offline.
    """
    check_type(graph, ig.Graph, param="graph", func="subnetwork_html", expected="an igraph.Graph")
    check_interval(height_px, param="height_px", func="subnetwork_html", low=1, closed="left", integer=True)
    check_interval(max_nodes, param="max_nodes", func="subnetwork_html", low=1, closed="left", integer=True)
    check_interval(seed, param="seed", func="subnetwork_html", low=0, closed="left", integer=True)
    check_type(title, str, param="title", func="subnetwork_html", expected="a str")
    check_type(timeline, str, param="timeline", func="subnetwork_html", expected="an HTML str")
    e = html.escape
    n, m = graph.vcount(), graph.ecount()
    drawn = n <= max_nodes
    head = (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{e(title)}</title>"
        f"<meta name='viewport' content='width=device-width, initial-scale=1'><style>{_CSS}</style></head><body>"
        f"<main id='crimnet-page' data-node-count='{n}' data-edge-count='{m}' data-drawn='{str(drawn).lower()}'>"
        f"<h1>{e(title)}</h1>"
    )
    if not drawn:
        body = (
            f"<div id='crimnet-cap' role='alert' data-node-count='{n}'><p>This subnetwork has {n:,} nodes and "
            f"{m:,} links, more than the {max_nodes:,} a page draws legibly, so it is not drawn.</p>"
            f"<p>{e(NARROW_HINT)}</p></div>{timeline}</main></body></html>"
        )
        return _write(path, head + body)
    nodes, edges = _vis_data(graph, notes or {}, seed)
    counts = {lab: sum(1 for x in nodes if x["ctype"] == lab) for lab in dict.fromkeys(x["ctype"] for x in nodes)}
    names = sorted({x["display"] for x in nodes if x["ctype"] == "Person"})
    body = (
        f"<p class='crimnet-summary'>{n} nodes, {m} links. Hover a node for a summary; click it for its "
        "records and to highlight its neighbours; drag to pan, scroll to zoom.</p>"
        "<div id='crimnet-toolbar'><label for='crimnet-search'>Find a person</label> "
        "<input id='crimnet-search' type='search' list='crimnet-names' placeholder='name' autocomplete='off'>"
        "<button id='crimnet-search-go' type='button'>Find</button> "
        "<span id='crimnet-search-result' role='status'></span>"
        "<button id='crimnet-fit' type='button' title='zoom out to the whole subnetwork'>Show all</button>"
        "<button id='crimnet-read' type='button' title='zoom in until names are 14 px or more'>Readable</button>"
        "<fieldset id='crimnet-filters'><legend>Show</legend>"
        + "".join(
            f"<label><input type='checkbox' class='crimnet-filter' data-type='{e(lab)}' checked> {e(lab)} ({c})</label>"
            for lab, c in counts.items()
        )
        + "</fieldset></div><datalist id='crimnet-names'>"
        + "".join(f"<option value='{e(x)}'></option>" for x in names)
        + "</datalist><div id='crimnet-body'>"
        f"<div id='crimnet-graph' data-node-count='{n}' style='height:{height_px}px'></div>"
        "<aside id='crimnet-panel' aria-live='polite'><p>Click a node or a link to see its properties and "
        "the source records behind it.</p></aside></div>"
        f"{_legend(graph, counts)}{timeline}</main>"
        f"<script>{_vis_library()}</script>"
        f"<script>var nodes = new vis.DataSet({_json(nodes)});\nvar edges = new vis.DataSet({_json(edges)});</script>"
        f"<script>{_APP_JS}</script></body></html>"
    )
    return _write(path, head + body)


def _vis_data(
    graph: ig.Graph, notes: Mapping[str, str], seed: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The vis-network node and edge records: label, tooltip, style, fixed position and what the panel shows."""
    have = set(graph.vs.attributes())
    n = graph.vcount()

    def get(attr: str, default: Any) -> list[Any]:
        return list(graph.vs[attr]) if attr in have else [default] * n

    names, labels = get("name", ""), get("label", "Person")
    display = [d if d else nm for d, nm in zip(get("display", ""), names, strict=True)]
    roles, cuts, risk, member = get("role", ""), get("cut", 0), get("risk", math.nan), get("member", False)
    props, records, sources = get("props", {}), get("records", []), get("sources", [])
    xy = _positions(graph, seed)
    known = [r for r in risk if r == r]
    top = max(known) if known and max(known) > 0 else 1.0
    nodes = []
    for i in range(n):
        lab, role, cut = labels[i], roles[i] or "", int(cuts[i] or 0)
        size = 14 + 22 * min(risk[i] / top, 1.0) if risk[i] == risk[i] else (24 if member[i] else 14)
        text = ("✂" + str(cut) + " " if cut else "") + display[i] + ("\n(" + role + ")" if role else "")
        tip = [f"{lab}: {display[i]}"] + ([f"role: {role}"] if role else [])
        tip += [f"disruption point, rank {cut}"] if cut else []
        tip += [f"risk score: {risk[i]:.2f}"] if risk[i] == risk[i] else []
        tip += [notes[names[i]]] if names[i] in notes else []
        tip += [f"{len(records[i])} source record(s); click for details"]
        border = CUT_COLOUR if cut else ROLE_COLOURS.get(role, "#ffffff")
        fill = LABEL_COLOURS.get(lab, OTHER_COLOUR)
        nodes.append(
            {
                "id": names[i], "label": text, "title": "\n".join(tip), "x": round(float(xy[i, 0]), 1),
                "y": round(float(xy[i, 1]), 1), "shape": VIS_SHAPES.get(lab, "dot"), "size": round(size, 1),
                "borderWidth": 6 if cut else 4 if role in ROLE_COLOURS else 1,
                "color": {"background": fill, "border": border, "highlight": {"background": fill, "border": "#222"}},
                "ctype": lab, "display": display[i], "role": role, "cut": cut,
                "risk": None if risk[i] != risk[i] else round(float(risk[i]), 4), "member": bool(member[i]),
                "note": notes.get(names[i], ""), "props": props[i] or {}, "records": list(records[i] or []),
                "sources": list(sources[i] or []),
            }
        )  # fmt: skip
    ehave = set(graph.es.attributes())
    edges = []
    for e in graph.es:
        rel = e["type"] if "type" in ehave else ""
        count = int(e["events"]) if "events" in ehave and e["events"] else int(e["weight"] if "weight" in ehave else 1)
        edges.append(
            {
                "id": f"e{e.index}", "from": names[e.source], "to": names[e.target], "rtype": rel,
                "title": f"{rel} ({count} record{'s' if count != 1 else ''})" if rel else "",
                "width": round(1 + math.log1p(max(count, 1)) , 2), "count": count,
                "details": list(e["details"]) if "details" in ehave else [],
                "records": list(e["records"]) if "records" in ehave else [],
            }
        )  # fmt: skip
    return nodes, edges


def _positions(graph: ig.Graph, seed: int) -> np.ndarray:
    """Layout scaled to canvas pixels: three nodes in four sit :data:`_SPACING_PX` or more from their nearest one."""
    xy = seeded_layout(graph, seed=seed)
    if len(xy) < 2:
        return xy * _SPACING_PX
    d = np.sqrt(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(-1)) if len(xy) <= 2000 else None
    if d is None:
        return xy * _SPACING_PX * math.sqrt(len(xy))
    np.fill_diagonal(d, np.inf)
    nearest = float(np.quantile(d.min(axis=1), 0.25))  # the crowded quarter sets the scale: labels there must fit
    return xy * (_SPACING_PX / max(nearest, 1e-6))


def _legend(graph: ig.Graph, counts: Mapping[str, int]) -> str:
    e = html.escape
    items = [
        f"<li><span class='sym' style='color:{LABEL_COLOURS.get(lab, OTHER_COLOUR)}'>"
        f"{_SYMBOLS.get(VIS_SHAPES.get(lab, 'dot'), '●')}</span> {e(lab)}</li>"
        for lab in counts
    ]
    roles = set(graph.vs["role"]) if "role" in graph.vs.attributes() else set()
    items += [
        f"<li><span class='ring' style='border-color:{c}'></span> {e(r)} (inferred role, not confirmed)</li>"
        for r, c in ROLE_COLOURS.items()
        if r in roles
    ]
    if "cut" in graph.vs.attributes() and any(graph.vs["cut"]):
        items.append("<li><span class='ring cut'></span> ✂<i>n</i>: disruption point, rank <i>n</i></li>")
    if "risk" in graph.vs.attributes() and any(r == r for r in graph.vs["risk"]):
        items.append("<li><span class='sym'>●</span> size: risk score (larger is riskier)</li>")
    return f"<section id='crimnet-legend'><h2>Legend</h2><ul>{''.join(items)}</ul></section>"


def _json(data: Any) -> str:
    """JSON safe inside a script element: no '<', '>' or '&' (a name cannot close the script)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for ch in ("<", ">", "&", "\u2028", "\u2029"):
        text = text.replace(ch, f"\\u{ord(ch):04x}")
    return text


def _vis_library() -> str:
    return (resources.files("pyvis") / _VIS_JS).read_text(encoding="utf-8")


def _write(path: str | Path, page: str) -> Path:
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page, encoding="utf-8")
    return out


_CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;margin:1em 2em;color:#222}
h1{font-size:1.5em;margin:0 0 .3em}h2{font-size:1.15em;margin:1em 0 .4em}
#crimnet-toolbar{display:flex;flex-wrap:wrap;gap:.6em;align-items:center;margin:.5em 0}
#crimnet-toolbar input[type=search]{font-size:1em;padding:.2em .4em;min-width:16em}
#crimnet-filters{border:1px solid #ccc;padding:.1em .6em;display:inline-flex;gap:.8em}
#crimnet-body{display:flex;gap:1em;align-items:flex-start}
#crimnet-graph{flex:1 1 auto;min-width:0;border:1px solid #ccc;background:#fff}
#crimnet-panel{flex:0 0 24em;max-height:750px;overflow:auto;font-size:.92em;border:1px solid #ddd;padding:.5em .8em}
#crimnet-panel table{border-collapse:collapse}#crimnet-panel td,#crimnet-panel th{text-align:left;
vertical-align:top;padding:2px 6px;border-bottom:1px solid #eee}#crimnet-panel ul{padding-left:1.2em}
#crimnet-legend ul{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.4em 1.4em}
.sym{font-size:1.3em}.ring{display:inline-block;width:.9em;height:.9em;border:3px solid;border-radius:50%;
vertical-align:middle}.ring.cut{border:5px solid #000}
#crimnet-cap{border:2px solid #b10026;padding:.5em 1em;background:#fff5f5;font-size:1.1em}
.crimnet-timeline-table{border-collapse:collapse;font-size:.9em}.crimnet-timeline-table td,
.crimnet-timeline-table th{padding:2px 8px;border-bottom:1px solid #eee;text-align:left;vertical-align:top}
.crimnet-timeline-figure{max-width:100%}.crimnet-timeline-rows{max-height:36em;overflow:auto}
@media print{.crimnet-timeline-rows{max-height:none;overflow:visible}}
div.vis-tooltip{position:absolute;visibility:hidden;padding:5px 8px;white-space:pre-line;font-size:14px;
background:#fffff4;border:1px solid #888;border-radius:3px;box-shadow:2px 2px 8px rgba(0,0,0,.2);
pointer-events:none;z-index:5;font-family:inherit}
@media (max-width:900px){#crimnet-body{flex-direction:column}#crimnet-panel{flex:none;width:auto}}
"""

_APP_JS = r"""
(function () {
  var container = document.getElementById("crimnet-graph");
  var options = {
    physics: false,
    layout: {improvedLayout: false},
    interaction: {hover: true, tooltipDelay: 120, hideEdgesOnDrag: true, multiselect: false},
    nodes: {font: {size: %FONT%, face: "system-ui, sans-serif", strokeWidth: 4, strokeColor: "#ffffff",
                   multi: false}},
    edges: {color: {color: "#9a9a9a", highlight: "#333333", hover: "#333333"}, smooth: false}
  };
  var network = new vis.Network(container, {nodes: nodes, edges: edges}, options);
  var panel = document.getElementById("crimnet-panel");
  var hiddenTypes = {};
  window.crimnetNetwork = network;
  window.crimnetNodes = nodes;
  window.crimnetEdges = edges;
  window.crimnetReady = false;

  network.once("afterDrawing", function () {
    network.fit({animation: false});
    if (network.getScale() < 0.7) { network.moveTo({scale: 0.7, animation: false}); }
    window.crimnetReady = true;
    document.getElementById("crimnet-page").setAttribute("data-ready", "true");
  });

  function el(tag, text, cls) {
    var x = document.createElement(tag);
    if (text !== undefined && text !== null) { x.textContent = String(text); }
    if (cls) { x.className = cls; }
    return x;
  }
  function list(items, empty) {
    if (!items || !items.length) { return el("p", empty); }
    var ul = el("ul");
    items.forEach(function (t) { ul.appendChild(el("li", t)); });
    return ul;
  }
  function propsTable(rows) {
    var t = el("table");
    rows.forEach(function (r) {
      var tr = el("tr"); tr.appendChild(el("th", r[0])); tr.appendChild(el("td", r[1])); t.appendChild(tr);
    });
    return t;
  }
  function showNode(id) {
    var n = nodes.get(id);
    if (!n) { return; }
    panel.replaceChildren();
    panel.setAttribute("data-node", id);
    panel.appendChild(el("h2", n.display));
    var rows = [["type", n.ctype], ["id", id]];
    if (n.role) { rows.push(["inferred role", n.role]); }
    if (n.cut) { rows.push(["disruption point", "rank " + n.cut]); }
    if (n.risk !== null && n.risk !== undefined) { rows.push(["risk score", n.risk]); }
    if (n.note) { rows.push(["note", n.note]); }
    Object.keys(n.props || {}).forEach(function (k) { rows.push([k, n.props[k]]); });
    if (n.sources && n.sources.length) { rows.push(["sources", n.sources.join(", ")]); }
    panel.appendChild(propsTable(rows));
    panel.appendChild(el("h3", "Source records (" + (n.records || []).length + ")"));
    panel.appendChild(list(n.records, "none listed"));
    var links = network.getConnectedEdges(id);
    panel.appendChild(el("h3", "Links (" + links.length + ")"));
    var ul = el("ul", null, "crimnet-links");
    links.forEach(function (eid) {
      var e = edges.get(eid);
      var other = nodes.get(e.from === id ? e.to : e.from);
      var li = el("li");
      li.appendChild(el("strong", e.rtype + " " + (other ? other.display : "")));
      if (e.details && e.details.length) { li.appendChild(list(e.details)); }
      if (e.records && e.records.length) { li.appendChild(el("div", "records: " + e.records.join(", "))); }
      ul.appendChild(li);
    });
    panel.appendChild(ul);
  }
  function showEdge(eid) {
    var e = edges.get(eid);
    if (!e) { return; }
    var a = nodes.get(e.from), b = nodes.get(e.to);
    panel.replaceChildren();
    panel.setAttribute("data-edge", eid);
    panel.appendChild(el("h2", e.rtype));
    panel.appendChild(propsTable([["between", (a ? a.display : e.from) + " and " + (b ? b.display : e.to)],
                                  ["records", e.count]]));
    panel.appendChild(list(e.details, ""));
    panel.appendChild(el("h3", "Source records"));
    panel.appendChild(list(e.records, "none listed"));
  }
  function highlight(id) {
    var near = {};
    if (id) {
      near[id] = true;
      network.getConnectedNodes(id).forEach(function (x) { near[x] = true; });
    }
    nodes.update(nodes.getIds().map(function (x) {
      var on = !id || near[x];
      return {id: x, opacity: on ? 1 : 0.15, font: {color: on ? "#222222" : "rgba(34,34,34,0.25)"}};
    }));
  }
  function select(id) {
    if (!nodes.get(id)) { return false; }
    network.selectNodes([id]);
    showNode(id);
    highlight(id);
    return true;
  }
  window.crimnetSelect = function (id) {
    if (!select(id)) { return false; }
    network.focus(id, {scale: Math.max(network.getScale(), 1.0), animation: false});
    return true;
  };
  window.crimnetNodePosition = function (id) {
    var p = network.getPositions([id])[id];
    if (!p) { return null; }
    var d = network.canvasToDOM(p), r = container.getBoundingClientRect();
    return {x: r.left + d.x, y: r.top + d.y};
  };
  network.on("click", function (params) {
    if (params.nodes.length) { select(params.nodes[0]); }
    else if (params.edges.length) { highlight(null); showEdge(params.edges[0]); }
    else { highlight(null); }
  });

  var result = document.getElementById("crimnet-search-result");
  window.crimnetSearch = function (text) {
    var q = String(text || "").trim().toLowerCase();
    if (!q) { result.textContent = ""; return null; }
    var hits = nodes.get({filter: function (n) {
      return !hiddenTypes[n.ctype] && String(n.display).toLowerCase().indexOf(q) !== -1;
    }});
    hits.sort(function (a, b) {
      function rank(n) {
        var d = String(n.display).toLowerCase();
        return (d === q ? 0 : d.indexOf(q) === 0 ? 1 : 2) * 2 + (n.ctype === "Person" ? 0 : 1);
      }
      return rank(a) - rank(b) || String(a.display).localeCompare(String(b.display));
    });
    if (!hits.length) { result.textContent = "No node matches \u201c" + text + "\u201d."; return null; }
    window.crimnetSelect(hits[0].id);
    result.textContent = "Found " + hits[0].display + (hits.length > 1 ? " (" + hits.length + " matches)" : "");
    return hits[0].id;
  };
  var box = document.getElementById("crimnet-search");
  box.addEventListener("keydown", function (ev) { if (ev.key === "Enter") { window.crimnetSearch(box.value); } });
  box.addEventListener("change", function () { window.crimnetSearch(box.value); });
  document.getElementById("crimnet-search-go").addEventListener("click", function () {
    window.crimnetSearch(box.value);
  });
  document.getElementById("crimnet-fit").addEventListener("click", function () {
    network.fit({animation: false});
  });
  document.getElementById("crimnet-read").addEventListener("click", function () {
    network.moveTo({scale: Math.max(network.getScale(), 0.7), animation: false});
  });
  Array.prototype.forEach.call(document.querySelectorAll(".crimnet-filter"), function (cb) {
    cb.addEventListener("change", function () {
      hiddenTypes[cb.getAttribute("data-type")] = !cb.checked;
      nodes.update(nodes.getIds().map(function (x) {
        return {id: x, hidden: !!hiddenTypes[nodes.get(x).ctype]};
      }));
    });
  });
})();
""".replace("%FONT%", str(_FONT_PX))
