"""Stable cluster ids: kept, split, merged, new and dissolved."""

import pandas as pd
import pytest

from crimnet.errors import ParameterError
from crimnet.graphs.detect.tracking import match_clusters


def clusters(*groups, ids=None, method="leiden"):
    return pd.DataFrame({"cluster_id": ids or list(range(len(groups))), "method": method, "members": list(groups)})


def test_kept_split_merged_new_dissolved():
    prev = clusters(list("abcdef"), list("ghij"), list("klmn"), list("opqr"), list("stuv"), ids=[10, 11, 12, 13, 14])
    cur = clusters(list("abcdeX"), list("ghi"), list("j") + list("YZ"), list("klmnopqr"), list("wxyz"))
    out, ev = match_clusters(prev, cur, min_jaccard=0.6)
    assert out["cluster_id"].tolist()[:2] == [10, 11]  # kept (Jaccard 5/7 and 3/4)
    assert not set(out["cluster_id"]) & {12, 13, 14}
    kinds = ev.groupby("event").size().to_dict()
    assert kinds["kept"] == 2
    merged = ev[ev["event"] == "merged"]
    assert merged["previous_ids"].tolist() == [[12, 13]]
    assert ev[ev["event"] == "dissolved"]["previous_ids"].tolist() == [[14]]
    assert len(ev[ev["event"] == "new"]) == 2  # j+YZ (a third of it from 11), wxyz
    new_ids = out["cluster_id"].tolist()[2:]
    assert min(new_ids) == 15 and len(set(new_ids)) == 3


def test_split_is_reported():
    prev = clusters(list("abcdefgh"), ids=[3])
    cur = clusters(list("abcd"), list("efgh"))
    out, ev = match_clusters(prev, cur, min_jaccard=0.6)
    split = ev[ev["event"] == "split"]
    assert split["previous_ids"].tolist() == [[3]] and len(split["current_ids"].iloc[0]) == 2
    assert "kept" not in set(ev["event"])  # Jaccard 0.5 each, below 0.6
    assert out["cluster_id"].tolist() == [4, 5]
    kept, _ = match_clusters(prev, cur, min_jaccard=0.5)
    assert sorted(kept["cluster_id"]) == [3, 4]  # at 0.5 one half keeps the id, the other is new
    assert out["run_cluster_id"].tolist() == [0, 1]


def test_rerun_keeps_every_id_and_methods_separate():
    a = clusters(list("abc"), list("def"), ids=[5, 6])
    b = clusters(list("abc"), ids=[5], method="louvain")
    out, ev = match_clusters(pd.concat([a, b]), pd.concat([a.assign(cluster_id=[0, 1]), b.assign(cluster_id=[0])]))
    assert out["cluster_id"].tolist() == [5, 6, 5]
    assert set(ev["event"]) == {"kept"}
    with pytest.raises(ParameterError, match="The 'min_jaccard' parameter of match_clusters"):
        match_clusters(a, a, min_jaccard=0)
