"""Person entity resolution: which raw person records describe the same person.

Deterministic rules on strong identifiers first, then a Fellegi-Sunter model (Splink on DuckDB)
over name, date of birth, postcode and address, phone, account, nationality and sex, then
connected components of all links with a guard that splits chains joining conflicting records,
then collective (relational) matching: records whose name agrees with a cluster that holds the same
account, phone, address, postcode or business (:mod:`crimnet.ingest.resolve_relational`). The
rules and the guard are documented in :mod:`crimnet.ingest.resolve_rules`. How strict the model
and the relational links are is one analyst's choice, :data:`MATCH_LEVELS`.
"""

from __future__ import annotations

import copy
import logging
import math
import shutil
import tempfile
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from crimnet.errors import ParameterError, check_choice, check_interval, check_type
from crimnet.ingest.duckdb_connection import connect
from crimnet.ingest.resolve_relational import collective_resolve
from crimnet.ingest.resolve_rules import (
    DETERMINISTIC_WEIGHT,
    RECORD_COLUMNS,
    deterministic_links,
    entity_id_for,
    holder_kinds,
    pair_conflicts,
    prepare_features,
)

__all__ = [
    "ResolutionResult",
    "resolve_people",
    "FIXED_PARAMETERS",
    "DEFAULT_THRESHOLD",
    "MATCH_LEVELS",
    "DEFAULT_MATCH_LEVEL",
]

_FUNC = "resolve_people"

#: Match levels an analyst chooses between: ``(model match-probability threshold, relational
#: match-weight threshold in bits)``. ``'strict'`` links only what is near certain (posterior odds
#: of a relational link at least 2^8 = 256 to 1), ``'balanced'`` at odds of 8 to 1, ``'inclusive'``
#: at odds of 2 to 1 for a reviewer to check; the precision-recall trade-off of each on generated truth is in
#: ``benchmarks/results/resolve.md``, from which ``'balanced'`` is the default.
MATCH_LEVELS: dict[str, tuple[float, float]] = {
    "strict": (0.99, 8.0),
    "balanced": (0.8, 3.0),
    "inclusive": (0.6, 1.0),
}

#: The default match level (chosen from the benchmark: see :data:`MATCH_LEVELS`).
DEFAULT_MATCH_LEVEL = "balanced"

#: Default match-probability threshold of the model (the default level's).
DEFAULT_THRESHOLD = MATCH_LEVELS[DEFAULT_MATCH_LEVEL][0]

#: Records below which EM is not attempted (``training='auto'``): too few matching pairs to
#: estimate m probabilities stably, so the fixed parameters below are used.
MIN_RECORDS_FOR_EM = 2000

# (label, sql condition, m probability, u probability); the first level of each comparison is
# its null level. The fixed m/u are used when training='fixed' (or 'auto' on small inputs, or
# when EM gives implausible values); they are the EM estimates (rounded) on a generated medium
# case of 5,000 people, seed 0 ('given and family' was not observed there: a prior guess).
# They are also EM's starting values.
_L = tuple[str, str, float, float]
FIXED_PARAMETERS: dict[str, list[_L]] = {
    "name": [
        ("null", "name_l IS NULL OR name_r IS NULL", 0.0, 0.0),
        ("exact", "name_l = name_r", 0.82, 0.00023),
        ("given and family", "given_l = given_r AND family_l = family_r", 0.04, 0.0001),
        ("variant key", "name_key_l = name_key_r", 0.05, 0.00004),
        ("reversed", "given_l = family_r AND family_l = given_r", 0.044, 0.00002),
        ("jaro-winkler >= 0.92", "jaro_winkler_similarity(name_l, name_r) >= 0.92", 0.076, 0.00037),
        ("family and initial", "family_l = family_r AND g_init_l = g_init_r", 0.002, 0.00048),
        # a keying error in the family name ('k murph', 't nckolov'): a prior guess, EM re-estimates it
        (
            "family one edit, initial",
            "damerau_levenshtein(family_l, family_r) <= 1 AND length(family_l) >= 4 AND g_init_l = g_init_r",
            0.002,
            0.00005,
        ),
        ("jaro-winkler >= 0.80", "jaro_winkler_similarity(name_l, name_r) >= 0.80", 0.003, 0.0093),
        ("else", "ELSE", 0.006, 0.9895),
    ],
    "dob": [
        ("null", "dob_ym_l IS NULL OR dob_ym_r IS NULL", 0.0, 0.0),
        ("exact", "dob_l = dob_r", 0.906, 0.00021),
        ("year-month, day unknown", "dob_ym_l = dob_ym_r AND (dob_d_l IS NULL OR dob_d_r IS NULL)", 0.022, 0.00002),
        ("day-month swap", "dob_y_l = dob_y_r AND dob_d_l = dob_m_r AND dob_m_l = dob_d_r", 0.019, 0.00002),
        (
            "one part differs",
            "(CAST(dob_y_l = dob_y_r AS INT) + CAST(dob_m_l = dob_m_r AS INT) + CAST(dob_d_l = dob_d_r AS INT)) = 2",
            0.024,
            0.0045,
        ),
        ("else", "ELSE", 0.029, 0.9952),
    ],
    "address": [
        ("null", "postcode_l IS NULL OR postcode_r IS NULL", 0.0, 0.0),
        ("address", "address_id_l = address_id_r", 0.80, 0.001),
        ("postcode", "postcode_l = postcode_r", 0.097, 0.0085),
        ("sector", "sector_l = sector_r", 0.007, 0.03),
        ("else", "ELSE", 0.097, 0.96),
    ],
    "phone": [
        ("null", "phone_l IS NULL OR phone_r IS NULL", 0.0, 0.0),
        ("exact", "phone_l = phone_r", 0.83, 0.00015),
        ("else", "ELSE", 0.17, 0.99985),
    ],
    "account": [
        ("null", "account_id_l IS NULL OR account_id_r IS NULL", 0.0, 0.0),
        ("exact", "account_id_l = account_id_r", 0.63, 0.00014),
        ("else", "ELSE", 0.37, 0.99986),
    ],
    "nationality": [
        ("null", "nationality_l IS NULL OR nationality_r IS NULL", 0.0, 0.0),
        ("exact", "nationality_l = nationality_r", 0.95, 0.41),
        ("else", "ELSE", 0.05, 0.59),
    ],
    "sex": [
        ("null", "sex_l IS NULL OR sex_r IS NULL", 0.0, 0.0),
        ("exact", "sex_l = sex_r", 0.97, 0.51),
        ("else", "ELSE", 0.03, 0.49),
    ],
}

