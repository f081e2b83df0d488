"""Benchmark 2: tagged orders through the whole service with one plan's limits, with 1, 2 and 4
worker processes, against the ceiling the budget allows (restore rate / points per replacement).

    .venv/bin/python -m bench.end_to_end                  # 500 orders, Standard plan, 1 2 4 workers
    .venv/bin/python -m bench.end_to_end --orders 100 --workers 2 --plan advanced
"""

from __future__ import annotations

import argparse

from bench.replacement_runs import Stack
from bench.table import machine, table
from sandbox.config import PLANS

# Generous: three times what the budget needs at the points one replacement cost before tuning.
TIMEOUT_POINTS_PER_REPLACEMENT = 3 * 80


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.end_to_end", description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=500)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4], help="worker processes per run")
    parser.add_argument("--plan", choices=sorted(PLANS), default="standard")
    args = parser.parse_args(argv)

    print(f"end to end: {args.orders} tagged orders, {args.plan} plan, on {machine()}", flush=True)
    stack = Stack(args.plan)
    rows, runs = [], []
    try:
        for count in args.workers:
            timeout = 60 + args.orders * TIMEOUT_POINTS_PER_REPLACEMENT / PLANS[args.plan]
            run = stack.run(args.orders, count, timeout)
            runs.append(run)
            rows.append([count, run.done, run.failed, run.throttled, round(run.points_per_replacement, 1),
                         run.ceiling, run.steady_rate, run.steady_rate / run.ceiling, run.elapsed,
                         run.budget_minimum])
            print(f"  {count} worker processes: {run.done} done in {run.elapsed:.0f} s", flush=True)
    finally:
        stack.close()
    print(table(["workers", "done", "failed", "THROTTLED", "points/repl", "ceiling/s", "steady/s",
                 "of ceiling", "elapsed s", "budget min s"], rows))
    print("steady/s: replacements per second after the first fifth (which may still spend the full bucket)")
    last = runs[-1]
    print(f"per replacement, by operation ({last.done} replacements, {last.worker_processes} worker processes):")
    print(table(["operation", "calls/repl", "points/repl"], [
        [operation, calls / max(1, last.done), points / max(1, last.done)]
        for operation, (calls, points) in sorted(last.by_operation.items(), key=lambda item: -item[1][1])]))


if __name__ == "__main__":
    main()
