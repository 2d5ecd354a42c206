"""Hostile values in extracts (issue 18): letters in phones, invisible characters in ids, huge fields,
empty and header-only files, and the leftovers of killed ingests."""

from __future__ import annotations

import os
import subprocess
import sys

import pandas as pd
import pytest

from crimnet.ingest.normalise import normalise_phone
from crimnet.ingest.pipeline import ingest
from crimnet.ingest.readers import iter_chunks

HEADER = "cdr_id,calling_number,called_number,call_start,duration_sec"


def _row(rid: str, calling: str = "01632 960001", called: str = "01632 960002") -> str:
    return f"{rid},{calling},{called},2025-03-01T22:14:05Z,60"


def _balanced(summary: pd.DataFrame) -> None:
    assert (summary.rows_read == summary.rows_loaded + summary.rows_quarantined).all(), summary


def test_letters_in_a_phone_number_are_refused_never_read_as_a_keypad():
    out = normalise_phone(pd.Series(["O1632 9OO12E", "01632 96OOO1", "1-800-FLOWERS", "01632 960001 x12",
                                     "tel:+441632960001", "\uff10\uff11\uff16\uff13\uff12 960001"]))  # fmt: skip
    assert out["value"].tolist()[:3] == [pd.NA] * 3
    assert out["error"][0] == "'O1632 9OO12E' is not a valid phone number: it has letters ('OE') where digits belong"
    assert "letters ('O')" in out["error"][1]
    assert out["value"].tolist()[3:] == ["+441632960001"] * 3  # an extension, a tel: URI, fullwidth digits


def test_a_phone_with_letters_quarantines_its_row_in_ingest(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "call_records.csv").write_text("\n".join([HEADER, _row("c1"), _row("c2", calling="O1632 9OO12E")]) + "\n")
    res = ingest(src, tmp_path / "out")
    assert res.tables.nodes["Phone"]["id"].tolist() == ["+441632960001", "+441632960002"]
    (q,) = res.quarantine.itertuples()
    assert (q.row, q.field, q.value, q.action) == (2, "calling_number", "O1632 9OO12E", "row quarantined")
    assert "letters" in q.reason
    _balanced(res.summary)


