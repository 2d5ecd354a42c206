"""Ground truth of generated cases, aligned to the people of the canonical tables.

The generator writes ``truth/persons.csv`` (person_id, role, ring_id, typology)
and ``truth/entities.csv`` (source, record_id, entity_type, entity_id). On the
generator's true tables (``truth/tables``) ``Person.id`` is the true
``person_id``; after ingest a person is a resolved entity whose records are
listed in ``resolution.parquet`` (source, record_id, entity_id, ...), so each
entity takes the true person most of its records belong to.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from crimnet.errors import SchemaError, check_type

__all__ = ["TRUTH_COLUMNS", "read_truth", "align_truth", "ring_pairs"]

TRUTH_COLUMNS = ("node_id", "person_id", "role", "ring_id", "typology")


def _truth_dir(case_dir: str | Path) -> Path:
    p = Path(case_dir)
    if (p / "truth" / "persons.csv").exists():
        return p / "truth"
    if (p / "persons.csv").exists():
        return p
    raise SchemaError(f"{p}: no truth/persons.csv (expected a generated case directory or its truth/ folder).")


def read_truth(case_dir: str | Path) -> pd.DataFrame:
    """Read ``truth/persons.csv`` of a generated case.

    Parameters
    ----------
    case_dir : str or Path
        The case directory (holding ``truth/``) or the ``truth`` folder itself.

    Returns
    -------
    DataFrame
        At least ``person_id`` (str), ``role`` (str), ``ring_id`` (str or
        None for the background), ``typology`` (str or None), plus any other
        columns of the file.

    Raises
    ------
    crimnet.errors.SchemaError
        If the file or a required column is missing.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "persons.csv").write_text("person_id,role,ring_id,typology\\nP1,controller,R1,sexual\\nP2,none,,\\n")
    >>> read_truth(d)["ring_id"].tolist()
    ['R1', None]
    """
    check_type(
        case_dir, (str, os.PathLike), param="case_dir", func="read_truth", expected="a path (str or os.PathLike)"
    )
    path = _truth_dir(case_dir) / "persons.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in ("person_id", "role", "ring_id", "typology") if c not in df.columns]
    if missing:
        raise SchemaError(f"{path}: required columns {missing} are missing.")
    for c in ("ring_id", "typology"):
        df[c] = df[c].astype(object).where(df[c] != "", None)
    return df


def read_truth_entities(case_dir: str | Path) -> pd.DataFrame:
    """Read ``truth/entities.csv`` (source, record_id, entity_type, entity_id), all strings."""
    path = _truth_dir(case_dir) / "entities.csv"
    if not path.exists():
        raise SchemaError(f"{path}: no such file.")
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def align_truth(
    truth_persons: pd.DataFrame,
    *,
    resolution: pd.DataFrame | None = None,
    truth_entities: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Give each Person of the tables the role and ring of its true person.

    Parameters
    ----------
    truth_persons : DataFrame
        :func:`read_truth` output.
    resolution : DataFrame, optional
        Ingest's resolution table (``source``, ``record_id``, ``entity_id``);
        omit for the generator's true tables, where ``Person.id`` is the
        ``person_id``.
    truth_entities : DataFrame, optional
        ``truth/entities.csv``; required with `resolution`.

    Returns
    -------
    DataFrame
        Columns ``node_id`` (str: ``Person.id`` in the tables), ``person_id``
        (str), ``role`` (str), ``ring_id`` and ``typology`` (str or None). With
        `resolution`, each entity gets the true person of the majority of its
        records (ties: the smallest person id); entities with no Person record
        in the truth are absent.

    Raises
    ------
    crimnet.errors.SchemaError
        If `resolution` is given without `truth_entities`, or columns are missing.

    Notes
    -----
    O(records) hash joins and one group-by.

    Examples
    --------
    >>> t = pd.DataFrame({"person_id": ["P1", "P2"], "role": ["victim", "none"], "ring_id": ["R1", None],
    ...                   "typology": ["sexual", None]})
    >>> res = pd.DataFrame({"source": ["a", "b", "c"], "record_id": ["1", "2", "3"], "entity_id": ["E", "E", "E"]})
    >>> ents = pd.DataFrame({"source": ["a", "b", "c"], "record_id": ["1", "2", "3"],
    ...                      "entity_type": ["Person"] * 3, "entity_id": ["P1", "P1", "P2"]})
    >>> align_truth(t, resolution=res, truth_entities=ents)[["node_id", "person_id", "role"]].to_dict("records")
    [{'node_id': 'E', 'person_id': 'P1', 'role': 'victim'}]
    """
    check_type(truth_persons, pd.DataFrame, param="truth_persons", func="align_truth", expected="a DataFrame")
    base = truth_persons[["person_id", "role", "ring_id", "typology"]].copy()
    base["person_id"] = base["person_id"].astype(str)
    if resolution is None:
        out = base.assign(node_id=base["person_id"])
        return out[list(TRUTH_COLUMNS)].reset_index(drop=True)
    if truth_entities is None:
        raise SchemaError("align_truth: 'truth_entities' (truth/entities.csv) is required with 'resolution'.")
    for name, df, cols in (
        ("resolution", resolution, ("source", "record_id", "entity_id")),
        ("truth_entities", truth_entities, ("source", "record_id", "entity_type", "entity_id")),
    ):
        missing = [c for c in cols if c not in df.columns]
        if missing:
            raise SchemaError(f"align_truth: {name} lacks required columns {missing}.")
    ents = truth_entities.loc[truth_entities["entity_type"] == "Person", ["source", "record_id", "entity_id"]]
    ents = ents.astype(str).rename(columns={"entity_id": "person_id"}).drop_duplicates(["source", "record_id"])
    res = resolution[["source", "record_id", "entity_id"]].astype(str).rename(columns={"entity_id": "node_id"})
    votes = res.merge(ents, on=["source", "record_id"]).value_counts(["node_id", "person_id"]).reset_index(name="n")
    votes = votes.sort_values(["node_id", "n", "person_id"], ascending=[True, False, True])
    best = votes.drop_duplicates("node_id")[["node_id", "person_id"]]
    out = best.merge(base, on="person_id", how="inner")
    return out[list(TRUTH_COLUMNS)].reset_index(drop=True)


