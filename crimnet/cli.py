"""The ``crimnet`` command: a thin typer layer over the Python API.

Each command calls one public function and holds no logic of its own; what is here is wiring and
presentation: errors in the command line's own option names, "did you mean" for misspelled names,
tables that fit the terminal, and progress displays.
"""

from __future__ import annotations

import difflib
import inspect
import os
import re
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from decimal import Decimal
from types import MappingProxyType
from typing import Annotated, Any

import typer
import typer.core

from crimnet import __version__
from crimnet.errors import CrimnetError

# --- errors in the command line's own words ---
API_OPTIONS: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {
        "ingest": MappingProxyType({"specs": "--spec", "pseudonymise_key": "--key-file"}),
        "run-case": MappingProxyType({"specs": "--spec"}),
        "load": MappingProxyType({"target": "--store"}),
        "query": MappingProxyType({"params": "--param"}),
        "cypher": MappingProxyType({"params": "--param", "cypher": "QUERY"}),
        "add": MappingProxyType({"params": "--param", "query": "QUERY"}),
        "detect": MappingProxyType({"methods": "--method", "k": "--top", "resolution_file": "--resolution"}),
        "disrupt": MappingProxyType({"strategies": "--strategy", "costs": "--cost"}),
    }
)
"""Per command, the API parameters whose option is named otherwise (``specs`` is ``--spec``). A command's
options and arguments named as the API's parameters (``--edges`` for ``edges``) need no entry."""

PARAMETER_ERROR = re.compile(r"^The '(?P<param>\w+)' parameter of [\w.]+ (?P<rest>.*)$", re.DOTALL)
"""The one template of :mod:`crimnet.errors`, whose parameter the command line names by its option."""


def option_names(command: Any) -> dict[str, str]:
    """API parameter name -> the option (``--edges``) or argument (``TABLES``) a person types, for one command."""
    names = {}
    for param in getattr(command, "params", ()):
        if param.name is None:
            continue
        if param.param_type_name == "argument":
            names[param.name] = param.metavar or param.name.upper()
        else:
            long = [o for o in param.opts if o.startswith("--")]
            names[param.name] = (long or list(param.opts))[0]
    return {**names, **API_OPTIONS.get(getattr(command, "name", "") or "", {})}


def cli_message(message: str, options: Mapping[str, str]) -> str:
    """`message` of a crimnet error in the command line's words: its option names, never the API's.

    >>> cli_message("The 'specs' parameter of ingest must be a path. Got 3 instead.", {"specs": "--spec"})
    '--spec must be a path. Got 3 instead.'
    >>> cli_message("pass one with specs= (--spec); got edges='x'", {"specs": "--spec", "edges": "--edges"})
    "pass one with --spec; got --edges 'x'"
    """
    found = PARAMETER_ERROR.match(message)
    if found and found.group("param") in options:
        message = f"{options[found.group('param')]} {found.group('rest')}"
    said, got, values = message.rpartition(" Got ") if " Got " in message else (message, "", "")
    for param, option in options.items():
        keyword = re.compile(rf"(?<![\w-]){re.escape(param)}=( \({re.escape(option)}\))?")
        said = keyword.sub(lambda m, o=option: o if m.group(1) else o + " ", said)  # type: ignore[misc]
        values = keyword.sub(lambda m, o=option: o if m.group(1) else o + " ", values)  # type: ignore[misc]
        said = said.replace(f"'{param}'", option)
    return said + got + values


def _no_type(ctx: Any) -> None:
    """No type shown for a parameter in help."""
    return None


class _Help:
    """Help without type metavars (a flag shows no ``<bool>``), its paragraphs' lines joined but for examples."""

    help: str | None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.help:
            paragraphs = inspect.cleandoc(self.help).split("\n\n")
            self.help = "\n\n".join(p if p.startswith("Example") else " ".join(p.split()) for p in paragraphs)

    def get_params(self, ctx: Any) -> list[Any]:
        params = super().get_params(ctx)  # type: ignore[misc]
        for param in params:
            if getattr(param, "is_flag", False) and param.metavar is None:
                param.metavar = ""
            if param.param_type_name == "argument":  # its name (TABLES) says what it is; typer adds <str> after it
                setattr(param, "display_type_rich", _no_type)  # noqa: B010
        return params

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)  # type: ignore[misc]
        except Exception as err:  # click's NoSuchOption: name the closest options first, as for commands
            possible, name = getattr(err, "possibilities", None), getattr(err, "option_name", None)
            if possible and name and hasattr(err, "message"):
                setattr(err, "message", f"No such option: {name}. {did_you_mean(name, possible)}".strip())  # noqa: B010
                setattr(err, "possibilities", None)  # noqa: B010
            raise


class _Command(_Help, typer.core.TyperCommand):
    """A command whose flags show no type in its help, and whose misspelled options get a suggestion."""


class _Group(_Help, typer.core.TyperGroup):
    """Report every CrimnetError as one line on stderr, in the command's option names, and exit 2."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except CrimnetError as err:
            name = ctx.invoked_subcommand
            command = self.get_command(ctx, name) if name else None
            typer.echo(f"Error: {cli_message(str(err), option_names(command))}", err=True)
            raise typer.Exit(2) from None


# --- "did you mean" ---
def did_you_mean(value: str, names: Iterable[str]) -> str:
    """A sentence suggesting the names closest to a misspelled `value`, or ``''``.

    >>> did_you_mean("medum", ["easy", "medium", "hard"])
    "Did you mean 'medium'?"
    """
    close = [repr(c) for c in difflib.get_close_matches(value, list(names), n=3, cutoff=0.6)]
    if not close:
        return ""
    return f"Did you mean {close[0] if len(close) == 1 else ', '.join(close[:-1]) + ' or ' + close[-1]}?"


def unknown_name(value: str, names: Collection[str], kind: str, listed_by: str | None = None) -> typer.BadParameter:
    """The usage error for a name that is not one of `names`, with the closest as a suggestion."""
    hint = did_you_mean(value, names)
    choices = f"{listed_by} lists them." if listed_by else f"Choose from: {', '.join(sorted(names))}."
    return typer.BadParameter(" ".join(x for x in (f"{value!r} is not {kind}.", hint, choices) if x))


def _names_callback(kind: str, names: Callable[[], Collection[str]], listed_by: str | None = None) -> Any:
    """An option callback refusing names not in ``names()`` (read when the option is given), as click's Choice."""

    def check(value: Any) -> Any:
        if value:
            known = names()
            for item in [value] if isinstance(value, str) else value:
                if item not in known:
                    raise unknown_name(item, known, kind, listed_by)
        return value

    return check


def _strategy_names() -> Collection[str]:
    from crimnet.graphs.disrupt import strategies

    return strategies()


def _method_names() -> Collection[str]:
    from crimnet.graphs.detect import DETECTION_METHODS

    return tuple(DETECTION_METHODS)


def _preset_names() -> Collection[str]:
    from crimnet.synthetic.params import PRESETS

    return tuple(PRESETS)


PresetOption = Annotated[
    str,
    typer.Option(
        "--preset",
        metavar="NAME",
        help="Generator preset: easy, medium, hard (difficulty), or realistic (agency dialects and look-alikes).",
        callback=_names_callback("a preset", _preset_names),
    ),
]
"""The ``--preset`` option of ``generate`` and ``demo``: one definition, one check."""


def _query_names() -> Collection[str]:
    from crimnet.queries.runner import list_queries

    return tuple(list_queries()["name"])


# --- output a person reads ---
CURRENCY_SYMBOLS: Mapping[str, str] = MappingProxyType({"GBP": "£", "EUR": "€", "USD": "$"})
"""Currencies printed with their symbol (``£1,234.50``); any other is printed ``1,234.50 PLN``."""
MINOR_UNIT_DIGITS: Mapping[str, int] = MappingProxyType({"JPY": 0, "KRW": 0, "ISK": 0, "BHD": 3, "KWD": 3, "JOD": 3})
"""Digits of the minor unit where not 2 (ISO 4217)."""


def money(minor: Any, currency: Any) -> str:
    """An amount in minor units, with its currency: ``£1,234.50``, ``-€3.00``, ``1,234.50 PLN``.

    >>> money(123450, "GBP"), money(-300, "EUR"), money(5, "PLN"), money(1200, "JPY")
    ('£1,234.50', '-€3.00', '0.05 PLN', '1,200 JPY')
    """
    code = str(currency or "").upper()
    digits = MINOR_UNIT_DIGITS.get(code, 2)
    major = Decimal(int(minor)).scaleb(-digits)
    text = f"{abs(major):,.{digits}f}"
    sign = "-" if major < 0 else ""
    symbol = CURRENCY_SYMBOLS.get(code)
    return f"{sign}{symbol}{text}" if symbol else f"{sign}{text} {code}".rstrip()


