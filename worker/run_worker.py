"""`python -m worker.run_worker [celery worker options]`: the Procfile's worker.

Runs `celery -A worker.main worker` and starts it again when it dies on its own. Celery
5.7 / kombu 5.7 can still end a worker with "Unrecoverable error" after the broker connection
drops (measured here: `ValueError('file descriptor is None')` while re-registering the prefork
pool after a Redis restart), and a worker that is not running consumes nothing. Platforms
restart crashed processes too, but not all of them (a Procfile runner stops everything).
SIGTERM and SIGINT are passed on, and the worker's own exit code is returned once it was asked
to stop. Its tasks are late-acked and idempotent, so a restart loses and repeats nothing.
"""

from __future__ import annotations

import logging
import signal
import subprocess
import sys
import time

log = logging.getLogger("worker.run_worker")
RESTART_DELAY_SECONDS = 1.0


def main(argv: list[str]) -> int:
    logging.basicConfig(level="INFO", format="%(message)s")
    command = [sys.executable, "-m", "celery", "-A", "worker.main", "worker", *argv]
    stopping = False
    child: subprocess.Popen | None = None

    def pass_on(signum, _frame):
        nonlocal stopping
        stopping = True
        if child and child.poll() is None:
            child.send_signal(signum)

    signal.signal(signal.SIGTERM, pass_on)
    signal.signal(signal.SIGINT, pass_on)
    while True:
        started = time.monotonic()
        child = subprocess.Popen(command)
        code = child.wait()
        if stopping or code == 0:
            return code
        if code == 1 and time.monotonic() - started < 5:
            return code  # a configuration error: starting again will not help
        log.warning(f"celery worker exited with {code}; starting it again")
        time.sleep(RESTART_DELAY_SECONDS)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
