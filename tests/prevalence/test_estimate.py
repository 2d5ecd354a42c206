"""The public estimate and the command's output."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from crimnet.datasets import load_capture_histories
from crimnet.errors import ParameterError
from crimnet.prevalence.command import format_estimate, load_histories, plot_models, prevalence_command
from crimnet.prevalence.estimate import estimate
from crimnet.prevalence.existence import ModelNotSupportedError


def test_auto_is_bic_up_to_five_lists_and_stepwise_above() -> None:
    assert estimate(load_capture_histories("Korea"), nboot=0).method == "bic"
    r = estimate(load_capture_histories("NewOrl"), nboot=0)
    assert r.method == "stepwise" and r.model == "D:E" and r.total == pytest.approx(1183.69, rel=1e-4)


def test_the_estimate_carries_model_candidates_and_caveats() -> None:
    r = estimate(load_capture_histories("NewOrl"), method="stepwise", nboot=50, seed=1)
    assert r.hidden == pytest.approx(r.total - 185)
    assert r.lower < r.total < r.upper and r.nboot == 50
    assert r.candidates["model"].tolist() == ["main effects", "D:E"]
    assert r.candidates["chosen"].tolist() == [False, True]
    assert any("Whitehead" in c for c in r.caveats)
    assert any("Sparse data" in c for c in r.caveats)
    d = r.to_dict()
    assert {"method", "model", "total", "hidden", "lower", "upper", "level"} <= set(d)
    assert d["model"] == ["D:E"]


def test_main_effects_and_fixed_models() -> None:
    table = load_capture_histories("NewOrl")
    assert estimate(table, method="main-effects", nboot=0).total == pytest.approx(996.66, rel=1e-4)
    r = estimate(table, method="fixed", model="D:E", nboot=0)
    assert r.total == pytest.approx(1183.69, rel=1e-4)
    assert "model-based" in r.interval
    with pytest.raises(ParameterError, match="'model' parameter of estimate"):
        estimate(table, method="fixed", nboot=0)


def test_a_model_the_data_cannot_support_is_refused_with_reasons() -> None:
    with pytest.raises(ModelNotSupportedError, match=r"\[A:B\].*does not exist.*A:C, B:C"):
        estimate(load_capture_histories("Artificial_3"), method="fixed", model="A:B", nboot=0)


def test_minus_infinity_terms_are_reported() -> None:
    r = estimate(load_capture_histories("Artificial_3"), method="fixed", model="A:C, B:C", nboot=0)
    assert r.neg_inf_terms == ["A:C", "B:C"]
    assert any("never overlap" in c for c in r.caveats)


def test_downhill_on_kosovo() -> None:
    r = estimate(load_capture_histories("Kosovo"), method="downhill", nboot=0)
    assert r.total == pytest.approx(10356.52, rel=1e-4)
    assert r.candidates["chosen"].sum() == 1


@pytest.fixture
def csv(tmp_path):  # type: ignore[no-untyped-def]
    path = tmp_path / "histories.csv"
    load_capture_histories("Western").to_csv(path, index=False)
    return path


def test_the_command_on_a_capture_history_csv(csv) -> None:  # type: ignore[no-untyped-def]
    text = prevalence_command(csv, method="stepwise", nboot=40)
    assert "Chosen model: A:E" in text
    assert "Estimated total: 2,483.38" in text
    assert "95% interval: (" in text and "Caveats:" in text
    obj = json.loads(prevalence_command(csv, method="stepwise", nboot=40, as_json=True))
    assert obj["method"] == "stepwise" and obj["model"] == ["A:E"]
    assert obj["total"] == pytest.approx(2483.38, rel=1e-5)
    assert obj["lower"] < obj["total"] < obj["upper"] and obj["level"] == 0.95
    assert obj["hidden"] == pytest.approx(obj["total"] - 345)


def test_the_command_takes_a_bundled_name_and_draws_the_plot(tmp_path) -> None:  # type: ignore[no-untyped-def]
    png = tmp_path / "models.png"
    text = prevalence_command("Korea", nboot=20, plot=png)
    assert "method bic" in text and png.stat().st_size > 1000
    with pytest.raises(ValueError, match="no such file, nor a bundled"):
        load_histories(tmp_path / "nothing.csv")


def test_format_and_plot_refuse_other_objects(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ParameterError):
        format_estimate(pd.DataFrame())
    with pytest.raises(ParameterError):
        plot_models(np.zeros(2), tmp_path / "x.png")  # type: ignore[arg-type]


def test_the_estimate_of_a_resolved_case() -> None:
    from crimnet.prevalence.estimate import estimate_case
    from crimnet.tables import CanonicalTables

    sources = [["police"]] * 60 + [["ngo"]] * 40 + [["police", "ngo"]] * 20 + [["council"]] * 5
    people = pd.DataFrame({"id": [f"p{i}" for i in range(len(sources))], "sources": sources})
    tables = CanonicalTables.from_partial({"Person": people})
    r = estimate_case(tables, sources=["police", "ngo"], method="main-effects", nboot=0)
    assert r is not None
    assert r.total == pytest.approx(80 * 60 / 20)  # Lincoln-Petersen: 80 on police, 60 on ngo, 20 on both
    assert estimate_case(tables, people=["p0", "p1"], nboot=0) is None  # one source only: nothing to learn
