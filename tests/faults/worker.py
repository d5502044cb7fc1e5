"""``prodlib`` in a real process, paused at a named point so that a test can SIGKILL it there.

    python worker.py <point> <hit> <marker> <prodlib arguments...>

Points: ``ingest`` (reading a file), ``posting`` (after a chunk of journal entries is written, one entry
a chunk), ``fringes`` (computing a payroll's fringes, inside the payroll's transaction), ``report``
(rendering a notebook). On the ``hit``-th time the point is reached the worker writes ``marker`` and
blocks; with ``hit`` 0 it never blocks and writes the number of times each point was reached to
``marker`` as JSON when the command ends (how a test learns the range of its random point). The hooks
are installed here, from outside prodlib, on the functions the pipeline calls; the one hook prodlib
itself has for this is ``prodlib.ledger.journal.AFTER_CHUNK``.
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from pathlib import Path

import papermill

import prodlib.fringes
import prodlib.ledger.journal as journal
import prodlib.pipeline
from prodlib.cli import main
from prodlib.ledger import Ledger

HITS: Counter[str] = Counter()


def install(point: str, hit: int, marker: Path) -> None:
    def reached(name: str) -> None:
        HITS[name] += 1
        if name == point and HITS[name] == hit:
            marker.write_text(name)
            while True:  # blocked here until the test kills the process
                time.sleep(1)

    def around(module: object, attr: str, name: str) -> None:
        real = getattr(module, attr)

        def wrapped(*args: object, **kwargs: object) -> object:
            reached(name)
            return real(*args, **kwargs)

        setattr(module, attr, wrapped)

    around(prodlib.pipeline, "read_source", "ingest")
    around(prodlib.fringes, "compute_fringes", "fringes")
    around(papermill, "execute_notebook", "report")
    journal.AFTER_CHUNK = lambda _source, _written: reached("posting")
    real_open = Ledger.open.__func__  # one entry a chunk: a chunk boundary after every entry

    def open_small_chunks(cls: type[Ledger], *args: object, **kwargs: object) -> Ledger:
        led = real_open(cls, *args, **kwargs)
        led.chunk_rows = 1
        return led

    Ledger.open = classmethod(open_small_chunks)  # type: ignore[method-assign]


if __name__ == "__main__":
    point, hit, marker = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])
    install(point, hit, marker)
    code = main(sys.argv[4:])
    if hit == 0:
        marker.write_text(json.dumps(HITS))
    sys.exit(code)
