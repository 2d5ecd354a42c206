"""Businesses known only by name joined to the company that a register lists under that name.

A payment extract names the business that pays or is paid ('CHURCH NAIL BAR LIMITED'), a
payroll return gives its employer's company number ('08266614'), and the company register gives
both ('08266614', 'CHURCH NAIL BAR LTD'). Ingest keys a business known only by name as
``'name:' + normalised name`` (:func:`crimnet.ingest.normalise.business_name_key`) and a registered
one by its number, so without this step the two are two ``Business`` nodes: the wages a business
pays from its account and the employees its payroll declares never meet, and the employee's
second account, written nowhere but in the payments, has no neighbour to join its holder by.

The rule (``'register name'``): a name-keyed business becomes the registered business whose
normalised name is the same, when exactly one company number carries that name in the sources.
The normalisation is the one UK company law uses to call two names the same (case, punctuation,
``&``/``and`` and the legal form are ignored: Companies Act 2006 s.66 and the Company, Limited
Liability Partnership and Business (Names and Trading Disclosures) Regulations 2015), so two
registered companies cannot share a key; a key that two numbers carry (two registers, a dissolved
company and its successor) is ambiguous and is left as it is. Trading names that differ from the
registered name are not joined (nothing in the sources says whose they are).

Ingest rewrites every ``Business`` end of every relationship and the ``business_id`` of person
records through the mapping (:class:`BusinessNames`) before resolution and before the tables are
built, and writes it with its rule to ``business_names.csv``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from crimnet.errors import bad_parameter, check_type
from crimnet.frames import replace_ids

__all__ = ["BUSINESS_NAME_COLUMNS", "BusinessNames", "business_names"]

BUSINESS_NAME_COLUMNS = ["name_id", "business_id", "rule", "mentions"]
"""Columns of :func:`business_names`: the name-keyed id, the company number it becomes, the rule, and
the evidence rows (mentions) of the name-keyed id."""


@dataclass
class BusinessNames:
    """Name-keyed businesses mapped to company numbers, and their rewriting of ids, evidence and records.

    Parameters
    ----------
    table : DataFrame
        :data:`BUSINESS_NAME_COLUMNS` (at least ``name_id`` and ``business_id``), one row per
        name-keyed id, as :func:`business_names` finds them.

    Raises
    ------
    crimnet.errors.ParameterError
        If `table` is not a DataFrame with ``name_id`` and ``business_id`` columns.

    Notes
    -----
    Every rewrite is a hash lookup: time O(n + m) for n ids and m mapped names.

    Examples
    --------
    >>> b = BusinessNames(pd.DataFrame({"name_id": ["name:church nail bar"], "business_id": ["08266614"]}))
    >>> b.ids(pd.Series(["name:church nail bar", "name:abbey cafe"])).tolist()
    ['08266614', 'name:abbey cafe']
    """

    table: pd.DataFrame

    def __post_init__(self) -> None:
        check_type(self.table, pd.DataFrame, param="table", func="BusinessNames", expected="a DataFrame")
        if not {"name_id", "business_id"} <= set(self.table.columns):
            raise bad_parameter(
                "table", "BusinessNames", "a DataFrame with 'name_id' and 'business_id'", list(self.table.columns)
            )

    def __len__(self) -> int:
        return len(self.table)

    def ids(self, ids: pd.Series) -> pd.Series:
        """`ids` with every name-keyed id replaced by its company number (others unchanged); same index."""
        return replace_ids(ids, self.table["name_id"], self.table["business_id"])

    def evidence(self, nodes: pd.DataFrame) -> pd.DataFrame:
        """Business node evidence with name-keyed ids replaced; each mention keeps its own name and record."""
        if not len(self.table):
            return nodes
        return nodes.assign(id=self.ids(nodes["id"]))

    def records(self, records: pd.DataFrame) -> pd.DataFrame:
        """Person records (:data:`crimnet.ingest.build.PERSON_RECORD_COLUMNS`) naming the registered business."""
        if not len(self.table) or "business_id" not in records.columns:
            return records
        return records.assign(business_id=self.ids(records["business_id"]))


def business_names(nodes: pd.DataFrame) -> BusinessNames:
    """Find the name-keyed businesses that are a registered business of the same normalised name.

    Parameters
    ----------
    nodes : DataFrame
        ``Business`` node evidence (``evidence/nodes_Business.parquet``): one row per mention, with
        ``id`` (a company number, or ``'name:'`` + normalised name) and ``name`` (as written, or NA).

    Returns
    -------
    BusinessNames
        One row per name-keyed id joined (rule ``'register name'``), sorted by ``name_id``.

    Raises
    ------
    crimnet.errors.ParameterError
        If `nodes` is not a DataFrame with ``id`` and ``name``.

    Notes
    -----
    O(n) for n mentions after normalising the distinct names of numbered mentions
    (:func:`crimnet.ingest.normalise.business_name_key`).

    Examples
    --------
    >>> nodes = pd.DataFrame({"id": ["08266614", "name:church nail bar", "01", "02", "name:abbey cafe"],
    ...                       "name": ["CHURCH NAIL BAR LTD", "CHURCH NAIL BAR LIMITED", "Abbey Cafe Ltd",
    ...                                "ABBEY CAFE LIMITED", "ABBEY CAFE"]})
    >>> business_names(nodes).table[["name_id", "business_id"]].values.tolist()
    [['name:church nail bar', '08266614']]
    """
    from crimnet.ingest.normalise import BUSINESS_NAME_KEY_PREFIX, business_name_key

    func = "business_names"
    check_type(nodes, pd.DataFrame, param="nodes", func=func, expected="a DataFrame of Business evidence")
    if not {"id", "name"} <= set(nodes.columns):
        raise bad_parameter("nodes", func, "a DataFrame with 'id' and 'name'", list(nodes.columns))
    ids = nodes["id"].astype("str")
    keyed = ids.str.startswith(BUSINESS_NAME_KEY_PREFIX).fillna(False).to_numpy(bool)
    numbered = ~keyed & ids.notna().to_numpy(bool) & nodes["name"].notna().to_numpy(bool)
    found = pd.DataFrame(
        {"name_id": business_name_key(nodes["name"][numbered].astype("str")).to_numpy(), "business_id": ids[numbered]}
    ).dropna()
    found = found.drop_duplicates()
    carriers = found.groupby("name_id", sort=False)["business_id"].transform("size").to_numpy()
    mentions = ids[keyed].value_counts()
    found = found[(carriers == 1) & found["name_id"].isin(mentions.index).to_numpy(bool)]
    table = found.assign(
        rule="register name", mentions=mentions.reindex(found["name_id"]).to_numpy(np.int64)
    ).sort_values("name_id", kind="stable")
    return BusinessNames(table.reset_index(drop=True).reindex(columns=BUSINESS_NAME_COLUMNS))