def cell(value: Any) -> str:
    """One value as a person reads it: lists as ``a, b`` (never a numpy repr), missing values empty."""
    if value is None:
        return ""
    if hasattr(value, "tolist") and getattr(value, "ndim", 0) > 0:  # numpy arrays, as lists
        value = value.tolist()
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(cell(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {cell(v)}" for k, v in value.items())
    if isinstance(value, float):
        return "" if value != value else f"{value:.4g}"  # NaN
    if hasattr(value, "item") and getattr(value, "ndim", 1) == 0:  # numpy scalars
        return cell(value.item())
    text = str(value)
    return "" if text in ("nan", "NaT", "<NA>") else text


def number(value: Any, digits: int) -> str:
    """A float to `digits` decimals; ``n/a`` where there is none (NaN).

    >>> number(0.12345, 3), number(float("nan"), 3)
    ('0.123', 'n/a')
    """
    return "n/a" if value != value else f"{value:.{digits}f}"


def is_money(column: str) -> bool:
    """Columns holding amounts in minor units (the data model's ``amount``, a query's ``total_amount``)."""
    return column == "amount" or column.endswith("_amount")


WORD_FLOOR = 24
"""Longest word (in characters) a column keeps whole when the table must narrow: longer words fold."""
HEADER_FLOOR = 12
"""A header's longest word is kept whole up to this many characters."""
MIN_COLUMN = 3
"""No column is made narrower than this (or its content, when shorter)."""


def fit_widths(natural: Sequence[int], floors: Sequence[int], room: int) -> list[int]:
    """Column widths within `room`: the widest columns are narrowed first, none below its floor.

    Water-filling: one cap on every column's width, lowered until the columns fit (or every column is at
    its floor); O(max(natural) * columns).

    >>> fit_widths([4, 40, 30], [4, 4, 4], 50)
    [4, 23, 23]
    >>> fit_widths([4, 40, 30], [4, 4, 30], 50)
    [4, 16, 30]
    """
    cap = max(natural, default=0)
    while cap > 1 and sum(min(n, max(cap, f)) for n, f in zip(natural, floors, strict=True)) > room:
        cap -= 1
    return [min(n, max(cap, f)) for n, f in zip(natural, floors, strict=True)]


def table_widths(
    header: Sequence[str], rows: Sequence[Sequence[str]], room: int, keep: Collection[str] = ()
) -> list[int]:
    """Widths of a table's columns within `room` characters, wrapping rather than cutting.

    Columns keep their natural width when the table fits. Otherwise the widest are narrowed first
    (:func:`fit_widths`), in steps, each only when the one before cannot fit: (1) no column below its
    longest word (up to :data:`WORD_FLOOR`; its text wraps at spaces), nor the `keep` columns (what a
    row is: a cluster's or a strategy's name) below their longest word however long; (2) the `keep`
    columns too down to :data:`WORD_FLOOR`; (3) down to the
    header's longest word (up to :data:`HEADER_FLOOR`), long words then fold onto the next line;
    (4) any column, down to :data:`MIN_COLUMN`. No value is ever cut: what does not fit a line goes
    on the next.

    >>> table_widths(["name", "note"], [["a_long_identifier", "some words that wrap well"]], 30, keep=["name"])
    [17, 13]
    """
    from rich.cells import cell_len

    def longest_word(texts: Iterable[str]) -> int:
        return max([0, *(cell_len(w) for t in texts for w in t.split())])

    natural = [
        max([cell_len(h), *(cell_len(line) for r in rows for line in r[i].splitlines())]) for i, h in enumerate(header)
    ]
    head = [min(longest_word([h]), HEADER_FLOOR) for h in header]
    whole = [max(hw, longest_word(r[i] for r in rows)) for i, hw in enumerate(head)]
    words = [min(n, w, max(hw, WORD_FLOOR)) for n, w, hw in zip(natural, whole, head, strict=True)]
    steps = (
        [min(n, w) if h in keep else f for n, w, f, h in zip(natural, whole, words, header, strict=True)],
        words,
        [min(n, max(hw, MIN_COLUMN)) for n, hw in zip(natural, head, strict=True)],
        [min(n, MIN_COLUMN) for n in natural],
    )
    for floors in steps:
        widths = fit_widths(natural, floors, room)
        if sum(widths) <= room:
            break
    return widths


def print_table(
    title: str | None,
    header: Sequence[str],
    rows: Iterable[Sequence[str]],
    *,
    right: Collection[str] = (),
    keep: Collection[str] = (),
) -> None:
    """Print a table that fits the terminal (80 columns when output is not one): every table goes through here.

    Widths come from :func:`table_widths`: cells and headers wrap at spaces, and a word longer than its
    column folds onto the next line; nothing is cut. `right` names the columns aligned right (numbers),
    `keep` those narrowed last (what a row is).
    """
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console()
    rows = [list(row) for row in rows]
    room = console.width - 3 * len(header) - 1  # borders and padding
    table = Table()
    for name, width in zip(header, table_widths(header, rows, room, keep), strict=True):
        table.add_column(Text(name, overflow="fold"), justify="right" if name in right else "left", width=width)
    for row in rows:
        table.add_row(*(Text(v, overflow="fold") for v in row))
    if title:  # above the table, as wide as the terminal: a narrow table would wrap its own title
        console.print(Text(title, style="bold"))
    console.print(table)


def print_frame(
    df: Any, *, csv: bool = False, as_json: bool = False, title: str | None = None, keep: Collection[str] = ()
) -> None:
    """Print a DataFrame as CSV, JSON lines (both every value, in full) or a table (:func:`print_table`, `keep`)."""
    if csv:
        from crimnet.frames import write_csv

        typer.echo(write_csv(df), nl=False)  # formula cells neutralised: this CSV is opened in spreadsheets
        return
    if as_json:
        typer.echo(df.to_json(orient="records", lines=True, force_ascii=False), nl=False)
        return
    import pandas as pd

    columns = [str(c) for c in df.columns]
    currency = df["currency"] if "currency" in df.columns else None
    shown = {}
    for name, column in zip(columns, df.columns, strict=True):
        values = df[column]
        if currency is not None and is_money(name):
            shown[name] = ["" if pd.isna(v) else money(v, c) for v, c in zip(values, currency, strict=True)]
        else:
            shown[name] = [cell(v) for v in values]
    right = [n for n, c in zip(columns, df.columns, strict=True) if pd.api.types.is_numeric_dtype(df[c]) or is_money(n)]
    rows = zip(*shown.values(), strict=True) if columns else []
    print_table(title, columns, rows, right=right, keep=keep)
    typer.echo(f"{len(df)} row{'' if len(df) == 1 else 's'}")


def print_evaluation(evaluation: Any, title: str) -> None:
    """Print detection quality (one row per method) turned round: a row per measure, a column per method.

    Measures outnumber methods, so this fits 80 columns where the frame as it is would not.
    """
    methods = [str(m) for m in evaluation["method"]]
    rows = [
        [str(col), *(number(v, 3) if isinstance(v, float) else cell(v) for v in evaluation[col])]
        for col in evaluation.columns
        if col != "method"
    ]
    print_table(title, ["measure", *methods], rows, right=methods, keep=("measure",))


# --- progress ---
def progress_wanted(ctx: Any) -> bool:
    """Progress is shown on a terminal, unless ``--quiet`` or under CI (``$CI`` set)."""
    from rich.console import Console

    quiet = bool(ctx is not None and ctx.find_root().params.get("quiet"))
    ci = os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")
    return not quiet and not ci and Console().is_terminal


@contextmanager
def progress(ctx: Any, what: str) -> Iterator[Callable[..., None]]:
    """A rich progress display for a step, as ``crimnet ingest`` shows: a spinner with the step's name, a bar with
    totals once `update` is given them. Yields ``update(description, done=None, total=None)``; shows nothing
    where :func:`progress_wanted` says no.
    """
    if not progress_wanted(ctx):
        yield lambda *args, **kwargs: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()
    ) as bar:
        task = bar.add_task(what, total=None)

        def update(description: str, done: int | None = None, total: int | None = None) -> None:
            bar.update(task, description=f"{what}: {description}" if description else what)
            if total is not None:
                bar.update(task, total=total, completed=done or 0)

        yield update


def _stages(update: Callable[..., None], stages: Sequence[str]) -> Callable[[str], None]:
    """A pipeline's `on_stage` callback moving a bar over its known stages."""
    return lambda stage: update(stage, stages.index(stage) if stage in stages else 0, len(stages))


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
    quiet: Annotated[
        bool,
        typer.Option(
            "--quiet",
            "-q",
            help="No progress display (none is shown either when output is not a terminal, or under CI).",
        ),
    ] = False,
) -> None:
    """Criminal network analysis for modern slavery and trafficking investigations.

    Start with crimnet demo, or crimnet generate, ingest, load, query, detect and disrupt one by one;
    crimnet COMMAND --help says more, with an example.
    """


