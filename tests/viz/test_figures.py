from __future__ import annotations

import pandas as pd

from crimnet.viz import annotate, cluster_subgraph, score_histogram, subnetwork_figures, subnetwork_png


def test_static_figure_names_roles_cut_points_and_legend(tables, graph, tmp_path):
    sub = annotate(
        cluster_subgraph(graph, ["Person:p1", "Person:p2"], hops=1), tables,
        roles={"Person:p1": "controller"}, risk={"Person:p1": 2.0, "Person:p2": 1.0}, cuts=["Phone:+447700900001"],
    )  # fmt: skip
    png, svg = subnetwork_figures(sub, tmp_path / "c.png", title="Cluster 1")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 20_000
    text = svg.read_text()
    for shown in ("ana pop", "(controller)", "ion popa", "✂1 +447700900001", "role: controller", "cut point",
                  "Account", "Phone", "size: risk score", "Cluster 1"):  # fmt: skip
        assert shown in text, shown


def test_png_of_a_plain_graph_and_svg_by_suffix(graph, tmp_path):
    out = subnetwork_png(graph, tmp_path / "g.svg", max_labels=2)
    assert out.suffix == ".svg" and out.read_text().count("Person:p") == 0  # not annotated: the bare ids
    assert "p1" in out.read_text() and not (tmp_path / "g.png").exists()


def test_same_picture_twice(graph, tmp_path):
    a = subnetwork_png(graph, tmp_path / "a.svg").read_text()
    b = subnetwork_png(graph, tmp_path / "b.svg").read_text()
    strip = [line for line in a.splitlines() if "<dc:date>" not in line]
    assert strip == [line for line in b.splitlines() if "<dc:date>" not in line]


def test_score_histogram_marks_values(tmp_path):
    out = score_histogram(pd.Series([0.1, 0.2, 0.2, 0.9, 1.5]), tmp_path / "s.svg", marked={"cluster 7": 1.5})
    text = out.read_text()
    assert "cluster 7" in text and "n = 5" in text
