"""Normalisers for names of people and businesses, and free text."""

from __future__ import annotations

import re

import pandas as pd

from crimnet.errors import check_choice, check_interval, check_type
from crimnet.ingest.normalise.base import (
    Result,
    ascii_fold,
    check_series,
    collapse_spaces,
    map_distinct,
    map_values,
    quote,
    remove_control,
)

__all__ = [
    "normalise_name",
    "holder_people",
    "name_tokens",
    "name_variant_key",
    "nysiis",
    "normalise_text",
    "normalise_business_name",
    "normalise_holder",
    "classify_holder",
    "holder_parts",
    "HOLDER_PATTERN",
    "HOLDER_LEGAL_FORMS",
    "HOLDER_ORGANISATION_WORDS",
    "business_name_key",
    "BUSINESS_NAME_KEY_PREFIX",
    "NAME_PATTERN",
    "NAME_TITLES",
    "NAME_PLACEHOLDERS",
    "NAME_VARIANTS",
]

NAME_PATTERN = r"^[a-z]+( [a-z]+)*$"
"""Regular expression every normalised person name matches."""

NAME_TITLES = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "professor", "sir", "dame", "rev", "revd"})
"""Honorifics removed from the start of a person's name."""

NAME_PLACEHOLDERS = frozenset(
    {
        # single words (also 'N/A', 'N.K.': letters only)
        "unknown", "unk", "unkn", "na", "nk", "none", "null", "nil", "refused", "declined", "withheld", "redacted",
        "tbc", "tba", "tbd", "anonymous", "anon", "unnamed", "nameless", "x", "xx", "xxx", "xxxx",
        # phrases (words as normalise_name writes them)
        "n a", "n k", "not known", "not given", "not stated", "not provided", "not recorded", "not applicable",
        "no name", "name unknown", "name not known", "name withheld", "person unknown", "to be confirmed",
    }
)  # fmt: skip
"""Text that stands for a missing name, not a name: :func:`normalise_name` refuses it.

A name is a placeholder when, titles (:data:`NAME_TITLES`) left out, it is one of these
(``'UNKNOWN'``, ``'N/A'``, ``'Mr Unknown'``, ``'NOT KNOWN'``), or every word of it is one of
the single words (``'UNKNOWN UNKNOWN'``, ``'N/A, N/A'``: surname and forenames both blank).
A title alone (``'Mr'``) is refused too, and text without letters (``'-'``, ``'?'``) is no
name at all. A placeholder word inside a real name is kept (``'Li Na'``, ``'Unknown Smith'``
keep both words): a name of one word that is also a placeholder (``'Na'``, ``'Nil'``) is
refused, which loses such a rare one-word record rather than merge every placeholder into
one person.
"""

# Cyrillic to Latin (a simplified BGN/PCGN romanisation covering Russian and Ukrainian letters), applied
# before ASCII folding so that names written in Cyrillic are not lost.
_CYRILLIC = str.maketrans(
    {
        **dict(
            zip(
                "абвгґдезийклмнопрстуфыэіъь",
                ["a", "b", "v", "g", "g", "d", "e", "z", "i", "y", "k", "l", "m", "n", "o", "p", "r", "s", "t", "u"]
                + ["f", "y", "e", "i", "", ""],
                strict=True,
            )
        ),
        "ё": "yo",
        "є": "ye",
        "ж": "zh",
        "ї": "yi",
        "х": "kh",
        "ц": "ts",
        "ч": "ch",
        "ш": "sh",
        "щ": "shch",
        "ю": "yu",
        "я": "ya",
    }
)
_NAME_DROP = re.compile(r"['.]")
_NAME_SEP = re.compile(r"[^a-z]+")
_NAME_RAW_SEP = re.compile(r"[\s,;]+")