# Commands, one section per area; each calls one public function.
# --- generate ---
@app.command("generate", cls=_Command)
def generate_cmd(
    ctx: typer.Context,
    out: Annotated[str, typer.Option("--out", metavar="DIR", help="Folder to write the case to.")] = "case",
    people: Annotated[
        int, typer.Option("--people", metavar="N", help="Number of people in the synthetic town.")
    ] = 10_000,
    seed: Annotated[int, typer.Option("--seed", metavar="N", help="Random seed; same seed, same files.")] = 0,
    preset: PresetOption = "medium",
    dialects: Annotated[
        str | None,
        typer.Option(
            "--dialects",
            metavar="WHICH",
            help="How each agency writes its extract: standard, alternative, mixed (drawn by seed), or "
            "source=dialect,... (default: the preset's). Each case carries the spec of every file in specs/.",
        ),
    ] = None,
    victim_lists: Annotated[
        str | None,
        typer.Option(
            "--victim-lists",
            metavar="LISTS",
            help="Lists of potential victims agencies keep, for prevalence estimation: 'default' or "
            "list=chance,... (nrm_referrals, ngo_casework, helpline_reports, police_victims); off when not given.",
        ),
    ] = None,
    victim_dependence: Annotated[
        str | None,
        typer.Option(
            "--victim-dependence",
            metavar="PAIRS",
            help="Dependence between two lists as a log odds ratio: a:b=g,... (ngo_casework:nrm_referrals=1.5).",
        ),
    ] = None,
    victim_visibility: Annotated[
        float | None,
        typer.Option(
            "--victim-visibility",
            metavar="SD",
            help="Spread of victims' visibility shared by every list (log-odds standard deviation, 0 to 5).",
        ),
    ] = None,
    victim_ring_raids: Annotated[
        str | None,
        typer.Option(
            "--victim-ring-raids",
            metavar="SHARES",
            help="Whole-ring raids: list=r,... records every victim of a share r of rings at once "
            "(police_victims=0.1; r below the list's chance, which it keeps on average).",
        ),
    ] = None,
    victim_false_share: Annotated[
        float | None,
        typer.Option(
            "--victim-false-share",
            metavar="F",
            help="False referrals: share of each list's records who are not victims of the case's rings "
            "(0 to 0.5; named in truth/false_referrals.csv).",
        ),
    ] = None,
) -> None:
    """Generate a synthetic multi-agency case (agency extracts with planted exploitation rings and their truth).

    Example: crimnet generate --people 2000 --seed 1 --out case --dialects mixed --victim-lists default
    """
    import json

    from crimnet.synthetic import generate_case

    with progress(ctx, f"generate: {people:,} people"):
        chosen = {
            "dialects": dialects,
            "victim_lists": victim_lists,
            "victim_list_dependence": victim_dependence,
            "victim_visibility": victim_visibility,
            "victim_ring_raids": victim_ring_raids,
            "victim_false_share": victim_false_share,
        }
        extra = {k: v for k, v in chosen.items() if v is not None}
        paths = generate_case(out, people=people, seed=seed, preset=preset, **extra)
    manifest = json.loads(paths.manifest.read_text())
    rows = [
        (name, f"{entry['rows']:,}")
        for name, entry in manifest["files"].items()
        if not name.startswith("truth/tables/")
    ]
    title = f"crimnet generate: {people:,} people, {manifest['rings']} rings, preset {preset}, seed {seed}"
    print_table(title, ("file", "rows"), rows, right=("rows",))
    typer.echo(f"Written to {paths.root}")


# --- ingest ---
from pathlib import Path  # noqa: E402  (ingest options are paths)

QUARANTINE_SHOWN = 5
"""Quarantine entries `crimnet ingest` prints (file, row, field and reason); the rest are in quarantine.csv."""


_MAX_FIELD_CHARS = typer.Option(
    "--max-field-chars",
    metavar="N",
    min=0,
    help="Longest cell read, in characters; a row holding a longer one is quarantined (default 65,536; 0: no limit).",
)


def _field_limit(max_field_chars: int | None) -> int | None:
    """``--max-field-chars`` as ingest's `max_field_chars`: ingest's default when not given, 0 as None (no limit)."""
    if max_field_chars is None:
        from crimnet.ingest.readers import DEFAULT_MAX_FIELD_CHARS

        return DEFAULT_MAX_FIELD_CHARS
    return max_field_chars or None


def print_preview(parts: Mapping[str, Any], spec: Path, file: Path) -> None:
    """Print what a spec makes of a file's first rows: records (a row per field), nodes, relationships, quarantine."""
    records = parts.get("records")
    if records is not None:
        key = next((c for c in ("record_id", "row") if c in records.columns), None)
        rows = []
        for n, record in enumerate(records.to_dict("records"), start=1):
            label = cell(record.pop(key)) if key else str(n)
            rows += [(label if i == 0 else "", str(k), cell(v)) for i, (k, v) in enumerate(record.items())]
        print_table(f"records: what {spec.name} reads in {file.name}", (key or "row", "field", "value"), rows)
        typer.echo(f"{len(records)} row{'' if len(records) == 1 else 's'}")
    for name, title in (("nodes", "nodes"), ("rels", "relationships")):
        if parts.get(name) is not None:
            print_frame(parts[name], title=title)
    quarantine = parts.get("quarantine")
    if quarantine is not None:
        from crimnet.ingest.quarantine import quarantine_messages

        typer.echo(f"{len(quarantine)} quarantine entries" + (":" if len(quarantine) else ""))
        for message in quarantine_messages(quarantine):
            typer.echo(f"  {message}")


@app.command("ingest", cls=_Command)
def ingest_command(
    ctx: typer.Context,
    sources: Annotated[
        list[Path] | None,
        typer.Argument(
            metavar="SOURCES",
            help="Source files or case folders (files matched to specs); with --preview, the one file to preview.",
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", metavar="DIR", help="Output folder (replaced atomically); not with --preview."),
    ] = None,
    spec: Annotated[
        list[Path] | None,
        typer.Option("--spec", metavar="FILE", help="Spec file or folder (repeatable); default: built-in specs."),
    ] = None,
    previous: Annotated[
        Path | None, typer.Option("--previous", metavar="DIR", help="Earlier ingest output to merge with.")
    ] = None,
    pseudonymise: Annotated[
        bool, typer.Option("--pseudonymise", help="Replace identifiers by HMAC tokens (key: CRIMNET_PSEUDONYM_KEY).")
    ] = False,
    key_file: Annotated[
        Path | None, typer.Option("--key-file", metavar="FILE", help="File holding the pseudonymisation key.")
    ] = None,
    threshold: Annotated[
        float | None, typer.Option("--threshold", metavar="P", help="Person match probability threshold, in (0, 1).")
    ] = None,
    match_level: Annotated[
        str | None,
        typer.Option(
            "--match-level",
            metavar="LEVEL",
            help="How much evidence joins two person records: strict, balanced (default) or inclusive "
            "(precision and recall of each: benchmarks/results/resolve.md).",
        ),
    ] = None,
    max_field_chars: Annotated[int | None, _MAX_FIELD_CHARS] = None,
    preview: Annotated[
        Path | None,
        typer.Option(
            "--preview",
            metavar="SPEC",
            help="Show what SPEC makes of the first rows of one FILE (records, nodes, relationships, quarantine); "
            "writes nothing.",
        ),
    ] = None,
    rows: Annotated[int, typer.Option("--rows", metavar="N", min=1, help="Rows read by --preview.")] = 10,
) -> None:
    """Ingest agency extracts into canonical tables; print rows read, loaded and quarantined per source.

    With --preview SPEC FILE, print instead what the spec makes of the file's first rows, to check a spec
    before a full run.

    Example: crimnet ingest case --out work/ingest

    Example: crimnet ingest --preview my_spec.toml extract.csv --rows 5
    """
    if preview is not None:
        if not sources or len(sources) != 1:
            raise typer.BadParameter(
                "takes one FILE after it: crimnet ingest --preview SPEC FILE", param_hint="--preview"
            )
        if out is not None:
            raise typer.BadParameter("--preview writes nothing; leave --out out", param_hint="--out")
        from crimnet.ingest.preview import preview as preview_spec

        print_preview(preview_spec(preview, sources[0], rows=rows), preview, sources[0])
        return
    if not sources:
        raise typer.BadParameter("give the source files or folders to ingest", param_hint="SOURCES")
    if out is None:
        raise typer.BadParameter("give the output folder (e.g. --out work/ingest)", param_hint="--out")
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
        match_level=match_level,
        progress=progress_wanted(ctx),
        max_field_chars=_field_limit(max_field_chars),
    )
    shown = result.summary.drop(columns=["sha256"], errors="ignore")  # the content hash is for merges, in summary.csv
    header = [str(c).replace("rows_", "").replace("_", " ") for c in shown.columns]
    table = [[cell(v) for v in row] for row in shown.itertuples(index=False)]
    print_table(f"ingest -> {result.out}", header, table, right=[h for h in header if h not in ("source", "file")])
    variants = result.address_variants
    if len(variants):  # spellings of one place merged (crimnet.ingest.resolve_addresses)
        places = variants["canonical_id"].nunique()
        typer.echo(
            f"{len(variants):,} address spellings merged into {places:,} places "
            f"(in {result.out / 'address_variants.csv'})"
        )
    if len(result.business_names):  # crimnet.ingest.resolve_businesses
        typer.echo(
            f"{len(result.business_names):,} businesses known by name joined to their registered company "
            f"(in {result.out / 'business_names.csv'})"
        )
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
def _parse_params(param: list[str] | None) -> dict[str, str]:
    out = {}
    for item in param or []:
        key, sep, value = item.partition("=")
        if not sep:
            raise typer.BadParameter(f"{item!r} is not NAME=VALUE (e.g. -p min_occupants=6).", param_hint="--param")
        out[key.strip()] = value
    return out


