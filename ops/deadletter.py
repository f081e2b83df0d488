"""Tasks whose retries ran out, or that failed unexpectedly, with their error.

    .venv/bin/python -m ops.deadletter list      # one JSON line each
    .venv/bin/python -m ops.deadletter replay    # enqueue each again, emptying the list
"""

from __future__ import annotations

import argparse
import json
import sys

from ops.cli import publisher, store
from replacements.configuration import load_settings_or_exit


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="List or replay dead-lettered tasks.")
    parser.add_argument("action", choices=("list", "replay"))
    args = parser.parse_args(argv)
    settings = load_settings_or_exit()
    state = store(settings)
    if args.action == "list":
        for item in state.dead_letters():
            print(json.dumps(item))
        return 0
    replayed = 0
    sender = publisher(settings)
    for item in state.dead_letters():
        # Enqueue before removing: a crash in between replays twice, which the tasks absorb.
        sender.send_task(item["task"], args=item["args"])
        state.remove_dead_letter(item)
        replayed += 1
    print(f"replayed {replayed} task(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
