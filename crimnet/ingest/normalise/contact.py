"""Normalisers for contact identifiers: phone numbers, UK postcodes and address lines."""

from __future__ import annotations

import re

import pandas as pd
import phonenumbers

from crimnet.errors import check_choice, check_type
from crimnet.ingest.normalise.base import (
    Result,
    ascii_fold,
    check_series,
    collapse_spaces,
    map_distinct,
    quote,
    remove_control,
)

__all__ = [
    "normalise_phone",
    "phone_number",
    "normalise_postcode",
    "normalise_address",
    "address_key",
    "E164_PATTERN",
    "POSTCODE_PATTERN",
    "ADDRESS_LINE_PATTERN",
]

E164_PATTERN = r"^\+[1-9][0-9]{6,14}$"
"""Regular expression every normalised phone number matches."""

POSTCODE_PATTERN = r"^(GIR 0AA|[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2})$"
"""Regular expression every normalised postcode matches (the shape rule)."""

ADDRESS_LINE_PATTERN = r"^[a-z0-9]+( [a-z0-9]+)*$"
"""Regular expression every normalised address line matches."""

# ----------------------------------------------------------------------------------------------- phone

# Ofcom ranges reserved for drama and fiction (national significant numbers, 10 digits). libphonenumber
# marks them invalid because they are never allocated, but they are exactly what synthetic data should use.
_OFCOM_FICTION = (
    "7700900",
    "1134960",
    "1144960",
    "1154960",
    "1164960",
    "1174960",
    "1184960",
    "1214960",
    "1314960",
    "1414960",
    "1514960",
    "1614960",
    "1632960",
    "2079460",
    "2890180",
    "2920180",
    "3069990",
    "8081570",
    "9098790",
)
_PHONE_JUNK = re.compile(r"[\s().\-/]")
# An extension at the end ('x12', 'ext. 12', 'extension 12'), dropped; a 'tel:' URI scheme at the start.
_PHONE_EXTENSION = re.compile(r"\s*(?:x|ext\.?|extension)\s*\d{1,7}\s*$", re.IGNORECASE)
_PHONE_SCHEME = re.compile(r"^tel:", re.IGNORECASE)


def _phone_ok(num: phonenumbers.PhoneNumber, strict: bool) -> bool:
    if phonenumbers.is_valid_number(num):
        return True
    nsn = phonenumbers.national_significant_number(num)
    if num.country_code == 44 and len(nsn) == 10 and nsn.startswith(_OFCOM_FICTION):
        return True
    if strict:
        return False
    if num.country_code == 44:
        return len(nsn) == 10 and nsn[0] in "123578"
    reason = phonenumbers.is_possible_number_with_reason(num)
    return reason == phonenumbers.ValidationResult.IS_POSSIBLE


def _phone_parse(text: str, region: str) -> phonenumbers.PhoneNumber | None:
    try:
        return phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None


# UK numbers with a 10-digit national significant number in the usual written forms: +44 / 0044 / 44 / 0
# prefix, or none (a leading zero lost in a spreadsheet).
_GB_FAST = re.compile(r"^(?:\+44|0044|44|0)?([123578][0-9]{9})$")


