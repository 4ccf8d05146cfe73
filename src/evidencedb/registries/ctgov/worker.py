"""The mapping process of a large import (see `background.mapping_process`).

    python -m evidencedb.registries.ctgov.worker BATCH_SIZE MAX_FACTS DIGESTS PATH...

Reads and maps the ClinicalTrials.gov records under PATH, `BATCH_SIZE` at a time (fewer once
a batch holds MAX_FACTS facts), leaving out those whose digest is a line of the file DIGESTS
(see `background.mapped_batches`), and writes
each `background.MappedBatch` to standard output as a message of `background.send_message`, then
("done", None); a failure is sent as ("failed", traceback). Not meant to be run by hand.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import traceback
from pathlib import Path

from evidencedb.records.collector import collector_paused
from evidencedb.registries.ctgov.background import mapped_batches, send_message
from evidencedb.registries.ctgov.files import StudyFiles


def main(argv: list[str]) -> int:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    out = sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing but messages may reach the pipe
    batch_size, max_facts, digests, *paths = argv
    try:
        unchanged = set(Path(digests).read_text(encoding="ascii").split())
        with StudyFiles([Path(path) for path in paths]) as files:
            batches = mapped_batches(
                files, int(batch_size), max_facts=int(max_facts), unchanged=unchanged
            )
            while True:
                with collector_paused():  # while a batch is mapped and sent
                    batch = next(batches, None)
                    if batch is None:
                        break
                    send_message(out, "batch", batch)
        send_message(out, "done", None)
    except BrokenPipeError:
        return 1  # the parent stopped reading: it ended or died
    except BaseException:  # the parent re-raises it; a child has nowhere else to say it
        with contextlib.suppress(BrokenPipeError):
            send_message(out, "failed", traceback.format_exc())
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
