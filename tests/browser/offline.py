"""Opening a page offline in the test browser, with every error and every request outside the file recorded."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Visit:
    """A page opened offline, with what went wrong while it was open."""

    page: Any
    errors: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)


def visit(browser: Any, path: Path, *, width: int = 1280, height: int = 900, media: str = "screen") -> Visit:
    """Open the file `path` in a new page that may load nothing but files; record errors and blocked requests.

    Every request whose URL is not a ``file:`` or ``data:`` URL is recorded in ``outside`` and aborted, so a
    page that needs the network fails the test instead of reaching out.
    """
    page = browser.new_page(viewport={"width": width, "height": height})
    page.emulate_media(media=media)
    seen = Visit(page)
    page.on("pageerror", lambda exc: seen.errors.append(f"pageerror: {exc}"))
    page.on(
        "console", lambda msg: seen.errors.append(f"console {msg.type}: {msg.text}") if msg.type == "error" else None
    )

    def guard(route: Any) -> None:
        url = route.request.url
        if url.startswith(("file:", "data:")):
            route.continue_()
        else:
            seen.outside.append(url)
            route.abort()

    page.route("**/*", guard)
    page.goto(path.resolve().as_uri(), wait_until="load")
    return seen