def phone_number(text: str, *, region: str = "GB", strict: bool = False, fast: bool = True) -> Result:
    """Normalise one phone number to E.164, or say why not: the scalar step of :func:`normalise_phone`.

    Parameters
    ----------
    text : str
        A phone number as written, stripped and non-empty (see :func:`normalise_phone`).
    region : str, default 'GB'
        ISO 3166-1 alpha-2 region assumed for numbers written nationally.
    strict : bool, default False
        Accept only libphonenumber-valid numbers and the Ofcom drama ranges (see :func:`normalise_phone`).
    fast : bool, default True
        For ``region='GB'`` and not `strict`, accept UK numbers of the usual written forms
        (``+44``, ``0044``, ``44``, ``0`` or no prefix, then 10 digits starting 1, 2, 3, 5, 7
        or 8) by a regular expression, without libphonenumber's parse: about 20 times faster,
        and the same result. False always parses (the reference path).

    Returns
    -------
    tuple
        ``(e164, None)``, or ``(None, reason)`` when `text` is not a valid number (or longer than 64
        characters), or has letters other than an extension (``x12``, ``ext. 12``) or a ``tel:`` prefix:
        letters are never read as a keypad, and a letter O where a zero belongs is refused too, since a
        number with one typo is another person's number.

    Examples
    --------
    >>> phone_number("07700 900123"), phone_number("07700 900123", fast=False)
    (('+447700900123', None), ('+447700900123', None))
    >>> phone_number("12")
    (None, "'12' is not a valid phone number for region GB")
    >>> phone_number("O1632 9OO12E")[1]
    "'O1632 9OO12E' is not a valid phone number: it has letters ('OE') where digits belong"
    """
    func = "phone_number"
    check_type(text, str, param="text", func=func, expected="a str")
    check_type(region, str, param="region", func=func, expected="a str")
    if region not in phonenumbers.SUPPORTED_REGIONS:
        check_choice(region, phonenumbers.SUPPORTED_REGIONS, param="region", func=func)
    check_type(strict, bool, param="strict", func=func, expected="a bool")
    check_type(fast, bool, param="fast", func=func, expected="a bool")
    if len(text) > 64:
        return None, f"{quote(text)} is not a valid phone number for region {region}"
    letters = [c for c in _PHONE_EXTENSION.sub("", _PHONE_SCHEME.sub("", text)) if c.isalpha()]
    if letters:  # never read as a keypad ('O1632 9OO12E' is a typo, not 01632 966123)
        return None, (
            f"{quote(text)} is not a valid phone number: it has letters ({''.join(dict.fromkeys(letters))!r}) "
            "where digits belong"
        )
    if fast and region == "GB" and not strict:
        # the plausible-shape rule accepts exactly these
        m = _GB_FAST.match(_PHONE_JUNK.sub("", text))
        if m is not None:
            return "+44" + m.group(1), None
    return _phone_parsed(text, region, strict)


def _phone_parsed(text: str, region: str, strict: bool) -> Result:
    cand = text
    compact = _PHONE_JUNK.sub("", text)
    if compact.startswith("00") and compact[2:].isdigit():
        cand = "+" + compact[2:]
    found = _phone_e164(_phone_parse(cand, region), strict)
    # International numbers written without the plus ('447700900123', as call records hold them).
    if found is None and compact.isdigit() and not compact.startswith("0"):
        found = _phone_e164(_phone_parse("+" + compact, region), strict)
    if found is None:
        return None, f"{quote(text)} is not a valid phone number for region {region}"
    return found, None


def _phone_e164(num: phonenumbers.PhoneNumber | None, strict: bool) -> str | None:
    """E.164 text of an acceptable number; None when not acceptable or not 7 to 15 digits.

    A "possible length" number of a country can format to fewer digits than any number in use
    ('+4300000' is Austria's country code and national zeros, formatted '+430000'): the shortest
    international numbers in use have 7 digits (country code included), the longest 15 (E.164).
    """
    if num is None or not _phone_ok(num, strict):
        return None
    e164 = phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164)
    return e164 if 8 <= len(e164) <= 16 else None