# Transliteration variants of common given names, each mapped to one key. Sources: common romanisations
# of Arabic, Russian and Ukrainian names as they appear in UK records. Keep the groups disjoint.
_VARIANT_GROUPS: dict[str, tuple[str, ...]] = {
    "muhammad": (
        "mohammed",
        "mohammad",
        "mohamed",
        "mohamad",
        "muhammed",
        "muhamad",
        "muhamed",
        "mohamud",
        "mohammud",
        "muhammod",
        "mahomed",
        "mohd",
        "md",
    ),
    "ahmed": ("ahmad", "ahmet", "ahmid", "ahmmed"),
    "mahmoud": ("mahmud", "mahmood", "mehmood", "mahmut"),
    "yusuf": ("yousef", "youssef", "yousuf", "yusef", "yousif", "yosef", "youcef"),
    "hussein": ("husein", "hussain", "husain", "hossein", "husseyn"),
    "hassan": ("hasan", "hasen"),
    "ibrahim": ("ebrahim", "ibragim", "ibraheem"),
    "mustafa": ("mustapha", "mostafa", "moustafa", "mustafah"),
    "umar": ("omar", "omer", "umer"),
    "usman": ("osman", "uthman", "othman"),
    "khalid": ("khaled", "khalied"),
    "abdullah": ("abdallah", "abdulla", "abdalla"),
    "abdul": ("abdel", "abdoul", "abdal"),
    "fatima": ("fatimah", "fatma", "fatema", "fathima"),
    "aisha": ("ayesha", "aysha", "aishah", "ayisha"),
    "yasin": ("yaseen", "yassin", "yassine", "yacine"),
    "alexander": (
        "aleksandr",
        "alexandr",
        "oleksandr",
        "olexandr",
        "aleksander",
        "alexandru",
        "aleksandar",
        "alejandro",
        "alessandro",
    ),
    "sergei": ("sergey", "serhiy", "serhii", "sergiy", "sergii"),
    "dmitri": ("dmitry", "dmitriy", "dmytro", "dimitri", "dimitry"),
    "andrei": ("andrey", "andrii", "andriy", "andrej"),
    "yuri": ("yury", "yuriy", "iurii", "yurii", "jurij"),
    "mikhail": ("mykhailo", "michail", "mihail"),
    "nikolai": ("nikolay", "mykola", "nicolae", "nikola"),
    "vladimir": ("volodymyr", "wladimir", "vladimer"),
    "olga": ("olha",),
    "tatiana": ("tatyana", "tetiana", "tatjana", "tetyana"),
    "natalia": ("natalya", "nataliya", "natalija"),
    "elena": ("yelena", "olena", "jelena"),
    "ekaterina": ("yekaterina", "kateryna", "katerina"),
    "yulia": ("yuliya", "iuliia", "julia", "yuliia"),
    "nguyen": ("nguyn", "ngyuen"),
}
# More groups (Arabic, Balkan, Chinese, Eritrean, Nigerian and Polish spellings). Groups sharing a word are
# merged, and a merged group takes the key of the group listed first.
_MORE_GROUPS: tuple[tuple[str, ...], ...] = (
    ("abdulrahman", "abdelrahman", "abdurrahman", "abdalrahman"),
    ("zainab", "zaynab", "zeinab"),
    ("maryam", "mariam", "miriam", "mariyam"),
    ("khadija", "khadijah", "khadeeja"),
    ("fatima", "fathima"),
    ("qureshi", "quraishi", "qureishi"),
    ("chaudhry", "choudhury", "chaudhary", "chowdhury", "chaudhri"),
    ("georgi", "georgy", "gheorghi", "georgiy"),
    ("dmitri", "dimitar", "dimitur"),
    ("hristo", "christo", "khristo"),
    ("yordan", "jordan"),
    ("yordanka", "jordanka"),
    ("petya", "petia"),
    ("tsvetelina", "cvetelina"),
    ("stoyanov", "stoianov"),
    ("vasilev", "vassilev", "vasiliev"),
    ("ivanov", "ivanoff"),
    ("alexander", "aleksandru"),
    ("stefan", "stephan", "stephen", "steven"),
    ("mikhail", "mihai"),
    ("lukasz", "lucas", "lukas"),
    ("pawel", "pavel", "paul"),
    ("dritan", "driton"),
    ("hoxha", "hodja", "hoxa"),
    ("krasniqi", "krasniki"),
    ("zhang", "chang"),
    ("chen", "chan"),
    ("wang", "wong"),
    ("li", "lee"),
    ("liu", "lau"),
    ("zhou", "chow"),
    ("xu", "hsu"),
    ("guo", "kwok"),
    ("tesfamariam", "tesfamaryam"),
    ("gebremedhin", "ghebremedhin"),
    ("ghebreyesus", "gebreyesus"),
    ("yohannes", "johannes"),
    ("yonas", "jonas"),
    ("oluwaseun", "seun"),
    ("babatunde", "tunde"),
)


def _merge_groups(groups: list[tuple[str, ...]]) -> dict[str, str]:
    """Union the groups that share a word; map every word to the first key of its merged group."""
    parent: dict[str, str] = {}

    def find(w: str) -> str:
        while parent[w] != w:
            parent[w] = parent[parent[w]]
            w = parent[w]
        return w

    order: dict[str, int] = {}
    for g in groups:
        for w in g:
            if w not in parent:
                parent[w] = w
                order[w] = len(order)
        for w in g[1:]:
            a, b = find(g[0]), find(w)
            if a != b:
                first, second = (a, b) if order[a] <= order[b] else (b, a)
                parent[second] = first
    return {w: find(w) for w in parent}


