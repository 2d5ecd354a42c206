"""GNN tests share two CPU cores with everything else: one torch thread; and a tiny trained model."""

from __future__ import annotations

import pytest
import torch

from crimnet.gnn.workflow import train
from crimnet.synthetic.generate import generate_case


@pytest.fixture(autouse=True)
def _one_thread() -> None:
    torch.set_num_threads(1)


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    """A tiny role model trained on two 300-person cases (seeds 31, 32): enough to exercise the path."""
    torch.set_num_threads(1)  # module fixtures come before the per-test setting above
    d0 = tmp_path_factory.mktemp("model")
    cases = [generate_case(d0 / f"c{s}", people=300, seed=s).root for s in (31, 32)]
    train([cases[0]], d0 / "model", valid=[cases[1]], hidden=8, epochs=3, patience=2, batch_size=256)
    return d0 / "model"
