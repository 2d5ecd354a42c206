"""Output folders replaced as a whole: built beside, swapped in at the end, never half-replaced.

:func:`crimnet.ingest.pipeline.ingest` (its ``out``) and :func:`crimnet.pipeline.run_case` (its run
folder) build a new output in a temporary sibling (:func:`staging_dir`, ``.<name>.tmp-<pid>``) and
move it into place with :func:`swap_in`: the earlier output is renamed to ``.<name>.old-<pid>``, the
new one moved in, and the old one deleted; a failure before the swap removes the temporary folder
and leaves the earlier output as it was. :func:`check_replaceable` refuses, before any work, a
folder whose replacement would delete anything but an earlier output of the same kind (one that
holds the kind's marker file, such as ``ingest.json``).
"""

from __future__ import annotations

import glob
import os
import shutil
from pathlib import Path

from crimnet.errors import CrimnetError, bad_parameter, check_type

__all__ = ["check_replaceable", "old_outputs", "staging_dir", "swap_in"]


def _article(process: str) -> str:
    return "an" if process[:1].lower() in "aeiou" else "a"


def old_outputs(out: str | os.PathLike[str]) -> list[Path]:
    """Return the folders an earlier swap renamed `out` to (``.<name>.old-*`` beside it), oldest name first.

    >>> import tempfile
    >>> old_outputs(Path(tempfile.mkdtemp()) / "run")
    []
    """
    check_type(out, (str, os.PathLike), param="out", func="old_outputs", expected="a path")
    out = Path(out)
    if not out.parent.is_dir():
        return []
    return sorted(p for p in out.parent.glob(f".{glob.escape(out.name)}.old-*") if p.is_dir())


def check_replaceable(
    out: str | os.PathLike[str],
    *,
    marker: str,
    process: str,
    error: type[CrimnetError] = CrimnetError,
) -> None:
    """Raise `error` unless `out` may be replaced as a whole by a new output of `process`.

    `out` must be missing, an empty folder, or an earlier output (it holds the file `marker`). An
    earlier swap interrupted between renaming the old output away and moving the new one in leaves
    ``.<out>.old-<pid>`` beside a missing `out`; that is reported, never ignored.

    Parameters
    ----------
    out : path-like
        The output folder.
    marker : str
        The file every output of `process` holds (``'ingest.json'``, ``'config.json'``).
    process : str
        What makes these outputs, for messages (``'ingest'``, ``'run'``).
    error : type, default CrimnetError
        The error class raised.

    Raises
    ------
    CrimnetError
        (`error`) `out` is a file, a non-empty folder without `marker`, or missing beside an
        interrupted swap's old output.

    >>> import tempfile
    >>> check_replaceable(Path(tempfile.mkdtemp()) / "new", marker="config.json", process="run")
    """
    func = "check_replaceable"
    check_type(out, (str, os.PathLike), param="out", func=func, expected="a path")
    check_type(marker, str, param="marker", func=func, expected="a file name")
    check_type(process, str, param="process", func=func, expected="a str")
    if not (isinstance(error, type) and issubclass(error, CrimnetError)):
        raise bad_parameter("error", func, "a subclass of CrimnetError", error)
    out = Path(out)
    a = _article(process)
    if not out.exists():
        left = old_outputs(out)
        if left:
            raise error(
                f"{out}: missing, but {left[-1]} holds the output of an earlier {process} that was interrupted while "
                f"replacing it; rename {left[-1].name} back to {out.name} (or delete it if it is not wanted) "
                "and run again."
            )
    elif not out.is_dir():
        raise error(
            f"{out}: exists and is not a directory; name a new or empty directory, or an earlier {process} output, "
            "as out."
        )
    elif not (out / marker).is_file() and any(out.iterdir()):
        raise error(
            f"{out}: exists, is not empty and is not {a} {process} output (no {marker}); {process} replaces its "
            f"output directory as a whole, so name a new or empty directory (or an earlier {process} output) as out."
        )


def staging_dir(out: str | os.PathLike[str]) -> Path:
    """Create and return an empty temporary sibling of `out` (``.<name>.tmp-<pid>``) to build a new output in.

    A folder of that name left by a crashed run of the same process id is deleted first; the
    parent of `out` is created when missing.
    """
    check_type(out, (str, os.PathLike), param="out", func="staging_dir", expected="a path")
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.parent / f".{out.name}.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    return tmp


def swap_in(
    out: str | os.PathLike[str],
    staged: str | os.PathLike[str],
    *,
    marker: str,
    process: str,
    error: type[CrimnetError] = CrimnetError,
) -> None:
    """Replace `out` by the finished folder `staged` (from :func:`staging_dir`), atomically per rename.

    The earlier `out` (if any) is renamed to ``.<name>.old-<pid>`` (never onto a stale folder of
    that name), `staged` renamed to `out`, and the old folder deleted. On any failure `staged` is
    deleted and the earlier `out` put back, and the error raised again.

    Parameters
    ----------
    out, staged : path-like
        The output folder and the new output, its sibling.
    marker, process, error
        As for :func:`check_replaceable`, checked again just before the swap (`out` may have
        changed since the run began).

    Raises
    ------
    CrimnetError
        (`error`) `out` became a file, or a non-empty folder without `marker`, during the run.
    """
    func = "swap_in"
    check_type(out, (str, os.PathLike), param="out", func=func, expected="a path")
    check_type(staged, (str, os.PathLike), param="staged", func=func, expected="a path")
    out, staged = Path(out), Path(staged)
    old = out.parent / f".{out.name}.old-{os.getpid()}"
    n = 0
    while old.exists():  # a stale one from a crashed run of the same process id: never rename onto it
        n += 1
        old = out.parent / f".{out.name}.old-{os.getpid()}-{n}"
    try:
        if out.exists():
            if not out.is_dir():
                raise error(f"{out}: exists and is not a directory.")
            if not (out / marker).is_file() and any(out.iterdir()):  # appeared since the run began
                raise error(
                    f"{out}: exists, is not empty and is not {_article(process)} {process} output (no {marker})."
                )
            out.rename(old)
        staged.rename(out)
    except BaseException:
        shutil.rmtree(staged, ignore_errors=True)
        if old.exists() and not out.exists():
            old.rename(out)
        raise
    shutil.rmtree(old, ignore_errors=True)
