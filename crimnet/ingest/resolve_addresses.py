"""Address variants: Address ids that denote one place, and the canonical id each one maps to.

An Address id is ``'<postcode>|<line>'`` (:func:`crimnet.ingest.normalise.address_key`), built
from a normalised postcode and a normalised first line (abbreviations expanded, flat designators
moved to the end). Clerical errors still split one place into several ids: a postcode keyed one
character wrong (``'LS1 4AB'`` as ``'LS1 4AD'`` or ``'BK1 4AB'``), or a street name misspelt
(``'12 kign street'``). Each split divides the occupancy evidence (who lives, trades or is seen
there) that detection and disruption read. :func:`address_variants` finds such ids and maps
each to the id of its place; ingest rewrites every Address end of every relationship before the
tables are built (:func:`crimnet.ingest.build.lazy_tables`) and writes the mapping, with its rule,
to ``address_variants.csv``.

Rules, in two passes (the second runs on the ids the first leaves)
------------------------------------------------------------------
``line`` (first)
    The **same postcode exactly**, the **same numbers** (every token holding a digit, and every
    one-letter token, such as the ``'a'`` of ``'flat a'``, in the same order) and lines **one
    edit apart**: a misspelt street name. The line whose rarest word is seen in more places wins
    (``'trafalgar'`` names every address of the street, ``'traaflgar'`` one), then the id with
    more mentions.
``postcode`` (second)
    The **same line exactly** and postcodes **one edit apart** (a substitution, an adjacent
    transposition, an inserted or a deleted character): either the same outward code (district)
    and inward codes one edit apart, or a different outward code and the same unit letters (the
    inward code's last two): an edit in the outward code, or two characters swapped across the
    space (``'KB1 0GB'`` as ``'KB0 1GB'``). Postcodes one keystroke apart are neighbouring units,
    and one house line in two neighbouring units is one place written twice. But a *run* of
    identical lines under two postcodes is two real streets of one name (a district may have two
    ``cliff place``, numbered alike): inside a district, the two postcodes must share **exactly
    one** line. A change of district needs the variant's district to hold strictly fewer
    postcodes than the target's (a misspelt district is rare), and the two postcodes to share one
    line or the variant's postcode to hold no line of its own (a misspelling collects only
    misspelt copies). The postcode that holds **more places** (distinct lines) is taken for the
    real one, then the id with more mentions: a mistyped postcode usually exists nowhere else.

Never merged: different house or flat numbers (``'12 king street'`` and ``'14 king street'``,
``'flat 1'`` and ``'flat 2'``, ``'12a'`` and ``'12b'``: the numbers differ); a building and a flat
in it (``'24 high street'`` and ``'24 high street flat 4'``: the flat number is missing from one,
which may name the whole building); an id with two errors (postcode and line both wrong) unless
another spelling bridges them; a run of identical lines under two postcodes of one district; the
same line in two postcodes of different districts where neither district is rarer. Where one id
has several candidate targets it goes to the best-ranked one; chains (a variant of a variant) end
at the best-ranked id of the chain, so the mapping is idempotent.

Pseudonymised ingest (:mod:`crimnet.ingest.pseudonymise`) keeps addresses in clear, so the
rules run unchanged there; an id without the ``'|'`` of an address key (a token) is left alone.

Cost: O(n log n) for n distinct ids (factorising and sorting block keys); candidate pairs are
formed inside blocks of one postcode and its numbers, or of one line with one district or one pair
of unit letters, and a block holding more than :data:`MAX_BLOCK` ids is skipped, so pairs are
O(n). Everything is vectorised (pandas and numpy), no Python loop over ids or pairs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from crimnet.errors import bad_parameter, check_type
from crimnet.frames import replace_ids

__all__ = ["ADDRESS_VARIANT_COLUMNS", "MAX_BLOCK", "AddressVariants", "address_variants", "one_edit_apart"]

ADDRESS_VARIANT_COLUMNS = ["address_id", "canonical_id", "rule", "mentions", "canonical_mentions"]
"""Columns of :func:`address_variants`: the variant id, the id of its place, the rule(s) that merged
it (``'postcode'``, ``'line'`` or ``'postcode+line'``), and the evidence rows (mentions) of each."""

MAX_BLOCK = 64
"""Most distinct ids in one block (one line in one district, one postcode and number signature);
a larger block is not a set of spellings of one place (a junk line such as ``'unknown'``) and is
skipped, which keeps the candidate pairs linear in the ids."""


def one_edit_apart(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Per pair of strings: exactly one edit apart (substitution, adjacent transposition, insertion, deletion).

    Parameters
    ----------
    a, b : numpy.ndarray of str
        Equal-length arrays of strings (any Unicode); missing values count as not close.

    Returns
    -------
    numpy.ndarray of bool
        True where the two strings differ by one optimal-string-alignment (Damerau) edit; False
        where they are equal, further apart or either is missing.

    Notes
    -----
    With p the common prefix and s the common suffix of the two strings, lengths la and lb:
    one substitution iff la == lb and p + s == la - 1; one transposition iff la == lb,
    p + s == la - 2 and the two characters at p are swapped; one insertion or deletion iff
    |la - lb| == 1 and p + s >= min(la, lb). Vectorised on a code-point matrix:
    time and memory O(n L) for n pairs of at most L characters.

    Examples
    --------
    >>> one_edit_apart(np.array(["LS1 4AB", "kign", "ose", "12", "abc", "x"]),
    ...                np.array(["LS1 4AD", "king", "rose", "14", "abc", "xyz"])).tolist()
    [True, True, True, True, False, False]
    """
    check_type(a, np.ndarray, param="a", func="one_edit_apart", expected="a numpy array of strings")
    check_type(b, np.ndarray, param="b", func="one_edit_apart", expected="a numpy array of strings")
    if len(a) != len(b):
        raise bad_parameter("b", "one_edit_apart", f"an array as long as 'a' ({len(a)})", f"length {len(b)}")
    ok = pd.notna(a) & pd.notna(b)
    out = np.zeros(len(a), dtype=bool)
    if not ok.any():
        return out
    sa, sb = pd.Series(a[ok], dtype="str"), pd.Series(b[ok], dtype="str")
    la, lb = sa.str.len().to_numpy(np.int64), sb.str.len().to_numpy(np.int64)
    width = max(int(la.max()), int(lb.max()), 1)

    def codes(s: pd.Series) -> np.ndarray:
        return np.asarray(s.to_numpy(dtype=object), dtype=f"<U{width}").view(np.uint32).reshape(len(s), width)

    def common(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        neq = x != y  # padding is code point 0, so a shorter string differs past its end
        return np.where(neq.any(axis=1), neq.argmax(axis=1), width)

    ca, cb = codes(sa), codes(sb)
    p = common(ca, cb)
    s = common(codes(sa.str[::-1]), codes(sb.str[::-1]))
    same_len = la == lb
    sub = same_len & (p < la) & (p + s == la - 1)
    rows = np.arange(len(la))
    p1 = np.minimum(p + 1, width - 1)
    pc = np.minimum(p, width - 1)
    swapped = (ca[rows, pc] == cb[rows, p1]) & (ca[rows, p1] == cb[rows, pc])
    trans = same_len & (p + s == la - 2) & (p + 1 < la) & swapped
    indel = (np.abs(la - lb) == 1) & (p + s >= np.minimum(la, lb))
    out[ok] = sub | trans | indel
    return out


def address_variants(addresses: pd.DataFrame) -> AddressVariants:
    """Find Address ids that are variants of another id of the same place, and the id each maps to.

    Parameters
    ----------
    addresses : DataFrame
        Address evidence: one row per mention, column ``id`` (``'<postcode>|<line>'``, as
        :func:`crimnet.ingest.normalise.address_key` builds it); other columns are ignored.

    Returns
    -------
    AddressVariants
        Its ``table``: :data:`ADDRESS_VARIANT_COLUMNS`, one row per id that maps to another
        (sorted by ``address_id``); ``canonical_id`` is itself never a variant. Empty when no id merges.

    Raises
    ------
    crimnet.errors.ParameterError
        If `addresses` is not a DataFrame with an ``id`` column.

    Notes
    -----
    The rules and why they are safe are in the module docstring. Time O(n log n) for n
    distinct ids, memory O(n) (see :data:`MAX_BLOCK`).

    Examples
    --------
    >>> ids = ["LS1 4AB|12 king street"] * 3 + ["LS1 4AD|12 king street", "LS1 4AB|14 king street",
    ...        "LS1 4AB|12 kign street", "LS1 4AB|12 king street flat 2"]
    >>> v = address_variants(pd.DataFrame({"id": ids}))
    >>> v.table[["address_id", "canonical_id", "rule"]].values.tolist()  # doctest: +NORMALIZE_WHITESPACE
    [['LS1 4AB|12 kign street', 'LS1 4AB|12 king street', 'line'],
     ['LS1 4AD|12 king street', 'LS1 4AB|12 king street', 'postcode']]
    """
    check_type(addresses, pd.DataFrame, param="addresses", func="address_variants", expected="a DataFrame")
    if "id" not in addresses.columns:
        raise bad_parameter("addresses", "address_variants", "a DataFrame with an 'id' column", list(addresses.columns))
    counts = addresses["id"].dropna().astype("str").value_counts(sort=False)
    keyed = counts[counts.index.str.contains("|", regex=False)].sort_index()
    ids = keyed.index.to_numpy(dtype=object)
    mentions = keyed.to_numpy(np.int64)
    if len(ids) < 2:
        return AddressVariants(pd.DataFrame(columns=ADDRESS_VARIANT_COLUMNS))
    parts = pd.Series(ids, dtype="str").str.split("|", n=1, expand=True)
    postcode, line = parts[0].to_numpy(dtype=object), parts[1].to_numpy(dtype=object)

    first = _line_pass(postcode, line, mentions)
    # the second pass sees each place once: its canonical id, with the mentions of all its spellings
    roots = np.unique(first)
    root_mentions = np.bincount(first, weights=mentions, minlength=len(ids)).astype(np.int64)[roots]
    second = np.arange(len(ids))
    second[roots] = roots[_postcode_pass(postcode[roots], line[roots], root_mentions)]
    final = second[first]

    moved = np.flatnonzero(final != np.arange(len(ids)))
    by_line = first[moved] != moved
    by_postcode = second[first[moved]] != first[moved]
    rule = np.where(by_postcode & by_line, "postcode+line", np.where(by_postcode, "postcode", "line"))
    table = pd.DataFrame(
        {
            "address_id": pd.Series(ids[moved], dtype="str"),
            "canonical_id": pd.Series(ids[final[moved]], dtype="str"),
            "rule": pd.Series(rule, dtype="str"),
            "mentions": mentions[moved],
            "canonical_mentions": mentions[final[moved]],
        }
    )
    return AddressVariants(table)


@dataclass(frozen=True, eq=False)
class AddressVariants:
    """Address ids merged into the id of their place, and their rewriting of ids, evidence and person records.

    Parameters
    ----------
    table : DataFrame
        :data:`ADDRESS_VARIANT_COLUMNS` (at least ``address_id`` and ``canonical_id``), one row per
        variant id, as :func:`address_variants` finds them; a canonical id is never a variant.

    Raises
    ------
    crimnet.errors.ParameterError
        If `table` is not a DataFrame with ``address_id`` and ``canonical_id`` columns.

    Notes
    -----
    Every rewrite is a hash lookup: time O(n + v) for n ids and v variants.

    Examples
    --------
    >>> v = AddressVariants(pd.DataFrame({"address_id": ["LS1 4AD|1 a road"], "canonical_id": ["LS1 4AB|1 a road"]}))
    >>> v.ids(pd.Series(["LS1 4AD|1 a road", "X1 1AA|2 b road"])).tolist()
    ['LS1 4AB|1 a road', 'X1 1AA|2 b road']
    """

    table: pd.DataFrame

    def __post_init__(self) -> None:
        check_type(self.table, pd.DataFrame, param="table", func="AddressVariants", expected="a DataFrame")
        if not {"address_id", "canonical_id"} <= set(self.table.columns):
            raise bad_parameter(
                "table", "AddressVariants", "a DataFrame with 'address_id' and 'canonical_id'", list(self.table.columns)
            )

    def __len__(self) -> int:
        return len(self.table)

    def ids(self, ids: pd.Series) -> pd.Series:
        """`ids` with every variant replaced by its canonical id (others unchanged, NA stays NA); same index."""
        return replace_ids(ids, self.table["address_id"], self.table["canonical_id"])

    def evidence(self, nodes: pd.DataFrame) -> pd.DataFrame:
        """Address node evidence with variant ids replaced, their ``postcode`` and ``line`` the canonical id's.

        Each row (mention) keeps its source and record, so the merged node lists every record of
        every spelling.
        """
        new = self.ids(nodes["id"])
        moved = _moved(new, nodes["id"])
        if not moved.any():
            return nodes
        out = nodes.copy()
        out["id"] = new
        parts = new[moved].astype("str").str.split("|", n=1, expand=True)
        for col, part in (("postcode", 0), ("line", 1)):
            if col in out.columns:
                out.loc[moved, col] = parts[part].to_numpy(dtype=object)
        return out

    def records(self, records: pd.DataFrame) -> pd.DataFrame:
        """Person records (:data:`crimnet.ingest.build.PERSON_RECORD_COLUMNS`) naming the canonical place.

        A record's ``postcode`` changes only with its ``address_id``: a postcode known without an
        address (``LIVES_IN``) stays as written.
        """
        if not len(self.table) or "address_id" not in records.columns:
            return records
        new = self.ids(records["address_id"])
        moved = _moved(new, records["address_id"])
        if not moved.any():
            return records
        out = records.copy()
        out["address_id"] = new
        if "postcode" in out.columns:
            out.loc[moved, "postcode"] = new[moved].astype("str").str.split("|", n=1).str[0].to_numpy(dtype=object)
        return out


def _moved(new: pd.Series, old: pd.Series) -> np.ndarray:
    """Where an id was replaced (NA stays NA, and NA never equals NA)."""
    return (new.notna() & old.notna() & (new != old)).to_numpy(bool)


def _postcode_pass(postcode: np.ndarray, line: np.ndarray, mentions: np.ndarray) -> np.ndarray:
    """Pass 2: per id, the id of its place among ids of one line whose postcodes are one edit apart."""
    pcs = pd.Series(postcode, dtype="str")
    split = pcs.str.split(" ", n=1, expand=True).reindex(columns=[0, 1])
    outward, inward = split[0].fillna("").to_numpy(dtype=object), split[1].fillna("").to_numpy(dtype=object)
    places = _distinct_per(postcode, line)  # distinct lines (places) under each id's postcode
    districts = _distinct_per(outward, postcode)  # distinct postcodes in each id's district
    rank = _rank(places, mentions)
    i, j = _block_pairs(line.astype(str) + "\x00" + outward.astype(str))
    inside = one_edit_apart(inward[i], inward[j])
    # the same unit letters: an edit inside the outward code, or two characters swapped across the space
    unit = pd.Series(inward, dtype="str").str.slice(1).to_numpy(dtype=object)
    k, m = _block_pairs(line.astype(str) + "\x00" + unit.astype(str))
    compact = pd.Series(postcode, dtype="str").str.replace(" ", "", regex=False).to_numpy(dtype=object)
    across = (outward[k] != outward[m]) & one_edit_apart(compact[k], compact[m])
    i, j, k, m = i[inside], j[inside], k[across], m[across]
    lo = np.where(rank[i] < rank[j], i, j), np.where(rank[k] < rank[m], k, m)
    hi = np.where(rank[i] < rank[j], j, i), np.where(rank[k] < rank[m], m, k)
    shared, own = _twins(postcode, np.concatenate(lo), np.concatenate(hi))
    # one line in two postcodes of one district is a typo; a run of them is two real streets of one name
    keep_in = shared[: len(i)] == 1
    # a misspelt district is the rarer one, and its postcode holds one such line or nothing of its own
    lo_out, hi_out = lo[1], hi[1]
    keep_out = (districts[lo_out] < districts[hi_out]) & ((shared[len(i) :] == 1) | (own[lo_out] == 0))
    src = np.concatenate([lo[0][keep_in], lo_out[keep_out]])
    dst = np.concatenate([hi[0][keep_in], hi_out[keep_out]])
    return _roots(src, dst, rank)


def _twins(postcode: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For candidate pairs (`lo`, `hi`: ids of one line): lines their two postcodes share, and per id its
    postcode's own places (lines in no candidate pair)."""
    key = pd.Series(postcode[lo], dtype="str") + "\x00" + pd.Series(postcode[hi], dtype="str")
    shared = key.map(key.value_counts()).to_numpy(np.int64)
    twinned = np.zeros(len(postcode), dtype=bool)
    twinned[np.concatenate([lo, hi])] = True
    own = pd.Series(~twinned).groupby(pd.Series(postcode, dtype="str")).transform("sum").to_numpy(np.int64)
    return shared, own


def _line_pass(postcode: np.ndarray, line: np.ndarray, mentions: np.ndarray) -> np.ndarray:
    """Pass 1: per id, the id of its place among ids of one postcode and numbers whose lines are one edit apart."""
    lines = pd.Series(line, dtype="str")
    # the numbers of a line: tokens holding a digit and one-letter tokens ('12a', 'flat 2', 'flat b')
    numbers = lines.str.replace(r"\b[^\W\d]{2,}\b", " ", regex=True).str.split().str.join(" ")
    words = lines.str.findall(r"\b[^\W\d]{2,}\b").explode()
    words = words[words.notna()]
    seen = pd.DataFrame({"at": words.index.to_numpy(), "word": words.to_numpy()}).drop_duplicates()
    places = seen.groupby("word")["at"].transform("size").to_numpy(np.int64)  # places naming each word
    none = np.iinfo(np.int64).max
    rarest = np.full(len(line), none, dtype=np.int64)
    np.minimum.at(rarest, seen["at"].to_numpy(np.int64), places)
    rarest[rarest == none] = 0  # a line of numbers only
    rank = _rank(rarest, mentions)
    i, j = _block_pairs(postcode.astype(str) + "\x00" + numbers.to_numpy(dtype=object).astype(str))
    close = one_edit_apart(line[i], line[j])
    return _roots(np.concatenate([i[close], j[close]]), np.concatenate([j[close], i[close]]), rank)


def _distinct_per(group: np.ndarray, value: np.ndarray) -> np.ndarray:
    """Per element: how many distinct values its group holds."""
    df = pd.DataFrame({"g": group, "v": value})
    return df.groupby("g")["v"].transform("nunique").to_numpy(np.int64)


def _rank(primary: np.ndarray, mentions: np.ndarray) -> np.ndarray:
    """A strict order of ids (higher: the more likely true spelling): `primary`, then mentions, then first id."""
    order = np.lexsort((-np.arange(len(primary)), mentions, primary))
    rank = np.empty(len(primary), dtype=np.int64)
    rank[order] = np.arange(len(primary))
    return rank


def _block_pairs(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every pair (i < j) of positions with the same key, in blocks of at most :data:`MAX_BLOCK`."""
    code, _ = pd.factorize(keys)
    size = np.bincount(code)
    df = pd.DataFrame({"k": code, "i": np.arange(len(code))})
    df = df[((size[code] > 1) & (size[code] <= MAX_BLOCK))]
    pairs = df.merge(df, on="k", suffixes=("", "_j"))
    pairs = pairs[pairs["i"].to_numpy() < pairs["i_j"].to_numpy()]
    return pairs["i"].to_numpy(np.int64), pairs["i_j"].to_numpy(np.int64)


def _roots(src: np.ndarray, dst: np.ndarray, rank: np.ndarray) -> np.ndarray:
    """Per id, the best-ranked id its chain of better-ranked close ids ends at (itself when it has none)."""
    parent = np.arange(len(rank))
    up = rank[dst] > rank[src]
    src, dst = src[up], dst[up]
    if len(src):
        best = np.full(len(rank), -1, dtype=np.int64)
        np.maximum.at(best, src, rank[dst])  # each variant goes to its best-ranked neighbour
        by_rank = np.argsort(rank)
        has = best >= 0
        parent[has] = by_rank[best[has]]
        while True:  # pointer jumping: ranks strictly rise along parents, so this ends in O(log n) rounds
            nxt = parent[parent]
            if np.array_equal(nxt, parent):
                break
            parent = nxt
    return parent
