"""Normalisers for dates (``YYYY-MM-DD``) and timestamps (UTC ``YYYY-MM-DDTHH:MM:SSZ``)."""

from __future__ import annotations

import re
import zoneinfo
from datetime import UTC, datetime

import numpy as np
import pandas as pd

from crimnet.errors import ParameterError, check_choice, check_type
from crimnet.ingest.normalise.base import Result, check_series, map_distinct, map_distinct_texts, quote

__all__ = [
    "normalise_date",
    "normalise_timestamp",
    "human_format",
    "date_precision",
    "format_precision",
    "DATE_PATTERN",
    "TIMESTAMP_PATTERN",
]

DATE_PATTERN = r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$"
"""Regular expression every normalised date matches: ``YYYY-MM-DD``, or a partial date
``YYYY-MM`` (month precision) or ``YYYY`` (year precision), ISO 8601's reduced precision."""

TIMESTAMP_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$"
"""Regular expression every normalised timestamp matches."""

_HUMAN = {
    "d": "DD",
    "m": "MM",
    "Y": "YYYY",
    "y": "YY",
    "H": "HH",
    "I": "hh",
    "M": "MM",
    "S": "SS",
    "f": "ffffff",
    "b": "Mon",
    "B": "Month",
    "a": "Day",
    "A": "Weekday",
    "p": "AM/PM",
    "z": "+HHMM",
    "Z": "TZ",
    "j": "DDD",
    "%": "%",
}
_DIRECTIVE = re.compile(r"%(.)")
_NUMERIC_ONLY = re.compile(r"^(%[dmYyHMSj])+$")
_SAMPLE = datetime(2000, 12, 28, 10, 10, 10, tzinfo=UTC)


def human_format(fmt: str) -> str:
    """Render a :func:`~datetime.datetime.strptime` format for people.

    >>> human_format("%d/%m/%Y %H:%M:%S")
    'DD/MM/YYYY HH:MM:SS'
    """
    check_type(fmt, str, param="fmt", func="human_format", expected="a str")
    if fmt == "ISO8601":
        return "ISO 8601, e.g. 2025-03-01T22:14:05Z"
    return _DIRECTIVE.sub(lambda m: _HUMAN.get(m.group(1), m.group(0)), fmt)


_DAY_DIRECTIVES = frozenset("djaAuwUWVGc")
_MONTH_DIRECTIVES = frozenset("mbBh")


def format_precision(fmt: str) -> str:
    """Return the precision of the dates a format can write: ``'day'``, ``'month'`` or ``'year'``.

    A format with a day directive (``%d``, ``%j``, a weekday, a week number) or ``'ISO8601'``
    gives days; one with a month (``%m``, ``%b``, ``%B``) but no day gives months; one with
    neither gives years.

    >>> format_precision("%d/%m/%Y"), format_precision("%m/%Y"), format_precision("%b %Y"), format_precision("%Y")
    ('day', 'month', 'month', 'year')
    """
    check_type(fmt, str, param="fmt", func="format_precision", expected="a str")
    if fmt == "ISO8601":
        return "day"
    directives = set(_DIRECTIVE.findall(fmt))
    if directives & _DAY_DIRECTIVES:
        return "day"
    return "month" if directives & _MONTH_DIRECTIVES else "year"


def date_precision(values: pd.Series) -> pd.Series:
    """Return the precision of normalised dates: ``'day'``, ``'month'``, ``'year'`` or NA.

    Parameters
    ----------
    values : pandas.Series
        Dates as :func:`normalise_date` writes them (``YYYY-MM-DD``, ``YYYY-MM``, ``YYYY``).

    Returns
    -------
    pandas.Series
        string dtype, same index; NA where the value is missing or not a normalised date.

    Raises
    ------
    crimnet.errors.ParameterError
        If `values` is not a pandas Series.

    Examples
    --------
    >>> import pandas as pd
    >>> date_precision(pd.Series(["1997-12-03", "1997-12", "1997", None])).tolist()
    ['day', 'month', 'year', <NA>]
    """
    check_series(values, "date_precision")
    text = values.astype("string")
    out = pd.Series(pd.NA, index=values.index, dtype="string")
    for pattern, name in ((r"\d{4}-\d{2}-\d{2}", "day"), (r"\d{4}-\d{2}", "month"), (r"\d{4}", "year")):
        hit = text.str.fullmatch(pattern).fillna(False).to_numpy(bool)
        out[hit] = name
    return out