NAME_VARIANTS: dict[str, str] = _merge_groups([(k, *vs) for k, vs in _VARIANT_GROUPS.items()] + list(_MORE_GROUPS))
"""Transliteration variant -> key (``'mohammed' -> 'muhammad'``), used by :func:`name_variant_key`."""


# ------------------------------------------------------------------------------------------------ name


def _strip_titles(words: list[str], keep_one: bool = True) -> list[str]:
    while words and words[0] in NAME_TITLES and (len(words) > 1 or not keep_one):
        words = words[1:]
    return words


def _split_words(text: str) -> list[str]:
    return _NAME_SEP.sub(" ", _NAME_DROP.sub("", text)).split()


def _fold(text: str) -> str:
    """Lower-case ASCII of a name: control characters removed, Cyrillic romanised, accents stripped."""
    return ascii_fold(remove_control(text).lower().translate(_CYRILLIC)).lower()


def _name_words(text: str) -> list[str]:
    text = _fold(text)
    if "," in text:
        family_text, _, given_text = text.partition(",")
        given = _strip_titles(_split_words(given_text), keep_one=False)
        family = _strip_titles(_split_words(family_text), keep_one=not given)
        words = given + family
    else:
        words = _split_words(text)
    return _strip_titles(words)


def _not_a_name(text: str, words: list[str]) -> str | None:
    """Why normalised `words` of `text` are no name (no letters, a placeholder, a title alone), or None."""
    if not words:
        return f"{quote(text)} is not a name (no letters)"
    # Placeholders are judged on the raw words with their punctuation removed ('N/A' is 'na').
    # Checking the normalised words as well keeps the normaliser idempotent ('na-na' is 'na na').
    raw = [w for w in (_NAME_SEP.sub("", t) for t in _NAME_RAW_SEP.split(_fold(text))) if w]
    raw_kept = [w for w in raw if w not in NAME_TITLES]
    word_kept = [w for w in words if w not in NAME_TITLES]
    if not raw_kept or not word_kept:
        return f"{quote(text)} is not a name (a title alone)"
    for kept in (raw_kept, word_kept):
        if " ".join(kept) in NAME_PLACEHOLDERS or all(w in NAME_PLACEHOLDERS for w in kept):
            return f"{quote(text)} is not a name (a placeholder for an unknown name)"
    return None


def _valid_words(text: str) -> list[str]:
    """The normalised words of a name, or [] when it is no name (see :func:`_not_a_name`)."""
    words = _name_words(text)
    return [] if _not_a_name(text, words) else words


def _name_one(text: str) -> Result:
    words = _name_words(text)
    why = _not_a_name(text, words)
    if why:
        return None, why
    return " ".join(words), None


_HOLDER_SPLIT = re.compile(r"\s*(?:&|\+|\band\b)\s*")


def _surname_initials(words: list[str]) -> list[str]:
    """``['smith', 'j', 'a']`` (``'SMITH J A'``, a bank's holder form) -> ``['j', 'a', 'smith']``."""
    if len(words) >= 2 and len(words[0]) > 1 and all(len(w) == 1 for w in words[1:]):
        return [*words[1:], words[0]]
    return words


def _holder_one_person(part: str) -> list[str]:
    if "," in part:
        family_text, _, given_text = part.partition(",")
        given = _strip_titles(_split_words(given_text), keep_one=False)
        return given + _strip_titles(_split_words(family_text), keep_one=False)
    return _surname_initials(_strip_titles(_split_words(part), keep_one=False))


def holder_people(text: str) -> list[str]:
    """Return the people an account holder's name names, each as :func:`normalise_name` writes a name.

    Parameters
    ----------
    text : str
        A holder name as banks write it: ``'SMITH J'``, ``'SMITH, JOHN'``, ``'Mr John Smith'``,
        ``'MR A SMITH & MRS B SMITH'``, ``'MR AND MRS SMITH'``, ``'John and Mary Smith'``.

    Returns
    -------
    list of str
        One normalised name (``'given family'``) per person, in the order written; ``[]`` when
        no person is named (a title alone, a placeholder, no letters).

    Notes
    -----
    Rules, in order: the text is split into people at ``&``, ``+`` and the word ``and``;
    titles (:data:`NAME_TITLES`) are removed; ``'FAMILY, Given'`` is reordered; a family
    name followed only by initials (``'SMITH J A'``) is reordered to ``'j a smith'``; a
    person written with no family name (``'MR'``, ``'A'``, ``'JOHN'``: a title, initials or
    one word) takes the family name of the last person (``'MR A & MRS B SMITH'`` gives
    ``'a smith'`` and ``'b smith'``). Initials stay initials: no forename is ever invented,
    so ``'MR AND MRS SMITH'`` gives two people called ``'smith'``. Telling a business holder
    (``'SMITH AND JONES LTD'``) from people is not done here.

    Examples
    --------
    >>> holder_people("MR A SMITH & MRS B SMITH"), holder_people("MR AND MRS SMITH")
    (['a smith', 'b smith'], ['smith', 'smith'])
    >>> holder_people("SMITH J"), holder_people("SMITH, JOHN"), holder_people("John and Mary Smith")
    (['j smith'], ['john smith'], ['john smith', 'mary smith'])
    """
    check_type(text, str, param="text", func="holder_people", expected="a str")
    people = [_holder_one_person(part) for part in _HOLDER_SPLIT.split(_fold(text))]
    last = next((p for p in reversed(people) if p), [])
    family = last[-1] if len(last) >= 2 or (last and len(last[-1]) > 1) else None
    if family is not None:
        for i, words in enumerate(people[:-1]):
            if len(words) <= 1 or all(len(w) == 1 for w in words):
                people[i] = [*words, family]
    return [" ".join(w) for w in people if w and _not_a_name(" ".join(w), w) is None]