_STORE = typer.Option(
    "--store", "-s", metavar="PATH|URI", help="Store folder, or a bolt:// / neo4j:// URI (default $NEO4J_URI)."
)
_PARAM = typer.Option("--param", "-p", metavar="NAME=VALUE", help="A query parameter, repeatable.")
_CSV = typer.Option("--csv", help="Print CSV (every value in full).")
_JSON = typer.Option("--json", help="Print JSON lines (every value in full).")
EXIT_MISSING_ENTITY = 3
"""Exit code of ``crimnet query`` when a parameter names an entity the store does not hold (not "no matches")."""


@app.command("load", cls=_Command)
def load(
    ctx: typer.Context,
    tables_dir: Annotated[
        Path, typer.Argument(metavar="TABLES", help="Folder of canonical tables (nodes_*, edges_* Parquet).")
    ],
    store: Annotated[str | None, _STORE] = None,
    neo4j: Annotated[bool, typer.Option("--neo4j", help="Write to Neo4j at $NEO4J_URI.")] = False,
    uri: Annotated[str | None, typer.Option("--uri", metavar="URI", help="Bolt URI of a Neo4j server.")] = None,
    batch_size: Annotated[int, typer.Option("--batch-size", metavar="N", help="Rows per Bolt write batch.")] = 5000,
    merge: Annotated[
        bool,
        typer.Option(
            "--merge",
            help="Load a case into a store holding another case, resolving its people against the store's.",
        ),
    ] = False,
) -> None:
    """Write canonical tables into a graph store (an embedded folder, or Neo4j over Bolt).

    A store holds one case: tables of another case are refused unless --merge, which resolves the new case's
    people against the people the store holds (one person named in both cases becomes one node).

    Example: crimnet load work/ingest/tables --store work/store
    """
    from crimnet.graphs.store import check_tables_dir, open_store
    from crimnet.graphs.store import load as load_tables
    from crimnet.pipeline import merge_into
    from crimnet.tables import CanonicalTables

    target = uri or (None if neo4j else store)
    bolt = uri or neo4j or str(target or "").startswith(("bolt", "neo4j"))
    kwargs: dict[str, Any] = {"batch_size": batch_size} if bolt else {}
    linked = None
    with progress(ctx, f"load {tables_dir}"):
        if merge:
            check_tables_dir(tables_dir)
            incoming = CanonicalTables.read(tables_dir)
            with open_store(target, create=True, **kwargs) as st:
                linked = merge_into(st, incoming)
            written = linked.written
        else:
            written = load_tables(tables_dir, target, **kwargs)
    print_table(None, ("table", "rows"), [(name, f"{n:,}") for name, n in written.items()], right=("rows",))
    typer.echo(f"{sum(written.values()):,} rows written")
    if linked is not None:
        typer.echo(
            f"{len(linked.links):,} of {len(incoming.nodes['Person']):,} people resolved to people the store "
            f"already held"
            + (f"; {linked.kept_apart:,} events kept apart (ids the store held)" if linked.kept_apart else "")
        )


@app.command("query", cls=_Command)
def query(
    ctx: typer.Context,
    name: Annotated[
        str | None,
        typer.Argument(
            metavar="NAME",
            help="Library query name (see --list).",
            callback=_names_callback("a library query", _query_names, "crimnet query --list"),
        ),
    ] = None,
    param: Annotated[list[str] | None, _PARAM] = None,
    store: Annotated[str | None, _STORE] = None,
    list_: Annotated[bool, typer.Option("--list", help="List the library queries.")] = False,
    csv: Annotated[bool, _CSV] = False,
    as_json: Annotated[bool, _JSON] = False,
) -> None:
    """Run a library query read-only, or list them.

    The store is opened read-only, so several queries can run on one store at once. Exit codes: 0 the rows
    were printed (none when nothing matched); 2 an error (no store at --store, a bad parameter, a refused
    query); 3 a parameter names an entity the store does not hold (e.g. -p person_id=NOPE): a warning on
    stderr names the parameter and the value, and the rows are printed as for 0.

    Example: crimnet query unrelated_occupants --store work/store -p min_occupants=6
    """
    import warnings

    from crimnet.queries.runner import MissingEntityWarning, list_queries, run_query

    if list_ or name is None:
        library = list_queries()
        if not (csv or as_json):  # what each returns and where it runs: in --csv and --json
            library = library[["name", "description", "parameters"]]
            library = library.assign(parameters=library["parameters"].str.replace("; ", "\n"))  # one per line
        print_frame(library, csv=csv, as_json=as_json, title="crimnet query library", keep=("name",))
        return
    from crimnet.graphs.store import open_store

    with (
        progress(ctx, f"query {name}"),
        open_store(store, read_only=True) as st,
        warnings.catch_warnings(record=True) as caught,
    ):
        warnings.simplefilter("always", MissingEntityWarning)
        df = run_query(st, name, _parse_params(param))
    print_frame(df, csv=csv, as_json=as_json, title=name)
    for w in caught:
        if issubclass(w.category, MissingEntityWarning):
            typer.echo(f"Warning: {w.message}", err=True)
        else:
            warnings.showwarning(w.message, w.category, w.filename, w.lineno)
    if df.attrs.get("missing"):
        raise typer.Exit(EXIT_MISSING_ENTITY)


@app.command("cypher", cls=_Command)
def cypher(
    ctx: typer.Context,
    text: Annotated[str, typer.Argument(metavar="QUERY", help="A read-only Cypher query (Neo4j 5 syntax).")],
    param: Annotated[
        list[str] | None,
        typer.Option("--param", "-p", metavar="NAME=VALUE", help="A parameter (a string), repeatable."),
    ] = None,
    store: Annotated[str | None, _STORE] = None,
    csv: Annotated[bool, _CSV] = False,
    as_json: Annotated[bool, _JSON] = False,
) -> None:
    """Run ad-hoc read-only Cypher; writes are refused, and every attempt is audited.

    The store is opened read-only, so several readers can run on one store at once.

    Example: crimnet cypher "MATCH (p:Person) RETURN count(p) AS people" --store work/store
    """
    from crimnet.graphs.store import open_store
    from crimnet.queries.runner import run_cypher

    with progress(ctx, "cypher"), open_store(store, read_only=True) as st:
        df = run_cypher(st, text, _parse_params(param))
    print_frame(df, csv=csv, as_json=as_json)


watch_app = typer.Typer(
    cls=_Group, help="Watch rules: library queries re-run after every ingest, reporting new matches."
)
app.add_typer(watch_app, name="watch")


def _rules(rules: Path | None, store: str | None) -> Path:
    if rules is not None:
        return rules
    if store and not str(store).startswith(("bolt", "neo4j")):
        return Path(store) / "watch.json"
    return Path("watch.json")


_RULES = typer.Option("--rules", metavar="FILE", help="Watch rules file (default <store>/watch.json).")


@watch_app.command("add", cls=_Command)
def watch_add(
    query_name: Annotated[
        str,
        typer.Argument(
            metavar="QUERY",
            help="Library query to watch.",
            callback=_names_callback("a library query", _query_names, "crimnet query --list"),
        ),
    ],
    param: Annotated[list[str] | None, _PARAM] = None,
    name: Annotated[
        str | None, typer.Option("--name", metavar="NAME", help="Rule name (default: the query name).")
    ] = None,
    store: Annotated[str | None, _STORE] = None,
    rules: Annotated[Path | None, _RULES] = None,
) -> None:
    """Add a watch rule: a library query and its parameters, re-run by crimnet watch run.

    Example: crimnet watch add unrelated_occupants --store work/store -p min_occupants=6
    """
    from crimnet.queries.watch import add_watch_rule

    rule = add_watch_rule(_rules(rules, store), query_name, _parse_params(param), name=name)
    typer.echo(f"watching {rule['name']}: {rule['query']} {rule['params']}")


@watch_app.command("list", cls=_Command)
def watch_list(
    store: Annotated[str | None, _STORE] = None,
    rules: Annotated[Path | None, _RULES] = None,
) -> None:
    """List the watch rules.

    Example: crimnet watch list --store work/store
    """
    from crimnet.queries.watch import list_watch_rules

    print_frame(list_watch_rules(_rules(rules, store)), title="watch rules")