def _formats(fmt: str | list[str] | tuple[str, ...], func: str, default: str) -> tuple[str, ...]:
    if fmt is None:
        return (default,)
    if isinstance(fmt, str):
        fmts: tuple[str, ...] = (fmt,)
    elif isinstance(fmt, (list, tuple)) and fmt and all(isinstance(f, str) for f in fmt):
        fmts = tuple(fmt)
    else:
        raise ParameterError(
            f"The 'format' parameter of {func} must be a format string or a non-empty list of them. "
            f"Got {fmt!r} instead."
        )
    for f in fmts:
        if f == "ISO8601":
            continue
        if "%" not in f:
            raise ParameterError(
                f"The 'format' parameter of {func} must be a strptime format such as '%d/%m/%Y'. Got {f!r} instead."
            )
        try:
            _SAMPLE.strftime(f)
            datetime.strptime(_SAMPLE.strftime(f), f)
        except ValueError:
            raise ParameterError(
                f"The 'format' parameter of {func} must be a valid strptime format. Got {f!r} instead."
            ) from None
    return fmts


def _fixed_length(fmt: str) -> int | None:
    """Length a text must have for a separator-free numeric format ('%Y%m%d' -> 8), else None."""
    return len(_SAMPLE.strftime(fmt)) if _NUMERIC_ONLY.match(fmt) else None


def _expected(fmts: tuple[str, ...]) -> str:
    return " or ".join(human_format(f) for f in fmts)


# ------------------------------------------------------------------------------------------------ date

_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")
_ISO_PARTIAL = re.compile(r"^(\d{4})(?:-(\d{2}))?$")
_ISO_FORMATS = ("%Y-%m-%d", "ISO8601")


def _date_one(text: str, fmts: tuple[str, ...], lengths: tuple[int | None, ...], precisions: tuple[str, ...]) -> Result:
    if len(text) <= 64:
        for fmt, length, precision in zip(fmts, lengths, precisions, strict=True):
            if length is not None and len(text) != length:
                continue
            try:
                if fmt == "ISO8601":
                    m = _ISO_DATE.match(text)
                    if m is None:
                        continue
                    d = datetime(int(m.group(1)), int(m.group(2)), int(m.group(3)))
                else:
                    d = datetime.strptime(text, fmt)
            except ValueError:
                continue
            if precision == "year":
                return f"{d.year:04d}", None
            if precision == "month":
                return f"{d.year:04d}-{d.month:02d}", None
            return f"{d.year:04d}-{d.month:02d}-{d.day:02d}", None
        # ISO 8601's reduced precision, the form partial dates are written in, under the ISO formats
        m = _ISO_PARTIAL.match(text)
        if (
            m is not None
            and any(f in _ISO_FORMATS for f in fmts)
            and (m.group(2) is None or "01" <= m.group(2) <= "12")
        ):
            return text, None
    return None, f"{quote(text)} is not a date (expected {_expected(fmts)})"


def normalise_date(values: pd.Series, *, format: str | list[str] = "%Y-%m-%d") -> pd.DataFrame:
    """Normalise dates to ISO 8601 ``YYYY-MM-DD``, or a partial date when the format has no day.

    Parameters
    ----------
    values : pandas.Series
        Dates as text.
    format : str or list of str, default '%Y-%m-%d'
        :func:`~datetime.datetime.strptime` format(s), tried in order:
        ``'%d/%m/%Y'``, ``'%Y%m%d'``, ``'%d-%m-%Y'``, ``'%m/%Y'`` or
        ``'%b %Y'`` (month and year), ... ``'ISO8601'`` takes the date part
        of any ISO 8601 date or timestamp. Under ``'%Y-%m-%d'`` and
        ``'ISO8601'`` a partial date written as ISO 8601 writes it
        (``'1997-12'``, ``'1997'``) is read with its precision, so the
        output is normalised again unchanged.

    Returns
    -------
    pandas.DataFrame
        Same index; ``value`` (string): ``YYYY-MM-DD``; for a format with no
        day (``'%m/%Y'``, ``'%b %Y'``) the partial date ``YYYY-MM`` (month
        precision), for one with neither day nor month (``'%Y'``) ``YYYY``
        (year precision), never an invented first of the month
        (:func:`date_precision` reads the precision back); or NA; ``error``
        (string): ``"'31/02/1990' is not a date (expected DD/MM/YYYY)"`` for a
        non-empty value no format parses (impossible dates included), else NA.

    Raises
    ------
    crimnet.errors.ParameterError
        If `values` is not a Series or `format` is not a valid format or list of formats.

    Notes
    -----
    A format made only of numeric fields with no separators (``'%Y%m%d'``)
    requires the exact width (8 characters), since ``strptime`` would read
    ``'1990121'`` as 1990-12-01. A partial date is ISO 8601's reduced
    precision: ``'1997-12'`` sorts and compares as text with full dates, and
    person resolution compares its year and month only, never its day. Time O(n) plus O(k * formats) parses for k
    distinct values (a few microseconds each).

    Examples
    --------
    >>> import pandas as pd
    >>> out = normalise_date(pd.Series(["01/02/1990", "31/02/1990"]), format="%d/%m/%Y")
    >>> out["value"].tolist()
    ['1990-02-01', <NA>]
    >>> out["error"].iloc[1]
    "'31/02/1990' is not a date (expected DD/MM/YYYY)"
    >>> partial = pd.Series(["03/1985", "Dec 1997", "19850301"])
    >>> normalise_date(partial, format=["%m/%Y", "%b %Y", "%Y%m%d"])["value"].tolist()
    ['1985-03', '1997-12', '1985-03-01']
    """
    func = "normalise_date"
    check_series(values, func)
    fmts = _formats(format, func, "%Y-%m-%d")
    lengths = tuple(None if f == "ISO8601" else _fixed_length(f) for f in fmts)
    precisions = tuple(format_precision(f) for f in fmts)
    return map_distinct(lambda t: _date_one(t, fmts, lengths, precisions), values, func=func)