def _holder_name_one(text: str, k: int) -> Result:
    people = holder_people(text)
    if not people:
        return None, _not_a_name(text, _name_words(text)) or f"{quote(text)} is not a name (no person named)"
    return (people[k - 1] if k <= len(people) else None), None


def normalise_name(values: pd.Series, *, holder: int = 0) -> pd.DataFrame:
    """Normalise person names to ``'given family'``, lower-case ASCII.

    Parameters
    ----------
    values : pandas.Series
        Names as written: ``'John Smith'``, ``'SMITH, John Paul'``,
        ``'Mr John Smith'``, ``'José Müller-Lüdenscheidt'``, ``"Seán O'Brien"``.
    holder : int, default 0
        0: each value is one person's name. k >= 1: each value is an account
        holder's name (``'SMITH J'``, ``'MR A SMITH & MRS B SMITH'``, ``'MR
        AND MRS SMITH'``; rules in :func:`holder_people`) and the field is
        its k-th person, NA (no error) when the holder names fewer. A joint
        account gives each person through two fields (``holder = 1``,
        ``holder = 2``) and two Person nodes of the spec.

    Returns
    -------
    pandas.DataFrame
        Same index as `values`; ``value`` (string): words of ASCII letters
        a-z separated by single spaces (:data:`NAME_PATTERN`), or NA;
        ``error`` (string): ``"'123' is not a name (no letters)"`` when no
        letter is left, ``"'N/A' is not a name (a placeholder for an unknown
        name)"`` for a placeholder (:data:`NAME_PLACEHOLDERS`), ``"'Mr' is not a
        name (a title alone)"``, else NA. A required name field quarantines its
        row with this reason; an optional one is dropped.

    Raises
    ------
    crimnet.errors.ParameterError
        If `values` is not a Series.

    Notes
    -----
    Steps: Cyrillic is romanised; accents are stripped (Unicode NFKD, plus
    ``ß``, ``æ``, ``ø``, ``ł``, ... mapped by hand); ``'FAMILY, Given Middle'``
    becomes ``'given middle family'``; apostrophes and dots are removed
    (``o'brien`` -> ``obrien``, ``j.`` -> ``j``); hyphens, digits and other
    characters separate words (``müller-lüdenscheidt`` -> ``muller
    ludenscheidt``); leading titles (:data:`NAME_TITLES`) are removed unless
    the title is the only word, and then the name is refused; placeholders
    for a missing name (``'UNKNOWN'``, ``'N/A'``, ``'NOT KNOWN'``, ``'TBC'``;
    :data:`NAME_PLACEHOLDERS`) are refused rather than becoming a person
    called ``'unknown'`` whom resolution could merge with every other. The
    form is idempotent.
    Time O(n) plus O(k * length) for k distinct values.

    Examples
    --------
    >>> import pandas as pd
    >>> normalise_name(pd.Series(["SMITH, John Paul", "Mrs Zoë O'Brien-Hall", "José  Müller"]))["value"].tolist()
    ['john paul smith', 'zoe obrien hall', 'jose muller']
    >>> normalise_name(pd.Series(["UNKNOWN", "N/A", "Mr", "Li Na"]))["value"].tolist()
    [<NA>, <NA>, <NA>, 'li na']
    >>> normalise_name(pd.Series(["N/A"]))["error"].iloc[0]
    "'N/A' is not a name (a placeholder for an unknown name)"
    >>> joint = pd.Series(["MR A SMITH & MRS B SMITH", "SMITH J"])
    >>> normalise_name(joint, holder=1)["value"].tolist(), normalise_name(joint, holder=2)["value"].tolist()
    (['a smith', 'j smith'], ['b smith', <NA>])
    """
    func = "normalise_name"
    check_series(values, func)
    check_interval(holder, param="holder", func=func, low=0, closed="left", integer=True)
    if holder:
        return map_distinct(lambda t: _holder_name_one(t, holder), values, func=func)
    return map_distinct(_name_one, values, func=func)