@watch_app.command("run", cls=_Command)
def watch_run(
    ctx: typer.Context,
    store: Annotated[str | None, _STORE] = None,
    rules: Annotated[Path | None, _RULES] = None,
    csv: Annotated[bool, _CSV] = False,
    as_json: Annotated[bool, _JSON] = False,
) -> None:
    """Run every watch rule and print the matches new since the last run.

    Example: crimnet watch run --store work/store
    """
    from crimnet.graphs.store import open_store
    from crimnet.queries.watch import run_watch_rules

    with progress(ctx, "watch rules"), open_store(store, read_only=True) as st:  # the rules file keeps the state
        df = run_watch_rules(st, _rules(rules, store))
    print_frame(df, csv=csv, as_json=as_json, title="new watch matches")


# --- detect ---
@app.command("detect", cls=_Command)
def detect_command(
    ctx: typer.Context,
    tables_dir: Annotated[
        str, typer.Argument(metavar="TABLES", help="Folder of canonical tables (nodes_*.parquet, edges_*.parquet).")
    ],
    out: Annotated[
        str, typer.Option("--out", metavar="DIR", help="Output folder for clusters.parquet and node_scores.parquet.")
    ],
    method: Annotated[
        list[str] | None,
        typer.Option(
            "--method",
            metavar="NAME",
            help="Detection method (repeatable): infomap, leiden, louvain, label_propagation, consensus, "
            "spectral, leiden_hetero; default: the best measured (benchmarks/results/detect.md).",
            callback=_names_callback("a detection method", _method_names),
        ),
    ] = None,
    truth: Annotated[
        str | None, typer.Option("--truth", metavar="DIR", help="Generated case folder: evaluate against truth.")
    ] = None,
    resolution: Annotated[
        str | None,
        typer.Option("--resolution", metavar="FILE", help="Ingest's resolution.parquet (tables from ingest)."),
    ] = None,
    previous: Annotated[
        str | None, typer.Option("--previous", metavar="FILE", help="Earlier clusters.parquet: keep its ids.")
    ] = None,
    top: Annotated[int, typer.Option("--top", metavar="N", help="Clusters to print, and k of precision@k.")] = 10,
    seed: Annotated[int, typer.Option("--seed", metavar="N", help="Random seed.")] = 0,
    model: Annotated[
        str | None,
        typer.Option(
            "--model",
            metavar="DIR",
            help="Model folder of crimnet train: order the clusters by its learned cluster score, shown beside "
            "the rule score with its reasons, and write the learned scores under OUT/learned (with --truth, "
            "the learned order is evaluated beside the rule order).",
        ),
    ] = None,
) -> None:
    """Detect likely perpetrator clusters, score them and explain each score.

    Example: crimnet detect work/ingest/tables --out work/detect --truth case
    """
    from crimnet.cases import detect_case
    from crimnet.graphs.detect import DEFAULT_METHOD

    methods = tuple(method or (DEFAULT_METHOD,))
    if model is not None:
        from crimnet.gnn.persist import check_model_folder

        check_model_folder(model)  # refused before detection, not after it
    with progress(ctx, f"detect ({', '.join(methods)})"):
        result, evaluation = detect_case(
            tables_dir,
            out=out,
            methods=methods,
            seed=seed,
            truth=truth,
            resolution_file=resolution,
            previous=previous,
            k=top,
        )
    clusters = result.clusters
    if model is not None:
        from crimnet.gnn.apply import learned_order, score_tables, write_learned
        from crimnet.tables import CanonicalTables

        with progress(ctx, "learned scores"):
            learned = score_tables(model, CanonicalTables.read(tables_dir), clusters, people=0)
            write_learned(learned, Path(out) / "learned")
        clusters = learned_order(clusters, learned.clusters)
        if evaluation is not None and truth is not None and "gnn_score" in clusters:
            import pandas

            from crimnet.cases import evaluate_order
            from crimnet.frames import write_csv

            perp = learned.node_scores[learned.node_scores["method"] == "gnn_perpetrator"]
            by_learned = evaluate_order(
                clusters, truth, score="gnn_score", resolution_file=resolution, node_scores=perp, k=top
            )
            write_csv(by_learned, Path(out) / "learned" / "evaluation.csv")
            evaluation = pandas.concat([evaluation, by_learned], ignore_index=True)
    learned_shown = "gnn_score" in clusters
    for name, c in clusters.groupby("method", sort=False):
        rows = [
            (
                str(rank),
                str(row.cluster_id),
                str(row.size),
                *((f"{row.gnn_score:.2f}", str(row.reasons)) if learned_shown else ()),
                f"{row.score:.2f}",
                "; ".join(i["text"] for i in row.indicators[:3]),
            )
            for rank, row in enumerate(c.head(top).itertuples(), start=1)
        ]
        heads = ("learned", "why (learned)", "rule score", "rule reasons") if learned_shown else ("score", "reasons")
        print_table(
            f"Top {top} clusters ({name}{', by the learned score' if learned_shown else ''})",
            ("rank", "cluster", "size", *heads), rows, right=("rank", "size", "score", "learned", "rule score"),
            keep=("cluster",),
        )  # fmt: skip
    if evaluation is not None:
        orders = "the rule order, and the learned order ('by gnn_score')" if learned_shown else "the rule order"
        print_evaluation(evaluation, f"Evaluation against truth (k={top}, {orders})")
    typer.echo(f"Wrote {out}/clusters.parquet and {out}/node_scores.parquet")
    if model is not None:
        typer.echo(f"Wrote the learned scores to {out}/learned (node_scores.csv, clusters.csv)")


# --- gnn ---
@app.command("train", cls=_Command)
def train_command(
    ctx: typer.Context,
    cases: Annotated[list[str], typer.Argument(metavar="CASE...", help="Generated case folders to train on.")],
    valid: Annotated[
        list[str],
        typer.Option(
            "--valid", metavar="CASE", help="Validation case (repeatable): early stopping and the cluster ranker."
        ),
    ],
    out: Annotated[str, typer.Option("--out", metavar="DIR", help="Model folder to write.")],
    tables: Annotated[
        str,
        typer.Option(
            "--tables",
            metavar="SUBDIR",
            help="Tables of each case, relative to it: truth/tables (default) or an ingest output's tables "
            "(truth is then aligned through its resolution.parquet).",
        ),
    ] = "truth/tables",
    model: Annotated[
        str,
        typer.Option(
            "--model",
            metavar="NAME",
            help="sage (heterogeneous GraphSAGE) or hgt (heterogeneous graph transformer).",
            callback=_names_callback("a model", lambda: ("sage", "hgt")),
        ),
    ] = "sage",
    hidden: Annotated[int, typer.Option("--hidden", metavar="N", help="Hidden units per layer.")] = 64,
    layers: Annotated[int, typer.Option("--layers", metavar="N", help="Message-passing layers.")] = 2,
    epochs: Annotated[int, typer.Option("--epochs", metavar="N", help="Most epochs.")] = 60,
    patience: Annotated[
        int, typer.Option("--patience", metavar="N", help="Stop after N epochs without a better validation score.")
    ] = 10,
    batch_size: Annotated[int, typer.Option("--batch-size", metavar="N", help="People per mini-batch.")] = 512,
    epoch_size: Annotated[
        int | None,
        typer.Option(
            "--epoch-size",
            metavar="N",
            help="Most people per case and epoch, a random subset of larger cases (default 16,384).",
        ),
    ] = None,
    lr: Annotated[float, typer.Option("--lr", metavar="RATE", help="Learning rate (Adam).")] = 0.005,
    seed: Annotated[int, typer.Option("--seed", metavar="N", help="Random seed.")] = 0,
    device: Annotated[
        str | None, typer.Option("--device", metavar="DEV", help="cpu or cuda; default cuda when present.")
    ] = None,
    threads: Annotated[
        int,
        typer.Option(
            "--threads", metavar="N", min=1, help="Torch CPU threads (default 1: more spin against other work)."
        ),
    ] = 1,
) -> None:
    """Train the role model (controller, recruiter, facilitator, victim, none) and the cluster ranker.

    The model folder keeps the weights, config, feature list, versions, metrics and the temperature fitted on
    the validation cases (temperature scaling, Guo et al. 2017), which crimnet score applies.

    Example: crimnet train case1 case2 --valid case3 --out model
    """
    from crimnet.gnn.workflow import train

    with progress(ctx, f"train ({model}, {len(cases)} cases)"):
        result = train(
            cases, out, valid=valid, tables=tables, model=model, hidden=hidden, num_layers=layers, epochs=epochs,
            patience=patience, batch_size=batch_size, lr=lr, seed=seed, device=device, threads=threads,
            **({} if epoch_size is None else {"epoch_size": epoch_size}),  # None: fit_roles' default
        )  # fmt: skip
    metrics = result.get("role_metrics") or {}
    shown = {k: v for k, v in metrics.items() if not isinstance(v, dict | list)}  # not the per-epoch history
    shown.update((k, v) for k, v in (metrics.get("valid") or {}).items())
    shown.update((k, v) for k, v in (metrics.get("calibration") or {}).items())  # the temperature and its effect
    rows = [(k, f"{v:.3f}" if isinstance(v, float) else str(v)) for k, v in shown.items()]
    if rows:
        print_table("Role model on the validation cases", ("measure", "value"), rows, right=("value",))
    typer.echo(f"Model written to {result['out']} in {result['seconds']:.0f} s")