# ------------------------------------------------------------------------------------------- timestamp

_ISO_TS = re.compile(
    r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?)?\s?(?P<tz>Z|[+-]\d{2}(?::?\d{2})?)?$"
)


def _parse_block(texts: list[str], fmt: str) -> tuple[pd.Series, np.ndarray]:
    """Parse texts with one format; return naive-local times and a mask of tz-aware ones (already UTC)."""
    aware = np.zeros(len(texts), dtype=bool)
    if fmt == "ISO8601":
        matches = [_ISO_TS.match(t) if len(t) <= 64 else None for t in texts]
        ok = np.array([m is not None for m in matches], dtype=bool)
        aware = np.array([m is not None and m.group("tz") is not None for m in matches], dtype=bool)
        clean = [t.replace(",", ".") if o else "" for t, o in zip(texts, ok, strict=True)]
        out = pd.Series(pd.NaT, index=range(len(texts)), dtype="datetime64[us]")
        naive_idx = np.flatnonzero(ok & ~aware)
        aware_idx = np.flatnonzero(aware)
        if len(naive_idx):
            parsed = _to_datetime([clean[i] for i in naive_idx], "ISO8601", utc=False)
            out.iloc[naive_idx] = parsed.to_numpy()
        if len(aware_idx):
            parsed = _to_datetime([clean[i] for i in aware_idx], "ISO8601", utc=True)
            out.iloc[aware_idx] = parsed.dt.tz_localize(None).to_numpy()
        return out, aware
    utc = "%z" in fmt or "%Z" in fmt
    length = _fixed_length(fmt)
    texts = [t if (length is None or len(t) == length) and len(t) <= 64 else "" for t in texts]
    parsed = _to_datetime(texts, fmt, utc=utc)
    if utc:
        aware[:] = parsed.notna().to_numpy()
        parsed = parsed.dt.tz_localize(None)
    return parsed.reset_index(drop=True), aware


def _to_datetime(texts: list[str], fmt: str, *, utc: bool) -> pd.Series:
    s = pd.Series(texts, dtype=object)
    try:
        out = pd.to_datetime(s, format=fmt, errors="coerce", utc=utc)
    except (ValueError, TypeError, OverflowError):  # pragma: no cover - pandas raises for a few odd inputs
        parts = []
        for t in texts:
            try:
                parts.append(pd.to_datetime(pd.Series([t], dtype=object), format=fmt, errors="coerce", utc=utc))
            except (ValueError, TypeError, OverflowError):
                parts.append(pd.Series([pd.NaT], dtype="datetime64[us, UTC]" if utc else "datetime64[us]"))
        out = pd.concat(parts, ignore_index=True)
    out = out.astype("datetime64[us, UTC]" if utc else "datetime64[us]")
    return out