def name_tokens(values: pd.Series) -> pd.Series:
    """Return each name's normalised words sorted, for word-order-insensitive matching.

    Parameters
    ----------
    values : pandas.Series
        Names, raw or normalised.

    Returns
    -------
    pandas.Series
        string dtype, same index; the words of :func:`normalise_name` sorted
        and joined by single spaces, NA where the name is missing or invalid.

    Raises
    ------
    crimnet.errors.ParameterError
        If `values` is not a pandas Series.

    Examples
    --------
    >>> import pandas as pd
    >>> name_tokens(pd.Series(["SMITH, John", "John Smith", "Smith John"])).tolist()
    ['john smith', 'john smith', 'john smith']
    """
    func = "name_tokens"

    def one(text: str) -> str | None:
        words = _valid_words(text)
        return " ".join(sorted(words)) if words else None

    return map_values(one, values, func=func)


def nysiis(word: str) -> str:
    """Return the NYSIIS phonetic code of one word (letters a-z; others are ignored).

    This is the original New York State Identification and Intelligence
    System algorithm (Taft 1970), without truncation. It is implemented here
    (about 50 lines) rather than taken from ``jellyfish`` so that crimnet
    needs no extra compiled dependency; the results agree with jellyfish's
    ``nysiis`` on the usual test names.

    Parameters
    ----------
    word : str
        One word; upper or lower case.

    Returns
    -------
    str
        The code in upper case; ``''`` for a word without letters.

    References
    ----------
    R. L. Taft, *Name Search Techniques*, New York State Identification and
    Intelligence System, Special Report No. 1 (1970).

    Examples
    --------
    >>> [nysiis(w) for w in ("Macintosh", "Knuth", "Bishop", "Phillipson")]
    ['MCANT', 'NAT', 'BASAP', 'FALAPSAN']
    """
    check_type(word, str, param="word", func="nysiis", expected="a str")
    s = re.sub(r"[^A-Z]", "", word.upper())
    if not s:
        return ""
    if s.startswith("MAC"):
        s = "MCC" + s[3:]
    elif s.startswith("KN"):
        s = "NN" + s[2:]
    elif s.startswith("K"):
        s = "C" + s[1:]
    elif s.startswith(("PH", "PF")):
        s = "FF" + s[2:]
    elif s.startswith("SCH"):
        s = "SSS" + s[3:]
    if s.endswith(("EE", "IE")):
        s = s[:-2] + "Y"
    elif s.endswith(("DT", "RT", "RD", "NT", "ND")):
        s = s[:-2] + "D"
    vowels = "AEIOU"
    # The name is translated in place, as in Taft's description: 'previous' means the translated letter.
    c = list(s)
    n = len(c)
    key = c[0]
    for i in range(1, n):
        ch, prev = c[i], c[i - 1]
        nxt = c[i + 1] if i + 1 < n else ""
        if ch == "E" and nxt == "V":
            c[i], c[i + 1] = "A", "F"
        elif ch in vowels:
            c[i] = "A"
        elif ch == "Q":
            c[i] = "G"
        elif ch == "Z":
            c[i] = "S"
        elif ch == "M":
            c[i] = "N"
        elif ch == "K":
            c[i] = "N" if nxt == "N" else "C"
        elif ch == "S" and "".join(c[i + 1 : i + 3]) == "CH":
            c[i] = c[i + 1] = c[i + 2] = "S"
        elif ch == "P" and nxt == "H":
            c[i] = c[i + 1] = "F"
        elif ch == "H" and (prev not in vowels or not nxt or nxt not in vowels):
            c[i] = prev
        elif ch == "W" and prev in vowels:
            c[i] = prev
        if c[i] != key[-1]:
            key += c[i]
    if len(key) > 1 and key.endswith("S"):
        key = key[:-1]
    if key.endswith("AY"):
        key = key[:-2] + "Y"
    if len(key) > 1 and key.endswith("A"):
        key = key[:-1]
    return key


