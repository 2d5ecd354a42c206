"""The catalogue of bundled data sets and the functions that find and read them.

Two kinds of published data travel with crimnet, under this package:

- ``networks/``: covert and criminal networks from the criminology literature,
  as edge-list CSV files (``source,target[,weight]``), some with a node file
  ``<name>_nodes.csv`` listing nodes without ties;
- ``mse/``: capture-history tables for multiple systems estimation (one 0/1
  column per list, then ``count``).

Each folder's ``README.md`` gives, per data set, what it is, whom to cite and
what is known of its licence. :data:`CATALOG` holds the same facts for code;
``tests/test_datasets.py`` checks that the two and the files agree.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from pathlib import Path

import igraph as ig
import pandas as pd

from crimnet.errors import check_choice
from crimnet.graphs.edgelist import read_edgelist

__all__ = [
    "CATALOG",
    "DATA_DIR",
    "KINDS",
    "Dataset",
    "list_datasets",
    "load_capture_histories",
    "load_network",
    "node_path",
    "path",
]

DATA_DIR = Path(__file__).resolve().parent
"""The folder holding ``networks/`` and ``mse/`` (inside the installed package)."""

KINDS = ("network", "capture_histories")
"""The kinds of bundled data set."""


@dataclass(frozen=True)
class Dataset:
    """One bundled data set: what it is, its size, whom to cite and its files.

    Attributes
    ----------
    name : str
        The name :func:`load_network`, :func:`load_capture_histories` and the
        command line accept (the file name without ``.csv``).
    kind : {'network', 'capture_histories'}
        An edge list, or a capture-history table.
    description : str
        What the data are, in one sentence.
    citation : str
        Whom to cite: authors, year, venue (and DOI where known).
    licence : str
        What is known of the licence; "unknown" where nothing is stated.
    nodes, edges : int or None
        For a network: nodes and edges of the undirected simple graph
        :func:`load_network` returns (a directed file may list more rows).
    lists, cells, observed : int or None
        For capture histories: lists (0/1 columns), observed cells (rows) and
        cases observed (the sum of ``count``).
    file : str
        The data file, relative to :data:`DATA_DIR`.
    node_file : str or None
        The node file of a network, relative to :data:`DATA_DIR`, when it has one.
    """

    name: str
    kind: str
    description: str
    citation: str
    licence: str
    nodes: int | None = None
    edges: int | None = None
    lists: int | None = None
    cells: int | None = None
    observed: int | None = None
    file: str = ""
    node_file: str | None = None


# --- citations and licence notes shared by several data sets -------------------------------------------------------
_MORSELLI = "Morselli, C. (2009). Inside Criminal Networks. Springer, New York"
_MONTAGNA = (
    "Cavallaro, L., Ficara, A., De Meo, P., Fiumara, G., Catanese, S., Bagdasar, O. & Liotta, A. (2020). "
    "Disrupting resilient criminal networks through data analysis: the case of Sicilian Mafia. PLoS ONE 15(8), "
    "e0236476. doi:10.1371/journal.pone.0236476"
)
_NETWORK_LICENCE = (
    "unknown: not stated per file by the collection it was copied from (some files of that collection come from "
    "COREnets, GPL-2; UCINET's covert networks are distributed for research use); cite the original authors"
)
_MONTAGNA_LICENCE = (
    "no licence stated: published by the authors with their code (github.com/lcucav/networkdisruption, "
    "src/Datasets/Montagna_phonecalls_edgelist.csv; the same file in github.com/lcucav/criminal-nets, dataset/), "
    "who ask users to cite their article"
)
_SPARSEMSE = (
    "Chan, L., Silverman, B. W. & Vincent, K. (2019). Multiple systems estimation for sparse capture data: "
    "inferential challenges when there are non-overlapping lists. arXiv:1902.05156 (R package SparseMSE)"
)
_MSE_LICENCE = (
    "no data licence stated; distributed in the R packages SparseMSE (GPL >= 2) and MultipleSystemsEstimation; "
    "cite the package authors and the original study"
)
_NEW_ORLEANS = "New Orleans potential victims of trafficking, lists A to H"


def _network(
    name: str,
    nodes: int,
    edges: int,
    description: str,
    citation: str,
    *,
    node_file: bool = False,
    licence: str = _NETWORK_LICENCE,
) -> Dataset:
    return Dataset(
        name=name,
        kind="network",
        description=description,
        citation=citation,
        licence=licence,
        nodes=nodes,
        edges=edges,
        file=f"networks/{name}.csv",
        node_file=f"networks/{name}_nodes.csv" if node_file else None,
    )


def _table(name: str, lists: int, cells: int, observed: int, description: str, citation: str = _SPARSEMSE) -> Dataset:
    return Dataset(
        name=name,
        kind="capture_histories",
        description=description,
        citation=citation,
        licence=_MSE_LICENCE,
        lists=lists,
        cells=cells,
        observed=observed,
        file=f"mse/{name}.csv",
    )


# Caviar phases: (nodes, edges) of each of the 11 investigation phases.
_CAVIAR_PHASES = (
    (15, 18), (24, 28), (33, 56), (33, 48), (32, 39), (27, 47), (36, 49), (42, 58), (34, 44), (42, 50), (41, 50),
)  # fmt: skip

CATALOG: tuple[Dataset, ...] = (
    _network(
        "caviar_full_directed",
        110,
        205,
        "Project Caviar (Montreal drug importation, 1994-1996): communications between suspects intercepted over "
        "the whole investigation; weight: number of communications",
        _MORSELLI,
    ),
    *(
        _network(
            f"caviar_phase{i:02d}_directed",
            n,
            m,
            f"Project Caviar, communications intercepted in investigation phase {i} of 11",
            _MORSELLI,
        )
        for i, (n, m) in enumerate(_CAVIAR_PHASES, start=1)
    ),
    _network(
        "cielnet_directed",
        25,
        35,
        "CielNet drug-trafficking network: communications between participants; weight: number of communications",
        _MORSELLI,
    ),
    _network(
        "italian_gangs",
        67,
        114,
        "ties between members of Italian gangs, from the UCINET covert-networks collection (original study not "
        "given by the collection)",
        "UCINET covert networks collection (Borgatti, Everett & Freeman), 'Italian gangs'",
    ),
    _network(
        "krebs_911_terrorists",
        34,
        93,
        "the hijackers of 11 September 2001 and their associates, ties reconstructed from public reports",
        "Krebs, V. E. (2002). Mapping networks of terrorist cells. Connections 24(3), 43-52",
    ),
    _network(
        "london_gang",
        54,
        315,
        "co-offending among members of a London street gang; weight 1 hanging out, 2 co-offending, 3 serious "
        "co-offending, 4 serious co-offending and kin",
        "Grund, T. U. & Densley, J. A. (2015). Ethnic homophily and triad closure: mapping internal gang structure "
        "using exponential random graph models. Journal of Contemporary Criminal Justice 31(3), 354-370. "
        "doi:10.1177/1043986214553377",
    ),
    _network(
        "montagna_meetings_raw",
        101,
        256,
        "Sicilian Mafia, operation Montagna: meetings between suspects seen by police surveillance, every row "
        "of the source (reciprocal rows may carry different counts)",
        _MONTAGNA,
    ),
    _network(
        "montagna_meetings_undirected",
        101,
        256,
        "Sicilian Mafia, operation Montagna: meetings between suspects seen by police surveillance; weight: "
        "number of meetings (of two reciprocal rows the later one, as networkx reads the raw list)",
        _MONTAGNA,
    ),
    _network(
        "montagna_meetings_undirected_sumweights",
        101,
        256,
        "Sicilian Mafia, operation Montagna: the meetings network with the counts of reciprocal rows added",
        _MONTAGNA,
    ),
    _network(
        "montagna_phonecalls_raw",
        100,
        124,
        "Sicilian Mafia, operation Montagna: phone calls between suspects intercepted by the police, every row of "
        "the source (caller, callee, number of calls; 26 pairs called both ways)",
        _MONTAGNA,
        licence=_MONTAGNA_LICENCE,
    ),
    _network(
        "montagna_phonecalls_undirected",
        100,
        124,
        "Sicilian Mafia, operation Montagna: phone calls between suspects; weight: number of calls (of two "
        "reciprocal rows the later one, as networkx reads the raw list: the graph of Cavallaro et al. 2020)",
        _MONTAGNA,
        licence=_MONTAGNA_LICENCE,
    ),
    _network(
        "montagna_phonecalls_undirected_sumweights",
        100,
        124,
        "Sicilian Mafia, operation Montagna: the phone-calls network with the counts of reciprocal rows added",
        _MONTAGNA,
        licence=_MONTAGNA_LICENCE,
    ),
    _network(
        "montreal_gangs",
        35,
        78,
        "alliances between Montreal street gangs (nodes are gangs, not people); the node file adds two gangs "
        "with no tie",
        "Descormiers, K. & Morselli, C. (2011). Alliances, conflicts, and contradictions in Montreal's street gang "
        "landscape. International Criminal Justice Review 21(3)",
        node_file=True,
    ),
    _network(
        "moreno_crime_bipartite",
        1380,
        1476,
        "people (829) and the crimes (551) they were involved in; a third column gives the role (suspect, "
        "victim, witness, ...)",
        "KONECT, moreno_crime: Kunegis, J. (2013). KONECT - the Koblenz network collection. Proceedings of WWW "
        "2013 Companion, 1343-1350. doi:10.1145/2487788.2488173",
    ),
    _network(
        "natarajan_cocaine_directed",
        28,
        40,
        "a New York cocaine-dealing organisation: wiretapped conversations; weight: number of conversations",
        "Natarajan, M., New York cocaine-dealing wiretap network (UCINET covert networks collection; year and "
        "venue not given by the collection)",
    ),
    _network(
        "natarajan_heroin_directed",
        38,
        87,
        "a New York heroin-dealing organisation: wiretapped conversations",
        "Natarajan, M., New York heroin-dealing wiretap network (UCINET covert networks collection; year and "
        "venue not given by the collection)",
    ),
    _network(
        "ndrangheta_infinito_bipartite",
        203,
        455,
        "'Ndrangheta, operation Infinito (Milan): 156 members (P001-P156) and the 47 summits and meetings "
        "(M01-M47) they attended; the node file adds five members with no recorded meeting",
        "Calderoni, F., Brunetto, D. & Piccardi, C. (2017). Communities in criminal networks: a case study. "
        "Social Networks 48, 116-125. doi:10.1016/j.socnet.2016.08.003",
        node_file=True,
    ),
    _network(
        "oversize",
        89,
        146,
        "the Italian Oversize investigation: wiretapped contacts between suspects",
        "Berlusconi, G., Calderoni, F., Parolini, N., Verani, M. & Piccardi, C. (2016). Link prediction in criminal "
        "networks: a tool for criminal intelligence analysis. PLoS ONE 11(4), e0154244. "
        "doi:10.1371/journal.pone.0154244",
    ),
    _network(
        "siren",
        44,
        103,
        "Project Siren (Montreal): a car-theft ('ringing') operation exporting stolen vehicles",
        f"{_MORSELLI}; Morselli, C. & Roy, J. (2008). Brokerage qualifications in ringing operations. "
        "Criminology 46(1), 71-98",
    ),
    _network(
        "togo",
        33,
        47,
        "Togo: a second car-theft ('ringing') operation",
        f"{_MORSELLI}; Morselli, C. & Roy, J. (2008). Brokerage qualifications in ringing operations. "
        "Criminology 46(1), 71-98",
    ),
    _table("Artificial_3", 3, 4, 96, "an artificial table on which some models have no finite estimate"),
    _table("Korea", 3, 7, 123, "Korea, three lists b, c, d (one explicit zero cell)"),
    _table(
        "Kosovo",
        4,
        15,
        4400,
        "Kosovo war casualties, 1999: exhumations (EXH), American Bar Association (ABA), OSCE, Human Rights Watch "
        "(HRW)",
        f"{_SPARSEMSE}; Ball, P. et al. (2002). Killings and refugee flow in Kosovo, March-June 1999. AAAS and "
        "ABA/CEELI",
    ),
    _table(
        "Ned",
        6,
        24,
        8234,
        "Netherlands potential victims of trafficking: inspectorate, border police, shelters, national police, "
        "regional coordinators, others (I, K, O, P, R, Z)",
    ),
    _table("Ned_5", 5, 17, 8234, "Netherlands, with lists I and O merged (IO)"),
    _table("NewOrl", 8, 19, 185, _NEW_ORLEANS),
    _table("NewOrl_5", 5, 14, 185, "New Orleans, with the four smallest lists B, E, F, G merged (BEFG)"),
    _table("NewOrl_MSEpkg186", 8, 19, 186, f"{_NEW_ORLEANS}: the later version (one cell differs)"),
    _table("NewOrl_5_MSEpkg186", 5, 14, 186, "New Orleans, later version, with lists B, E, F, G merged (BEFG)"),
    _table(
        "UKdat",
        6,
        25,
        2744,
        "UK potential victims of modern slavery, 2013: local authorities, NGOs, police forces, government "
        "organisations, general public, National Crime Agency (LA, NG, PF, GO, GP, NCA)",
        f"{_SPARSEMSE}; Silverman, B. W. (2014). Modern slavery: an application of multiple systems estimation. "
        "UK Home Office",
    ),
    _table("UKdat_5", 5, 18, 2744, "UK 2013, with police forces and the NCA merged (PFNCA)"),
    _table("UKdat_4", 4, 14, 2428, "UK 2013, police forces and NCA merged, general public omitted"),
    _table("Western", 5, 13, 345, "a Western US region, potential victims of trafficking, lists A to E"),
)
"""Every bundled data set, networks first."""

_BY_NAME = {d.name: d for d in CATALOG}


def _find(name: object, func: str, kind: str | None = None) -> Dataset:
    """The catalogue entry `name` (of `kind`), or the template error listing the valid names."""
    valid = [d.name for d in CATALOG if kind is None or d.kind == kind]
    check_choice(name, valid, param="name", func=func)
    return _BY_NAME[str(name)]


def list_datasets(*, kind: str | None = None) -> pd.DataFrame:
    """List the bundled data sets (``crimnet.datasets.list``).

    Parameters
    ----------
    kind : {'network', 'capture_histories'}, optional
        Only data sets of this kind; default all.

    Returns
    -------
    pandas.DataFrame
        One row per data set, networks first: ``name``, ``kind``, ``nodes``,
        ``edges`` (networks), ``lists``, ``cells``, ``observed`` (capture
        histories; nullable ``Int64``), ``description``, ``citation``, ``licence``.

    Raises
    ------
    crimnet.errors.ParameterError
        On an unknown `kind`.

    Examples
    --------
    >>> from crimnet import datasets
    >>> nets = datasets.list(kind="network")
    >>> nets.set_index("name").loc["siren", ["nodes", "edges"]].tolist()
    [44, 103]
    >>> sorted(set(datasets.list()["kind"]))
    ['capture_histories', 'network']
    """
    if kind is not None:
        check_choice(kind, KINDS, param="kind", func="datasets.list")
    columns = ["name", "kind", "nodes", "edges", "lists", "cells", "observed", "description", "citation", "licence"]
    rows = [asdict(d) for d in CATALOG if kind is None or d.kind == kind]
    df = pd.DataFrame(rows, columns=[f.name for f in fields(Dataset)])[columns]
    counts = ["nodes", "edges", "lists", "cells", "observed"]
    df[counts] = df[counts].astype("Int64")
    return df.reset_index(drop=True)


def path(name: str) -> Path:
    """Return the path of a bundled data file: the edge list of a network, or a capture-history table.

    Parameters
    ----------
    name : str
        A data set name (see :func:`list_datasets`).

    Returns
    -------
    pathlib.Path
        The CSV file inside the installed package.

    Raises
    ------
    crimnet.errors.ParameterError
        If `name` is not a bundled data set; the message lists the valid names.

    Examples
    --------
    >>> path("siren").name, path("UKdat").parent.name
    ('siren.csv', 'mse')
    """
    return DATA_DIR / _find(name, "datasets.path").file


def node_path(name: str) -> Path | None:
    """Return the path of a bundled network's node file, or None when it has none.

    Parameters
    ----------
    name : str
        A network name (see :func:`list_datasets`).

    Returns
    -------
    pathlib.Path or None
        ``networks/<name>_nodes.csv`` (which lists nodes without ties too), or None.

    Raises
    ------
    crimnet.errors.ParameterError
        If `name` is not a bundled network; the message lists the valid names.

    Examples
    --------
    >>> node_path("montreal_gangs").name
    'montreal_gangs_nodes.csv'
    >>> node_path("siren") is None
    True
    """
    entry = _find(name, "datasets.node_path", "network")
    return None if entry.node_file is None else DATA_DIR / entry.node_file


def load_network(name: str) -> ig.Graph:
    """Load a bundled network as an undirected igraph graph.

    Read with :func:`crimnet.graphs.edgelist.read_edgelist`, with the network's
    node file when it has one, exactly as ``crimnet disrupt --edges <name>`` reads it.

    Parameters
    ----------
    name : str
        A network name (see :func:`list_datasets`), e.g. ``'siren'`` or
        ``'montagna_meetings_undirected'``.

    Returns
    -------
    igraph.Graph
        Undirected and simple; vertex attribute ``name`` (the ids of the file),
        edge attribute ``weight`` (1.0 when the file has none); the graph
        attribute ``source`` is the file read.

    Raises
    ------
    crimnet.errors.ParameterError
        If `name` is not a bundled network; the message lists the valid names.

    See Also
    --------
    crimnet.load_network : an edge-list file, canonical tables or a store, with victim/controller labels.

    Examples
    --------
    >>> g = load_network("siren")
    >>> g.vcount(), g.ecount(), g.is_directed()
    (44, 103, False)
    >>> load_network("montreal_gangs").vcount()  # two gangs without ties, from the node file
    35
    """
    entry = _find(name, "datasets.load_network", "network")
    return read_edgelist(DATA_DIR / entry.file, nodes=node_path(entry.name))


def load_capture_histories(name: str) -> pd.DataFrame:
    """Load a bundled capture-history table for multiple systems estimation.

    Parameters
    ----------
    name : str
        A capture-history table name (see :func:`list_datasets`), e.g. ``'UKdat'``.

    Returns
    -------
    pandas.DataFrame
        One int64 0/1 column per list, in the source's order, then ``count``
        (cases seen on exactly that combination of lists). The all-zero
        capture history (seen by no list) is never a row; histories not listed
        have count 0. ``attrs``: ``dataset`` (the name), ``lists`` (the list
        columns) and ``citation``.

    Raises
    ------
    crimnet.errors.ParameterError
        If `name` is not a bundled capture-history table; the message lists the valid names.

    Examples
    --------
    >>> uk = load_capture_histories("UKdat")
    >>> uk.attrs["lists"], int(uk["count"].sum())
    (['LA', 'NG', 'PF', 'GO', 'GP', 'NCA'], 2744)
    """
    entry = _find(name, "datasets.load_capture_histories", "capture_histories")
    df = pd.read_csv(DATA_DIR / entry.file, dtype="int64")
    df.attrs = {"dataset": entry.name, "lists": [c for c in df.columns if c != "count"], "citation": entry.citation}
    return df