# In pseudonymised mode names are opaque tokens: the name comparison is exact-or-else (other
# columns keep their levels; a level that needs parts of a tokenised value simply never fires).
_PSEUDO_KEEP = {"name": ("null", "exact", "else")}

# Exact-agreement levels whose weight is adjusted for the frequency of the value (a shared rare
# name is stronger evidence than a shared common one).
_TF_LEVELS = {("name", "exact"): "name"}

_BLOCKING = (
    "l.bk_dob = r.bk_dob",
    "l.bk_dob_g = r.bk_dob_g",
    "l.bk_dob_s = r.bk_dob_s",
    "l.bk_dob_ym_f = r.bk_dob_ym_f",
    "l.bk_dob_ym_s = r.bk_dob_ym_s",
    "l.bk_pc_f = r.bk_pc_f",
    "l.bk_pc_s = r.bk_pc_s",
    "l.bk_key_y = r.bk_key_y",
    "l.bk_key_md = r.bk_key_md",
    "l.bk_phone = r.bk_phone",
    "l.bk_account = r.bk_account",
)

_SPLINK_COLUMNS = (
    "unique_id", "is_new", "name", "given", "family", "name_key", "g_init", "dob", "dob_ym", "dob_y", "dob_m", "dob_d",
    "postcode", "sector", "address_id", "phone", "account_id", "nationality", "sex",
    "bk_dob", "bk_dob_g", "bk_dob_s", "bk_dob_ym_f", "bk_dob_ym_s", "bk_pc_f", "bk_pc_s", "bk_key_y", "bk_key_md",
    "bk_phone", "bk_account",
)  # fmt: skip


def _some_block_holds_a_pair(df: pd.DataFrame) -> bool:
    # the model scores only pairs that agree on a blocking key (_BLOCKING): with none, building it is wasted
    return any(df[c].dropna().duplicated().any() for c in _SPLINK_COLUMNS if c.startswith("bk_"))


@dataclass
class ResolutionResult:
    """The outcome of :func:`resolve_people`.

    Attributes
    ----------
    entity_ids : Series of str
        Aligned to the input ``records.index``: ``'P'`` + 12 hex characters per record.
    table : DataFrame
        The resolution table, one row per record: ``source``, ``record_id``, ``entity_id`` (str),
        ``match_weight`` (float64: Splink match weight of the strongest kept link of the record,
        ``inf`` for a deterministic rule, NaN for a singleton) and ``rule`` (str: ``'nino'``,
        ``'account+name'``, ``'name+dob+postcode'``, ``'name+dob+phone'``,
        ``'splink:p>=0.8'``, ``'singleton'``, ``'existing'`` or ``'merged:<old id>'``). A record
        of ``existing`` whose entity is unchanged keeps its earlier ``rule`` and ``match_weight``
        (from the ``rule`` column of ``existing``), so why records became one person survives
        later batches; an earlier singleton (or a record without a known rule) that a new record
        now links to takes that link's rule and weight; ``'existing'`` is left only where
        ``existing`` gives no rule and nothing new links to the record. A relational link has
        rule ``'relational:w>=<threshold>'`` and its match weight (log2 posterior odds,
        :mod:`crimnet.ingest.resolve_relational`). ``linked_to`` (str or None) is the
        ``'<source>:<record_id>'`` at the other end of that strongest link and ``via`` (str or
        None) the shared neighbours that supported a relational link (``'account:<id>; phone:<id>'``).
        Rows of ``records`` come first in input order, then the rows of ``existing`` not in
        ``records``, so the table replaces the previous batch's table.
    pairs : DataFrame
        Every link considered: ``left``, ``right`` (``'<source>:<record_id>'``), ``match_weight``
        (float64), ``match_probability`` (float64), ``rule`` (str; ``'rejected:<rule>'`` when the
        chain guard refused the link) and ``via`` (relational links: the shared neighbours).
    merges : DataFrame
        Existing entities merged by this batch: ``old_id``, ``new_id`` (str).
    params : dict
        Parameters used: threshold, training mode actually used, prior, seed, m/u per level.
    """

    entity_ids: pd.Series
    table: pd.DataFrame
    pairs: pd.DataFrame
    merges: pd.DataFrame = field(default_factory=lambda: pd.DataFrame({"old_id": [], "new_id": []}, dtype=object))
    params: dict[str, Any] = field(default_factory=dict)


