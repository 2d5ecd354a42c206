from __future__ import annotations

import math

import pandas as pd
import pytest

from crimnet.errors import CrimnetError
from crimnet.tables import CanonicalTables
from crimnet.viz import cluster_timeline, timeline_figures, timeline_html


@pytest.fixture(scope="module")
def dated(tables):
    """The tiny case with a tenancy span and a call added: dated rows of four kinds."""
    t = CanonicalTables.from_partial({**tables.nodes, **tables.rels})
    t.rels["LIVES_AT"]["first_seen"] = ["2019-03-01", None, "2024-11-30"]
    t.rels["LIVES_AT"]["last_seen"] = ["2025-01-31", None, None]
    t.nodes["Phone"] = pd.concat([t.nodes["Phone"], t.nodes["Phone"].assign(id="+447700900002")], ignore_index=True)
    calls = pd.DataFrame(
        {"id": ["C1"], "src": ["+447700900001"], "dst": ["+447700900002"], "ts": ["2025-02-02T09:30:00Z"],
         "duration_s": [61]}
    )  # fmt: skip
    return CanonicalTables.from_partial({**t.nodes, **t.rels, "CALLED": calls})


def test_rows_are_the_dated_records_between_the_nodes_oldest_first(dated):
    everyone = [f"{lab}:{i}" for lab, df in dated.nodes.items() for i in df["id"]]
    tl = cluster_timeline(dated, everyone)
    assert tl["date"].tolist() == [
        "2019-03-01", "2024-11-30", "2025-01-02", "2025-02-01T10:00:00Z", "2025-02-02T09:30:00Z",
        "2025-02-03T10:00:00Z",
    ]  # fmt: skip
    assert tl["kind"].tolist() == ["tenancy", "tenancy", "phone used", "payment", "call", "payment"]
    assert tl.attrs["undated"] == 4  # one tenancy, one phone use, two accounts held: no date in any source
    assert tl.loc[0, "what"] == "ana pop lives at AB1 2CD|1 high street (until 2025-01-31)"
    assert tl.loc[0, "end"] == "2025-01-31" and tl.loc[3, "end"] == ""
    assert tl.loc[3, "what"] == "111111:00000001 (ana pop) paid 123.45 GBP to 111111:00000002 (ion popa) (RENT)"
    assert tl.loc[3, "amount"] == 123.45 and math.isnan(tl.loc[4, "amount"])
    assert tl.loc[4, "what"] == "+447700900001 called +447700900002 (61 s)"
    assert tl.loc[3, "record_ids"] == "bank_transactions:TX1"


def test_only_records_with_both_ends_drawn(dated):
    tl = cluster_timeline(dated, ["Person:p1", "Address:AB1 2CD|1 high street", "Phone:+447700900001"])
    assert tl["type"].tolist() == ["LIVES_AT", "USES_PHONE"]  # not p3's tenancy, not the call to another phone


def test_figures_and_html(dated, tmp_path):
    tl = cluster_timeline(dated, [f"{lab}:{i}" for lab, df in dated.nodes.items() for i in df["id"]])
    png, svg = timeline_figures(tl, tmp_path / "t.png", title="Cluster 1")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 5000
    text = svg.read_text()
    assert svg.suffix == ".svg" and "payment (2)" in text and "tenancy (2)" in text
    section = timeline_html(tl, png=png, max_rows=4)
    assert section.count('<tr class="crimnet-event">') == 4 and 'data-row-count="6"' in section
    assert "2 later records not listed" in section and "4 without a date not shown" in section
    assert "2025-02-01 10:00 UTC" in section and 'src="data:image/png;base64,' in section
    with pytest.raises(CrimnetError, match="lacks"):
        timeline_figures(pd.DataFrame({"x": [1]}), tmp_path / "bad.png")


def test_html_escapes_the_records():
    tl = pd.DataFrame(
        {"date": ["2025-01-01"], "end": [""], "kind": ["call"], "what": ["<script>x</script> called"],
         "record_ids": ["a:<b>"], "amount": [float("nan")]}
    )  # fmt: skip
    section = timeline_html(tl)
    assert "<script>" not in section and "&lt;script&gt;x&lt;/script&gt; called" in section
