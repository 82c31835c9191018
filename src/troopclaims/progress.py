"""What a long step shows while it runs, so that a user can tell work from a hang.

Two forms, both on stderr (stdout keeps what a command did or wrote):

- ``bar``: a tqdm bar over a loop of a check on a large drop, shown only on a terminal and only
  past ``FROM_ROWS`` rows (a small drop finishes before a bar would say anything; a log or a
  pipe gets no carriage-return noise);
- ``finished``: one line per finished step with its time ('executed 02-troop-estimates.ipynb
  in 4.1 s'), for the report build, whose steps each take seconds.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterable, Iterator
from typing import TypeVar

from troopclaims.escaping import for_terminal

FROM_ROWS = 100_000
T = TypeVar("T")
_LOCK = threading.Lock()  # notebooks finish on several threads: one whole line at a time


def bar(items: Iterable[T], *, total: int, desc: str, rows: int) -> Iterator[T]:
    """``items`` as they come, behind a progress bar when ``rows`` is large and stderr is a
    terminal; the bare iterable otherwise."""
    if rows < FROM_ROWS or not sys.stderr.isatty():
        yield from items
        return
    from tqdm import tqdm

    yield from tqdm(items, total=total, desc=desc, unit="step", leave=False, file=sys.stderr)


def finished(what: str, seconds: float) -> None:
    """'``what`` in 4.1 s' on stderr, as one write (threads may finish together)."""
    with _LOCK:
        sys.stderr.write(f"{for_terminal(what)} in {seconds:.1f} s\n")
        sys.stderr.flush()
