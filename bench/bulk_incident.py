"""Benchmark 3: a bulk incident, 1,000 orders tagged at once; time to the last replacement against
the least time the budget allows ((all points - a full bucket) / restore rate).

    .venv/bin/python -m bench.bulk_incident               # 1,000 orders, Standard plan, 4 workers
"""

from __future__ import annotations

import argparse

from bench.replacement_runs import Stack
from bench.table import machine, table
from sandbox.config import PLANS

TIMEOUT_POINTS_PER_REPLACEMENT = 3 * 80


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.bulk_incident", description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=4, help="worker processes")
    parser.add_argument("--plan", choices=sorted(PLANS), default="standard")
    args = parser.parse_args(argv)

    print(f"bulk incident: {args.orders} orders tagged at once, {args.plan} plan, {args.workers} worker"
          f" processes, on {machine()}", flush=True)
    stack = Stack(args.plan)
    try:
        run = stack.run(args.orders, args.workers, 60 + args.orders * TIMEOUT_POINTS_PER_REPLACEMENT / PLANS[args.plan])
    finally:
        stack.close()
    print(table(["orders", "done", "failed", "THROTTLED", "points", "points/repl", "last done s", "budget min s",
                 "min / actual"],
                [[run.orders, run.done, run.failed, run.throttled, run.points, round(run.points_per_replacement, 1),
                  run.elapsed, run.budget_minimum, run.budget_minimum / run.elapsed]]))


if __name__ == "__main__":
    main()
