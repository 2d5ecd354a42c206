"""Model choice: the published stepwise picks, the hierarchical catalogue, BIC and downhill."""

from __future__ import annotations

import pytest

from crimnet.datasets import load_capture_histories
from crimnet.prevalence.histories import cell_counts
from crimnet.prevalence.loglinear import format_model
from crimnet.prevalence.selection import bic_models, downhill, fixed, hierarchical_models, main_effects, stepwise


@pytest.mark.parametrize(
    ("name", "model", "total"),
    [
        ("NewOrl", "D:E", 1183.69),
        ("NewOrl_5", "main effects", 1034.15),
        ("Western", "A:E", 2483.38),
        ("NewOrl_MSEpkg186", "D:E", 1110.49),
        ("NewOrl_5_MSEpkg186", "main effects", 981.43),
    ],
)
def test_stepwise_picks_the_published_model(name: str, model: str, total: float) -> None:
    lists, counts = cell_counts(load_capture_histories(name))
    sel = stepwise(counts, pthresh=0.02)
    assert sel is not None
    assert format_model(sel.terms, lists) == model
    assert sel.fit.total == pytest.approx(total, rel=1e-3)
    assert sel.candidates[0].note == "start: main effects"


def test_stepwise_thresholds() -> None:
    lists, counts = cell_counts(load_capture_histories("NewOrl"))
    none = stepwise(counts, pthresh=0.0)
    assert none is not None and none.terms == ()
    loose = stepwise(counts, pthresh=0.5)
    assert loose is not None and len(loose.terms) > 1  # more terms enter at a looser threshold
    with pytest.raises(ValueError, match="'pthresh' parameter of stepwise"):
        stepwise(counts, pthresh=2.0)


def test_the_catalogue_of_hierarchical_models() -> None:
    assert len(hierarchical_models(3)) == 8  # main effects and every subset of the three pairs
    assert len(hierarchical_models(4)) == 113  # the reference package's 113 Kosovo candidates
    assert len(hierarchical_models(4, maxorder=2)) == 2**6
    assert hierarchical_models(2) == [()]


def test_bic_ranks_the_supported_models() -> None:
    lists, counts = cell_counts(load_capture_histories("Korea"))
    ranked = bic_models(counts)
    # six of the eight three-list models have an estimate (the reference package's "six admissible models")
    assert len(ranked) == 6
    assert format_model(ranked[0].terms, lists) == "b:c + c:d"
    bics = [c.fit.bic for c in ranked if c.fit is not None]
    assert bics == sorted(bics)
    lists, counts = cell_counts(load_capture_histories("Kosovo"))
    assert len(bic_models(counts)) == 113


def test_downhill_reaches_the_bic_best_on_small_tables() -> None:
    for name in ("Korea", "Kosovo"):
        lists, counts = cell_counts(load_capture_histories(name))
        best = bic_models(counts)[0]
        found = downhill(counts, maxorder=len(lists) - 1 if name == "Kosovo" else 2)
        assert found is not None
        assert set(found.terms) == set(best.terms)
        assert found.fit.bic == pytest.approx(best.fit.bic if best.fit else 0)


def test_main_effects_and_fixed() -> None:
    lists, counts = cell_counts(load_capture_histories("NewOrl"))
    main = main_effects(counts)
    assert main is not None and main.fit.total == pytest.approx(996.66, rel=1e-4)
    de = fixed(counts, terms=(0b11000,))
    assert de is not None and de.fit.total == pytest.approx(1183.69, rel=1e-4)
    lists, counts = cell_counts(load_capture_histories("Artificial_3"))
    assert fixed(counts, terms=(0b011,)) is None  # A:B: no estimate


def test_stepwise_adds_no_term_when_a_list_is_empty_as_sparsemse() -> None:
    """R's resample 134 of New Orleans (seed 1234) has no case on list B: SparseMSE stops at main effects."""
    lists, counts = cell_counts(load_capture_histories("NewOrl"))
    without_b = counts.copy()
    without_b[[m for m in range(counts.size) if m >> lists.index("B") & 1]] = 0
    sel = stepwise(without_b)
    assert sel is not None and sel.terms == ()
    assert sel.candidates[0].note == "start: main effects; list B empty: no term can enter"
    assert sel.fit.total == pytest.approx(main_effects(without_b).fit.total)  # type: ignore[union-attr]
    # one case back on B and D:E enters again, as on the full table
    without_b[1 << lists.index("B")] = 1
    assert format_model(stepwise(without_b).terms, lists) == "D:E"  # type: ignore[union-attr]
