"""Name parts and term frequencies for relational person resolution.

A name is split into a family name and a given name (a whole word or an initial), in the
forms sources write them: ``'john smith'``, ``'j a smith'`` (initials), ``'smith j'`` (a bank's
``SURNAME INITIAL`` holder form, family first), ``'smith'`` (a titled form such as ``'MR SMITH'``
with the title removed by the name normaliser: family only). Frequencies of family names, given
names, given initials and dates of birth are computed from the records being resolved, never
from a name list, so a surname common in one case's population and rare in another is weighted
for that case (the term-frequency adjustment of Winkler 1989 and of Splink).

References
----------
Winkler, W. E. (1989). Frequency-based matching in Fellegi-Sunter model of record linkage.
Proceedings of the Section on Survey Research Methods, American Statistical Association, 778-783.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from crimnet.errors import check_type
from crimnet.ingest.normalise import name_variant_key

__all__ = [
    "NAME_PART_COLUMNS",
    "split_names",
    "term_frequencies",
    "coincidence",
    "edit_distance",
    "close_variants",
    "one_keying_error",
]

#: Two given names of one variant key are taken for one name written two ways when at most this
#: many single-character edits apart (``'mohammed'``/``'muhammad'``: 2); further apart they are
#: different names that the phonetic key happens to fold together (``'john'``/``'james'``).
MAX_VARIANT_EDITS = 2

#: Columns returned by :func:`split_names`.
NAME_PART_COLUMNS = ("family", "family_key", "given", "given_key", "initial", "given_kind")


def _split_one(name: str) -> tuple[str | None, str | None, str]:
    """``(family, given, kind)`` of one normalised name; kind is 'word', 'initial' or 'none'."""
    tokens = name.split()
    if not tokens:
        return None, None, "none"
    if len(tokens) == 1:
        return tokens[0], None, "none"
    if len(tokens[-1]) == 1 and len(tokens[0]) > 1:  # 'smith j a': family first, initials after
        return tokens[0], tokens[1], "initial"
    given = tokens[0]
    return tokens[-1], given, "initial" if len(given) == 1 else "word"


def split_names(names: pd.Series) -> pd.DataFrame:
    """Split normalised names into family and given parts with their variant keys.

    Parameters
    ----------
    names : Series of str
        Names as :func:`crimnet.ingest.normalise.normalise_name` writes them (lower case, titles
        removed); missing values allowed.

    Returns
    -------
    DataFrame
        Aligned to `names`: ``family``, ``family_key`` (the transliteration variant key of the
        family name, :func:`crimnet.ingest.normalise.name_variant_key`), ``given`` (first given
        word or initial), ``given_key``, ``initial`` (first letter of the given name) and
        ``given_kind`` (``'word'``, ``'initial'`` or ``'none'`` when only a family name is known).
        Missing names give missing parts and kind ``'none'``.

    Notes
    -----
    Each distinct name is split once: O(n) time plus O(d) Python work for d distinct names.

    Examples
    --------
    >>> parts = split_names(pd.Series(["john smith", "smith j", "smith"]))
    >>> parts[["family", "given", "given_kind"]].fillna("-").values.tolist()
    [['smith', 'john', 'word'], ['smith', 'j', 'initial'], ['smith', '-', 'none']]
    """
    check_type(names, pd.Series, param="names", func="split_names", expected="a pandas Series")
    codes, uniq = pd.factorize(names.astype(object).where(names.notna(), None), use_na_sentinel=True)
    parts = [_split_one(str(u)) for u in uniq]
    fam = np.array([p[0] for p in parts] + [None], dtype=object)
    giv = np.array([p[1] for p in parts] + [None], dtype=object)
    kind = np.array([p[2] for p in parts] + ["none"], dtype=object)
    word_keys: dict[str, str] = {}
    words = sorted({w for w in (*fam[:-1], *giv[:-1]) if w})
    if words:
        keys = name_variant_key(pd.Series(words, dtype=object)).to_numpy(object)
        word_keys = dict(zip(words, keys, strict=True))
    fkey = np.array([word_keys.get(f) if f else None for f in fam], dtype=object)
    gkey = np.array([word_keys.get(g) if g else None for g in giv], dtype=object)
    init = np.array([g[0] if g else None for g in giv], dtype=object)
    return pd.DataFrame(
        {
            "family": fam[codes],
            "family_key": fkey[codes],
            "given": giv[codes],
            "given_key": gkey[codes],
            "initial": init[codes],
            "given_kind": kind[codes],
        },
        index=names.index,
    )


def term_frequencies(values: pd.Series) -> pd.Series:
    """Relative frequency of each distinct non-missing value (the values' term frequencies).

    Returns
    -------
    Series of float64
        Indexed by value, summing to 1 (empty when every value is missing). O(n).

    >>> term_frequencies(pd.Series(["smith", "smith", "okafor", None])).round(3).to_dict()
    {'smith': 0.667, 'okafor': 0.333}
    """
    check_type(values, pd.Series, param="values", func="term_frequencies", expected="a pandas Series")
    counts = values.dropna().value_counts()
    return (counts / max(int(counts.sum()), 1)).astype(np.float64)


def coincidence(freq: pd.Series) -> float:
    """Probability that two random values agree: the sum of squared term frequencies.

    A value's term frequency divided by this is how much rarer (below 1) or commoner (above 1)
    than an average agreement its agreement is; 1.0 when `freq` is empty.

    >>> round(coincidence(pd.Series({"a": 0.5, "b": 0.5})), 2)
    0.5
    """
    check_type(freq, pd.Series, param="freq", func="coincidence", expected="a pandas Series")
    if freq.empty:
        return 1.0
    return float((freq.to_numpy(np.float64) ** 2).sum())


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance between two strings (insertions, deletions, substitutions).

    O(len(a) * len(b)) time, O(len(b)) memory.

    >>> edit_distance("mohammed", "muhammad"), edit_distance("john", "james")
    (2, 4)
    """
    check_type(a, str, param="a", func="edit_distance", expected="a str")
    check_type(b, str, param="b", func="edit_distance", expected="a str")
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def close_variants(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Per pair of words: at most :data:`MAX_VARIANT_EDITS` edits apart (False where either is missing).

    Each distinct pair is measured once.

    >>> close_variants(np.array(["mohammed", "john", None], dtype=object),
    ...                np.array(["muhammad", "james", "x"], dtype=object)).tolist()
    [True, False, False]
    """
    check_type(a, np.ndarray, param="a", func="close_variants", expected="a numpy array")
    check_type(b, np.ndarray, param="b", func="close_variants", expected="a numpy array")
    return _per_distinct_pair(a, b, lambda x, y: edit_distance(x, y) <= MAX_VARIANT_EDITS)


def _per_distinct_pair(a: np.ndarray, b: np.ndarray, test: Callable[[str, str], bool]) -> np.ndarray:
    """``test`` on each pair of strings, run once per distinct pair; False where either is missing."""
    ok = pd.notna(a) & pd.notna(b)
    out = np.zeros(len(a), dtype=bool)
    if not ok.any():
        return out
    pairs = pd.DataFrame({"a": a[ok], "b": b[ok]}).astype(str)
    uniq = pairs.drop_duplicates()
    found = {(x, y): test(x, y) for x, y in zip(uniq["a"], uniq["b"], strict=True)}
    out[ok] = [found[(x, y)] for x, y in zip(pairs["a"], pairs["b"], strict=True)]
    return out


def _one_keying_error(x: str, y: str) -> bool:
    if abs(len(x) - len(y)) > 1 or x == y:
        return False
    i = 0
    while i < min(len(x), len(y)) and x[i] == y[i]:
        i += 1
    if len(x) == len(y):  # one substitution, or two neighbours swapped
        return x[i + 1 :] == y[i + 1 :] or (x[i : i + 2] == y[i : i + 2][::-1] and x[i + 2 :] == y[i + 2 :])
    short, long_ = (x, y) if len(x) < len(y) else (y, x)
    return short[i:] == long_[i + 1 :]  # one character left out


def one_keying_error(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Per pair of words: exactly one keying error apart (False where either is missing or they are equal).

    A keying error is one of Damerau's four: a character substituted, inserted or left out, or two
    neighbouring characters swapped ('sohpie', 'sophie'), which together made over 80% of the
    misspellings he studied. Each distinct pair is measured once, O(length).

    References
    ----------
    Damerau, F. J. (1964). A technique for computer detection and correction of spelling errors.
    Communications of the ACM 7(3), 171-176.

    >>> one_keying_error(np.array(["sohpie", "sarah", "adrew", "john", None], dtype=object),
    ...                  np.array(["sophie", "syrah", "andrew", "joan", "x"], dtype=object)).tolist()
    [True, True, True, True, False]
    >>> one_keying_error(np.array(["john", "mark"], dtype=object), np.array(["jon", "mike"], dtype=object)).tolist()
    [True, False]
    """
    check_type(a, np.ndarray, param="a", func="one_keying_error", expected="a numpy array")
    check_type(b, np.ndarray, param="b", func="one_keying_error", expected="a numpy array")
    return _per_distinct_pair(a, b, _one_keying_error)
