"""Normalisers: turn the values of one raw column into canonical values, or say why not.

Each normaliser is ``normalise_<kind>(values: pd.Series, **options) -> pd.DataFrame``
returning a frame with the index of `values` and two columns:

* ``value``: the canonical value (pandas nullable ``string``, or ``Int64`` for
  money), NA where the input is missing or invalid;
* ``error``: a reason (``"'31/02/1990' is not a date (expected DD/MM/YYYY)"``)
  where the input was non-empty but could not be normalised, else NA.

Missing input (None, NaN, NA, empty or whitespace-only text) gives NA in both
columns: missing is not an error. Every normaliser works on the distinct values
once and maps the results back, so its cost grows with the number of distinct
values, not rows. Source specs name normalisers by kind; :func:`normalise`
dispatches through :data:`NORMALISERS`.

Kinds: ``phone``, ``postcode``, ``address``, ``name``, ``date``, ``timestamp``,
``money``, ``currency``, ``sort_code``, ``account_number``, ``iban``,
``registration``, ``nino``, ``nationality``, ``sex``, ``text``,
``business_name``, ``company_number``, ``integer``, ``holder`` (an account holder's name
classified as a person, a couple or an organisation: :func:`classify_holder`).

Key builders (to one id): :func:`address_key`, :func:`account_key`,
:func:`iban_to_account_key`, :func:`business_name_key` (a Business known only by
name). Name keys for entity resolution: :func:`name_tokens`,
:func:`name_variant_key`.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import pandas as pd

from crimnet.errors import SpecError
from crimnet.ingest.normalise.contact import (
    ADDRESS_LINE_PATTERN,
    E164_PATTERN,
    POSTCODE_PATTERN,
    address_key,
    normalise_address,
    normalise_phone,
    normalise_postcode,
)
from crimnet.ingest.normalise.finance import (
    ACCOUNT_NUMBER_PATTERN,
    IBAN_PATTERN,
    SORT_CODE_PATTERN,
    account_key,
    iban_to_account_key,
    normalise_account_number,
    normalise_currency,
    normalise_iban,
    normalise_money,
    normalise_sort_code,
)
from crimnet.ingest.normalise.identifiers import (
    COMPANY_NUMBER_PATTERN,
    NATIONALITY_PATTERN,
    NINO_PATTERN,
    REGISTRATION_PATTERN,
    normalise_company_number,
    normalise_nationality,
    normalise_nino,
    normalise_registration,
    normalise_sex,
)
from crimnet.ingest.normalise.names import (
    BUSINESS_NAME_KEY_PREFIX,
    HOLDER_PATTERN,
    NAME_PATTERN,
    NAME_PLACEHOLDERS,
    business_name_key,
    classify_holder,
    holder_parts,
    name_tokens,
    name_variant_key,
    normalise_business_name,
    normalise_holder,
    normalise_name,
    normalise_text,
    nysiis,
)
from crimnet.ingest.normalise.numbers import normalise_integer
from crimnet.ingest.normalise.temporal import DATE_PATTERN, TIMESTAMP_PATTERN, normalise_date, normalise_timestamp

__all__ = [
    "NORMALISERS",
    "PATTERNS",
    "normalise",
    "normaliser_options",
    "normalise_phone",
    "normalise_postcode",
    "normalise_address",
    "normalise_name",
    "normalise_date",
    "normalise_timestamp",
    "normalise_money",
    "normalise_currency",
    "normalise_sort_code",
    "normalise_account_number",
    "normalise_iban",
    "normalise_registration",
    "normalise_nino",
    "normalise_nationality",
    "normalise_sex",
    "normalise_text",
    "normalise_business_name",
    "normalise_holder",
    "classify_holder",
    "holder_parts",
    "normalise_company_number",
    "normalise_integer",
    "address_key",
    "account_key",
    "business_name_key",
    "BUSINESS_NAME_KEY_PREFIX",
    "iban_to_account_key",
    "name_tokens",
    "name_variant_key",
    "nysiis",
    "NAME_PLACEHOLDERS",
]

NORMALISERS: dict[str, Callable[..., pd.DataFrame]] = {
    "phone": normalise_phone,
    "postcode": normalise_postcode,
    "address": normalise_address,
    "name": normalise_name,
    "date": normalise_date,
    "timestamp": normalise_timestamp,
    "money": normalise_money,
    "currency": normalise_currency,
    "sort_code": normalise_sort_code,
    "account_number": normalise_account_number,
    "iban": normalise_iban,
    "registration": normalise_registration,
    "nino": normalise_nino,
    "nationality": normalise_nationality,
    "sex": normalise_sex,
    "text": normalise_text,
    "business_name": normalise_business_name,
    "holder": normalise_holder,
    "company_number": normalise_company_number,
    "integer": normalise_integer,
}
"""Spec name (kind) -> normaliser function."""

PATTERNS: dict[str, str] = {
    "phone": E164_PATTERN,
    "postcode": POSTCODE_PATTERN,
    "address": ADDRESS_LINE_PATTERN,
    "name": NAME_PATTERN,
    "date": DATE_PATTERN,
    "timestamp": TIMESTAMP_PATTERN,
    "currency": r"^[A-Z]{3}$",
    "sort_code": SORT_CODE_PATTERN,
    "account_number": ACCOUNT_NUMBER_PATTERN,
    "iban": IBAN_PATTERN,
    "registration": REGISTRATION_PATTERN,
    "nino": NINO_PATTERN,
    "nationality": NATIONALITY_PATTERN,
    "sex": r"^[MF]$",
    "business_name": r"^[a-z0-9]+( [a-z0-9]+)*$",
    "holder": HOLDER_PATTERN,
    "company_number": COMPANY_NUMBER_PATTERN,
}
"""Kind -> regular expression every non-NA normalised string value matches."""


def normaliser_options(kind: str) -> dict[str, Any]:
    """Return the options of normaliser `kind` with their defaults.

    Raises
    ------
    crimnet.errors.SpecError
        If `kind` is not a known kind.

    Examples
    --------
    >>> normaliser_options("phone")
    {'region': 'GB', 'strict': False}
    """
    fn = _lookup(kind)
    params = list(inspect.signature(fn).parameters.values())[1:]
    return {p.name: p.default for p in params}


def _lookup(kind: Any) -> Callable[..., pd.DataFrame]:
    try:
        return NORMALISERS[kind]
    except (KeyError, TypeError):
        raise SpecError(f"Unknown normaliser {kind!r}; expected one of {sorted(NORMALISERS)}.") from None


def normalise(kind: str, values: pd.Series, **options: Any) -> pd.DataFrame:
    """Normalise `values` with the normaliser called `kind` (as a source spec names it).

    Parameters
    ----------
    kind : str
        A key of :data:`NORMALISERS` (``'phone'``, ``'date'``, ...).
    values : pandas.Series
        The raw column.
    **options
        The normaliser's keyword options, e.g. ``format='%d/%m/%Y'`` for
        ``'date'`` (see :func:`normaliser_options`).

    Returns
    -------
    pandas.DataFrame
        Columns ``value`` and ``error`` with the index of `values` (see the
        module docstring).

    Raises
    ------
    crimnet.errors.SpecError
        If `kind` is unknown or an option name is not one the normaliser takes.
    crimnet.errors.ParameterError
        If an option value is invalid (the message names the option).

    Examples
    --------
    >>> import pandas as pd
    >>> normalise("date", pd.Series(["31/12/1999", ""]), format="%d/%m/%Y")["value"].tolist()
    ['1999-12-31', <NA>]
    >>> normalise("colour", pd.Series(["red"]))
    Traceback (most recent call last):
    ...
    crimnet.errors.SpecError: Unknown normaliser 'colour'; expected one of [...].
    """
    fn = _lookup(kind)
    known = normaliser_options(kind)
    unknown = sorted(set(options) - set(known))
    if unknown:
        raise SpecError(f"Normaliser {kind!r} has no option(s) {unknown}; its options are {sorted(known)}.")
    return fn(values, **options)