def normalise_phone(values: pd.Series, *, region: str = "GB", strict: bool = False) -> pd.DataFrame:
    """Normalise phone numbers to E.164 (``+447700900123``).

    Parameters
    ----------
    values : pandas.Series
        Phone numbers in any common written form: ``'07700 900123'``,
        ``'+44 7700 900123'``, ``'(0113) 496 0123'``, ``'0044 7700 900123'``,
        or international digits without the plus (``'447700900123'``).
    region : str, default 'GB'
        ISO 3166-1 alpha-2 region assumed for numbers written nationally
        (with a trunk ``0`` or none); set it per source.
    strict : bool, default False
        With False, accept every number libphonenumber validates, the Ofcom
        ranges reserved for drama (``07700 900xxx``, ``0113 496 0xxx``, ...),
        and any number of a plausible shape: for the UK, 10 national digits
        starting 1, 2, 3, 5, 7 or 8 (synthetic data draws such numbers at
        random, and libphonenumber rejects about 7% of random ``07`` mobiles
        and all of ``01632`` outside the drama block); elsewhere, a possible
        length. With True, accept only libphonenumber-valid numbers and the
        Ofcom drama ranges: stricter checking of real extracts.

    Returns
    -------
    pandas.DataFrame
        Same index as `values`; ``value`` (string): E.164 number or NA;
        ``error`` (string): reason when a non-empty value is not a valid
        number (``"'123' is not a valid phone number for region GB"``), else NA.
        Extensions (``x12``) are dropped. A value with any other letter is an error
        (``'O1632 9OO12E'``: letters are never read as a keypad, nor the letter O as a zero).
        Decimal digits of other scripts (fullwidth ``０７７００``, Arabic-Indic) are read as digits.

    Raises
    ------
    crimnet.errors.ParameterError
        If `values` is not a Series or `region` is not a region libphonenumber knows.

    Notes
    -----
    A value is parsed as written for `region`; if that fails or gives an
    invalid number and the value is all digits without a leading ``0``, it is
    parsed again with a ``+`` prefix. A leading ``00`` is read as ``+``.
    Time O(n) hashing plus O(k) parses for k distinct values (about 20 us each).

    References
    ----------
    ITU-T Recommendation E.164, *The international public telecommunication numbering plan* (2010).
    Ofcom, *Telephone numbers for drama purposes*.

    Examples
    --------
    >>> import pandas as pd
    >>> out = normalise_phone(pd.Series(["07700 900123", "447700900123", "(0113) 496 0123", "", "12"]))
    >>> out["value"].tolist()
    ['+447700900123', '+447700900123', '+441134960123', <NA>, <NA>]
    >>> out["error"].tolist()
    [<NA>, <NA>, <NA>, <NA>, "'12' is not a valid phone number for region GB"]
    """
    func = "normalise_phone"
    check_series(values, func)
    check_type(region, str, param="region", func=func, expected="a str")
    check_choice(region, phonenumbers.SUPPORTED_REGIONS, param="region", func=func)
    check_type(strict, bool, param="strict", func=func, expected="a bool")
    return map_distinct(lambda t: phone_number(t, region=region, strict=strict), values, func=func)


# -------------------------------------------------------------------------------------------- postcode

# Shape rule: outward code (area letters, district digit, optional letter/digit) and inward code.
_POSTCODE_SHAPE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$")
# Royal Mail letter rules (BS 7666): which letters may stand in which position.
_POSTCODE_STRICT = re.compile(
    r"^([A-PR-UWYZ][0-9][0-9]?|[A-PR-UWYZ][A-HK-Y][0-9][0-9]?|[A-PR-UWYZ][0-9][A-HJKPSTUW]"
    r"|[A-PR-UWYZ][A-HK-Y][0-9][ABEHMNPRVWXY])([0-9][ABD-HJLNP-UW-Z]{2})$"
)
_NOT_ALNUM = re.compile(r"[\s\-.,]")


def _postcode_one(text: str, strict: bool) -> Result:
    compact = _NOT_ALNUM.sub("", text).upper()
    if compact == "GIR0AA":
        return "GIR 0AA", None
    m = (_POSTCODE_STRICT if strict else _POSTCODE_SHAPE).match(compact) if len(compact) <= 7 else None
    if m is None:
        return None, f"{quote(text)} is not a UK postcode"
    return f"{m.group(1)} {m.group(2)}", None


def normalise_postcode(values: pd.Series, *, strict: bool = False) -> pd.DataFrame:
    """Normalise UK postcodes to the canonical form ``'AA9A 9AA'``.

    Parameters
    ----------
    values : pandas.Series
        Postcodes in any case and spacing (``'ls1 4ap'``, ``'LS14AP'``, ``' LS1  4AP '``).
    strict : bool, default False
        With False, check the shape only (outward code ``A9``, ``A99``,
        ``AA9``, ``AA99``, ``A9A`` or ``AA9A``; inward code ``9AA``), the
        standard regular expression. With True, also apply the Royal Mail
        rules on which letters may appear in each position.

    Returns
    -------
    pandas.DataFrame
        Same index as `values`; ``value`` (string): upper case, one space
        before the 3-character inward code, or NA; ``error`` (string):
        ``"'XYZ' is not a UK postcode"`` for a non-empty invalid value, else NA.

    Raises
    ------
    crimnet.errors.ParameterError
        If `values` is not a Series or `strict` is not a bool.

    Notes
    -----
    Spaces, hyphens, dots and commas are removed before matching. ``GIR 0AA``
    is accepted. Time O(n) plus O(k) regex matches for k distinct values.

    References
    ----------
    UK Government Data Standards Catalogue, *Postcode* (BS 7666-1).

    Examples
    --------
    >>> import pandas as pd
    >>> out = normalise_postcode(pd.Series(["ls1 4ap", "SW1A1AA", "  ec1a  1bb", "12345"]))
    >>> out["value"].tolist()
    ['LS1 4AP', 'SW1A 1AA', 'EC1A 1BB', <NA>]
    >>> out["error"].tolist()
    [<NA>, <NA>, <NA>, "'12345' is not a UK postcode"]
    """
    func = "normalise_postcode"
    check_series(values, func)
    check_type(strict, bool, param="strict", func=func, expected="a bool")
    return map_distinct(lambda t: _postcode_one(t, strict), values, func=func)


