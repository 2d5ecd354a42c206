"""Shared inputs of the viz tests: the hand-made tiny case and its graph."""

from __future__ import annotations

import pytest

from crimnet.graphs.views import hetero_graph
from tests.fixtures import tiny


@pytest.fixture(scope="module")
def tables():
    return tiny()


@pytest.fixture(scope="module")
def graph(tables):
    return hetero_graph(tables)
