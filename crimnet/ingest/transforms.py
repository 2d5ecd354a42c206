"""Spec transforms: chained steps on a field's raw text, ``when`` conditions, and list cells.

Three small pieces of the spec language (:mod:`crimnet.ingest.specs`, ``docs/specs.md``), all
vectorised with pandas string methods (no Python loop per row):

* :class:`Step` and :func:`apply_steps`: a field's ``steps = [...]``, applied in order to the
  raw text before its normaliser: ``split``/``part``, ``regex`` (keeps the named group ``v``,
  else the first group, else the whole match), ``strip``, ``map`` and ``null_if``;
* :class:`Condition` and :func:`condition_mask`: a node's or relationship's ``when``;
* :class:`ListSpec` and :func:`explode_list`: a ``[lists]`` cell holding several items, each
  optionally parsed by an item pattern with named groups.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from crimnet.errors import check_type

__all__ = [
    "STEP_OPS",
    "CONDITION_OPS",
    "Step",
    "Condition",
    "ListSpec",
    "apply_steps",
    "condition_mask",
    "explode_list",
]

STEP_OPS = ("split", "regex", "strip", "map", "null_if")
"""The operations a field's ``steps`` may hold (one per step; ``part`` goes with ``split``)."""

CONDITION_OPS = ("min", "max", "in", "not_in", "matches", "present")
"""The tests a ``when`` may hold beside its ``field`` (several are all required)."""


@dataclass(frozen=True)
class Step:
    """One transform of a field's raw text.

    Attributes
    ----------
    op : str
        One of :data:`STEP_OPS`.
    arg : Any
        ``split``: the separator; ``regex``: the pattern (str); ``strip``: the characters to
        strip from both ends (None: white space); ``map``: a dict of value -> replacement
        (``""`` means no value); ``null_if``: a tuple of values that mean no value.
    part : int or str
        For ``split``: the part kept (negative counts from the end) or a slice ``'a:b'`` of
        parts joined again with the separator.
    """

    op: str
    arg: Any
    part: int | str = 0


@dataclass(frozen=True)
class Condition:
    """A ``when``: keep a node or relationship in a row only where its field passes every test.

    Attributes
    ----------
    field : str
        The field tested (its normalised value).
    tests : dict of str to Any
        Keys of :data:`CONDITION_OPS`. ``min``/``max``: a number (the value compared as a
        number) or text (compared as text, so ISO dates order correctly), inclusive; ``in``,
        ``not_in``: lists of values (compared as text); ``matches``: a regular expression
        searched in the value (anchor it with ``^...$`` to match the whole value);
        ``present``: true (the value is there) or false (it is missing).

    Notes
    -----
    A missing value fails ``min``, ``max``, ``in`` and ``matches`` and passes ``not_in``.
    """

    field: str
    tests: dict[str, Any]


@dataclass(frozen=True)
class ListSpec:
    """A ``[lists]`` entry: a raw column whose cells hold several items.

    Attributes
    ----------
    name : str
        The list's name; fields read it as ``column = "<name>"`` (the whole item) or
        ``column = "<name>.<group>"`` (a named group of the item pattern).
    column : str
        The raw column.
    sep : str
        Separator between items (literal text, not a pattern); items are stripped and empty
        ones skipped.
    item : str or None
        Regular expression an item must match in full, with named groups; None keeps the
        whole item.
    """

    name: str
    column: str
    sep: str
    item: str | None = None

    @property
    def groups(self) -> tuple[str, ...]:
        """The named groups of the item pattern (empty without one)."""
        return tuple(re.compile(self.item).groupindex) if self.item else ()


def _na(index: pd.Index) -> pd.Series:
    return pd.Series(pd.NA, index=index, dtype="str")


def _clean(s: pd.Series) -> pd.Series:
    """Text with empty strings as NA, as the ``str`` dtype."""
    return s.astype("str").replace("", pd.NA).astype("str")


def apply_steps(raw: pd.Series, steps: tuple[Step, ...]) -> pd.Series:
    """Apply transform steps in order to raw text; an empty result is no value (NA).

    Parameters
    ----------
    raw : Series of str
        The field's raw text (NA where missing).
    steps : tuple of Step
        The field's steps.

    Returns
    -------
    Series of str
        Same index; NA where a step left nothing (a ``regex`` that does not match, a
        ``null_if`` value, a ``map`` to ``""``).

    Notes
    -----
    Vectorised: one pandas string operation per step; O(n) per step.

    Examples
    --------
    >>> s = pd.Series(["AB12 CDE, red", "unknown", None, "-"])
    >>> steps = (Step("regex", r"^(?P<v>[A-Z0-9 ]+)"), Step("strip", None), Step("null_if", ("-",)),
    ...          Step("split", ",", 0))
    >>> apply_steps(s, steps).tolist()
    ['AB12 CDE', nan, nan, nan]
    """
    check_type(raw, pd.Series, param="raw", func="apply_steps", expected="a pandas Series")
    s = raw.astype("str")
    for step in steps:
        if step.op == "split":
            pieces = s.str.split(step.arg, regex=False)
            if isinstance(step.part, str):
                start, stop = (int(x) if x else None for x in step.part.split(":"))
                s = pieces.str[slice(start, stop)].str.join(step.arg)
            else:
                s = pieces.str[step.part]
            s = s.astype("str").str.strip()
        elif step.op == "regex":
            pattern = re.compile(step.arg)
            group: str | int = "v" if "v" in pattern.groupindex else (1 if pattern.groups else 0)
            if group == 0:
                s = s.str.extract(f"({step.arg})", expand=False)
            else:
                ext = s.str.extract(pattern, expand=True)
                s = ext["v"] if group == "v" else ext.iloc[:, 0]
            s = s.astype("str")
        elif step.op == "strip":
            s = s.str.strip(step.arg)
        elif step.op == "map":
            mapping = dict(step.arg)
            hit = s.isin(list(mapping)).to_numpy(bool)
            if hit.any():
                s = s.copy()
                s[hit] = s[hit].map(mapping).to_numpy()
        elif step.op == "null_if":
            s = s.where(~s.isin(list(step.arg)))
        else:  # pragma: no cover - guarded by the spec checker
            raise ValueError(f"unknown step {step.op!r}")
        s = _clean(s)
    return s


