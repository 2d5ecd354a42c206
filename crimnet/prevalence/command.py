"""What ``crimnet prevalence FILE`` prints: the candidate models, the chosen one, its interval, the caveats.

:func:`prevalence_command` is the whole command as a function (the CLI is a thin layer over it): it
reads a capture-history CSV or a bundled table by name, estimates, and returns the text (or the
JSON object of ``--json``); :func:`plot_models` draws the spread of estimates across the candidate
models, with the chosen model's interval.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

import pandas as pd

from crimnet.errors import bad_parameter, check_type
from crimnet.prevalence.estimate import PrevalenceEstimate, estimate
from crimnet.prevalence.histories import read_capture_histories

__all__ = ["format_estimate", "load_histories", "plot_models", "prevalence_command"]


def load_histories(file: str | os.PathLike[str]) -> pd.DataFrame:
    """A capture-history table from a CSV path, or from a bundled table's name (``crimnet datasets``).

    Parameters
    ----------
    file : str or os.PathLike
        A path to a CSV file (one 0/1 column per list and ``count``), or the name of a bundled table
        such as ``'NewOrl'`` when no such file exists.

    Raises
    ------
    crimnet.prevalence.histories.CaptureHistoryError
        If the file is malformed or neither a file nor a bundled table has that name.
    """
    if not isinstance(file, str | os.PathLike):
        raise bad_parameter("file", "load_histories", "a CSV path or a bundled table name", file)
    path = Path(file)
    if path.exists():
        return read_capture_histories(path)
    from crimnet.datasets.catalog import list_datasets, load_capture_histories

    names = list_datasets(kind="capture_histories")["name"].tolist()
    if str(file) in names:
        return load_capture_histories(str(file))
    from crimnet.prevalence.histories import CaptureHistoryError

    raise CaptureHistoryError(f"{file}: no such file, nor a bundled capture-history table ({', '.join(names)})")


def _num(x: float, digits: int = 0) -> str:
    return "-" if not math.isfinite(x) else f"{x:,.{digits}f}"


def format_estimate(result: PrevalenceEstimate) -> str:
    """The text report: candidate models, the chosen model, the estimate and interval, dropped terms, caveats."""
    check_type(result, PrevalenceEstimate, param="result", func="format_estimate", expected="a PrevalenceEstimate")
    pct = f"{result.level * 100:g}%"
    lines = [
        f"Multiple systems estimation: {len(result.lists)} lists ({', '.join(result.lists)}), "
        f"{result.observed:,} cases observed; method {result.method}",
        "",
        f"Candidate models (interval: model-based {pct}, ignoring model choice):",
    ]
    cand = result.candidates
    width = max([len("model"), *(len(m) for m in cand["model"])]) if len(cand) else 5
    head = f"{'deviance':>9}  {'AIC':>9}  {'BIC':>9}  {'estimate':>10}  {'interval':>22}  note"
    lines.append(f"  {'':1} {'model':<{width}}  {head}")
    for row in cand.itertuples(index=False):
        mark = "*" if row.chosen else " "
        interval = f"({_num(row.lower)}, {_num(row.upper)})"
        lines.append(
            f"  {mark} {row.model:<{width}}  {row.deviance:>9.2f}  {row.aic:>9.2f}  {row.bic:>9.2f}  "
            f"{_num(row.total, 2):>10}  {interval:>22}  {row.note}"
        )
    lines += [
        "",
        f"Chosen model: {result.model}",
        f"Estimated total: {_num(result.total, 2)}  (observed {result.observed:,}, hidden {_num(result.hidden, 2)})",
        f"{pct} interval: ({_num(result.lower)}, {_num(result.upper)})  [{result.interval}]",
    ]
    if result.neg_inf_terms:
        lines.append(
            f"Terms fixed at minus infinity (lists that never overlap; their cells dropped): "
            f"{', '.join(result.neg_inf_terms)}"
        )
    lines += ["", "Caveats:"] + [f"  - {c}" for c in result.caveats]
    return "\n".join(lines)


def plot_models(result: PrevalenceEstimate, path: str | os.PathLike[str]) -> Path:
    """Draw the spread of estimates across the candidate models, and the chosen model's interval, to a PNG.

    Parameters
    ----------
    result : PrevalenceEstimate
        From :func:`crimnet.prevalence.estimate.estimate`.
    path : str or os.PathLike
        The PNG to write.

    Returns
    -------
    pathlib.Path
        The file written.
    """
    check_type(result, PrevalenceEstimate, param="result", func="plot_models", expected="a PrevalenceEstimate")
    if not isinstance(path, str | os.PathLike):
        raise bad_parameter("path", "plot_models", "a path to a PNG file", path)
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cand = result.candidates
    n = len(cand)
    fig, ax = plt.subplots(figsize=(8, 1.2 + 0.4 * (n + 1)))
    y = list(range(n, 0, -1))
    err_lo = (cand["total"] - cand["lower"]).clip(lower=0)
    err_hi = (cand["upper"] - cand["total"]).clip(lower=0)
    colours = ["tab:red" if c else "tab:blue" for c in cand["chosen"]]
    ax.errorbar(cand["total"], y, xerr=[err_lo, err_hi], fmt="none", ecolor="grey", capsize=3)
    ax.scatter(cand["total"], y, c=colours, zorder=3)
    ax.errorbar([result.total], [0], xerr=[[result.total - result.lower], [result.upper - result.total]],
                fmt="D", color="tab:red", capsize=4)  # fmt: skip
    ax.set_yticks([*y, 0], [*cand["model"], f"chosen ({result.interval.split(',')[0]})"], fontsize=8)
    ax.axvline(result.observed, color="black", lw=0.8, ls=":", label="observed")
    ax.set_xlabel("estimated population")
    ax.set_title(f"Estimates across candidate models ({result.method}); {result.level * 100:g}% intervals", fontsize=9)
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    out = Path(path)
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out


def prevalence_command(
    file: str | os.PathLike[str],
    *,
    method: str = "auto",
    model: str | None = None,
    pthresh: float = 0.02,
    maxorder: int | None = None,
    ntop: int | None = None,
    nboot: int = 1000,
    seed: int = 1234,
    level: float = 0.95,
    resample: str = "multinomial",
    as_json: bool = False,
    plot: str | os.PathLike[str] | None = None,
) -> str:
    """Run ``crimnet prevalence``: read, estimate, and return the text report or the JSON object.

    Parameters
    ----------
    file : str or os.PathLike
        A capture-history CSV, or a bundled table's name.
    method, model, pthresh, maxorder, ntop, nboot, seed, level, resample
        As :func:`crimnet.prevalence.estimate.estimate` (nboot >= 0, seed >= 0, level in (0, 1)).
    as_json : bool, default False
        Return one JSON object: ``method``, ``model`` (its terms), ``total``, ``hidden``, ``lower``,
        ``upper``, ``level``, and the candidates and caveats.
    plot : str or os.PathLike, optional
        Also draw :func:`plot_models` to this PNG.

    Returns
    -------
    str
    """
    table = load_histories(file)
    result = estimate(
        table, method=method, model=model, pthresh=pthresh, maxorder=maxorder, ntop=ntop, nboot=nboot, seed=seed,
        resample=resample,
        level=level,
    )  # fmt: skip
    if plot is not None:
        plot_models(result, plot)
    if as_json:
        obj: dict[str, Any] = {"source": str(file), **result.to_dict()}
        return json.dumps(obj, indent=2, allow_nan=False, default=_json_default)
    return format_estimate(result)


def _json_default(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")
