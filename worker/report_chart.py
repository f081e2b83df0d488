"""The cost report's chart: completed replacements per week, one stacked bar colour per reason."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display on servers; must precede pyplot

import matplotlib.pyplot as plt  # noqa: E402

from worker.cost_report import Row, weekly_counts  # noqa: E402


def write_chart(rows: list[Row], path: Path, title: str) -> None:
    weeks, series = weekly_counts(rows)
    figure, axes = plt.subplots(figsize=(max(6.0, 0.9 * len(weeks) + 3), 4.5), layout="constrained")
    labels = [f"{week:%d %b %Y}" for week in weeks]
    bottom = [0] * len(weeks)
    for reason, counts in series.items():
        axes.bar(labels, counts, bottom=bottom, label=reason)
        bottom = [b + c for b, c in zip(bottom, counts, strict=True)]
    axes.set_title(title)
    axes.set_xlabel("week starting")
    axes.set_ylabel("replacements")
    axes.yaxis.get_major_locator().set_params(integer=True)
    if series:
        axes.legend(title="reason", loc="upper left", bbox_to_anchor=(1.0, 1.0))
    else:
        axes.text(0.5, 0.5, "no completed replacements", ha="center", va="center", transform=axes.transAxes)
    figure.savefig(path, dpi=120)
    plt.close(figure)
