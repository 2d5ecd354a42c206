"""Dialects of the agency extracts: other layouts of the same source, and the spec that reads each.

A real agency extract of the same kind as a generated one holds the same facts
in its own habits: other column names, ISO 8601 or day-first dates, month-only
birth dates, decimal-comma money, the address in one field with the flat as
``3/12``, all officers of a company in one cell, several phones in one cell,
account holders written ``SMITH J`` or ``MR A SMITH & MRS B SMITH`` or a
business name, sightings known only to a postcode with an OCR confidence. The
renderer (:mod:`crimnet.synthetic.render`) writes the dialect a case asks for;
:func:`spec_text` gives the matching ingest spec (syntax: ``docs/specs.md``),
written to ``<case>/specs/<source>.toml``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from crimnet.errors import ParameterError, bad_parameter, check_type
from crimnet.synthetic.strings import cat, zpad

__all__ = [
    "DIALECTS",
    "choose_dialects",
    "parse_dialects",
    "spec_text",
    "month_year",
    "decimal_comma",
]

DIALECTS: dict[str, tuple[str, ...]] = {
    "police_intel": ("standard", "intel_associates"),
    "council_tenancy": ("standard", "landlord_register"),
    "bank_customers": ("standard", "kyc_initials"),
    "bank_transactions": ("standard", "holder_extract"),
    "company_register": ("standard", "officer_lists"),
    "payroll": ("standard", "payroll_iso"),
    "vehicle_keepers": ("standard", "keeper_combined"),
    "anpr_reads": ("standard", "postcode_ocr"),
    "call_records": ("standard", "cdr_local"),
}
"""Dialects of each source; ``'standard'`` is the layout of ``docs/sources.md``."""

_MODES = ("standard", "alternative", "mixed")
_MONTHS = np.array(["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"])
_FUNC = "generate_case"


def parse_dialects(value: str) -> dict[str, str]:
    """Check a ``dialects`` parameter and return the explicit choices it names.

    Parameters
    ----------
    value : str
        ``'standard'``, ``'alternative'``, ``'mixed'`` or ``'source=dialect,...'``.

    Returns
    -------
    dict of str to str
        The sources named explicitly (empty for a mode).

    Raises
    ------
    crimnet.errors.ParameterError
        For an unknown mode, source or dialect.

    >>> parse_dialects("anpr_reads=postcode_ocr")
    {'anpr_reads': 'postcode_ocr'}
    """
    check_type(value, str, param="dialects", func="parse_dialects", expected="a str")
    if value in _MODES:
        return {}
    out: dict[str, str] = {}
    for part in value.split(","):
        src, _, dia = part.strip().partition("=")
        if src not in DIALECTS or dia not in DIALECTS[src]:
            known = "; ".join(f"{s}: {', '.join(d)}" for s, d in DIALECTS.items())
            raise ParameterError(
                f"The 'dialects' parameter of {_FUNC} must be one of {', '.join(_MODES)} or 'source=dialect,...' "
                f"with a known source and dialect ({known}). Got {value!r} instead."
            )
        out[src] = dia
    return out


def choose_dialects(value: str, seed: int) -> dict[str, str]:
    """The dialect of every source for a ``dialects`` parameter and a seed.

    ``'alternative'`` draws, per source, one of its non-standard dialects and
    ``'mixed'`` any of its dialects, from a stream of its own (the world's draws
    are unchanged). O(number of sources).

    >>> choose_dialects("standard", 0)["payroll"], choose_dialects("alternative", 0)["payroll"]
    ('standard', 'payroll_iso')
    """
    check_type(value, str, param="value", func="choose_dialects", expected="a str")
    check_type(seed, int, param="seed", func="choose_dialects", expected="an int")
    explicit = parse_dialects(value)
    rng = np.random.Generator(np.random.PCG64([seed, 0x6469616C]))
    out = {}
    for src, options in DIALECTS.items():
        pool = options[1:] if value == "alternative" else options
        pick = pool[int(rng.integers(0, len(pool)))]
        if value == "standard":
            out[src] = "standard"
        elif value in _MODES:
            out[src] = pick
        else:
            out[src] = explicit.get(src, "standard")
    return out


def spec_text(source: str, dialect: str) -> str:
    """The ingest spec (TOML) that reads `source` written in `dialect`.

    The standard dialect's spec is the one shipped in ``crimnet/ingest/specs``.
    """
    if source not in DIALECTS or dialect not in DIALECTS[source]:
        if source not in DIALECTS:
            raise bad_parameter("source", "spec_text", f"one of {', '.join(DIALECTS)}", source)
        raise bad_parameter("dialect", "spec_text", f"one of {', '.join(DIALECTS[source])}", dialect)
    if dialect == "standard":
        return (Path(__file__).resolve().parent.parent / "ingest" / "specs" / f"{source}.toml").read_text()
    return (Path(__file__).resolve().parent / "dialect_specs" / f"{source}.{dialect}.toml").read_text()


def month_year(days: np.ndarray) -> pa.Array:
    """Days since 1970-01-01 as ``'Mon YYYY'`` (a month-precision date, ``'Dec 1997'``).

    >>> month_year(np.array([10203])).to_pylist()
    ['Dec 1997']
    """
    check_type(days, np.ndarray, param="days", func="month_year", expected="a numpy array of day numbers")
    dt = np.asarray(days, np.int64).astype("datetime64[D]")
    m = dt.astype("datetime64[M]").astype(np.int64)
    return cat(pa.array(_MONTHS[m % 12]), " ", pa.array((1970 + m // 12).astype(str)))


def decimal_comma(cents: np.ndarray, grouped: np.ndarray) -> pa.Array:
    """Amounts in pence written with a decimal comma, thousands grouped by a dot where `grouped`.

    >>> decimal_comma(np.array([123450, 99]), np.array([True, True])).to_pylist()
    ['1.234,50', '0,99']
    """
    check_type(cents, np.ndarray, param="cents", func="decimal_comma", expected="a numpy array of amounts in pence")
    c = np.asarray(cents, np.int64)
    pounds, pence = c // 100, c % 100
    th = pounds // 1000
    group = pc.if_else(
        pa.array(th > 0), cat(pa.array(th.astype(str)), ".", zpad(pounds % 1000, 3)), pa.array(pounds.astype(str))
    )
    whole = pc.if_else(pa.array(np.asarray(grouped, bool)), group, pa.array(pounds.astype(str)))
    return cat(whole, ",", zpad(pence, 2))