def name_variant_key(values: pd.Series) -> pd.Series:
    """Return a spelling-insensitive key per name, for blocking and matching.

    Each word of the normalised name becomes its key in :data:`NAME_VARIANTS`
    when it is a known transliteration variant (lower case, e.g. ``'mohammed'``
    -> ``'muhammad'``, ``'oleksandr'`` -> ``'alexander'``), and otherwise its
    :func:`nysiis` code (upper case, e.g. ``'smith'`` -> ``'SNAT'``), so table
    keys and phonetic codes never collide. Word order is kept.

    Parameters
    ----------
    values : pandas.Series
        Names, raw or normalised.

    Returns
    -------
    pandas.Series
        string dtype, same index; NA where the name is missing or invalid.

    Raises
    ------
    crimnet.errors.ParameterError
        If `values` is not a pandas Series.

    Notes
    -----
    Time O(n) plus O(k * length) for k distinct names.

    Examples
    --------
    >>> import pandas as pd
    >>> name_variant_key(pd.Series(["Mohammed Smith", "Muhammad Smith", "Oleksandr Kovalenko"])).tolist()
    ['muhammad SNAT', 'muhammad SNAT', 'alexander CAVALANC']
    """
    func = "name_variant_key"

    def one(text: str) -> str | None:
        words = _valid_words(text)
        return " ".join(NAME_VARIANTS.get(w) or nysiis(w) for w in words) if words else None

    return map_values(one, values, func=func)


# ------------------------------------------------------------------------------------------------ text


def normalise_text(values: pd.Series, *, case: str = "keep") -> pd.DataFrame:
    """Normalise free text (references, descriptions): strip and collapse whitespace.

    Parameters
    ----------
    values : pandas.Series
        Any text.
    case : {'keep', 'lower', 'upper'}, default 'keep'
        Case conversion.

    Returns
    -------
    pandas.DataFrame
        Same index; ``value`` (string): text without control characters,
        runs of whitespace collapsed to one space, or NA for blank input;
        ``error`` (string): always NA (any text is valid).

    Examples
    --------
    >>> import pandas as pd
    >>> normalise_text(pd.Series(["  rent\\t march  ", "   "]))["value"].tolist()
    ['rent march', <NA>]
    """
    func = "normalise_text"
    check_series(values, func)
    check_choice(case, ("keep", "lower", "upper"), param="case", func=func)

    def one(text: str) -> Result:
        out = collapse_spaces(remove_control(text))
        out = out.lower() if case == "lower" else out.upper() if case == "upper" else out
        return (out or None), None

    return map_distinct(one, values, func=func)


BUSINESS_SUFFIXES: tuple[tuple[str, ...], ...] = (
    ("public", "limited", "company"),
    ("limited", "liability", "partnership"),
    ("community", "interest", "company"),
    ("limited",),
    ("ltd",),
    ("plc",),
    ("llp",),
    ("lp",),
    ("cic",),
    ("l", "t", "d"),
    ("p", "l", "c"),
)
"""Legal-form suffixes removed from the end of a business name (longest first)."""

_BUSINESS_DROP = re.compile(r"['.]")
_BUSINESS_SEP = re.compile(r"[^a-z0-9]+")


def _business_one(text: str) -> Result:
    t = ascii_fold(remove_control(text)).lower().replace("&", " and ").replace("+", " and ")
    words = _BUSINESS_SEP.sub(" ", _BUSINESS_DROP.sub("", t)).split()
    changed = True
    while changed and words:
        changed = False
        for suffix in BUSINESS_SUFFIXES:
            k = len(suffix)
            if len(words) > k and tuple(words[-k:]) == suffix:
                words = words[:-k]
                changed = True
                break
    if not words:
        return None, f"{quote(text)} is not a business name"
    return " ".join(words), None


def normalise_business_name(values: pd.Series) -> pd.DataFrame:
    """Normalise business names: lower-case ASCII, no punctuation, no legal-form suffix.

    Parameters
    ----------
    values : pandas.Series
        Registered or trading names (``'Sparkle Hand Car Wash Ltd.'``).

    Returns
    -------
    pandas.DataFrame
        Same index; ``value`` (string): words ``[a-z0-9]+`` separated by
        single spaces, ``&`` and ``+`` written ``and``, trailing legal forms
        (:data:`BUSINESS_SUFFIXES`: ltd, limited, plc, llp, ...) removed
        unless the name would become empty; ``error`` (string) when no
        letter or digit is left, else NA.

    Raises
    ------
    crimnet.errors.ParameterError
        If `values` is not a pandas Series.

    Examples
    --------
    >>> import pandas as pd
    >>> normalise_business_name(pd.Series(["Sparkle Hand Car Wash LTD.", "A & B Foods Limited"]))["value"].tolist()
    ['sparkle hand car wash', 'a and b foods']
    """
    func = "normalise_business_name"
    check_series(values, func)
    return map_distinct(_business_one, values, func=func)


BUSINESS_NAME_KEY_PREFIX = "name:"
"""Prefix of the id of a Business known only by name (no company number)."""


