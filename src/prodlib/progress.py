"""A progress bar for long commands: on stderr, and only when stderr is a terminal.

Tests, CI and schedulers (stderr a file or a pipe, or ``$CI`` / ``$PRODLIB_NO_PROGRESS`` set) get no
bar at all: nothing of it reaches a log. The bar is tqdm's; what it counts is the caller's (files of a
run, steps of a night).
"""

from __future__ import annotations

import os
import sys
from typing import IO, Any


def bar_enabled(stream: IO[str] | None = None) -> bool:
    """True when a bar may be drawn on ``stream`` (default stderr): a terminal, and not CI."""
    stream = stream if stream is not None else sys.stderr
    if os.environ.get("CI") or os.environ.get("PRODLIB_NO_PROGRESS"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def progress_bar(total: int | None, desc: str, unit: str = "step", stream: IO[str] | None = None) -> Any:
    """A tqdm bar of ``total`` ``unit``s on ``stream`` (default stderr), disabled unless :func:`bar_enabled`.
    Use as a context manager; ``update(1)`` per unit, ``write(text)`` prints a line above it."""
    from tqdm import tqdm

    stream = stream if stream is not None else sys.stderr
    return tqdm(total=total, desc=desc, unit=unit, file=stream, disable=not bar_enabled(stream), leave=False,
                dynamic_ncols=True)