# --------------------------------------------------------------------------------------------- address

# Street-type abbreviations expanded everywhere in the line ('st' and 'dr' only as the last word, where
# they are 'street' and 'drive'; elsewhere 'st' is usually 'saint', as in 'st johns road').
ADDRESS_ABBREVIATIONS: dict[str, str] = {
    "rd": "road",
    "ave": "avenue",
    "av": "avenue",
    "ln": "lane",
    "ct": "court",
    "crt": "court",
    "pl": "place",
    "sq": "square",
    "cres": "crescent",
    "cresc": "crescent",
    "gdns": "gardens",
    "gr": "grove",
    "gro": "grove",
    "cl": "close",
    "tce": "terrace",
    "terr": "terrace",
    "pde": "parade",
    "hse": "house",
    "bldgs": "buildings",
    "apt": "apartment",
    "appt": "apartment",
    "rm": "room",
}
_ADDRESS_LAST_WORD = {"st": "street", "str": "street", "dr": "drive"}
_DESIGNATORS = frozenset({"flat", "apartment", "unit", "room", "studio", "suite"})
_ADDRESS_PUNCT = re.compile(r"[^a-z0-9,\s]")
_DESIGNATOR_ID = re.compile(r"^([0-9]+[a-z]?|[a-z])$")
_FLAT_SLASH = re.compile(r"(?<![0-9a-z/])([0-9]+[a-z]?)\s*/\s*([0-9]+[a-z]?)(?![0-9a-z/])")


def _flat_slash(m: re.Match[str]) -> str:
    """'3/12' -> 'flat 3 12', unless a designator already names it ('unit 4/5' stays)."""
    before = m.string[: m.start()].split()
    if before and before[-1].strip(",") in _DESIGNATORS:
        return m.group(0)
    return f"flat {m.group(1)} {m.group(2)}"


def _address_one(text: str, drop_after_comma: bool) -> Result:
    folded = ascii_fold(remove_control(text)).lower()
    # Apostrophes vanish ("st john's" -> "st johns"); other punctuation separates words.
    folded = folded.replace("'", "")
    # Flat/number notation: '3/12 High St' is flat 3 at number 12, as 'Flat 3, 12 High St' writes it.
    folded = _FLAT_SLASH.sub(_flat_slash, folded)
    folded = _ADDRESS_PUNCT.sub(" ", folded)
    parts = [collapse_spaces(p) for p in folded.split(",")]
    parts = [p for p in parts if p]
    if drop_after_comma and len(parts) >= 2:
        last = parts[-1].split()
        if not any(ch.isdigit() for ch in parts[-1]) and last[0] not in _DESIGNATORS:
            parts = parts[:-1]
    # 'st' / 'dr' ending a comma-separated part are 'street' / 'drive'.
    split_parts = [p.split() for p in parts]
    for p in split_parts:
        if p[-1] in _ADDRESS_LAST_WORD:
            p[-1] = _ADDRESS_LAST_WORD[p[-1]]
    words = [ADDRESS_ABBREVIATIONS.get(w, w) for p in split_parts for w in p]
    # Pull out flat/unit designators with their identifiers, leftmost first, until none is left, and put them
    # at the end in that order (repeating the scan keeps the form idempotent).
    designator: list[str] = []
    found = True
    while found:
        found = False
        for i in range(len(words) - 1):
            if words[i] in _DESIGNATORS and _DESIGNATOR_ID.match(words[i + 1]):
                designator += words[i : i + 2]
                words = words[:i] + words[i + 2 :]
                found = True
                break
    if words and words[-1] in _ADDRESS_LAST_WORD:
        words[-1] = _ADDRESS_LAST_WORD[words[-1]]
    words += designator
    if not words:
        return None, f"{quote(text)} is not an address line"
    return " ".join(words), None