def business_name_key(names: pd.Series) -> pd.Series:
    """Return the ``Business.id`` of businesses known only by name: ``'name:' + normalised name``.

    The name is normalised by :func:`normalise_business_name` (lower-case ASCII words, ``&`` as
    ``and``, trailing legal forms removed), so ``'A & B Foods Ltd'`` and ``'A AND B FOODS LIMITED'``
    are one business; the prefix keeps these ids apart from company numbers. Normalising is
    idempotent, so raw and already normalised names give the same key.

    Parameters
    ----------
    names : pandas.Series
        Business names, raw or normalised.

    Returns
    -------
    pandas.Series
        string dtype, index of `names`; NA where a name is missing or has no letter or digit.

    Raises
    ------
    crimnet.errors.ParameterError
        If `names` is not a pandas Series.

    Notes
    -----
    O(distinct names).

    Examples
    --------
    >>> import pandas as pd
    >>> business_name_key(pd.Series(["A & B Foods Ltd", "a and b foods", None, "--"])).tolist()
    ['name:a and b foods', 'name:a and b foods', <NA>, <NA>]
    """
    func = "business_name_key"
    check_series(names, func)
    value = map_distinct(_business_one, names, func=func)["value"].astype("string")
    return (BUSINESS_NAME_KEY_PREFIX + value).rename(None)


# ---------------------------------------------------------------------------------------------- holder

HOLDER_LEGAL_FORMS = frozenset({"ltd", "limited", "plc", "llp", "cic", "cio", "inc", "llc", "corp"})
"""Legal-form words that make a holder name an organisation (UK company, LLP, community interest company,
charitable incorporated organisation; the common US forms seen on UK accounts). Matched as whole words
anywhere in the name except as the first word. ``LP`` is left out: ``'SMITH LP'`` is a bank's surname and
initials."""

HOLDER_ORGANISATION_WORDS = frozenset(
    {
        "studio", "studios", "salon", "services", "trading", "charity", "trust", "group", "holdings",
        "enterprises", "solutions", "consultancy", "consultants", "associates", "partnership", "partners",
        "foundation", "association", "society", "club", "academy", "school", "council", "church", "ministries",
        "restaurant", "takeaway", "cafe", "hotel", "garage", "motors", "lettings", "estates", "properties",
        "builders", "logistics", "agency", "stores", "supplies", "clinic", "pharmacy", "barbers", "nails",
    }
)  # fmt: skip
"""Words that name what an organisation is or does, never a person's given or family name as banks write
it: kinds of business (studio, salon, services, trading, lettings, motors...), of body (charity, trust,
foundation, society, club, school, council, church) and of group (group, holdings, partners, associates).
Matched as whole words, never as the first word, so a family name that happens to be one of them and
stands first (``'CHURCH, ANNA'``) stays a person. The list is kept small and precise on purpose: a word
that is also a common surname (Hall, Mason, Baker, Shepherd) or that people's names contain is left out,
because an organisation missed stays one Person record (what happened before), while a person taken for
an organisation loses their person record."""

HOLDER_PATTERN = r"^(person|couple|organisation)\|[a-z0-9 '&+/]+\|[a-z0-9 ]+(;[a-z0-9 ]+)*$"
"""Regular expression every ``holder`` value matches: ``'<class>|<rule>|<names>'``."""

_HOLDER_TRADING_AS = re.compile(r"\b(?:t\s*/\s*as?|trading\s+as)\b")
_HOLDER_AND_CO = re.compile(r"(?:&|\band)\s*co\.?\s*$")
_HOLDER_JOINT = re.compile(r"&|\+|\band\b")


