"""The ``crimnet`` command: a thin typer layer over the Python API.

Each command is named after the function it wraps and holds no logic of its own.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import typer
import typer.core

from crimnet import __version__
from crimnet.errors import CrimnetError


class _Group(typer.core.TyperGroup):
    """Report every CrimnetError as one line on stderr and exit 2, as click does for usage errors."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except CrimnetError as err:
            typer.echo(f"Error: {err}", err=True)
            raise typer.Exit(2) from None


app = typer.Typer(
    cls=_Group,
    name="crimnet",
    help="Criminal network analysis for modern slavery and trafficking investigations.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"crimnet {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Criminal network analysis for modern slavery and trafficking investigations."""


# Commands, one section per area; each wraps one public function.
# --- generate ---
@app.command("generate")
def generate_cmd(
    out: Annotated[str, typer.Option("--out", help="Directory to write the case to.")] = "case",
    people: Annotated[int, typer.Option("--people", help="Number of people in the synthetic town.")] = 10_000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed; same seed, same files.")] = 0,
    preset: Annotated[str, typer.Option("--preset", help="Difficulty: easy, medium or hard.")] = "medium",
) -> None:
    """Generate a synthetic multi-agency case with planted exploitation rings (generate_case)."""
    import json

    from rich.console import Console
    from rich.table import Table

    from crimnet.synthetic import generate_case

    paths = generate_case(out, people=people, seed=seed, preset=preset)
    manifest = json.loads(paths.manifest.read_text())
    table = Table(title=f"crimnet generate: {people:,} people, {manifest['rings']} rings, preset {preset}, seed {seed}")
    table.add_column("file")
    table.add_column("rows", justify="right")
    for name, entry in manifest["files"].items():
        if not name.startswith("truth/tables/"):
            table.add_row(name, f"{entry['rows']:,}")
    Console().print(table)
    typer.echo(f"Written to {paths.root}")


# --- ingest ---
from pathlib import Path  # noqa: E402  (ingest options are paths)

QUARANTINE_SHOWN = 5
"""Quarantine entries `crimnet ingest` prints (file, row, field and reason); the rest are in quarantine.csv."""


@app.command("ingest")
def ingest_command(
    sources: Annotated[list[Path], typer.Argument(help="Source files or case directories (files matched to specs).")],
    out: Annotated[Path, typer.Option("--out", help="Output directory (replaced atomically).")],
    spec: Annotated[
        list[Path] | None, typer.Option("--spec", help="Spec file or directory (repeatable); default: built-in specs.")
    ] = None,
    previous: Annotated[Path | None, typer.Option("--previous", help="Earlier ingest output to merge with.")] = None,
    pseudonymise: Annotated[
        bool, typer.Option("--pseudonymise", help="Replace identifiers by HMAC tokens (key: CRIMNET_PSEUDONYM_KEY).")
    ] = False,
    key_file: Annotated[Path | None, typer.Option("--key-file", help="File holding the pseudonymisation key.")] = None,
    threshold: Annotated[float | None, typer.Option("--threshold", help="Person match probability threshold.")] = None,
) -> None:
    """Ingest agency extracts into canonical tables; print rows read, loaded and quarantined per source."""
    from rich.console import Console
    from rich.table import Table

    from crimnet.ingest.pipeline import ingest
    from crimnet.ingest.pseudonymise import load_key
    from crimnet.ingest.quarantine import quarantine_messages

    key = load_key(key_file=key_file) if pseudonymise or key_file is not None else None
    result = ingest(
        sources,
        out,
        specs=spec or None,
        previous=previous,
        pseudonymise_key=key,
        threshold=threshold,
        progress=True,
    )
    table = Table(title=f"ingest -> {result.out}")
    shown = result.summary.drop(columns=["sha256"], errors="ignore")  # the content hash is for merges, in summary.csv
    for col in shown.columns:
        justify: Literal["left", "right"] = "left" if col in ("source", "file") else "right"
        table.add_column(col.replace("rows_", "").replace("_", " "), justify=justify)
    for row in shown.itertuples(index=False):
        table.add_row(*[str(v) for v in row])
    Console().print(table)
    typer.echo(f"{len(result.quarantine)} quarantine entries in {result.out / 'quarantine.csv'}")
    for message in quarantine_messages(result.quarantine.head(QUARANTINE_SHOWN)):
        typer.echo(f"  {message}")
    if len(result.quarantine) > QUARANTINE_SHOWN:
        typer.echo(f"  ... and {len(result.quarantine) - QUARANTINE_SHOWN} more")
    if len(result.warnings):  # values that look wrong as a class (crimnet.ingest.quality)
        typer.echo(f"{len(result.warnings)} warnings (also in {result.out / 'warnings.csv'}):")
        for message in result.warnings["message"]:
            typer.echo(f"  warning: {message}")


# --- store and queries ---
def _print_frame(df, *, csv: bool = False, as_json: bool = False, title: str | None = None) -> None:
    """Print a DataFrame as CSV, JSON lines or a rich table."""
    if csv:
        from crimnet.frames import write_csv

        typer.echo(write_csv(df), nl=False)  # formula cells neutralised: this CSV is opened in spreadsheets
    elif as_json:
        typer.echo(df.to_json(orient="records", lines=True, force_ascii=False), nl=False)
    else:
        from rich.console import Console
        from rich.table import Table

        table = Table(title=title, show_lines=False)
        for col in df.columns:
            table.add_column(str(col), overflow="fold")
        for row in df.itertuples(index=False):
            table.add_row(*("" if v is None else str(v) for v in row))
        Console(width=200).print(table)
        typer.echo(f"{len(df)} rows")


def _parse_params(param: list[str] | None) -> dict[str, str]:
    out = {}
    for item in param or []:
        key, sep, value = item.partition("=")
        if not sep:
            raise typer.BadParameter(f"--param must be NAME=VALUE. Got {item!r} instead.")
        out[key.strip()] = value
    return out


_STORE = typer.Option("--store", "-s", help="Store directory, or a bolt:// / neo4j:// URI (default $NEO4J_URI).")
EXIT_MISSING_ENTITY = 3
"""Exit code of ``crimnet query`` when a parameter names an entity the store does not hold (not "no matches")."""


@app.command("load")
def load(
    tables_dir: Annotated[Path, typer.Argument(help="Directory of canonical tables (nodes_*, edges_* Parquet).")],
    store: Annotated[str | None, _STORE] = None,
    neo4j: Annotated[bool, typer.Option("--neo4j", help="Write to Neo4j at $NEO4J_URI.")] = False,
    uri: Annotated[str | None, typer.Option("--uri", help="Bolt URI of a Neo4j server.")] = None,
    batch_size: Annotated[int, typer.Option("--batch-size", help="Rows per Bolt write batch.")] = 5000,
    merge: Annotated[
        bool,
        typer.Option(
            "--merge",
            help="Load a case into a store holding another case; the store then holds both, their people apart.",
        ),
    ] = False,
) -> None:
    """Write canonical tables into a graph store (wraps crimnet.graphs.store.load).

    A store holds one case: tables of another case are refused unless --merge. To resolve people
    across two cases, ingest the second with --previous the first instead.
    """
    from crimnet.graphs.store import load as load_tables

    target = uri or (None if neo4j else store)
    kwargs = {"batch_size": batch_size} if (uri or neo4j or str(target or "").startswith(("bolt", "neo4j"))) else {}
    written = load_tables(tables_dir, target, merge=merge, **kwargs)
    for name, n in written.items():
        typer.echo(f"{name}\t{n}")
    typer.echo(f"{sum(written.values())} rows written")


@app.command("query")
def query(
    name: Annotated[str | None, typer.Argument(help="Library query name (see --list).")] = None,
    param: Annotated[list[str] | None, typer.Option("--param", "-p", help="NAME=VALUE, repeatable.")] = None,
    store: Annotated[str | None, _STORE] = None,
    list_: Annotated[bool, typer.Option("--list", help="List the library queries.")] = False,
    csv: Annotated[bool, typer.Option("--csv", help="Print CSV.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines.")] = False,
) -> None:
    """Run a library query read-only, or list them.

    The store is opened read-only, so several queries can run on one store at once. Exit
    codes: 0 the rows were printed (none when nothing matched); 2 an error (no store at
    --store, a bad parameter, a refused query); 3 a parameter names an entity the store
    does not hold (e.g. -p person_id=NOPE): a warning on stderr names the parameter and the
    value, and the rows are printed as for 0.
    """
    import warnings

    from crimnet.queries.runner import MissingEntityWarning, list_queries, run_query

    if list_ or name is None:
        _print_frame(list_queries(), csv=csv, as_json=as_json, title="crimnet query library")
        return
    from crimnet.graphs.store import open_store

    with open_store(store, read_only=True) as st, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", MissingEntityWarning)
        df = run_query(st, name, _parse_params(param))
    _print_frame(df, csv=csv, as_json=as_json, title=name)
    for w in caught:
        if issubclass(w.category, MissingEntityWarning):
            typer.echo(f"Warning: {w.message}", err=True)
        else:
            warnings.showwarning(w.message, w.category, w.filename, w.lineno)
    if df.attrs.get("missing"):
        raise typer.Exit(EXIT_MISSING_ENTITY)


@app.command("cypher")
def cypher(
    text: Annotated[str, typer.Argument(help="A read-only Cypher query (Neo4j 5 syntax).")],
    param: Annotated[list[str] | None, typer.Option("--param", "-p", help="NAME=VALUE (strings), repeatable.")] = None,
    store: Annotated[str | None, _STORE] = None,
    csv: Annotated[bool, typer.Option("--csv", help="Print CSV.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines.")] = False,
) -> None:
    """Run ad-hoc read-only Cypher; writes are refused (wraps crimnet.queries.runner.run_cypher).

    The store is opened read-only, so several readers can run on one store at once.
    """
    from crimnet.graphs.store import open_store
    from crimnet.queries.runner import run_cypher

    with open_store(store, read_only=True) as st:
        df = run_cypher(st, text, _parse_params(param))
    _print_frame(df, csv=csv, as_json=as_json)


watch_app = typer.Typer(help="Watch rules: library queries re-run after every ingest, reporting new matches.")
app.add_typer(watch_app, name="watch")


def _rules(rules: Path | None, store: str | None) -> Path:
    if rules is not None:
        return rules
    if store and not str(store).startswith(("bolt", "neo4j")):
        return Path(store) / "watch.json"
    return Path("watch.json")


_RULES = typer.Option("--rules", help="Watch rules file (default <store>/watch.json).")


@watch_app.command("add")
def watch_add(
    query_name: Annotated[str, typer.Argument(help="Library query to watch.")],
    param: Annotated[list[str] | None, typer.Option("--param", "-p", help="NAME=VALUE, repeatable.")] = None,
    name: Annotated[str | None, typer.Option("--name", help="Rule name (default: the query name).")] = None,
    store: Annotated[str | None, _STORE] = None,
    rules: Annotated[Path | None, _RULES] = None,
) -> None:
    """Add a watch rule (wraps crimnet.queries.watch.add_watch_rule)."""
    from crimnet.queries.watch import add_watch_rule

    rule = add_watch_rule(_rules(rules, store), query_name, _parse_params(param), name=name)
    typer.echo(f"watching {rule['name']}: {rule['query']} {rule['params']}")


@watch_app.command("list")
def watch_list(
    store: Annotated[str | None, _STORE] = None,
    rules: Annotated[Path | None, _RULES] = None,
) -> None:
    """List watch rules (wraps crimnet.queries.watch.list_watch_rules)."""
    from crimnet.queries.watch import list_watch_rules

    _print_frame(list_watch_rules(_rules(rules, store)), title="watch rules")


@watch_app.command("run")
def watch_run(
    store: Annotated[str | None, _STORE] = None,
    rules: Annotated[Path | None, _RULES] = None,
    csv: Annotated[bool, typer.Option("--csv", help="Print CSV.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines.")] = False,
) -> None:
    """Run every watch rule and print matches new since the last run (wraps run_watch_rules)."""
    from crimnet.graphs.store import open_store
    from crimnet.queries.watch import run_watch_rules

    with open_store(store, read_only=True) as st:  # the rules file keeps the state, not the store
        df = run_watch_rules(st, _rules(rules, store))
    _print_frame(df, csv=csv, as_json=as_json, title="new watch matches")


# --- detect ---
@app.command("detect")
def detect_command(
    tables_dir: Annotated[str, typer.Argument(help="Folder of canonical tables (nodes_*.parquet, edges_*.parquet).")],
    out: Annotated[str, typer.Option("--out", help="Output folder for clusters.parquet and node_scores.parquet.")],
    method: Annotated[
        list[str] | None,
        typer.Option(
            "--method",
            help="Detection method (repeatable): infomap, leiden, louvain, label_propagation, consensus, "
            "spectral, leiden_hetero; default: the best measured (crimnet.graphs.detect.DEFAULT_METHOD).",
        ),
    ] = None,
    truth: Annotated[str | None, typer.Option("--truth", help="Generated case folder: evaluate against truth.")] = None,
    resolution: Annotated[
        str | None, typer.Option("--resolution", help="Ingest resolution.parquet (tables from ingest).")
    ] = None,
    previous: Annotated[str | None, typer.Option("--previous", help="Earlier clusters.parquet: keep its ids.")] = None,
    top: Annotated[int, typer.Option("--top", help="Clusters to print, and k of precision@k.")] = 10,
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 0,
) -> None:
    """Detect likely perpetrator clusters, score and explain them (wraps detect_case)."""
    from rich.console import Console
    from rich.table import Table

    from crimnet.cases import detect_case
    from crimnet.graphs.detect import DEFAULT_METHOD

    result, evaluation = detect_case(
        tables_dir,
        out=out,
        methods=tuple(method or (DEFAULT_METHOD,)),
        seed=seed,
        truth=truth,
        resolution_file=resolution,
        previous=previous,
        k=top,
    )
    console = Console(width=160)
    for name, c in result.clusters.groupby("method", sort=False):
        table = Table(title=f"Top {top} clusters ({name})")
        for col in ("rank", "cluster", "size", "score", "reasons"):
            table.add_column(col)
        for rank, row in enumerate(c.head(top).itertuples(), start=1):
            reasons = "; ".join(i["text"] for i in row.indicators[:3])
            table.add_row(str(rank), str(row.cluster_id), str(row.size), f"{row.score:.2f}", reasons)
        console.print(table)
    if evaluation is not None:
        table = Table(title=f"Evaluation against truth (k={top})")
        for col in evaluation.columns:
            table.add_column(col)
        for row in evaluation.itertuples(index=False):
            table.add_row(*[f"{v:.3f}" if isinstance(v, float) else str(v) for v in row])
        console.print(table)
    console.print(f"Wrote {out}/clusters.parquet and {out}/node_scores.parquet")


# --- datasets ---
@app.command("datasets")
def datasets_command(
    kind: Annotated[
        str | None, typer.Option("--kind", help="Only 'network' or 'capture_histories'; default both.")
    ] = None,
    csv: Annotated[bool, typer.Option("--csv", help="Print CSV (every column).")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines (every column).")] = False,
) -> None:
    """List the bundled published data sets: name, kind, size and citation (wraps crimnet.datasets.list).

    A network's name can be given wherever a command takes an edge-list file (crimnet disrupt --edges siren).
    """
    from crimnet import datasets

    df = datasets.list(kind=kind)
    if not (csv or as_json):
        size = [
            f"{r.nodes} nodes, {r.edges} edges" if r.kind == "network" else f"{r.lists} lists, {r.cells} cells"
            for r in df.itertuples()
        ]
        df = df.assign(size=size)[["name", "kind", "size", "citation"]]
    _print_frame(df.astype(object).where(df.notna(), None), csv=csv, as_json=as_json, title="crimnet datasets")


def _edge_list_options(edges: str | None, nodes: str | None) -> tuple[str | None, str | None]:
    """``--edges`` and ``--nodes``: a file as given, else a bundled network's file (its node file comes along).

    A file that exists wins over a bundled name; anything else is a usage error naming the option.
    """
    if edges is None and nodes is None:
        return None, None
    from crimnet import datasets

    names = datasets.list(kind="network")["name"].tolist()

    def resolve(value: str | None, option: str, find: Any) -> str | None:
        if value is None or Path(value).exists():
            return value
        if value not in names:
            raise typer.BadParameter(
                f"{value!r} is neither a file nor a bundled network (listed by crimnet datasets): {', '.join(names)}",
                param_hint=option,
            )
        found = find(value)
        if found is None:
            raise typer.BadParameter(f"the bundled network {value!r} has no node file", param_hint=option)
        return str(found)

    edge_file = resolve(edges, "--edges", datasets.path)
    node_file = resolve(nodes, "--nodes", datasets.node_path)
    if nodes is None and edges is not None and edge_file != edges:
        bundled_nodes = datasets.node_path(edges)
        node_file = None if bundled_nodes is None else str(bundled_nodes)
    return edge_file, node_file


# --- disrupt ---
def _budget_option(text: str | None) -> int | float | None:
    """``--budget``: a node count (``5``) or a fraction of the nodes (``0.05``)."""
    if text is None:
        return None
    try:
        return float(text) if any(ch in text for ch in ".eE") else int(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a number of nodes or a fraction", param_hint="--budget") from None


def _cost_options(items: list[str] | None) -> dict[str, float] | None:
    """``--cost Label=number`` options as a dict."""
    if not items:
        return None
    out = {}
    for item in items:
        label, _, value = item.partition("=")
        try:
            out[label.strip()] = float(value)
        except ValueError:
            raise typer.BadParameter(f"{item!r} is not Label=number (e.g. Person=10)", param_hint="--cost") from None
    return out


@app.command("disrupt")
def disrupt_command(
    edges: Annotated[
        str | None,
        typer.Option(
            "--edges", help="Edge-list CSV (source,target[,weight]), or a bundled network's name (crimnet datasets)."
        ),
    ] = None,
    nodes: Annotated[
        str | None,
        typer.Option(
            "--nodes",
            help="Node CSV: id,role (victim/controller)[,group][,label]; a bundled network's node file comes with "
            "its name.",
        ),
    ] = None,
    tables: Annotated[str | None, typer.Option("--tables", help="Directory of canonical tables.")] = None,
    store: Annotated[str | None, typer.Option("--store", help="Graph store directory or bolt:// URI.")] = None,
    truth: Annotated[str | None, typer.Option("--truth", help="Generated case dir (labels victims).")] = None,
    resolution: Annotated[str | None, typer.Option("--resolution", help="Resolution table, with --truth.")] = None,
    strategy: Annotated[
        list[str] | None, typer.Option("--strategy", help="Strategy to run (repeatable); default all.")
    ] = None,
    budget: Annotated[
        str | None, typer.Option("--budget", help="Removal budget: nodes (int) or a fraction of nodes in (0, 1).")
    ] = None,
    budget_cost: Annotated[float | None, typer.Option("--budget-cost", help="Budget in cost units.")] = None,
    cost: Annotated[
        list[str] | None, typer.Option("--cost", help="Cost of action per label, e.g. --cost Person=10 (repeatable).")
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 0,
    out: Annotated[str | None, typer.Option("--out", help="Write summary.csv, curves.csv, curves.png here.")] = None,
) -> None:
    """Compare disruption strategies: R-index, victim-controller reachability and run time."""
    from rich.console import Console
    from rich.table import Table

    from crimnet.cases import load_network
    from crimnet.graphs.disrupt import disrupt

    parsed_budget, costs = _budget_option(budget), _cost_options(cost)
    edge_file, node_file = _edge_list_options(edges, nodes)
    net = load_network(edges=edge_file, nodes=node_file, tables=tables, truth=truth, resolution=resolution, store=store)
    if edge_file != edges:
        net.source = f"{edges} (bundled)"
    res = disrupt(
        net.graph,
        strategies=strategy or None,
        budget=parsed_budget,
        budget_cost=budget_cost,
        victims=net.victims,
        controllers=net.controllers,
        pairs=net.pairs,
        costs=costs,
        seed=seed,
    )
    table = Table(title=f"Disruption of {net.source} ({net.graph.vcount()} nodes, {net.graph.ecount()} edges)")
    for col in ("strategy", "R-index", "R-index to budget", "budget", "LCC at budget", "reachability", "seconds"):
        table.add_column(col, justify="left" if col == "strategy" else "right")
    for r in res.summary.itertuples():
        table.add_row(
            r.strategy,
            f"{r.r_index:.4f}",
            f"{r.r_index_budget:.4f}",
            str(r.budget),
            f"{r.lcc_fraction_at_budget:.3f}",
            f"{r.reachability_at_budget:.3f}",
            f"{r.seconds:.2f}",
        )
    Console(width=160).print(table)
    if res.skipped:
        typer.echo(f"Skipped (need victim/controller labels): {', '.join(res.skipped)}")
    if out:
        for path in res.write(out):
            typer.echo(f"wrote {path}")


# --- pipeline ---
def _print_run(run) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=160)
    from crimnet.pipeline import cluster_reasons

    table = Table(title="Likely perpetrator clusters (highest risk first)")
    for col in ("cluster", "score", "people", "why", "cut first"):
        table.add_column(col, overflow="fold")
    for row in run.clusters.head(len(run.cluster_cuts)).itertuples():
        why = "; ".join(cluster_reasons(row.indicators)[:3])
        cut = ", ".join(run.cluster_cuts[str(row.cluster_id)]["node_id"].head(3))
        table.add_row(str(row.cluster_id), f"{row.score:.2f}", str(row.size), why, cut)
    console.print(table)
    if run.evaluation is not None:
        console.print(run.evaluation.round(3).to_string(index=False))
    console.print(f"Report: {run.report}")


@app.command("run-case")
def run_case_command(
    sources: Annotated[list[Path], typer.Argument(help="Extract files or folders.")],
    out: Annotated[Path, typer.Option("--out", help="Run directory.")],
    store: Annotated[str | None, typer.Option("--store", help="Store directory or bolt:// URI.")] = None,
    truth: Annotated[Path | None, typer.Option("--truth", help="Generated case folder, to score the run.")] = None,
    previous: Annotated[Path | None, typer.Option("--previous", help="Earlier ingest output to merge.")] = None,
    top: Annotated[int, typer.Option("--top", help="Clusters reported with disruption points.")] = 5,
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 0,
    merge: Annotated[
        bool,
        typer.Option("--merge", help="Write into a --store holding another case; it then holds both, people apart."),
    ] = False,
) -> None:
    """Run ingest, store, detection, disruption and the HTML report on agency extracts (run_case).

    An earlier run in --out is replaced as a whole when the new run succeeds.
    """
    from crimnet.pipeline import run_case

    _print_run(
        run_case(
            sources, out, store=store, truth=truth, previous=previous, top=top, seed=seed, progress=True, merge=merge
        )
    )


@app.command("demo")
def demo_command(
    out: Annotated[Path, typer.Option("--out", help="Run directory.")] = Path("demo-case"),
    people: Annotated[int, typer.Option("--people", help="People in the synthetic town.")] = 5_000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 7,
    preset: Annotated[str, typer.Option("--preset", help="easy, medium or hard.")] = "medium",
) -> None:
    """Generate a synthetic case and run the whole pipeline on it, scored against its truth (demo)."""
    from crimnet.pipeline import demo

    _print_run(demo(out, people=people, seed=seed, preset=preset))
