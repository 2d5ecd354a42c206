"""Vectorised string building and noise for the generator (pyarrow compute and byte matrices).

The generator's modules (:mod:`crimnet.synthetic.world`, :mod:`crimnet.synthetic.render`,
:mod:`crimnet.synthetic.generate`) build every identifier, date and noisy field of a case
from whole arrays at once with these: no Python loop per row. Arrays are numpy or pyarrow
arrays (or lists and tuples); strings come back as pyarrow string arrays.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from crimnet.errors import bad_parameter

__all__ = [
    "cat",
    "zpad",
    "take",
    "where",
    "fmt_days",
    "fmt_secs",
    "typo",
    "digit_typo",
    "blank",
    "group_rank",
    "pick_in_group",
]

_LETTERS = np.frombuffer(b"abcdefghijklmnopqrstuvwxyz", dtype=np.uint8)
_DIGITS = np.frombuffer(b"0123456789", dtype=np.uint8)


_ARRAYS = (np.ndarray, pa.Array, pa.ChunkedArray, list, tuple, range)


def _check_array(value: Any, param: str, func: str) -> None:
    if not isinstance(value, _ARRAYS):
        raise bad_parameter(param, func, "an array (numpy or pyarrow array, list or tuple)", value)


def _arr(x: Any) -> pa.Array:
    """Return `x` as a pyarrow array (strings stay strings, numpy ints become int64)."""
    if isinstance(x, pa.ChunkedArray):
        return x.combine_chunks()
    if isinstance(x, pa.Array):
        return x
    return pa.array(x)


def cat(*parts: Any, sep: str = "") -> pa.Array:
    """Concatenate string arrays and scalars element-wise; nulls count as empty strings.

    >>> cat("P", pa.array(["1", None]), sep="-").to_pylist()
    ['P-1', 'P-']
    """
    items = [pa.scalar(p, pa.string()) if isinstance(p, str) else _arr(p) for p in parts]
    return pc.binary_join_element_wise(*items, sep, null_handling="replace", null_replacement="")


def zpad(values: np.ndarray, width: int) -> pa.Array:
    """Format non-negative integers as zero-padded decimal strings.

    >>> zpad(np.array([7, 1234]), 3).to_pylist()
    ['007', '1234']
    """
    _check_array(values, "values", "zpad")
    return pc.utf8_lpad(pa.array(np.asarray(values, dtype=np.int64)).cast(pa.string()), width, "0")


def take(pool: Sequence[str] | pa.Array, idx: np.ndarray) -> pa.Array:
    """Return ``pool[idx]`` as a string array.

    >>> take(["a", "b"], np.array([1, 1, 0])).to_pylist()
    ['b', 'b', 'a']
    """
    _check_array(pool, "pool", "take")
    p = pool if isinstance(pool, pa.Array) else pa.array(list(pool), pa.string())
    return p.take(pa.array(np.asarray(idx, dtype=np.int64)))


def where(mask: np.ndarray, a: Any, b: Any) -> pa.Array:
    """Element-wise ``a if mask else b`` for string arrays or scalars.

    >>> where(np.array([True, False]), "Y", "N").to_pylist()
    ['Y', 'N']
    """
    _check_array(mask, "mask", "where")
    a = pa.scalar(a, pa.string()) if isinstance(a, str) else _arr(a)
    b = pa.scalar(b, pa.string()) if isinstance(b, str) else _arr(b)
    return pc.if_else(pa.array(np.asarray(mask, dtype=bool)), a, b)


_SLICES = {"Y": (0, 4), "m": (5, 7), "d": (8, 10), "H": (11, 13), "M": (14, 16), "S": (17, 19)}


def _strftime(iso: pa.Array, fmt: str) -> pa.Array:
    """Format ISO ``YYYY-MM-DD HH:MM:SS`` strings with a strftime subset (%Y %m %d %H %M %S), by slicing."""
    parts: list = []
    lit = ""
    i = 0
    while i < len(fmt):
        if fmt[i] == "%" and i + 1 < len(fmt) and fmt[i + 1] in _SLICES:
            if lit:
                parts.append(lit)
                lit = ""
            a, b = _SLICES[fmt[i + 1]]
            parts.append(pc.utf8_slice_codeunits(iso, a, b))
            i += 2
        else:
            lit += fmt[i]
            i += 1
    if lit:
        parts.append(lit)
    return cat(*parts)


def fmt_days(days: np.ndarray, fmt: str) -> pa.Array:
    """Format days since 1970-01-01 with a strftime format (subset: %Y %m %d).

    >>> fmt_days(np.array([0, 20000]), "%d/%m/%Y").to_pylist()
    ['01/01/1970', '04/10/2024']
    """
    _check_array(days, "days", "fmt_days")
    d = pa.array(np.asarray(days, dtype=np.int64).astype(np.int32), pa.int32()).cast(pa.date32())
    iso = d.cast(pa.string())
    return iso if fmt == "%Y-%m-%d" else _strftime(iso, fmt)


def fmt_secs(secs: np.ndarray, fmt: str) -> pa.Array:
    """Format seconds since 1970-01-01 UTC with a strftime format (subset: %Y %m %d %H %M %S).

    >>> fmt_secs(np.array([90061]), "%Y-%m-%dT%H:%M:%SZ").to_pylist()
    ['1970-01-02T01:01:01Z']
    """
    _check_array(secs, "secs", "fmt_secs")
    t = pa.array(np.asarray(secs, dtype=np.int64), pa.int64()).cast(pa.timestamp("s"))
    return _strftime(t.cast(pa.string()), fmt)


def _to_matrix(values: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    b = np.asarray(values.to_numpy(zero_copy_only=False), dtype=object).astype("S")
    width = max(b.dtype.itemsize, 1)
    m = (
        np.frombuffer(b.tobytes(), dtype=np.uint8).reshape(len(b), width).copy()
        if len(b)
        else np.zeros((0, 1), np.uint8)
    )
    lengths = (m != 0).sum(axis=1)
    return m, lengths


def _from_matrix(m: np.ndarray) -> pa.Array:
    width = m.shape[1]
    s = np.frombuffer(np.ascontiguousarray(m).tobytes(), dtype=f"S{width}")
    return pa.array(s).cast(pa.string())


def typo(
    values: pa.Array,
    mask: np.ndarray,
    rng: np.random.Generator,
    *,
    digits: bool = False,
    last_digits: int | None = None,
) -> pa.Array:
    """Apply one random typo to each masked string: substitution, deletion, transposition or doubling.

    With ``digits=True`` only substitutions by a digit are made, at a digit position
    (among the last `last_digits` digits of the string when given).
    Strings must be ASCII. Vectorised over a byte matrix (no Python loop per row).

    >>> rng = np.random.default_rng(0)
    >>> out = typo(pa.array(["smith", "jones"]), np.array([True, False]), rng).to_pylist()
    >>> out[0] != "smith", out[1]
    (True, 'jones')
    """
    _check_array(values, "values", "typo")
    values = _arr(values)
    idx = np.flatnonzero(mask)
    if len(idx) == 0:
        return values
    sub = values.take(pa.array(idx))
    valid = np.asarray(sub.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
    sub_filled = pc.fill_null(sub, "")
    m, lengths = _to_matrix(sub_filled)
    m = np.concatenate([m, np.zeros((len(m), 1), np.uint8)], axis=1)
    n: int
    w: int
    n, w = m.shape
    rows = np.arange(n)
    pos = np.minimum((rng.random(n) * np.maximum(lengths, 1)).astype(np.int64), np.maximum(lengths - 1, 0))
    if digits:
        isdig = (m >= 48) & (m <= 57)
        if last_digits is not None:  # digits counted from the end of each string
            isdig &= np.cumsum(isdig[:, ::-1], axis=1)[:, ::-1] <= last_digits
        # choose a random digit position per row
        r = rng.random((n, w)) * isdig
        pos = r.argmax(axis=1)
        old = m[rows, pos]
        new = _DIGITS[(old.astype(np.int64) - 48 + rng.integers(1, 10, n)) % 10]
        m[rows, pos] = np.where(isdig[rows, pos], new, old)
    else:
        kind = rng.integers(0, 4, n)
        kind[lengths < 3] = 0
        upper = (m[rows, pos] >= 65) & (m[rows, pos] <= 90)
        letter = _LETTERS[rng.integers(0, 26, n)] - np.where(upper, 32, 0).astype(np.uint8)
        cols = np.arange(w)[None, :]
        p = pos[:, None]
        # 0 substitution
        s0 = kind == 0
        m[rows[s0], pos[s0]] = letter[s0]
        # 1 deletion: shift left from pos
        gather = np.where((kind[:, None] == 1) & (cols >= p), np.minimum(cols + 1, w - 1), cols)
        # 2 transposition of pos and pos+1 (pos < length-1)
        t = (kind == 2) & (pos < lengths - 1)
        gather = np.where(t[:, None] & (cols == p), cols + 1, gather)
        gather = np.where(t[:, None] & (cols == p + 1), cols - 1, gather)
        # 3 doubling: repeat char at pos
        gather = np.where((kind[:, None] == 3) & (cols > p), cols - 1, gather)
        m = np.take_along_axis(m, gather, axis=1)
        m[(kind == 1), w - 1] = 0
    out = _from_matrix(m)
    out = pc.if_else(pa.array(valid), out, pa.nulls(len(out), pa.string()))
    full_mask = np.zeros(len(values), dtype=bool)
    full_mask[idx] = True
    return pc.replace_with_mask(values.cast(pa.string()), pa.array(full_mask), out)


def digit_typo(
    values: pa.Array, mask: np.ndarray, rng: np.random.Generator, *, last_digits: int | None = None
) -> pa.Array:
    """Change one digit of each masked string (one of its last `last_digits` digits when given).

    >>> digit_typo(pa.array(["0123"]), np.array([True]), np.random.default_rng(0), last_digits=1).to_pylist()[0][:3]
    '012'
    """
    _check_array(values, "values", "digit_typo")
    return typo(values, mask, rng, digits=True, last_digits=last_digits)


def blank(values: pa.Array, mask: np.ndarray) -> pa.Array:
    """Null out the masked entries (they are written as empty CSV fields).

    >>> blank(pa.array(["a", "b"]), np.array([False, True])).to_pylist()
    ['a', None]
    """
    _check_array(values, "values", "blank")
    values = _arr(values)
    return pc.if_else(pa.array(np.asarray(mask, dtype=bool)), pa.nulls(len(values), values.type), values)


def group_rank(keys: np.ndarray) -> np.ndarray:
    """Return each element's 0-based rank among equal keys, in order of appearance.

    >>> group_rank(np.array([5, 3, 5, 5])).tolist()
    [0, 0, 1, 2]
    """
    _check_array(keys, "keys", "group_rank")
    keys = np.asarray(keys)
    n = len(keys)
    if n == 0:
        return np.zeros(0, np.int64)
    order = np.argsort(keys, kind="stable")
    sk = keys[order]
    starts = np.r_[0, np.flatnonzero(sk[1:] != sk[:-1]) + 1]
    counts = np.diff(np.r_[starts, n])
    ranks = np.empty(n, np.int64)
    ranks[order] = np.arange(n) - np.repeat(starts, counts)
    return ranks


def pick_in_group(
    members: np.ndarray, member_group: np.ndarray, want_group: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """For each entry of `want_group`, return a random member of that group (-1 if the group is empty).

    >>> pick_in_group(np.array([10, 11]), np.array([0, 0]), np.array([0, 1]), np.random.default_rng(0))[1]
    np.int64(-1)
    """
    _check_array(members, "members", "pick_in_group")
    members = np.asarray(members)
    member_group = np.asarray(member_group, dtype=np.int64)
    want_group = np.asarray(want_group, dtype=np.int64)
    if len(want_group) == 0:
        return np.zeros(0, np.int64)
    order = np.argsort(member_group, kind="stable")
    sg = member_group[order]
    sm = members[order]
    ng = int(max(sg.max(initial=-1), want_group.max(initial=-1))) + 1
    start = np.searchsorted(sg, np.arange(ng), side="left")
    stop = np.searchsorted(sg, np.arange(ng), side="right")
    size = (stop - start)[want_group]
    off = (rng.random(len(want_group)) * np.maximum(size, 1)).astype(np.int64)
    out = np.where(size > 0, sm[np.minimum(start[want_group] + off, max(len(sm) - 1, 0))] if len(sm) else -1, -1)
    return out.astype(np.int64)