@app.command("score", cls=_Command)
def score_command(
    ctx: typer.Context,
    model: Annotated[str, typer.Argument(metavar="MODEL", help="Model folder written by crimnet train.")],
    tables_dir: Annotated[str, typer.Argument(metavar="TABLES", help="Folder of canonical tables.")],
    out: Annotated[
        str | None, typer.Option("--out", metavar="DIR", help="Write node_scores.csv and clusters.csv here.")
    ] = None,
    store: Annotated[
        str | None,
        typer.Option("--store", metavar="STORE", help="Also write role probabilities to the people of this store."),
    ] = None,
    batch_size: Annotated[
        int | None, typer.Option("--batch-size", metavar="N", help="Score in mini-batches (default: whole graph).")
    ] = None,
    explain: Annotated[
        int, typer.Option("--explain", metavar="N", help="Clusters whose top person is explained.")
    ] = 10,
    top: Annotated[int, typer.Option("--top", metavar="N", help="Clusters to print.")] = 10,
    seed: Annotated[int, typer.Option("--seed", metavar="N", help="Random seed of detection.")] = 0,
    device: Annotated[
        str | None, typer.Option("--device", metavar="DEV", help="cpu or cuda; default cuda when present.")
    ] = None,
) -> None:
    """Score people's roles with a trained model and rank the detected clusters, with reasons.

    Example: crimnet score model work/ingest/tables --out work/score --store work/store
    """
    from crimnet.gnn.workflow import score

    with progress(ctx, "score"):
        result = score(
            model, tables_dir, out=out, batch_size=batch_size, explain=explain, seed=seed, device=device
        )  # fmt: skip
    if store is not None:
        from crimnet.graphs.store import open_store

        roles = result["roles"]
        columns = [c for c in roles.columns if c.startswith("p_")]
        with open_store(store) as db:
            n = db.write_scores("Person", roles[["node_id", *columns]], columns=columns)
        typer.echo(f"Wrote {', '.join(columns)} to {n:,} people of {store}")
    clusters = result["clusters"]
    if len(clusters):
        rows = [
            (str(rank), str(r.cluster_id), f"{r.gnn_score:.2f}", str(r.reasons))
            for rank, r in enumerate(clusters.head(top).itertuples(), start=1)
        ]
        print_table(
            f"Top {top} clusters by the learned ranking", ("rank", "cluster", "score", "reasons"), rows,
            right=("rank", "score"), keep=("cluster",),
        )  # fmt: skip
    if out is not None:
        typer.echo(f"Wrote {out}/node_scores.csv, {out}/clusters.csv and {out}/people.csv")


# --- prevalence ---
_MSE_METHODS = ("auto", "stepwise", "bic", "downhill", "main-effects", "fixed")


@app.command("prevalence", cls=_Command)
def prevalence_cmd(
    file: Annotated[
        str,
        typer.Argument(
            help="A capture-history CSV (one 0/1 column per list and 'count'), or a bundled table's name "
            "(crimnet datasets --kind capture_histories)."
        ),
    ],
    method: Annotated[
        str,
        typer.Option(
            "--method",
            metavar="METHOD",
            help="Model choice: auto (BIC up to 5 lists, stepwise above), stepwise, bic, downhill, main-effects, "
            "fixed.",
            callback=_names_callback("a method", lambda: _MSE_METHODS),
        ),
    ] = "auto",
    model: Annotated[
        str | None, typer.Option("--model", metavar="TERMS", help="The model for --method fixed, e.g. 'A:B, C:D'.")
    ] = None,
    pthresh: Annotated[
        float, typer.Option("--pthresh", metavar="P", help="Stepwise: add an interaction while its p-value is below P.")
    ] = 0.02,
    maxorder: Annotated[
        int | None, typer.Option("--maxorder", metavar="K", help="Highest order of interaction considered.")
    ] = None,
    ntop: Annotated[
        int | None, typer.Option("--ntop", metavar="N", help="BIC: bootstrap over the N best models only.")
    ] = None,
    nboot: Annotated[int, typer.Option("--nboot", metavar="N", help="Bootstrap resamples (0: no interval).")] = 1000,
    seed: Annotated[int, typer.Option("--seed", metavar="N", help="Random seed of the bootstrap.")] = 1234,
    level: Annotated[float, typer.Option("--level", metavar="L", help="Confidence level of the interval.")] = 0.95,
    resample: Annotated[
        str,
        typer.Option(
            "--resample",
            metavar="HOW",
            help="multinomial (the reference packages': observed total fixed) or binomial (redraws it too).",
            callback=_names_callback("a resampling scheme", lambda: ("multinomial", "binomial")),
        ),
    ] = "multinomial",
    plot: Annotated[
        str | None, typer.Option("--plot", metavar="PNG", help="Also draw the estimates of the candidate models.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object instead of the tables.")] = False,
) -> None:
    """Estimate how many people no list has seen (multiple systems estimation), with an interval.

    Prints the candidate models (terms, deviance, AIC, BIC, estimate, interval), the chosen one,
    the estimated total and hidden count, and the caveats. See docs/prevalence.md.

    Example: crimnet prevalence NewOrl_5 --method stepwise
    """
    from crimnet.prevalence.command import prevalence_command

    text = prevalence_command(
        file, method=method, model=model, pthresh=pthresh, maxorder=maxorder, ntop=ntop, nboot=nboot, seed=seed,
        level=level, resample=resample, as_json=as_json, plot=plot,
    )  # fmt: skip
    typer.echo(text)


