"""`python -m devtools.procfile NAME`: runs the Procfile's NAME line as written.

Procfile.dev's web, worker and beat are this, so `bin/serve` runs the production commands,
whatever the Procfile says they are today.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from honcho.environ import parse_procfile

PROCFILE = Path(__file__).resolve().parent.parent / "Procfile"


def command(name: str) -> str:
    processes = parse_procfile(PROCFILE.read_text()).processes
    if name not in processes:
        sys.exit(f"devtools.procfile: the Procfile has no {name!r} line (it has {', '.join(processes)})")
    return processes[name]


def main(argv: list[str]) -> None:
    if len(argv) != 1:
        sys.exit("usage: python -m devtools.procfile NAME")
    os.execvp("sh", ["sh", "-c", f"exec {command(argv[0])}"])


if __name__ == "__main__":
    main(sys.argv[1:])