def condition_mask(cond: Condition, values: pd.Series) -> np.ndarray:
    """Return where `values` (the condition field's normalised values) pass every test of `cond`.

    Examples
    --------
    >>> v = pd.Series(["0.95", "0.5", None])
    >>> condition_mask(Condition("conf", {"min": 0.8}), v).tolist()
    [True, False, False]
    >>> condition_mask(Condition("ch", {"not_in": ["0.5"]}), v).tolist()
    [True, False, True]
    """
    check_type(cond, Condition, param="cond", func="condition_mask", expected="a Condition")
    s = values.astype("str")
    present = s.notna().to_numpy(bool)
    ok = np.ones(len(s), dtype=bool)
    for op, arg in cond.tests.items():
        if op in ("min", "max"):
            if isinstance(arg, (int, float)):
                num = pd.to_numeric(s, errors="coerce").to_numpy(float)
                with np.errstate(invalid="ignore"):
                    passed = num >= arg if op == "min" else num <= arg
                passed &= ~np.isnan(num)
            else:
                passed = (s >= arg if op == "min" else s <= arg).fillna(False).to_numpy(bool)
        elif op == "in":
            passed = s.isin([str(a) for a in arg]).to_numpy(bool) & present
        elif op == "not_in":
            passed = ~s.isin([str(a) for a in arg]).to_numpy(bool) | ~present
        elif op == "matches":
            passed = s.str.contains(arg, regex=True).fillna(False).to_numpy(bool)
        elif op == "present":
            passed = present if arg else ~present
        else:  # pragma: no cover - guarded by the spec checker
            raise ValueError(f"unknown condition {op!r}")
        ok &= passed
    return ok


def explode_list(raw: pd.Series, lst: ListSpec) -> pd.DataFrame:
    """Split list cells into items, one row per item, and parse each with the item pattern.

    Parameters
    ----------
    raw : Series of str
        The list column of one chunk (NA where empty).
    lst : ListSpec

    Returns
    -------
    DataFrame
        One row per non-empty item, in row then item order: ``row`` (int64: the position of
        the cell in `raw`), ``n`` (int64: 1-based item number within the cell), ``item`` (the
        item's text), ``matched`` (bool: the item matched the item pattern, always true
        without one) and one column per named group (NA where not matched), or a column
        named after the list holding the whole item when the list has no item pattern.

    Notes
    -----
    Vectorised: ``str.split`` + ``explode`` + ``str.extract``; O(total items).

    Examples
    --------
    >>> lst = ListSpec("officers", "OFFICERS", ";", r"(?P<name>.+?)\\s*\\(born (?P<dob>[A-Za-z]{3} \\d{4})\\)")
    >>> out = explode_list(pd.Series(["ANA POPESCU (born Dec 1997); JON SMITH (born Mar 1980)"]), lst)
    >>> out[["row", "n", "name", "dob"]].values.tolist()
    [[0, 1, 'ANA POPESCU', 'Dec 1997'], [0, 2, 'JON SMITH', 'Mar 1980']]
    """
    check_type(raw, pd.Series, param="raw", func="explode_list", expected="a pandas Series")
    cells = raw.astype("str").reset_index(drop=True).str.split(lst.sep, regex=False).explode()
    items = cells.astype("str").str.strip()
    keep = items.notna().to_numpy(bool) & (items != "").fillna(False).to_numpy(bool)
    rows = cells.index.to_numpy(np.int64)[keep]
    items = items[keep].reset_index(drop=True)
    n = pd.Series(rows).groupby(rows).cumcount().to_numpy(np.int64) + 1
    out = pd.DataFrame({"row": rows, "n": n, "item": items.astype("str")})
    if lst.item is None:
        out["matched"] = True
        out[lst.name] = out["item"]
        return out
    parts = items.str.extract(f"^(?:{lst.item})$", expand=True)
    groups = lst.groups
    out["matched"] = items.str.fullmatch(lst.item).fillna(False).to_numpy(bool)
    for g in groups:
        out[g] = _clean(parts[g]).where(out["matched"]) if len(parts) else _na(out.index)
    return out