def normalise_timestamp(
    values: pd.Series,
    *,
    format: str | list[str] = "ISO8601",
    tz: str = "UTC",
    ambiguous: str = "earliest",
) -> pd.DataFrame:
    """Normalise timestamps to UTC ISO 8601 ``YYYY-MM-DDTHH:MM:SSZ``.

    Parameters
    ----------
    values : pandas.Series
        Timestamps as text.
    format : str or list of str, default 'ISO8601'
        :func:`~datetime.datetime.strptime` format(s) tried in order
        (``'%d/%m/%Y %H:%M:%S'``), or ``'ISO8601'``: ``2025-03-01T22:14:05Z``,
        with or without ``Z``/offset, seconds or fraction, ``T`` or space.
    tz : str, default 'UTC'
        IANA time zone of times written without an offset (``'Europe/London'``
        for UK local time). Times with an offset or ``Z`` ignore it.
    ambiguous : {'earliest', 'latest'}, default 'earliest'
        Which instant a local time repeated when clocks go back (01:00-02:00
        on the last Sunday of October in London) denotes: the first (summer
        time) or the second (winter time).

    Returns
    -------
    pandas.DataFrame
        Same index; ``value`` (string): UTC ``YYYY-MM-DDTHH:MM:SSZ`` (fractions
        of a second truncated) or NA; ``error`` (string): ``"'x' is not a
        timestamp (expected DD/MM/YYYY HH:MM:SS)"`` for a non-empty value no
        format parses, else NA.

    Raises
    ------
    crimnet.errors.ParameterError
        If `values` is not a Series, or a format, `tz` or `ambiguous` is invalid.

    Notes
    -----
    Local times that do not exist (01:00-02:00 on the last Sunday of March
    in London, when clocks go forward) are shifted forward to the first
    valid instant (02:00 BST = 01:00 UTC): deterministic, never an error.
    Parsing is vectorised (:func:`pandas.to_datetime` per format over the k
    distinct values); time O(n + k * formats), memory O(n).

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.Series(["01/07/2025 12:00:00", "01/12/2025 12:00:00", "30/03/2025 01:30:00"])
    >>> normalise_timestamp(s, format="%d/%m/%Y %H:%M:%S", tz="Europe/London")["value"].tolist()
    ['2025-07-01T11:00:00Z', '2025-12-01T12:00:00Z', '2025-03-30T01:00:00Z']
    >>> normalise_timestamp(pd.Series(["2025-03-01T22:14:05Z", "2025-03-01T23:14:05+01:00"]))["value"].tolist()
    ['2025-03-01T22:14:05Z', '2025-03-01T22:14:05Z']
    """
    func = "normalise_timestamp"
    check_series(values, func)
    fmts = _formats(format, func, "ISO8601")
    check_type(tz, str, param="tz", func=func, expected="an IANA time zone name such as 'Europe/London'")
    try:
        zoneinfo.ZoneInfo(tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ParameterError(
            f"The 'tz' parameter of {func} must be an IANA time zone name such as 'Europe/London'. Got {tz!r} instead."
        ) from None
    check_choice(ambiguous, ("earliest", "latest"), param="ambiguous", func=func)
    return map_distinct_texts(lambda texts: _timestamps(texts, fmts, tz, ambiguous), values, func=func)


def _timestamps(
    texts: list[str | None], fmts: tuple[str, ...], tz: str, ambiguous: str
) -> tuple[list[str | None], list[str | None]]:
    """Parse distinct texts (None for blank) block-wise, trying each format on what is still unparsed."""
    k = len(texts)
    present = np.array([t is not None for t in texts], dtype=bool)
    result = np.full(k, None, dtype=object)
    todo = np.flatnonzero(present)
    for fmt in fmts:
        if not len(todo):
            break
        naive, aware = _parse_block([texts[i] or "" for i in todo], fmt)
        ok = naive.notna().to_numpy()
        if ok.any():
            utc = pd.Series(pd.NaT, index=naive.index, dtype="datetime64[us, UTC]")
            if (ok & aware).any():
                utc[ok & aware] = naive[ok & aware].dt.tz_localize("UTC")
            local = ok & ~aware
            if local.any():
                amb = np.full(int(local.sum()), ambiguous == "earliest")
                loc = naive[local].dt.tz_localize(tz, ambiguous=amb, nonexistent="shift_forward")
                utc[local] = loc.dt.tz_convert("UTC")
            formatted = utc.dt.strftime("%Y-%m-%dT%H:%M:%SZ").to_numpy(dtype=object)
            # Years before 1000 would not match the 4-digit pattern; treat them as unparsed.
            good = ok & np.array([isinstance(f, str) and len(f) == 20 for f in formatted], dtype=bool)
            result[todo[good]] = formatted[good]
            todo = todo[~good]
    errors: list[str | None] = [None] * k
    expected = _expected(fmts)
    for i in todo:
        errors[i] = f"{quote(texts[i] or '')} is not a timestamp (expected {expected})"
    return list(result), errors