def normalise_address(values: pd.Series, *, drop_after_comma: bool = False) -> pd.DataFrame:
    """Normalise free-text first lines of addresses to one canonical form.

    Parameters
    ----------
    values : pandas.Series
        Address lines (``'Flat 2, 10 High St'``); the postcode is a separate
        column (see :func:`normalise_postcode` and :func:`address_key`).
    drop_after_comma : bool, default False
        Drop the last comma-separated part when it holds no digit and is not
        a flat designator: the trailing post town of ``'10 High St, Luton'``.

    Returns
    -------
    pandas.DataFrame
        Same index as `values`; ``value`` (string): lower-case ASCII words
        separated by single spaces, or NA; ``error`` (string) when nothing
        but punctuation is left, else NA.

    Raises
    ------
    crimnet.errors.ParameterError
        If `values` is not a Series or `drop_after_comma` is not a bool.

    Notes
    -----
    Steps: fold to ASCII and lower case; drop apostrophes; turn other
    punctuation into spaces; optionally drop a trailing town; expand
    abbreviations (:data:`ADDRESS_ABBREVIATIONS`; ``st`` and ``dr`` become
    ``street`` and ``drive`` only as the last word of the line or of a
    comma-separated part, elsewhere ``st`` is usually *saint*); move flat
    designators (``flat``, ``apartment``, ``unit``, ``room``, ``studio``,
    ``suite`` followed by a number or a letter) to the end, in order. So ``'Flat 2, 10 High St'``,
    ``'10 High Street Flat 2'`` and ``'10 High St, Flat 2'`` all give
    ``'10 high street flat 2'``. Flat/number notation ``'2/10 High St'`` (flat
    2 at number 10) is read as ``'Flat 2, 10 High St'``, so it is kept apart
    from number 2 or 210; a house letter (``'12A'``) stays with its number
    (``'12a'``). The form is idempotent.
    Time O(n) plus O(k * length) for k distinct values.

    Examples
    --------
    >>> import pandas as pd
    >>> lines = pd.Series(["Flat 2, 10 High St", "10 High Street Flat 2", "3 St John's Rd"])
    >>> normalise_address(lines)["value"].tolist()
    ['10 high street flat 2', '10 high street flat 2', '3 st johns road']
    """
    func = "normalise_address"
    check_series(values, func)
    check_type(drop_after_comma, bool, param="drop_after_comma", func=func, expected="a bool")
    return map_distinct(lambda t: _address_one(t, drop_after_comma), values, func=func)


def address_key(postcode: pd.Series, line: pd.Series) -> pd.Series:
    """Return the address key ``'<postcode>|<line>'``, the ``Address.id`` of the data model.

    Parameters
    ----------
    postcode : pandas.Series
        Postcodes, raw or normalised (they are normalised again; the form is idempotent).
    line : pandas.Series
        First lines of addresses, raw or normalised, aligned with `postcode`.

    Returns
    -------
    pandas.Series
        string dtype, index of `line`; NA where either part is missing or invalid.

    Raises
    ------
    crimnet.errors.ParameterError
        If either argument is not a Series or their lengths differ.

    Examples
    --------
    >>> import pandas as pd
    >>> address_key(pd.Series(["ls1 4ap", None]), pd.Series(["Flat 2, 10 High St", "1 Low Rd"])).tolist()
    ['LS1 4AP|10 high street flat 2', <NA>]
    """
    from crimnet.errors import ParameterError

    func = "address_key"
    check_series(postcode, func)
    check_series(line, func)
    if len(postcode) != len(line):
        raise ParameterError(
            f"The 'postcode' parameter of {func} must be a Series as long as 'line' ({len(line)}). "
            f"Got length {len(postcode)} instead."
        )
    pc = normalise_postcode(postcode)["value"].to_numpy()
    ln = normalise_address(line)["value"].to_numpy()
    out = pd.Series(pc, index=line.index, dtype="string") + "|" + pd.Series(ln, index=line.index, dtype="string")
    return out.rename(None)