# --- datasets ---
@app.command("datasets", cls=_Command)
def datasets_command(
    kind: Annotated[
        str | None,
        typer.Option("--kind", metavar="KIND", help="Only 'network' or 'capture_histories'; default both."),
    ] = None,
    csv: Annotated[bool, typer.Option("--csv", help="Print CSV (every column).")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines (every column).")] = False,
) -> None:
    """List the bundled published data sets: name, size and citation, one table per kind.

    A network's name can be given wherever a command takes an edge-list file.

    Example: crimnet datasets --kind network, then crimnet disrupt --edges siren
    """
    from crimnet import datasets

    df = datasets.list(kind=kind)
    if csv or as_json:  # counts as whole numbers (a float column holds the missing ones of the other kind)
        print_frame(df.convert_dtypes(), csv=csv, as_json=as_json)
        return
    for name, part in df.groupby("kind", sort=False):  # one table per kind, whose size means one thing
        size = [
            f"{r.nodes:.0f} nodes, {r.edges:.0f} edges"
            if r.kind == "network"
            else f"{r.lists:.0f} lists, {r.cells:.0f} cells"
            for r in part.itertuples()
        ]
        shown = part.assign(size=size)[["name", "size", "citation"]]
        print_frame(shown.astype(object).where(shown.notna(), None), title=f"crimnet datasets: {name}")


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
            hint = did_you_mean(value, names)
            raise typer.BadParameter(
                " ".join(
                    x
                    for x in (
                        f"{value!r} is neither a file nor a bundled network.",
                        hint,
                        f"The bundled networks (crimnet datasets): {', '.join(names)}.",
                    )
                    if x
                ),
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


def _echo_disrupt_params(params: dict[str, Any]) -> None:
    """Say how the adaptive strategies recomputed (block size) and what each strategy read from the weights."""
    blocks = params["blocks"]
    if blocks:
        listed = ", ".join(f"{name} {block}" for name, block in blocks.items())
        typer.echo(
            f"Nodes removed between two recomputations (1: one at a time, as published sequential attacks): {listed}"
        )
    if params["weights"] == "ignore":
        typer.echo("Edge weights ignored (--weights ignore): every strategy ran on the unweighted graph.")
        return
    for use in ("strength", "distance", "none"):
        names = [name for name, u in params["weights_used"].items() if u == use]
        what = {"strength": "as tie strengths", "distance": "as tie lengths", "none": "not at all (structural)"}[use]
        if names:
            typer.echo(f"Weights ({params['weights']}) used {what} by: {', '.join(names)}")


def _echo_optimised(graph: Any, res: Any, steps: int, seed: int) -> None:
    """``--optimise``: the optimiser's sum of LCC over the first k removals against the best strategy's."""
    from crimnet.graphs.disrupt import optimise_removals

    k = res.params["budget_nodes"] if res.params["budget"] is not None else min(20, graph.vcount())
    chosen = res.summary.loc[~res.summary["uses_ground_truth"], "strategy"]
    seeds = [res.rankings[res.rankings["strategy"] == name] for name in chosen]
    found = optimise_removals(graph, k=k, seeds=seeds, iterations=steps, seed=seed)
    order = ", ".join(map(str, found.ranking["node_id"].head(k)))
    typer.echo(
        f"Optimised first {k} removals: sum of LCC over k = 1..{k} {found.value} (best strategy "
        f"{found.seed_strategy}: {found.seed_value}); removal order: {order}"
    )


def _echo_recovery(graph: Any, res: Any, p: float, mode: str, seed: int, out: str | None) -> list[Path]:
    """``--recovery``: each order replayed to the budget on a recovering network, beside its immediate effect."""
    from crimnet.frames import write_csv
    from crimnet.graphs.disrupt import compare_recovery

    curves, summary = compare_recovery(graph, res.rankings, p=p, mode=mode, k=res.params["budget_nodes"], seed=seed)
    header = ("strategy", "budget", "R to budget", "R recovered", "LCC at budget", "LCC recovered", "ties added")
    rows = [
        (
            r.strategy,
            str(r.budget),
            number(r.r_index_budget, 4),
            number(r.r_index_budget_recovered, 4),
            number(r.lcc_fraction_at_budget, 3),
            number(r.lcc_fraction_recovered_at_budget, 3),
            str(r.ties_added),
        )
        for r in summary.itertuples()
    ]
    print_table(f"After recovery ({mode}, p = {p:g})", header, rows, right=header[1:], keep=("strategy",))
    if not out:
        return []
    paths = [Path(out) / "recovery_summary.csv", Path(out) / "recovery_curves.csv"]
    write_csv(summary, paths[0])  # formula cells neutralised, as the other tables
    write_csv(curves, paths[1])
    return paths


@app.command("disrupt", cls=_Command)
def disrupt_command(
    ctx: typer.Context,
    edges: Annotated[
        str | None,
        typer.Option(
            "--edges",
            metavar="FILE|NAME",
            help="Edge-list CSV (source,target[,weight]), or a bundled network's name (crimnet datasets).",
        ),
    ] = None,
    nodes: Annotated[
        str | None,
        typer.Option(
            "--nodes",
            metavar="FILE|NAME",
            help="Node CSV: id,role (victim/controller)[,group][,label]; a bundled network's node file comes with "
            "its name.",
        ),
    ] = None,
    tables: Annotated[str | None, typer.Option("--tables", metavar="DIR", help="Folder of canonical tables.")] = None,
    store: Annotated[
        str | None, typer.Option("--store", metavar="PATH|URI", help="Graph store folder or bolt:// URI.")
    ] = None,
    truth: Annotated[
        str | None, typer.Option("--truth", metavar="DIR", help="Generated case folder (labels victims).")
    ] = None,
    resolution: Annotated[
        str | None, typer.Option("--resolution", metavar="FILE", help="Resolution table, with --truth.")
    ] = None,
    strategy: Annotated[
        list[str] | None,
        typer.Option(
            "--strategy",
            metavar="NAME",
            help="Strategy to run (repeatable); default all.",
            callback=_names_callback("a disruption strategy", _strategy_names),
        ),
    ] = None,
    budget: Annotated[
        str | None,
        typer.Option(
            "--budget", metavar="N|FRACTION", help="Removal budget: a number of nodes, or a fraction of them in (0, 1)."
        ),
    ] = None,
    budget_cost: Annotated[
        float | None, typer.Option("--budget-cost", metavar="COST", help="Budget in cost units (see --cost).")
    ] = None,
    cost: Annotated[
        list[str] | None,
        typer.Option(
            "--cost", metavar="LABEL=COST", help="Cost of action per label, e.g. --cost Person=10 (repeatable)."
        ),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", metavar="N", help="Random seed.")] = 0,
    out: Annotated[
        str | None, typer.Option("--out", metavar="DIR", help="Write summary.csv, curves.csv, curves.png here.")
    ] = None,
    weights: Annotated[
        str,
        typer.Option(
            "--weights",
            metavar="ignore|strength|distance",
            help="What the edge weight means: ignore it (default, as published dismantling studies), a strength "
            "(more contact), or a distance. Degree and PageRank use strengths, betweenness distances (1/strength).",
            callback=_names_callback("a weight meaning", lambda: ("ignore", "strength", "distance")),
        ),
    ] = "ignore",
    optimise: Annotated[
        int | None,
        typer.Option(
            "--optimise",
            metavar="STEPS",
            help="Also search the first removals up to the budget (default 20) beyond the strategies: simulated "
            "annealing for this many steps, seeded by the best strategy (networks up to a few thousand nodes).",
        ),
    ] = None,
    recovery: Annotated[
        float | None,
        typer.Option(
            "--recovery",
            metavar="P",
            min=0.0,
            max=1.0,
            help="Also replay each order up to the budget on a network that recovers (Duijn et al. 2014): after "
            "each removal the survivors rewire with probability P; prints and writes the curves after recovery "
            "beside the immediate ones.",
        ),
    ] = None,
    recovery_mode: Annotated[
        str,
        typer.Option(
            "--recovery-mode",
            metavar="broker|neighbours",
            help="With --recovery: the removed node's most similar neighbour becomes a broker that the others tie "
            "to (broker), or the orphaned neighbours tie to each other (neighbours).",
            callback=_names_callback("a recovery mode", lambda: ("broker", "neighbours")),
        ),
    ] = "broker",
) -> None:
    """Compare disruption strategies: R-index, victim-controller reachability and run time.

    Give one network: --edges (a CSV or a bundled network), --tables or --store.

    Example: crimnet disrupt --edges siren --budget 0.05 --out work/siren
    """
    from crimnet.cases import load_network
    from crimnet.graphs.disrupt import disrupt

    parsed_budget, costs = _budget_option(budget), _cost_options(cost)
    edge_file, node_file = _edge_list_options(edges, nodes)
    with progress(ctx, "read the network"):
        net = load_network(
            edges=edge_file, nodes=node_file, tables=tables, truth=truth, resolution=resolution, store=store
        )
    if edge_file != edges:
        net.source = f"{edges} (bundled)"
    with progress(ctx, "disrupt") as update:
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
            on_strategy=update,
            weights=weights,
        )
    header = ("strategy", "R-index", "R to budget", "budget", "LCC at budget", "reach at budget", "time (s)")
    rows = [
        (
            r.strategy,
            number(r.r_index, 4),
            number(r.r_index_budget, 4),
            str(r.budget),
            number(r.lcc_fraction_at_budget, 3),
            number(r.reachability_at_budget, 3),
            number(r.seconds, 2),
        )
        for r in res.summary.itertuples()
    ]
    title = f"Disruption of {net.source} ({net.graph.vcount()} nodes, {net.graph.ecount()} edges)"
    print_table(title, header, rows, right=header[1:], keep=("strategy",))
    _echo_disrupt_params(res.params)
    if optimise is not None:
        _echo_optimised(net.graph, res, optimise, seed)
    if res.skipped:
        typer.echo(f"Skipped (need victim/controller labels): {', '.join(res.skipped)}")
    written = res.write(out) if out else []
    if recovery is not None:
        written += _echo_recovery(net.graph, res, recovery, recovery_mode, seed, out)
    for path in written:
        typer.echo(f"wrote {path}")


# --- pipeline ---
_MODEL_OPTION = typer.Option(
    "--model",
    metavar="DIR",
    help="Model folder (crimnet train): score people's roles with it; the report lists the people it puts forward "
    "and why, and the disruption comparison adds learned_score and learned_cut (the cut with learned roles added).",
)


def _print_run(run: Any) -> None:
    from crimnet.pipeline import cluster_reasons

    rows = [
        (
            str(row.cluster_id),
            f"{row.score:.2f}",
            str(row.size),
            "; ".join(cluster_reasons(row.indicators)[:3]),
            ", ".join(run.cluster_cuts[str(row.cluster_id)]["node_id"].head(3)),
        )
        for row in run.clusters.head(len(run.cluster_cuts)).itertuples()
    ]
    print_table(
        "Likely perpetrator clusters (highest risk first)", ("cluster", "score", "people", "why", "cut first"), rows,
        right=("score", "people"), keep=("cluster",),
    )  # fmt: skip
    if run.evaluation is not None:
        print_evaluation(run.evaluation, "Evaluation against the planted truth")
    for message in run.warnings:  # what the run skipped without failing (also in config.json and the report)
        typer.echo(f"warning: {message}")
    typer.echo(f"Report: {run.report}")


@app.command("run-case", cls=_Command)
def run_case_command(
    ctx: typer.Context,
    sources: Annotated[list[Path], typer.Argument(metavar="SOURCES", help="Extract files or folders.")],
    out: Annotated[Path, typer.Option("--out", metavar="DIR", help="Run folder.")],
    store: Annotated[
        str | None, typer.Option("--store", metavar="PATH|URI", help="Store folder or bolt:// URI.")
    ] = None,
    truth: Annotated[
        Path | None, typer.Option("--truth", metavar="DIR", help="Generated case folder, to score the run.")
    ] = None,
    previous: Annotated[
        Path | None, typer.Option("--previous", metavar="DIR", help="Earlier ingest output to merge.")
    ] = None,
    top: Annotated[int, typer.Option("--top", metavar="N", help="Clusters reported with disruption points.")] = 5,
    seed: Annotated[int, typer.Option("--seed", metavar="N", help="Random seed.")] = 0,
    merge: Annotated[
        bool,
        typer.Option("--merge", help="Write into a --store holding another case, resolving people across both."),
    ] = False,
    spec: Annotated[
        list[Path] | None,
        typer.Option(
            "--spec",
            metavar="FILE",
            help="Spec file or folder (repeatable); default: built-in specs. With several specs, one that cannot "
            "read a file's header is skipped for that file, with a warning.",
        ),
    ] = None,
    max_field_chars: Annotated[int | None, _MAX_FIELD_CHARS] = None,
    victim_list: Annotated[
        list[str] | None,
        typer.Option(
            "--victim-list",
            metavar="SOURCE",
            help="A source that lists potential victims (repeatable); with two or more, the report estimates "
            "how many no list saw. Default: nrm_referrals, ngo_casework, helpline_reports, police_victims.",
        ),
    ] = None,
    model: Annotated[Path | None, _MODEL_OPTION] = None,
) -> None:
    """Run ingest, store, detection, disruption and the HTML report on agency extracts.

    An earlier run in --out is replaced as a whole when the new run succeeds.

    Example: crimnet run-case case --out work/run --truth case

    Example: crimnet run-case extracts --spec specs --out work/run
    """
    from crimnet.pipeline import RUN_STAGES, run_case

    with progress(ctx, "run-case") as update:
        run = run_case(
            sources, out, store=store, truth=truth, previous=previous, top=top, seed=seed,
            progress=progress_wanted(ctx), merge=merge, on_stage=_stages(update, RUN_STAGES), specs=spec or None,
            max_field_chars=_field_limit(max_field_chars), victim_lists=victim_list or None, model=model,
        )  # fmt: skip
    _print_run(run)


@app.command("demo", cls=_Command)
def demo_command(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option("--out", metavar="DIR", help="Run folder.")] = Path("demo-case"),
    people: Annotated[int, typer.Option("--people", metavar="N", help="People in the synthetic town.")] = 5_000,
    seed: Annotated[int, typer.Option("--seed", metavar="N", help="Random seed.")] = 7,
    preset: PresetOption = "medium",
    model: Annotated[Path | None, _MODEL_OPTION] = None,
) -> None:
    """Generate a synthetic case and run the whole pipeline on it, scored against its planted truth.

    Example: crimnet demo --people 2000 --seed 3 --out demo-case
    """
    from crimnet.pipeline import DEMO_STAGES, demo

    with progress(ctx, "demo") as update:
        run = demo(
            out, people=people, seed=seed, preset=preset, progress=progress_wanted(ctx),
            on_stage=_stages(update, DEMO_STAGES), model=model,
        )  # fmt: skip
    _print_run(run)


# --- what an analyst opens: exports, subnetwork pages, the run report ---
def _export_formats() -> Collection[str]:
    from crimnet.export import EXPORT_FORMATS

    return EXPORT_FORMATS


_SOURCE = typer.Argument(
    metavar="RUN",
    help="Run folder (crimnet run-case, crimnet demo) or folder of canonical tables; or leave it out and give --store.",
)
_CASE_STORE = typer.Option(
    "--store", metavar="PATH|URI", help="Store folder or bolt:// URI, instead of RUN (clusters need a run's store)."
)
_CLUSTER = typer.Option("--cluster", metavar="ID", help="One cluster of the run, and what its members touch.")
_PERSON = typer.Option(
    "--person",
    metavar="ID|NAME",
    help="One person (id or full name) or any node as Label:id (Phone:+447700900123), and what lies around it.",
)
_BETWEEN = typer.Option(
    "--between", metavar="A B", help="The shortest paths between two people or nodes (named as for --person)."
)
_HOPS = typer.Option("--hops", metavar="N", help="How far around the cluster, person or path to go, 0 to 4.")


@app.command("export", cls=_Command)
def export_command(
    ctx: typer.Context,
    out: Annotated[
        str, typer.Option("--out", metavar="PATH", help="File to write; a folder for --format i2 (two CSV files).")
    ],
    source: Annotated[str | None, _SOURCE] = None,
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            metavar="FORMAT",
            help="graphml or gexf (Gephi, yEd, Cytoscape), i2 (Analyst's Notebook entity and link CSV), json "
            "(node-link, for web tools).",
            callback=_names_callback("an export format", _export_formats),
        ),
    ] = "graphml",
    store: Annotated[str | None, _CASE_STORE] = None,
    cluster: Annotated[str | None, _CLUSTER] = None,
    person: Annotated[str | None, _PERSON] = None,
    between: Annotated[tuple[str, str] | None, _BETWEEN] = None,
    hops: Annotated[int, _HOPS] = 1,
    events: Annotated[
        bool,
        typer.Option(
            "--events", help="One link per payment, call and sighting (dated, for timelines), not one per pair."
        ),
    ] = False,
) -> None:
    """Export a case, one cluster, a person to N hops or the paths between two people, for Gephi, i2 or the web.

    Nodes are labelled with names (a person's, an address's street and postcode, a phone number), with
    their sources and record ids as attributes. docs/export.md says how to open each format.

    Example: crimnet export work/run --cluster 12 --format gexf --out cluster12.gexf

    Example: crimnet export --store work/run/store --person "ana pop" --hops 2 --format i2 --out ana-i2
    """
    from crimnet.export import export_network

    with progress(ctx, f"export ({fmt})"):
        result = export_network(
            source, out, fmt=fmt, store=store, cluster=cluster, person=person, between=between, hops=hops,
            events=events,
        )  # fmt: skip
    counts = ", ".join(f"{n:,} {label}" for label, n in result.counts.items())
    typer.echo(f"{result.title}: {result.nodes:,} nodes ({counts}) and {result.links:,} links")
    for path in result.paths:
        typer.echo(f"wrote {path}")