def _settings(
    pseudonymised: bool, prior: float, incremental: bool = False, skip: frozenset[str] = frozenset()
) -> dict[str, Any]:
    comparisons = []
    for name, levels in FIXED_PARAMETERS.items():
        if name in skip:
            continue
        if pseudonymised and name in _PSEUDO_KEEP:
            levels = [lv for lv in levels if lv[0] in _PSEUDO_KEEP[name]]
        m_total = sum(lv[2] for lv in levels[1:])
        u_total = sum(lv[3] for lv in levels[1:])
        out = []
        for i, (label, sql, m, u) in enumerate(levels):
            level: dict[str, Any] = {"sql_condition": sql, "label_for_charts": label}
            if i == 0:
                level["is_null_level"] = True
            else:
                level["m_probability"] = m / m_total
                level["u_probability"] = u / u_total
            if (name, label) in _TF_LEVELS:
                level["tf_adjustment_column"] = _TF_LEVELS[(name, label)]
                level["tf_adjustment_weight"] = 1.0
            out.append(level)
        comparisons.append({"output_column_name": name, "comparison_levels": out})
    return {
        "link_type": "dedupe_only",
        "unique_id_column_name": "unique_id",
        "comparisons": comparisons,
        # an incremental batch compares only pairs with a new record: earlier decisions stand
        "blocking_rules_to_generate_predictions": [
            f"{b} AND (l.is_new = 1 OR r.is_new = 1)" if incremental else b for b in _BLOCKING
        ],
        "probability_two_random_records_match": prior,
        "retain_matching_columns": False,
        "retain_intermediate_calculation_columns": False,
        "max_iterations": 25,
        "em_convergence": 0.0001,
    }


#: The column whose absence makes each comparison's null level.
_COMPARED_COLUMN = {
    "name": "name", "dob": "dob_ym", "address": "postcode", "phone": "phone", "account": "account_id",
    "nationality": "nationality", "sex": "sex",
}  # fmt: skip

#: Random pairs sampled to estimate u (Splink's ``max_pairs``), and the fewest of them that must
#: carry a comparison's value on both sides for its u to be estimated at all.
_U_PAIRS = 1e6
_MIN_U_PAIRS = 100


def _too_sparse(df: pd.DataFrame) -> frozenset[str]:
    """Comparisons left out of an EM-trained model because too few records carry their value.

    A value recorded in a share s of the records is on both sides of about ``_U_PAIRS * s**2`` of
    the random pairs that estimate u; below :data:`_MIN_U_PAIRS` (s < 1%) u is a guess from a few
    pairs, and EM can drive a level's m to exactly 0 from a few clear non-matches, which Splink
    refuses, failing the whole session (seen with nationality and sex recorded in 0.3% of the
    records of a realistic case). Such a comparison informs almost no pair anyway.
    """
    share = df[list(_COMPARED_COLUMN.values())].notna().mean()
    return frozenset(c for c, col in _COMPARED_COLUMN.items() if _U_PAIRS * share[col] ** 2 < _MIN_U_PAIRS)


def _prior(df: pd.DataFrame) -> float:
    """Prior probability that two random records match, from exact name + date-of-birth pairs.

    Exact name and full date of birth catch about half the true pairs in noisy extracts (recall
    assumed 0.5); the estimate is clipped to [1/C(n,2), 1e-3] so that a small batch is not
    resolved more loosely than a large one (in a large batch the prior is about 1/n).
    """
    n = len(df)
    total = n * (n - 1) / 2
    if total < 1:
        return 1e-3
    sizes = df.dropna(subset=["name", "dob"]).groupby(["name", "dob"]).size().to_numpy(np.float64)
    observed = float((sizes * (sizes - 1) / 2).sum())
    if observed == 0:
        observed = n / 2  # assume about two records per person
    return float(min(max(observed / 0.5 / total, 1 / total), 1e-3))


def _model_parameters(linker: Any) -> dict[str, list[tuple[str, float | None, float | None]]]:
    out = {}
    for comp in linker._settings_obj.comparisons:
        out[comp.output_column_name] = [
            (lv.label_for_charts, lv.m_probability, lv.u_probability)
            for lv in comp.comparison_levels
            if not lv.is_null_level
        ]
    return out


def _plausible(levels: list[tuple[str, float | None, float | None]]) -> bool:
    """EM result sanity of one comparison: its best level favours a match, 'else' disfavours it."""
    (_, m0, u0), (_, m1, u1) = levels[0], levels[-1]
    if None in (m0, u0, m1, u1) or not (m0 > u0 and m1 < u1):  # type: ignore[operator]
        return False
    return all(m is not None and u is not None and math.isfinite(m) and math.isfinite(u) for _, m, u in levels)


def _revert_implausible(linker: Any, comparisons: list[dict[str, Any]]) -> list[str]:
    """Put back the starting m and u of every comparison whose EM estimates are implausible.

    A comparison recorded in very few records (nationality in about 0.3% of a realistic case's
    records) gets its u from a handful of random pairs, e.g. u = 1 for agreement, which would make
    agreement evidence against a match; one such comparison must not cost the whole model its
    estimates, so only that comparison is reverted. Returns the reverted comparisons' names.
    """
    start = {c["output_column_name"]: c["comparison_levels"] for c in comparisons}
    reverted = []
    for name, levels in _model_parameters(linker).items():
        if _plausible(levels):
            continue
        reverted.append(name)
        comp = next(c for c in linker._settings_obj.comparisons if c.output_column_name == name)
        starting = [lv for lv in start[name] if not lv.get("is_null_level")]
        for level, values in zip([lv for lv in comp.comparison_levels if not lv.is_null_level], starting, strict=True):
            level.m_probability = values["m_probability"]
            level.u_probability = values["u_probability"]
    return reverted


