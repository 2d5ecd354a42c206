"""Tests of crimnet.ingest.pseudonymise: linking, key and domain separation, key loading."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crimnet.errors import CrimnetError, ParameterError
from crimnet.ingest.pseudonymise import PseudonymKeyError, load_key, pseudonymise, pseudonymise_name

KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))
TOKEN = re.compile(r"^phone_[0-9a-f]{32}$")


def test_known_token():
    """The token is the documented HMAC: domain, NUL, utf-8 value; first 32 hex characters."""
    out = pseudonymise(pd.Series(["+447700900123"]), key=KEY, domain="phone")
    expected = hmac.new(KEY, b"phone\x00+447700900123", hashlib.sha256).hexdigest()[:32]
    assert out.iloc[0] == f"phone_{expected}"


def test_same_key_links_across_sources():
    a = pd.Series(["+447700900123", "+447700900124", None], index=[5, 6, 7], name="phone")
    b = pd.Series(["+447700900999", "+447700900123"], index=["x", "y"])
    ta = pseudonymise(a, key=KEY, domain="phone")
    tb = pseudonymise(b, key=KEY, domain="phone")
    assert ta.iloc[0] == tb.iloc[1]
    assert ta.iloc[0] != ta.iloc[1] != tb.iloc[0]
    assert list(ta.index) == [5, 6, 7] and ta.name == "phone" and ta.dtype == "string"
    assert all(TOKEN.match(t) for t in ta.dropna())


def test_different_key_gives_different_tokens():
    s = pd.Series(["+447700900123", "+447700900124"])
    same = pseudonymise(s, key=KEY, domain="phone")
    other = pseudonymise(s, key=OTHER_KEY, domain="phone")
    assert not set(same) & set(other)


def test_domain_separation():
    s = pd.Series(["123456:01234567"])
    a = pseudonymise(s, key=KEY, domain="account")
    p = pseudonymise(s, key=KEY, domain="phone")
    assert a.iloc[0].startswith("account_") and p.iloc[0].startswith("phone_")
    assert a.iloc[0].split("_", 1)[1] != p.iloc[0].split("_", 1)[1]


def test_missing_stays_missing():
    s = pd.Series([None, np.nan, pd.NA, "", "+447700900123"], dtype=object)
    out = pseudonymise(s, key=KEY, domain="phone")
    assert out.isna().tolist() == [True, True, True, True, False]


def _output_text(out) -> str:
    """Every file an ingest wrote, as lower-case text (Parquet as CSV)."""
    import pyarrow.parquet as pq

    parts = []
    for f in sorted(p for p in out.rglob("*") if p.is_file()):
        parts.append(pq.read_table(f).to_pandas().to_csv(index=False) if f.suffix == ".parquet" else f.read_text())
    return "\n".join(parts).lower()


def test_no_raw_identifier_in_pseudonymised_output(tmp_path):
    """Names, phones, account numbers, IBANs, NINOs and registrations of the input appear in no output file.

    Dates of birth, postcodes and addresses stay in clear by design (resolution compares their parts),
    so they are not checked.
    """
    from crimnet.ingest.pipeline import ingest
    from crimnet.ingest.quarantine import quarantine_messages

    synthetic = pytest.importorskip("crimnet.synthetic")
    case = tmp_path / "case"
    synthetic.generate_case(case, people=300, seed=3, preset="hard")
    # rows that are quarantined for sure: a malformed line and a person with a bad phone
    n = len(pd.read_csv(case / "police_intel.csv", dtype=str))
    with (case / "police_intel.csv").open("a") as fh:
        fh.write('"URN99999998","QUILLFEATHER","Ottoline"\n')
        fh.write('"URN99999999","BRAMBLEWICK","Theodora","04/03/1990","ROMANIA","F","07700 9001",,,,"01/02/2024"\n')
    res = ingest(case, tmp_path / "out", pseudonymise_key=KEY)
    q = res.quarantine.set_index("row")
    police = q[q["source"] == "police_intel"]
    rows = n + 2
    assert police.loc[rows - 1, "field"] == "" and "malformed CSV line" in police.loc[rows - 1, "reason"]
    assert police.loc[rows, "field"] == "PHONE" and police.loc[rows, "action"] == "field dropped"
    assert "is not a valid phone number" in police.loc[rows, "reason"]
    # the quarantine keeps file, row, field and the kind of problem; values are keyed tokens
    assert len(res.quarantine) > 2 and res.quarantine["value"].str.fullmatch(r"raw_[0-9a-f]{32}").all()
    messages = quarantine_messages(res.quarantine)
    assert all(m.startswith(f"{f} row ") for m, f in zip(messages, res.quarantine["file"], strict=True))
    assert police.loc[rows, "reason"].startswith(police.loc[rows, "value"] + " is not")

    def col(name: str, *cols: str) -> list[str]:
        df = pd.read_csv(case / name, dtype=str, keep_default_na=False)
        return [v for c in cols for v in df[c]]

    truth = pd.read_csv(case / "truth" / "entities.csv", dtype=str, keep_default_na=False)
    identifiers = {
        "name": pd.read_csv(case / "truth" / "persons.csv", dtype=str)["name"].dropna().tolist()
        + ["quillfeather", "ottoline", "bramblewick", "theodora"],
        "phone": col("police_intel.csv", "PHONE") + col("bank_customers.csv", "mobile")
        + col("call_records.csv", "calling_number", "called_number")
        + truth.loc[truth["entity_type"] == "Phone", "entity_id"].tolist(),
        "account": col("bank_customers.csv", "account_number", "iban")
        + col("bank_transactions.csv", "from_account", "to_account") + col("payroll.csv", "pay_account")
        + truth.loc[truth["entity_type"] == "Account", "entity_id"].tolist(),
        "nino": col("payroll.csv", "nino"),
        "registration": truth.loc[truth["entity_type"] == "Vehicle", "entity_id"].tolist(),
    }  # fmt: skip
    # a person's name is one token per word (the family name is the last one), never a raw word
    names = res.tables.nodes["Person"]["name"].dropna().astype(str)
    assert len(names) > 100 and names.str.fullmatch(r"name_[0-9a-f]{32}( name_[0-9a-f]{32})*").all()
    text = _output_text(res.out)
    for kind, values in identifiers.items():
        # numbers of 8+ characters: a shorter account number (leading zeros lost) can be any other number
        shortest = {"name": 6, "registration": 7}.get(kind, 8)
        values = {v.lower() for v in values if len(v) >= shortest}
        assert len(values) > 20, kind
        leaked = sorted(v for v in values if v in text)
        assert not leaked, (kind, leaked[:5])
    assert "07700 9001" not in text


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"key": b"short", "domain": "phone"}, "The 'key' parameter of pseudonymise must be bytes of length >= 16. "
         "Got bytes of length 5 instead."),
        ({"key": "a" * 32, "domain": "phone"}, "must be bytes of length >= 16. Got a str instead."),
        ({"key": KEY, "domain": "Phone"}, "The 'domain' parameter of pseudonymise must be a str of lower-case"),
        ({"key": KEY, "domain": ""}, "The 'domain' parameter of pseudonymise"),
    ],
)  # fmt: skip
def test_bad_parameters(kwargs, message):
    with pytest.raises(ParameterError, match=re.escape(message)):
        pseudonymise(pd.Series(["x"]), **kwargs)
    with pytest.raises(ParameterError, match="The 'values' parameter of pseudonymise must be a pandas Series"):
        pseudonymise(["x"], key=KEY, domain="phone")


def test_short_key_is_not_echoed():
    with pytest.raises(ParameterError) as info:
        pseudonymise(pd.Series(["x"]), key=b"topsecret", domain="phone")
    assert "topsecret" not in str(info.value)


@settings(max_examples=100, deadline=None)
@given(values=st.lists(st.text(min_size=1, max_size=30), min_size=1, max_size=200, unique=True))
def test_injective_on_samples(values):
    out = pseudonymise(pd.Series(values, dtype=object), key=KEY, domain="name")
    assert out.notna().all()
    assert out.nunique() == len(values)


@settings(max_examples=50, deadline=None)
@given(values=st.lists(st.one_of(st.text(max_size=10), st.none(), st.integers(), st.floats()), max_size=30))
def test_equal_values_equal_tokens(values):
    s = pd.Series(values, dtype=object)
    out = pseudonymise(s, key=KEY, domain="phone")
    again = pseudonymise(s.iloc[::-1], key=KEY, domain="phone").iloc[::-1]
    assert out.equals(again)
    assert len(out) == len(values) and out.index.equals(s.index)


# ------------------------------------------------------------------------------------------- names


def test_name_words_are_tokenised_one_by_one():
    """Each word gets the token :func:`pseudonymise` gives it alone: a family shares its family-name token."""
    names = pd.Series(["ana maria pop", "ion pop", None, "  ", "pop", "pop  ion"], index=list("abcdef"), name="n")
    out = pseudonymise_name(names, key=KEY)
    word = dict(zip(["ana", "maria", "pop", "ion"], pseudonymise(pd.Series(["ana", "maria", "pop", "ion"]), key=KEY,
                                                                 domain="name"), strict=True))  # fmt: skip
    assert out.tolist()[:2] == [f"{word['ana']} {word['maria']} {word['pop']}", f"{word['ion']} {word['pop']}"]
    assert out.isna().tolist() == [False, False, True, True, False, False]
    assert out["e"] == word["pop"] == pseudonymise(pd.Series(["pop"]), key=KEY, domain="name").iloc[0]
    assert out["f"] == f"{word['pop']} {word['ion']}"
    assert list(out.index) == list("abcdef") and out.name == "n" and out.dtype == "string"
    assert not set(" ".join(out.dropna()).split()) & set(pseudonymise_name(names, key=OTHER_KEY).dropna())
    with pytest.raises(ParameterError, match="The 'key' parameter of pseudonymise_name must be bytes"):
        pseudonymise_name(names, key=b"short")
    with pytest.raises(ParameterError, match="The 'values' parameter of pseudonymise_name must be a pandas Series"):
        pseudonymise_name(["ana pop"], key=KEY)
    with pytest.raises(ParameterError, match="The 'domain' parameter of pseudonymise_name"):
        pseudonymise_name(names, key=KEY, domain="Name")


@settings(max_examples=50, deadline=None)
@given(names=st.lists(st.lists(st.sampled_from(["ana", "ion", "pop", "lee", "o'neil", "ţuţu"]), min_size=1,
                               max_size=3).map(" ".join), min_size=1, max_size=40))  # fmt: skip
def test_family_name_rule_sees_the_same_partition(names):
    """Two names share a family name (the rule of detect.evidence) exactly when their tokens do."""
    from crimnet.graphs.detect.evidence import family_names

    clear = family_names(pd.Series(names, dtype=object))
    tokens = family_names(pseudonymise_name(pd.Series(names, dtype=object), key=KEY).astype(object))
    assert (pd.factorize(clear)[0] == pd.factorize(tokens)[0]).all()
    assert (pd.factorize(pd.Series(names))[0] == pd.factorize(pseudonymise_name(pd.Series(names), key=KEY))[0]).all()


def _unrelated_occupants(tables, store_dir) -> tuple[set[str], set[str]]:
    """Addresses the ``unrelated_occupants`` query returns with its defaults and with its loosest thresholds."""
    from crimnet.graphs.store import open_store
    from crimnet.queries.runner import run_query

    with open_store(store_dir, create=True) as store:
        store.write(tables)
        default = set(run_query(store, "unrelated_occupants", {})["address_id"])
        loose = set(run_query(store, "unrelated_occupants", {"min_occupants": 2, "min_surnames": 2})["address_id"])
    return default, loose


def _unrelated_adults(tables) -> pd.Series:
    """The risk indicator ``unrelated_adults_address`` of every address, its occupants taken as one cluster."""
    from crimnet.graphs.detect.risk import cluster_features

    la = tables.rels["LIVES_AT"][["src", "dst"]].drop_duplicates()
    members = la.groupby("dst")["src"].agg(sorted)
    clusters = pd.DataFrame(
        {"cluster_id": np.arange(len(members)), "method": "address", "members": members.to_numpy(),
         "size": members.map(len).to_numpy()}
    )  # fmt: skip
    feats = cluster_features(tables, clusters)
    return pd.Series(feats["unrelated_adults_address"].to_numpy(), index=members.index).sort_index()


def test_household_signals_survive_pseudonymisation(tmp_path):
    """``unrelated_occupants`` and the unrelated-adults indicator answer the same with and without a key.

    Names are generated without noise, so that resolution (which compares pseudonymised names by
    equality only) finds the same people both ways, and only the naming scheme differs. Tokenising
    whole names (one token per name, as before) is checked to change the answers, so the test can fail.
    """
    import copy

    from crimnet.ingest.pipeline import ingest

    synthetic = pytest.importorskip("crimnet.synthetic")
    case = tmp_path / "case"
    synthetic.generate_case(case, people=400, seed=3, preset="medium", name_noise=0.0)
    clear = ingest(case, tmp_path / "clear").tables
    pseudo = ingest(case, tmp_path / "pseudo", pseudonymise_key=KEY).tables
    assert len(pseudo.nodes["Person"]) == len(clear.nodes["Person"])
    default, loose = _unrelated_occupants(clear, tmp_path / "clear_store")
    assert len(default) >= 2 and len(loose) >= 30
    assert _unrelated_occupants(pseudo, tmp_path / "pseudo_store") == (default, loose)
    adults = _unrelated_adults(clear)
    assert adults.sum() > 100
    pd.testing.assert_series_equal(_unrelated_adults(pseudo), adults)
    # one token per whole name makes every occupant a family of their own
    whole = copy.deepcopy(clear)
    whole.nodes["Person"]["name"] = pseudonymise(whole.nodes["Person"]["name"], key=KEY, domain="name").astype(object)
    w_default, w_loose = _unrelated_occupants(whole, tmp_path / "whole_store")
    assert w_default > default and w_loose > loose
    assert (_unrelated_adults(whole) > adults).sum() > 50


# ------------------------------------------------------------------------------------------- load_key


def test_load_key_from_env_hex_and_base64(monkeypatch):
    monkeypatch.setenv("CRIMNET_PSEUDONYM_KEY", KEY.hex())
    assert load_key() == KEY
    monkeypatch.setenv("CRIMNET_PSEUDONYM_KEY", base64.b64encode(KEY).decode())
    assert load_key() == KEY
    monkeypatch.setenv("MY_KEY", f"  {KEY.hex()}\n")
    assert load_key(env="MY_KEY") == KEY


def test_load_key_from_file(tmp_path, monkeypatch):
    monkeypatch.delenv("CRIMNET_PSEUDONYM_KEY", raising=False)
    hex_file = tmp_path / "key.hex"
    hex_file.write_text(KEY.hex() + "\n")
    assert load_key(key_file=hex_file) == KEY
    raw_file = tmp_path / "key.bin"
    raw_file.write_bytes(b"\xff\xfe" + KEY)
    assert load_key(key_file=str(raw_file)) == b"\xff\xfe" + KEY


def test_load_key_errors_do_not_reveal_the_key(tmp_path, monkeypatch):
    monkeypatch.delenv("CRIMNET_PSEUDONYM_KEY", raising=False)
    with pytest.raises(PseudonymKeyError, match="No pseudonymisation key: set the environment variable"):
        load_key()
    monkeypatch.setenv("CRIMNET_PSEUDONYM_KEY", "abcd" * 3)
    with pytest.raises(PseudonymKeyError, match="is 6 bytes; at least 16 are needed") as info:
        load_key()
    assert "abcd" not in str(info.value)
    monkeypatch.setenv("CRIMNET_PSEUDONYM_KEY", "not a key!!")
    with pytest.raises(PseudonymKeyError, match="neither hex nor base64") as info:
        load_key()
    assert "not a key" not in str(info.value)
    with pytest.raises(PseudonymKeyError, match="Cannot read the key file"):
        load_key(key_file=tmp_path / "missing.key")
    short = tmp_path / "short.key"
    short.write_text("00ff")
    with pytest.raises(PseudonymKeyError, match="is 2 bytes"):
        load_key(key_file=short)
    assert issubclass(PseudonymKeyError, CrimnetError)


def test_load_key_bad_parameters():
    with pytest.raises(ParameterError, match="The 'env' parameter of load_key"):
        load_key(env="")
    with pytest.raises(ParameterError, match="The 'key_file' parameter of load_key"):
        load_key(key_file=3)


def test_withhold_values_replaces_every_quoted_form():
    from crimnet.ingest.quarantine import WITHHELD, withhold_values

    q = pd.DataFrame(
        {
            "field": ["SURNAME", "URN", "", "PHONE", "DOB"],
            "value": ["O'Brien 9", "", "U4,SMITH,John", "07700 12", ""],
            "reason": [
                repr("O'Brien 9") + " is not a name (no letters)",  # repr picks double quotes here
                "record id is missing (every row needs one)",
                "'U4,SMITH,John' has 4 fields, expected 11 (malformed CSV line)",
                "'07700 12' is not a phone number; 07700 12 was given",  # the raw value again, later on
                "'31/02/1990' is not a date",  # a quoted value without a value: withheld
            ],
        }
    )
    w = withhold_values(q, key=KEY)
    tokens = pseudonymise(q["value"], key=KEY, domain="raw")
    assert w["value"].tolist() == [tokens[0], "", tokens[2], tokens[3], ""]
    assert w["reason"].tolist() == [
        f"{tokens[0]} is not a name (no letters)",
        "record id is missing (every row needs one)",
        f"{tokens[2]} has 4 fields, expected 11 (malformed CSV line)",
        f"{tokens[3]} is not a phone number; {tokens[3]} was given",
        f"{WITHHELD} is not a date",
    ]
    assert w["field"].tolist() == q["field"].tolist()
    with pytest.raises(ParameterError, match="The 'quarantine' parameter of withhold_values"):
        withhold_values(q.drop(columns="reason"), key=KEY)
