"""The journal of requests and their outcomes, for operators and scripts.

    .venv/bin/python -m ops.journal                       # the latest 100 entries, one JSON line each
    .venv/bin/python -m ops.journal --request admin-450789469-1
    .venv/bin/python -m ops.journal --status failed       # each failed request with its reason
"""

from __future__ import annotations

import argparse
import json
import sys

from ops.cli import store
from replacements.configuration import load_settings_or_exit


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Read the journal of replacement requests.")
    parser.add_argument("--request", help="only this request id")
    parser.add_argument("--status", choices=("done", "failed", "cancelled"), help="only the requests that ended so")
    parser.add_argument("--count", type=int, default=100, help="how many of the latest entries to read")
    args = parser.parse_args(argv)
    settings = load_settings_or_exit()
    state = store(settings)
    filtered = args.request or args.status
    entries = state.journal_entries(args.request, count=100_000 if filtered else args.count)
    if args.status:
        entries = [entry for entry in entries if entry["event"] == args.status]
    for entry in entries[-args.count:]:
        print(json.dumps(entry))
    return 0


if __name__ == "__main__":
    sys.exit(main())