def classify_holder(text: str) -> tuple[str, str, list[str]]:
    """Classify an account holder's name as a person, a couple (joint holders) or an organisation.

    Parameters
    ----------
    text : str
        A holder name as written on an account or payment: ``'SMITH J'``, ``'MR A SMITH & MRS B
        SMITH'``, ``'J SMITH AND K SMITH'``, ``'SPARKLE HAIR STUDIO LTD'``, ``'A JONES T/A AJ NAILS'``.

    Returns
    -------
    tuple
        ``(class, rule, names)``: class ``'person'``, ``'couple'`` or ``'organisation'``
        (``''`` when the text names nobody); ``rule`` the rule that fired (``"legal form 'ltd'"``,
        ``'trading as'``, ``"'& co'"``, ``"organisation word 'studio'"``, ``"joint '&'"``,
        ``"joint 'and'"``, ``'surname initials'``, ``'one name'``); ``names`` the people's
        normalised names (:func:`holder_people`), or ``[business name]`` normalised as
        :func:`normalise_business_name` writes it.

    Notes
    -----
    Rules, first match wins: (1) an organisation by a legal form (:data:`HOLDER_LEGAL_FORMS`),
    ``T/A``/``trading as`` (the business is the name after it), a trailing ``& CO``, or an organisation word
    (:data:`HOLDER_ORGANISATION_WORDS`), each a whole word that is not the first word; (2) a
    couple when the name splits at ``&``, ``+`` or ``and`` into two or more people
    (:func:`holder_people`; ``'MR AND MRS SMITH'`` is two people called ``'smith'``); (3) one
    person otherwise. No rule looks at how common a name is or guesses from its length.

    Examples
    --------
    >>> classify_holder("MR A SMITH & MRS B SMITH")
    ('couple', "joint '&'", ['a smith', 'b smith'])
    >>> classify_holder("SMITH J & SMITH K")
    ('couple', "joint '&'", ['j smith', 'k smith'])
    >>> classify_holder("Sparkle Hair Studio Ltd")
    ('organisation', "legal form 'ltd'", ['sparkle hair studio'])
    >>> classify_holder("SMITH J")
    ('person', 'surname initials', ['j smith'])
    """
    check_type(text, str, param="text", func="classify_holder", expected="a str")
    folded = _fold(text)
    words = _BUSINESS_SEP.sub(" ", _BUSINESS_DROP.sub("", folded.replace("&", " & "))).split()
    rule = ""
    if _HOLDER_TRADING_AS.search(folded):
        rule = "trading as"
    elif _HOLDER_AND_CO.search(folded) and len(words) > 1:
        rule = "'& co'"
    else:
        rest = words[1:]
        legal = next((w for w in rest if w in HOLDER_LEGAL_FORMS), None)
        org = next((w for w in rest if w in HOLDER_ORGANISATION_WORDS), None)
        rule = f"legal form {legal!r}" if legal else f"organisation word {org!r}" if org else ""
    if rule:
        trading = _HOLDER_TRADING_AS.split(folded, maxsplit=1)
        name, _ = _business_one(trading[-1] if rule == "trading as" and trading[-1].strip() else text)
        return ("organisation", rule, [name]) if name else ("", "", [])
    people = holder_people(text)
    if not people:
        return "", "", []
    if len(people) > 1:
        joiner = _HOLDER_JOINT.search(folded)
        return "couple", f"joint {joiner.group(0) if joiner else '&'!r}", people
    plain = _strip_titles(_split_words(folded), keep_one=False)
    rule = "surname initials" if "," not in folded and _surname_initials(plain) != plain else "one name"
    return "person", rule, people


def _holder_one(text: str) -> Result:
    cls, rule, names = classify_holder(text)
    if not cls:
        return None, _not_a_name(text, _name_words(text)) or f"{quote(text)} is not a holder name (no one named)"
    return f"{cls}|{rule}|{';'.join(names)}", None


def normalise_holder(values: pd.Series) -> pd.DataFrame:
    """Classify account holder names (:func:`classify_holder`) into ``'<class>|<rule>|<names>'``.

    Parameters
    ----------
    values : pandas.Series
        Holder names as written.

    Returns
    -------
    pandas.DataFrame
        Same index; ``value`` (string, :data:`HOLDER_PATTERN`): ``'person|surname initials|j
        smith'``, ``"couple|joint '&'|a smith;b smith"``, ``"organisation|legal form
        'ltd'|sparkle hair studio"``; ``error`` (string) when no one is named (``'N/A'``, ``'-'``),
        else NA. A spec's ``Holder`` node reads this value (:func:`holder_parts`).

    Raises
    ------
    crimnet.errors.ParameterError
        If `values` is not a pandas Series.

    Notes
    -----
    O(n) plus O(k * length) for k distinct values.

    Examples
    --------
    >>> import pandas as pd
    >>> normalise_holder(pd.Series(["J SMITH AND K SMITH", "N/A"]))["value"].tolist()
    ["couple|joint 'and'|j smith;k smith", <NA>]
    """
    func = "normalise_holder"
    check_series(values, func)
    return map_distinct(_holder_one, values, func=func)


def holder_parts(values: pd.Series) -> pd.DataFrame:
    """Split ``holder`` values into ``class``, ``rule`` and ``names`` (a list of str per value).

    >>> holder_parts(pd.Series(["couple|joint '&'|a smith;b smith", None]))["names"].tolist()
    [['a smith', 'b smith'], nan]
    """
    check_series(values, "holder_parts")
    parts = values.astype("str").str.split("|", n=2, expand=True, regex=False).reindex(columns=[0, 1, 2])
    return pd.DataFrame(
        {
            "class": parts[0].astype("str"),
            "rule": parts[1].astype("str"),
            "names": parts[2].astype("str").str.split(";", regex=False),
        },
        index=values.index,
    )