def test_record_ids_differing_only_by_nul_or_zero_width_characters_are_duplicates(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    rows = [HEADER, _row("c1"), _row("c1\x00"), _row("c1\u200b"), _row("\ufeffc1\u2060"), _row("c2\x00\x00")]
    (src / "call_records.csv").write_bytes(("\n".join(rows) + "\n").encode())
    res = ingest(src, tmp_path / "out")
    dup = res.quarantine[res.quarantine.reason.str.contains("duplicate record id")]
    assert dup.row.tolist() == [2, 3, 4]
    assert res.summary.rows_loaded.tolist() == [2]
    _balanced(res.summary)
    record_ids = {r for ids in res.tables.rels["CALLED"]["record_ids"] for r in ids}
    assert record_ids == {"call_records:c1", "call_records:c2"}
    for path in (tmp_path / "out").rglob("*"):  # NUL reaches no output: tables, provenance, quarantine
        if path.suffix in (".csv", ".json"):
            assert b"\x00" not in path.read_bytes(), path
        elif path.suffix == ".parquet":
            df = pd.read_parquet(path)
            text = df.astype(str).to_numpy().ravel().tolist() + [str(c) for c in df.columns]
            assert not [t for t in text if "\x00" in t or "\u200b" in t], path


def test_an_over_long_field_quarantines_its_row_and_the_limit_is_configurable(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    huge = "9" * 200_000
    (src / "call_records.csv").write_text("\n".join([HEADER, _row("c1"), _row("c2", called=huge)]) + "\n")
    res = ingest(src, tmp_path / "out")
    (q,) = res.quarantine[res.quarantine.reason.str.contains("over the limit")].itertuples()
    assert (q.row, q.field, q.action) == (2, "called_number", "row quarantined")
    assert res.summary.rows_quarantined.tolist() == [1]
    assert "is 200,000 characters long, over the limit of 65,536 characters per field" in q.reason
    assert len(q.value) < 300  # the quarantine holds a piece, not the 200 KB
    _balanced(res.summary)
    res = ingest(src, tmp_path / "out", max_field_chars=12)
    assert res.summary.rows_quarantined.tolist() == [2]  # every row has a 20-character timestamp
    res = ingest(src, tmp_path / "out", max_field_chars=None)
    assert "over the limit" not in " ".join(res.quarantine.reason)
    frame = pd.DataFrame({"id": ["a", "b" * 70_000]})
    (chunk,) = iter_chunks(frame, ["id"])
    assert [b.row for b in chunk.bad] == [2] and chunk.data["id"].str.len().tolist() == [1, 65_536]


@pytest.mark.parametrize(
    "content", [b"", HEADER.encode(), (HEADER + "\n").encode(), b"\n\n", HEADER.encode() + b"\r\n\r\n"]
)
def test_an_empty_or_header_only_file_does_not_stop_the_other_files(tmp_path, content):
    src = tmp_path / "src"
    src.mkdir()
    (src / "call_records_a.csv").write_text("\n".join([HEADER, _row("c1"), _row("c2")]) + "\n")
    (src / "call_records_b.csv").write_bytes(content)
    (src / "call_records_c.csv").write_text("\n".join([HEADER, _row("c3"), _row("c4")]))  # no trailing newline
    res = ingest(src, tmp_path / "out")
    by_file = res.summary.set_index("file")
    assert by_file.rows_loaded.to_dict() == {"call_records_a.csv": 2, "call_records_b.csv": 0, "call_records_c.csv": 2}
    _balanced(res.summary)
    q = res.quarantine[res.quarantine.file == "call_records_b.csv"]
    if content.strip():  # a header alone is a file of no rows
        assert q.empty
    else:
        assert q[["row", "field", "action"]].values.tolist() == [[0, "", "file quarantined"]]
        assert "empty" in q.reason.iloc[0]


# pyarrow fails to decode such a line for its bad-line handler and reports it as an "exception ignored" on stderr:
# the reader silences that one report (the fallback reader quarantines the line), so none must reach pytest
@pytest.mark.filterwarnings("error::pytest.PytestUnraisableExceptionWarning")
def test_malformed_lines_and_invalid_utf8_in_one_file_quarantine_those_rows_and_the_rest_loads(tmp_path, capfd):
    # Arrow gives up on the whole file when a malformed line holds bytes that are not UTF-8; the fallback
    # reader quarantines the lines and keeps the rest
    src = tmp_path / "src"
    src.mkdir()
    lines = [
        HEADER.encode(),
        _row("c1").encode(),
        _row("c2").encode() + b",\xff\xfeextra",  # malformed (6 fields) and not UTF-8
        _row("c3").encode(),
        _row("c4", calling="01632 96\xe90001".encode("latin-1").decode("latin-1")).encode("latin-1"),  # not UTF-8
        b'c5,"01632 960001",01632 960002,2025-03-01T22:14:05Z',  # malformed: 4 fields
        _row("c6").encode(),
    ]
    (src / "call_records.csv").write_bytes(b"\n".join(lines) + b"\n")
    (src / "call_records_clean.csv").write_text("\n".join([HEADER, _row("d1")]) + "\n")
    res = ingest(src, tmp_path / "out")
    by_file = res.summary.set_index("file")
    assert by_file.loc["call_records.csv", "rows_loaded"] == 3  # c1, c3, c6
    assert by_file.loc["call_records_clean.csv", "rows_loaded"] == 1
    _balanced(res.summary)
    q = res.quarantine[res.quarantine.file == "call_records.csv"].sort_values("row")
    assert "file quarantined" not in set(q.action)
    assert sorted(set(q.row)) == [2, 4, 5]
    reasons = q.groupby("row").reason.apply(" | ".join)
    assert "has 6 fields, expected 5 (malformed CSV line)" in reasons[2]
    assert "not valid UTF-8" in reasons[4] and "calling_number" in set(q[q.row == 4].field)
    assert "has 4 fields, expected 5" in reasons[5]
    assert sorted(r.split(":")[1] for ids in res.tables.rels["CALLED"]["record_ids"] for r in ids) == [
        "c1",
        "c3",
        "c6",
        "d1",
    ]
    (chunk,) = iter_chunks(src / "call_records.csv", ["cdr_id"])  # the reader alone: rows keep their numbers
    assert chunk.rows.tolist() == [1, 3, 4, 6] and [b.row for b in chunk.bad] == [2, 5]
    assert "Exception ignored" not in capfd.readouterr().err


def test_a_file_that_is_not_csv_at_all_is_quarantined_as_a_whole(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "call_records_a.csv").write_text("\n".join([HEADER, _row("c1")]) + "\n")
    (src / "call_records_b.parquet").write_bytes(b"PAR1 not really parquet")
    res = ingest(src, tmp_path / "out")
    assert res.summary.set_index("file").rows_loaded.to_dict() == {"call_records_a.csv": 1, "call_records_b.parquet": 0}
    q = res.quarantine[res.quarantine.file == "call_records_b.parquet"]
    assert q.action.tolist() == ["file quarantined"] and "call_records_b.parquet" in q.reason.iloc[0]


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_a_later_ingest_removes_what_killed_ingests_left_beside_out(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "call_records.csv").write_text("\n".join([HEADER, _row("c1")]) + "\n")
    dead = _dead_pid()
    stale = [tmp_path / f".out.spill-{dead}-k2j4h1x", tmp_path / f".out.tmp-{dead}"]
    alive = [tmp_path / f".out.spill-{os.getppid()}-abc", tmp_path / f".out.tmp-{os.getppid()}"]
    foreign = [tmp_path / f".other.tmp-{dead}", tmp_path / ".out.spill-notapid", tmp_path / f"out.tmp-{dead}"]
    for d in stale + alive + foreign:
        d.mkdir()
        (d / "nodes_Phone.parquet").write_bytes(b"x")
    ingest(src, tmp_path / "out")
    assert [d.exists() for d in stale] == [False, False]
    assert all(d.exists() for d in alive + foreign)  # a running ingest's, or not crimnet's by name
    assert sorted(p.name for p in tmp_path.iterdir() if ".out.spill-" in p.name and str(os.getpid()) in p.name) == []
