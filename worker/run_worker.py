"""`python -m worker.run_worker [celery worker options]`: the Procfile's worker.

Runs `celery -A worker.main worker` and starts it again when it dies on its own. Celery
5.7 / kombu 5.7 can still end a worker with "Unrecoverable error" after the broker connection
drops (measured here: `ValueError('file descriptor is None')` while re-registering the prefork
pool after a Redis restart), and a worker that is not running consumes nothing. Platforms
restart crashed processes too, but not all of them (a Procfile runner stops everything).
SIGTERM and SIGINT are passed on, and the worker's own exit code is returned once it was asked
to stop. Its tasks are late-acked and idempotent, so a restart loses and repeats nothing.

Only a configuration error (exit 78, EX_CONFIG) is final. Anything else, even a quick exit, is
started again with a growing pause: a worker that died at start-up because Redis was full or
away (OutOfMemoryError, connection refused) must come back once Redis does, or the queue stays
stuck for good.
"""

from __future__ import annotations

import logging
import signal
import subprocess
import sys
import time

from core.settings import EXIT_CONFIG

log = logging.getLogger("worker.run_worker")
RESTART_DELAYS = (1.0, 2.0, 5.0, 10.0, 30.0)
STEADY_SECONDS = 60  # a worker that ran this long starts again at the shortest pause


def main(argv: list[str]) -> int:
    logging.basicConfig(level="INFO", format="%(message)s")
    return supervise([sys.executable, "-m", "celery", "-A", "worker.main", "worker", *argv])


def supervise(command: list[str], sleep=time.sleep) -> int:
    stopping = False
    child: subprocess.Popen | None = None

    def pass_on(signum, _frame):
        nonlocal stopping
        stopping = True
        if child and child.poll() is None:
            child.send_signal(signum)

    signal.signal(signal.SIGTERM, pass_on)
    signal.signal(signal.SIGINT, pass_on)
    failures = 0
    while True:
        started = time.monotonic()
        child = subprocess.Popen(command)
        code = child.wait()
        if stopping or code in (0, EXIT_CONFIG):
            return code
        failures = 1 if time.monotonic() - started > STEADY_SECONDS else failures + 1
        delay = RESTART_DELAYS[min(failures, len(RESTART_DELAYS)) - 1]
        log.warning(f"celery worker exited with {code}; starting it again in {delay:g} s")
        sleep(delay)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