def _splink_links(
    df: pd.DataFrame,
    *,
    pseudonymised: bool,
    training: str,
    seed: int,
    threshold: float,
    weight_threshold: float | None,
    incremental: bool = False,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    from splink import DuckDBAPI, Linker

    # Splink warns about levels absent from a sample (e.g. no sex recorded); keep them out of logs
    splink_logger = logging.getLogger("splink")
    old_level = splink_logger.level
    splink_logger.setLevel(logging.ERROR)
    try:
        return _splink_run(
            df, pseudonymised=pseudonymised, training=training, seed=seed, threshold=threshold,
            weight_threshold=weight_threshold, DuckDBAPI=DuckDBAPI, Linker=Linker, incremental=incremental,
        )  # fmt: skip
    finally:
        splink_logger.setLevel(old_level)


def _splink_run(
    df: pd.DataFrame,
    *,
    pseudonymised: bool,
    training: str,
    seed: int,
    threshold: float,
    weight_threshold: float | None,
    DuckDBAPI: Any,
    Linker: Any,
    incremental: bool = False,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    prior = _prior(df)
    used = "fixed"
    if training == "em" or (training == "auto" and len(df) >= MIN_RECORDS_FOR_EM):
        used = "em"
    import pyarrow as pa

    data = pa.Table.from_pandas(df[list(_SPLINK_COLUMNS)], preserve_index=False)
    tmpdir = tempfile.mkdtemp(prefix="crimnet-duckdb-")
    cons: list[Any] = []
    skip = _too_sparse(df) if used == "em" else frozenset()
    settings = _settings(pseudonymised, prior, incremental, skip=skip)

    def make_linker() -> Any:
        while cons:  # a refit after failed or implausible EM replaces the first engine, never runs beside it
            cons.pop().close()
        con = connect(tmpdir)
        cons.append(con)
        db = DuckDBAPI(connection=con)
        table = db.register(data, table_name="records")
        # the settings are crimnet's own, built by _settings and tested; Splink's check of them only logs, and
        # costs a tenth of a second per resolution (a small ingest's is a second or two)
        return Linker(table, copy.deepcopy(settings), log_level=None, validate_settings=False)

    try:
        links, params = _splink_fit_predict(
            make_linker, comparisons=settings["comparisons"], used=used, seed=seed, threshold=threshold,
            weight_threshold=weight_threshold, prior=prior,
        )  # fmt: skip
        params["not_compared"] = sorted(skip)
        return links, params
    finally:
        for con in cons:
            con.close()
        shutil.rmtree(tmpdir, ignore_errors=True)


#: EM training sessions (Splink blocking rules): each estimates the m probabilities of every
#: comparison its rule does not block on, so together they estimate all of them.
_EM_SESSIONS = ("l.dob = r.dob", "l.name_key = r.name_key")

#: Run only when a session of :data:`_EM_SESSIONS` fails, so that the comparisons only that session
#: estimates (the name, for the date-of-birth session) are still estimated from the data.
_EM_SPARE_SESSION = "l.postcode = r.postcode"


def _em_sessions(linker: Any) -> dict[str, str]:
    """Run the EM sessions; return ``{blocking rule: error}`` of those that failed.

    A session fails when EM drives a level's m probability to exactly 0 (Splink refuses it; seen on
    a realistic 20,000-person case where every same-date-of-birth pair at one level was a clear
    non-match), or for any other reason; Splink leaves the model as it was before a failed session,
    so the other sessions' estimates stand and the failed session's comparisons keep their starting
    values unless the spare session estimates them.
    """
    failed: dict[str, str] = {}
    for rule in _EM_SESSIONS:
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(
                rule, max_pairs=2e6, estimate_without_term_frequencies=True
            )
        except Exception as exc:
            failed[rule] = f"{type(exc).__name__}: {exc}"
    if failed:
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(
                _EM_SPARE_SESSION, max_pairs=2e6, estimate_without_term_frequencies=True
            )
        except Exception as exc:
            failed[_EM_SPARE_SESSION] = f"{type(exc).__name__}: {exc}"
    return failed


def _splink_fit_predict(
    make_linker: Any,
    *,
    comparisons: list[dict[str, Any]],
    used: str,
    seed: int,
    threshold: float,
    weight_threshold: float | None,
    prior: float,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    em_error = None

    linker = make_linker()
    if used == "em":
        try:
            linker.training.estimate_u_using_random_sampling(
                max_pairs=_U_PAIRS, seed=seed, min_count_per_level=None, num_chunks=1
            )
        except Exception as exc:  # any failure to estimate u falls back to the documented parameters
            used = "fixed (em failed)"
            em_error = f"{type(exc).__name__}: {exc}"
        else:
            failed = _em_sessions(linker)
            if len(failed) == len(_EM_SESSIONS) + 1:
                used = "fixed (em failed)"
            if failed:
                em_error = "; ".join(f"{rule}: {err}" for rule, err in failed.items())
        if used == "em":
            reverted = _revert_implausible(linker, comparisons)
            if reverted:
                used = f"em ({', '.join(reverted)} implausible: starting values kept)"
        else:
            linker = make_linker()
    if weight_threshold is not None:
        pred = linker.inference.predict(threshold_match_weight=weight_threshold, warning_mode="never")
    else:
        pred = linker.inference.predict(threshold_match_probability=threshold, warning_mode="never")
    out = pred.as_pyarrow_table().select(["unique_id_l", "unique_id_r", "match_weight", "match_probability"])
    params = {"training": used, "prior": prior, "m_u": _model_parameters(linker)}
    if em_error is not None:
        params["em_error"] = em_error
    links = pd.DataFrame(
        {
            "l": out["unique_id_l"].to_numpy().astype(np.int64),
            "r": out["unique_id_r"].to_numpy().astype(np.int64),
            "match_weight": out["match_weight"].to_numpy().astype(np.float64),
            "match_probability": out["match_probability"].to_numpy().astype(np.float64),
        }
    )
    lo, hi = np.minimum(links["l"], links["r"]), np.maximum(links["l"], links["r"])
    links["l"], links["r"] = lo, hi
    return links.sort_values(["l", "r"], kind="stable").reset_index(drop=True), params


def _check(records: Any, threshold: Any, existing: Any, seed: Any, pseudonymised: Any, **kw: Any) -> None:
    check_type(records, pd.DataFrame, param="records", func=_FUNC, expected="a pandas DataFrame")
    missing = [c for c in ("source", "record_id") if c not in records.columns]
    if missing:
        raise ParameterError(
            f"The 'records' parameter of {_FUNC} must be a DataFrame with columns 'source' and 'record_id'. "
            f"Got columns {list(records.columns)} instead."
        )
    check_choice(kw["match_level"], tuple(MATCH_LEVELS), param="match_level", func=_FUNC)
    if threshold is not None:
        check_interval(threshold, param="threshold", func=_FUNC, low=0, high=1, closed="neither")
    if kw["relational_weight"] is not None:
        check_interval(kw["relational_weight"], param="relational_weight", func=_FUNC)
    if existing is not None:
        check_type(existing, pd.DataFrame, param="existing", func=_FUNC, expected="a pandas DataFrame or None")
        if not {"source", "record_id", "entity_id"} <= set(existing.columns):
            raise ParameterError(
                f"The 'existing' parameter of {_FUNC} must be a DataFrame with columns 'source', 'record_id' and "
                f"'entity_id'. Got columns {list(existing.columns)} instead."
            )
    check_interval(seed, param="seed", func=_FUNC, low=0, closed="left", integer=True)
    check_type(pseudonymised, bool, param="pseudonymised", func=_FUNC, expected="a bool")
    check_choice(kw["training"], ("auto", "em", "fixed"), param="training", func=_FUNC)
    if kw["match_weight_threshold"] is not None:
        check_interval(kw["match_weight_threshold"], param="match_weight_threshold", func=_FUNC)
    if kw["case"] is not None:
        check_type(kw["case"], str, param="case", func=_FUNC, expected="a str or None")


def resolve_people(
    records: pd.DataFrame,
    *,
    threshold: float | None = None,
    existing: pd.DataFrame | None = None,
    seed: int = 0,
    pseudonymised: bool = False,
    match_weight_threshold: float | None = None,
    training: str = "auto",
    case: str | None = None,
    match_level: str = DEFAULT_MATCH_LEVEL,
    relational_weight: float | None = None,
    relational: bool = True,
) -> ResolutionResult:
    """Resolve person records into person entities.

    Three stages: (1) deterministic rules on strong identifiers (same NINO; same account and
    name; exact name, date of birth and postcode or phone); (2) a Fellegi-Sunter model fitted with
    Splink on DuckDB, comparing name (exact, given+family, transliteration variant key, reversed
    order, Jaro-Winkler >= 0.92, family name and initial, family name one edit apart and initial,
    Jaro-Winkler >= 0.80), date of birth (exact, month precision, day/month swap,
    one part differing), address (address, postcode, postcode sector), phone, account,
    nationality and sex; (3) connected components of all links above the threshold, with a guard
    that splits any cluster holding two NINOs, two incompatible dates of birth or two people of
    one couple holder or list cell; (4) collective relational matching
    (:func:`crimnet.ingest.resolve_relational.collective_resolve`): clusters whose names agree
    (term-frequency weighted, initials and titled forms understood) and that share an account,
    phone, address, postcode or business are merged, round by round until nothing changes.
    Phone or address alone never merges two records (families share both), nor does a name alone.

    Parameters
    ----------
    records : DataFrame
        One row per raw person record, columns ``source``, ``record_id`` (required) and any of
        ``name`` (normalised ``'given family'``), ``dob`` (``YYYY-MM-DD``; a partial date
        ``YYYY-MM`` or ``YYYY`` is compared at its precision; ``YYYY-MM-01`` from source
        ``company_register`` is month precision), ``postcode``, ``address_id``, ``phone``
        (E.164), ``account_id``, ``nino``, ``nationality`` (ISO alpha-3), ``sex``, ``business_id``
        (a business the person works at or directs: a relational neighbour) and ``holder_rule``
        (the holder classification of an account holder's name:
        :func:`crimnet.ingest.resolve_rules.holder_kinds`); nulls allowed.
        ``(source, record_id)`` must be unique.
    threshold : float or None, default None
        Match probability in (0, 1) at or above which a Splink link merges two records; None
        takes the match level's (0.8 for ``'balanced'``). On generated cases (5,000 people, seed
        0) the pair and chain guards hold precision, so going from 0.99 to 0.9 raised recall from
        0.960 to 0.969 (medium) and from 0.869 to 0.917 (hard) at pairwise precision >= 0.997.
    existing : DataFrame or None, default None
        A previous batch's records with an added ``entity_id`` column, and optionally its
        resolution ``rule`` and ``match_weight`` (kept for records whose entity does not change).
        Their entity ids are kept;
        new records linking to one take its id; when new records link several existing entities,
        they merge into the smallest id (reported in ``merges`` and as rule ``'merged:<old id>'``).
    seed : int, default 0
        Seed of the random sampling used to estimate u probabilities.
    pseudonymised : bool, default False
        Values are HMAC pseudonym tokens: only equality of whole values is compared.
    match_weight_threshold : float or None, default None
        If given, a Splink match weight (log2 Bayes factor including the prior) used instead of
        `threshold`.
    training : {'auto', 'em', 'fixed'}, default 'auto'
        ``'em'``: estimate u by random sampling and m by expectation maximisation; ``'fixed'``:
        the documented :data:`FIXED_PARAMETERS`; ``'auto'``: EM from 2,000 records up. Under EM a
        comparison whose value is in under 1% of the records is left out (``params['not_compared']``),
        a failed training session costs only its own estimates (``params['em_error']``), and a
        comparison whose estimates do not favour a match at its best level keeps its fixed
        parameters (``params['training']`` says which were used).
    case : str or None, default None
        The case the records belong to (:attr:`crimnet.tables.CanonicalTables.case`): new entity ids
        hash ``'<case>:<smallest key>'`` instead of the key alone, so the people of two cases never
        share an id even where their record ids repeat (generated cases number their records alike).
        Existing ids are kept as they are.
    match_level : {'strict', 'balanced', 'inclusive'}, default 'balanced'
        How much evidence merges two records (:data:`MATCH_LEVELS`): the model threshold (unless
        `threshold` is given) and the relational match-weight threshold (unless
        `relational_weight` is given). The precision-recall trade-off of each level on generated
        truth is in ``benchmarks/results/resolve.md``.
    relational_weight : float or None, default None
        Match weight (bits of posterior odds) at or above which a relational link is made; None
        takes the match level's.
    relational : bool, default True
        Run collective relational matching after the model (False: the attribute model alone).

    Returns
    -------
    ResolutionResult
        ``entity_ids`` aligned to ``records.index``, the resolution ``table``, the ``pairs``
        behind it, ``merges`` of existing entities and the ``params`` used.

    Raises
    ------
    crimnet.errors.ParameterError
        Bad parameter values, missing key columns, or duplicate ``(source, record_id)``.

    Notes
    -----
    Blocking keys (date of birth + family or given initial, year-month + family initial,
    postcode + family initial, variant key + birth year, variant key + birth day-month, phone,
    account) are capped at 60 records per key, so the number of compared pairs is O(n) and the
    run is O(n log n) in time and O(n) in memory. Features are Arrow-backed strings (no Python
    object per value); Splink's DuckDB comes from :func:`crimnet.ingest.duckdb_connection.connect`
    (memory and threads capped, spilling to a temporary directory past the cap), and its training
    is bounded (u from at most 1e6 random pairs, EM on at most 2e6 pairs per blocking rule), so
    a million-person case fits in a few GiB. Entity ids are the SHA-1 of the smallest
    ``'<source>:<record_id>'`` in the cluster (prefixed by ``'<case>:'`` when `case` is given), so
    they are stable under re-runs and row order; a cluster holding records of `existing` keeps
    the smallest of their ids. An incremental batch (`existing` given) compares only pairs with a
    new record in the model and only clusters holding a new record in the relational pass, so
    earlier decisions are not re-resolved.

    References
    ----------
    Fellegi, I. P. and Sunter, A. B. (1969). A theory for record linkage. JASA 64(328),
    1183-1210. doi:10.1080/01621459.1969.10501049.
    Linacre, R. et al. (2022). Splink: Free software for probabilistic record linkage at scale.
    IJPDS 7(3). doi:10.23889/ijpds.v7i3.1794.

    Examples
    --------
    >>> recs = pd.DataFrame({"source": ["police_intel", "bank_customers", "payroll"],
    ...                      "record_id": ["U1", "B7", "L3"],
    ...                      "name": ["ana popescu", "ana popesku", "ion popescu"],
    ...                      "dob": ["1990-03-04", "1990-03-04", "1961-11-30"],
    ...                      "postcode": ["LS1 4AB", "LS1 4AB", "LS1 4AB"]})
    >>> res = resolve_people(recs)
    >>> res.entity_ids.iloc[0] == res.entity_ids.iloc[1] != res.entity_ids.iloc[2]
    True
    >>> res.table["rule"].tolist()
    ['splink:p>=0.8', 'splink:p>=0.8', 'singleton']
    """
    _check(
        records,
        threshold,
        existing,
        seed,
        pseudonymised,
        training=training,
        match_weight_threshold=match_weight_threshold,
        case=case,
        match_level=match_level,
        relational_weight=relational_weight,
    )
    level_threshold, level_weight = MATCH_LEVELS[match_level]
    threshold = level_threshold if threshold is None else threshold
    relational_weight = level_weight if relational_weight is None else relational_weight
    new = records.reindex(columns=list(RECORD_COLUMNS))
    new_keys = new["source"].astype(str) + ":" + new["record_id"].astype(str)
    if new_keys.duplicated().any():
        dup = new_keys[new_keys.duplicated()].iloc[0]
        raise ParameterError(
            f"The 'records' parameter of {_FUNC} must have unique (source, record_id) pairs. Got {dup!r} twice instead."
        )
    old_ids = pd.Series(dtype=object)
    old_weights = pd.Series(dtype=np.float64)
    old_rules = pd.Series(dtype=object)
    old_linked = pd.Series(dtype=object)
    old_via = pd.Series(dtype=object)
    combined = new
    if existing is not None and len(existing):
        ex = existing.reindex(columns=[*RECORD_COLUMNS, "entity_id", "match_weight", "rule", "linked_to", "via"])
        ex_keys = ex["source"].astype(str) + ":" + ex["record_id"].astype(str)
        ex = ex[~ex_keys.duplicated().to_numpy()]
        ex_keys = ex["source"].astype(str) + ":" + ex["record_id"].astype(str)
        old_ids = pd.Series(ex["entity_id"].astype(str).to_numpy(), index=ex_keys.to_numpy())
        old_weights = pd.Series(pd.to_numeric(ex["match_weight"], errors="coerce").to_numpy(), index=ex_keys.to_numpy())
        old_rules = pd.Series(ex["rule"].to_numpy(object), index=ex_keys.to_numpy())
        old_linked = pd.Series(ex["linked_to"].to_numpy(object), index=ex_keys.to_numpy())
        old_via = pd.Series(ex["via"].to_numpy(object), index=ex_keys.to_numpy())
        only_old = ex[~ex_keys.isin(new_keys).to_numpy()]
        combined = pd.concat([new, only_old[list(RECORD_COLUMNS)]], ignore_index=True)
    df = prepare_features(combined, pseudonymised=pseudonymised)
    keys = df["key"].to_numpy(object)
    is_old = df["key"].isin(old_ids.index).to_numpy()
    df["is_new"] = (~is_old).astype(np.int8)
    if match_weight_threshold is not None:
        splink_rule = f"splink:w>={match_weight_threshold:g}"
    else:
        splink_rule = f"splink:p>={threshold:g}"

    det = deterministic_links(df)
    det = det.assign(match_weight=DETERMINISTIC_WEIGHT, match_probability=1.0, prio=1)
    if _some_block_holds_a_pair(df):
        links, params = _splink_links(
            df,
            pseudonymised=pseudonymised,
            training=training,
            seed=seed,
            threshold=threshold,
            weight_threshold=match_weight_threshold,
            incremental=bool(is_old.any()),
        )
    else:  # no pair for the model to score (nor to train on): a small batch of strangers
        links = pd.DataFrame({"l": [], "r": [], "match_weight": [], "match_probability": []})
        params = {"training": "none (no two records share a blocking key)"}
    links = links.assign(rule=splink_rule, prio=2)
    reason = pair_conflicts(
        df, links["l"].to_numpy(np.int64), links["r"].to_numpy(np.int64), pseudonymised=pseudonymised
    )
    refused = links[reason != ""].assign(rule=lambda d: "rejected:" + reason[reason != ""])
    links = links[reason == ""]
    edges = pd.concat([det, links], ignore_index=True)
    edges = edges.astype({"l": np.int64, "r": np.int64, "match_weight": np.float64, "match_probability": np.float64})
    # one row per pair: a deterministic rule wins over the model
    edges = edges.sort_values(["l", "r", "prio"], kind="stable").drop_duplicates(["l", "r"], keep="first")
    if is_old.any():
        # previous decisions stand: links among existing records are replaced by their old clusters
        edges = edges[~(is_old[edges["l"].to_numpy()] & is_old[edges["r"].to_numpy()])]
        olds = df.loc[is_old, ["unique_id", "key"]].assign(eid=lambda d: d["key"].map(old_ids))
        olds = olds.sort_values(["eid", "unique_id"], kind="stable")
        same = (olds["eid"].shift(-1) == olds["eid"]).to_numpy()[:-1]
        ids = olds["unique_id"].to_numpy()
        forced = pd.DataFrame(
            {"l": ids[:-1][same], "r": ids[1:][same], "match_weight": np.inf, "match_probability": 1.0,
             "rule": "existing", "prio": 0}
        )  # fmt: skip
        edges = pd.concat([forced, edges], ignore_index=True)
    organisation = holder_kinds(df) == "organisation"
    if organisation.any():  # an organisation holder names no person: it links to nothing
        edges = edges[~(organisation[edges["l"].to_numpy()] | organisation[edges["r"].to_numpy()])]
    edges = edges.sort_values(["prio", "l", "r"], kind="stable").reset_index(drop=True)
    labels, edges, accepted, rounds = collective_resolve(
        df, edges, min_weight=relational_weight, active=~is_old if is_old.any() else None,
        max_rounds=8 if relational else 0, pseudonymised=pseudonymised,
    )  # fmt: skip
    edges["rule"] = edges["rule"].where(edges["rule"] != "relational", f"relational:w>={relational_weight:g}")

    # entity ids: smallest existing id in the cluster, else the hash of the smallest key
    lab = pd.Series(labels)
    min_key = pd.Series(keys).groupby(lab).min()
    cluster_id = entity_id_for(min_key if case is None else case + ":" + min_key)
    old_of = pd.Series(keys).map(old_ids)
    if is_old.any():
        old_min = old_of.groupby(lab).min().dropna()
        cluster_id.loc[old_min.index] = old_min
    eid = lab.map(cluster_id).to_numpy(object)

    # strongest kept link per record
    kept = edges[accepted.to_numpy()]
    inc = pd.concat(
        [kept[["l", "r", "match_weight", "rule", "prio", "via"]].rename(columns={"l": "u", "r": "o"}),
         kept[["r", "l", "match_weight", "rule", "prio", "via"]].rename(columns={"r": "u", "l": "o"})],
        ignore_index=True,
    )  # fmt: skip
    inc = inc[inc["rule"] != "existing"]
    inc = inc.sort_values(["u", "match_weight", "prio"], ascending=[True, False, True], kind="stable")
    best = inc.drop_duplicates("u", keep="first").set_index("u")
    weight = pd.Series(np.nan, index=df.index, dtype=np.float64)
    rule = pd.Series("singleton", index=df.index, dtype=object)
    weight.loc[best.index] = best["match_weight"].to_numpy()
    rule.loc[best.index] = best["rule"].to_numpy()
    linked_to = pd.Series(None, index=df.index, dtype=object)
    via = pd.Series(None, index=df.index, dtype=object)
    linked_to.loc[best.index] = keys[best["o"].to_numpy(np.int64)]
    via.loc[best.index] = best["via"].to_numpy(object)
    old_arr = old_of.to_numpy(object)
    # an earlier record whose entity is unchanged keeps the rule that put it there (the audit trail);
    # one that was a singleton (or whose rule is unknown) and now links to a new record takes that link
    prev = pd.Series(keys).map(old_rules)
    prev_rule = prev.to_numpy(object)
    known = (prev.notna() & ~prev.isin(["", "singleton", "existing"])).to_numpy(bool)
    linked = np.zeros(len(df), dtype=bool)
    linked[best.index.to_numpy(np.int64)] = True
    keep_old = is_old & (known | ~linked)
    rule[keep_old] = np.where(known[keep_old], prev_rule[keep_old], "existing")
    single = keep_old & ~known & (prev == "singleton").to_numpy(bool)
    rule[single] = "singleton"
    weight[keep_old] = pd.Series(keys[keep_old]).map(old_weights).to_numpy(np.float64)
    linked_to[keep_old] = pd.Series(keys[keep_old]).map(old_linked).to_numpy(object)
    via[keep_old] = pd.Series(keys[keep_old]).map(old_via).to_numpy(object)
    changed = is_old & (old_arr != eid)
    rule[changed] = np.array(["merged:" + str(o) for o in old_arr[changed]], dtype=object)
    merges = (
        pd.DataFrame({"old_id": old_arr[changed], "new_id": eid[changed]}, dtype=object)
        .drop_duplicates()
        .sort_values(["old_id"])
        .reset_index(drop=True)
    )

    table = pd.DataFrame(
        {
            "source": df["source"].to_numpy(object),
            "record_id": df["record_id"].to_numpy(object),
            "entity_id": eid,
            "match_weight": weight.to_numpy(np.float64),
            "rule": rule.to_numpy(object),
            "linked_to": linked_to.to_numpy(object),
            "via": via.to_numpy(object),
        }
    )
    # input order first, then existing-only rows in key order
    table["_order"] = np.where(df["row"].to_numpy() < len(new), df["row"].to_numpy(), len(new) + df.index.to_numpy())
    table = table.sort_values("_order", kind="stable").drop(columns="_order").reset_index(drop=True)
    entity_ids = pd.Series(table["entity_id"].to_numpy()[: len(new)], index=records.index, name="entity_id")

    pairs = pd.DataFrame(
        {
            "left": keys[edges["l"].to_numpy()],
            "right": keys[edges["r"].to_numpy()],
            "match_weight": edges["match_weight"].to_numpy(np.float64),
            "match_probability": edges["match_probability"].to_numpy(np.float64),
            "rule": np.where(accepted.to_numpy(), edges["rule"], "rejected:" + edges["rule"].astype(str)),
            "via": edges["via"].to_numpy(object),
        }
    )
    pairs = pairs[edges["rule"].to_numpy() != "existing"]
    if len(refused):
        pairs = pd.concat(
            [pairs, pd.DataFrame({"left": keys[refused["l"].to_numpy()], "right": keys[refused["r"].to_numpy()],
                                  "match_weight": refused["match_weight"].to_numpy(np.float64),
                                  "match_probability": refused["match_probability"].to_numpy(np.float64),
                                  "rule": refused["rule"].to_numpy(object)})],
            ignore_index=True,
        )  # fmt: skip
    pairs = pairs.sort_values(["left", "right"], kind="stable").reset_index(drop=True)
    params.update(
        threshold=threshold,
        match_weight_threshold=match_weight_threshold,
        seed=seed,
        pseudonymised=pseudonymised,
        n_records=len(df),
        n_entities=int(len(cluster_id)),
        n_rejected_links=int((~accepted).sum()) + len(refused),
        match_level=match_level,
        relational_weight=relational_weight,
        relational_rounds=rounds,
        n_relational_links=int((accepted.to_numpy() & edges["rule"].str.startswith("relational").to_numpy(bool)).sum()),
    )
    return ResolutionResult(entity_ids=entity_ids, table=table, pairs=pairs, merges=merges, params=params)
