"""The ``crimnet`` command: a thin typer layer over the Python API.

Each command is named after the function it wraps and holds no logic of its own.
"""

from __future__ import annotations

from typing import Annotated

import typer

from crimnet import __version__

app = typer.Typer(
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
# --- ingest ---
# --- store and queries ---
# --- detect ---
# --- disrupt ---
# --- pipeline ---
