"""Browser fixtures: Debian's chromium driven by Playwright, and a folder for the screenshots.

Playwright's own browser downloads are not used: the tests launch the ``chromium`` executable on the
PATH (Debian's package, which ``make test`` installs when missing) and fail, not skip, without it.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

MISSING_CHROMIUM = (
    "Debian's chromium is not installed, and the browser checks need it: `make test` installs it "
    "(its `browser` target runs apt-get install chromium), or run `sudo apt-get install chromium`."
)


def chromium_path() -> str | None:
    """The chromium executable on the PATH (Debian names it ``chromium``; some systems ``chromium-browser``)."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless chromium for the session; the tests fail with how to install it when it is missing."""
    path = chromium_path()
    if path is None:
        pytest.fail(MISSING_CHROMIUM, pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=path, args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def artefacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where screenshots go: ``$CRIMNET_ARTEFACTS`` when set, else a pytest temporary folder."""
    given = os.environ.get("CRIMNET_ARTEFACTS")
    folder = Path(given) if given else tmp_path_factory.mktemp("artefacts")
    folder.mkdir(parents=True, exist_ok=True)
    return folder