@app.command("viz", cls=_Command)
def viz_command(
    ctx: typer.Context,
    out: Annotated[str, typer.Option("--out", metavar="FILE", help="The page to write (.html).")],
    source: Annotated[str | None, _SOURCE] = None,
    store: Annotated[str | None, _CASE_STORE] = None,
    cluster: Annotated[str | None, _CLUSTER] = None,
    person: Annotated[str | None, _PERSON] = None,
    between: Annotated[tuple[str, str] | None, _BETWEEN] = None,
    hops: Annotated[int, _HOPS] = 1,
    max_nodes: Annotated[
        int,
        typer.Option(
            "--max-nodes", metavar="N", min=1, help="Largest subnetwork drawn; a larger one gets a page saying how big."
        ),
    ] = 500,
    figures: Annotated[
        bool, typer.Option("--figures", help="Also write the static figure and the timeline (PNG, SVG) beside it.")
    ] = False,
) -> None:
    """Write an interactive page (offline, one file) of one cluster, a person or entity to N hops, or a path.

    A cluster's page marks its disruption points, ranked as the run ranked them; people carry the run's
    roles and risk scores when RUN is a run folder.

    Example: crimnet viz work/run --cluster 12 --out cluster12.html

    Example: crimnet viz work/run --between "ana pop" "ion popa" --out path.html
    """
    from crimnet.export import read_export_case, write_page

    with progress(ctx, "viz"):
        case = read_export_case(source, store=store)
        files = write_page(
            case, out, cluster=cluster, person=person, between=between, hops=hops, max_nodes=max_nodes,
            figures=figures,
        )  # fmt: skip
    shown = files.graph.vcount()
    if not files.drawn:
        typer.echo(f"{shown:,} nodes: more than --max-nodes {max_nodes}, so the page only says how to narrow it.")
    else:
        typer.echo(f"drew {shown:,} nodes and {files.graph.ecount():,} edges")
    for path in (files.html, files.png, files.svg, files.timeline_png, files.timeline_svg):
        if path is not None:
            typer.echo(f"wrote {path}")


@app.command("report", cls=_Command)
def report_command(
    ctx: typer.Context,
    run: Annotated[str, typer.Argument(metavar="RUN", help="Run folder (crimnet run-case, crimnet demo).")],
    redraw: Annotated[
        bool,
        typer.Option("--redraw", help="Draw the run's cluster pages again, with the current pages' features."),
    ] = False,
) -> None:
    """Say where a run's report and cluster pages are; with --redraw, draw the cluster pages again.

    The report is written by the run itself: it shows timings and watch matches the run does not keep,
    so it is not re-rendered here (run the case again for a new one). The cluster pages are made from
    what the run keeps, and are redrawn in place, keeping the report's links.

    Example: crimnet report work/run --redraw
    """
    from crimnet.export import run_report

    with progress(ctx, "report"):
        found = run_report(run, redraw=redraw)
    if found.exists and found.written is not None:
        typer.echo(f"Report: {found.report.resolve()} (written {found.written:%Y-%m-%d %H:%M} UTC)")
        typer.echo(f"Open it: {found.report.resolve().as_uri()}")
    else:
        typer.echo(f"No report in {found.run}: the run stopped before its report stage; run it again.")
    if found.case:
        typer.echo(f"Case: {found.case}")
    rows = [(cid, str(path)) for cid, path in found.pages.items()]
    if rows:
        print_table("Cluster pages (highest score first)", ("cluster", "page"), rows, keep=("cluster",))
    if redraw:
        typer.echo(f"redrew {len(found.redrawn)} page{'' if len(found.redrawn) == 1 else 's'}")