def ring_pairs(truth_aligned: pd.DataFrame, *, names: set[str] | None = None) -> list[tuple[str, str]]:
    """Pair every victim with each controller of the same ring, as hetero-graph vertex names.

    Parameters
    ----------
    truth_aligned : DataFrame
        :func:`align_truth` output.
    names : set of str, optional
        Vertex names present in the graph (``'Person:<id>'``); pairs with an
        end outside it are dropped.

    Returns
    -------
    list of (str, str)
        ``('Person:<victim>', 'Person:<controller>')`` pairs, the measure of
        victim-controller reachability (DESIGN.md, "Measures").

    Examples
    --------
    >>> t = pd.DataFrame({"node_id": ["v", "c", "x"], "role": ["victim", "controller", "victim"],
    ...                   "ring_id": ["R1", "R1", "R2"]})
    >>> ring_pairs(t)
    [('Person:v', 'Person:c')]
    """
    check_type(truth_aligned, pd.DataFrame, param="truth_aligned", func="ring_pairs", expected="a pandas DataFrame")
    named = truth_aligned.assign(name="Person:" + truth_aligned["node_id"].astype(str))
    if names is not None:
        named = named[named["name"].isin(names)]
    ringed = named.dropna(subset=["ring_id"])
    ringed = ringed[ringed["ring_id"].astype(str) != ""]
    vic = ringed[ringed["role"] == "victim"][["name", "ring_id"]]
    con = ringed[ringed["role"] == "controller"][["name", "ring_id"]]
    both = vic.merge(con, on="ring_id", suffixes=("_v", "_c"))
    return list(zip(both["name_v"].tolist(), both["name_c"].tolist(), strict=True))
