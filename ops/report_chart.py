"""The cost report's chart: completed replacements per week, one stacked bar colour per reason."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display on servers; must precede pyplot

import matplotlib.pyplot as plt  # noqa: E402

from replacements.cost_report import Row, weekly_counts  # noqa: E402


def write_chart(rows: list[Row], path: Path, title: str) -> None:
    weeks, series = weekly_counts(rows)
    years = sorted({week.year for week in weeks})
    labels = [f"{week:%d %b}" if len(years) == 1 else f"{week:%d %b %Y}" for week in weeks]
    figure, axes = plt.subplots(figsize=(max(7.0, 0.8 * len(weeks) + 4), 4.5), layout="constrained")
    totals = [0] * len(weeks)
    for reason, counts in series.items():
        axes.bar(labels, counts, bottom=totals, label=reason)
        totals = [total + count for total, count in zip(totals, counts, strict=True)]
    for x, total in enumerate(totals):
        if total:
            axes.annotate(str(total), (x, total), ha="center", va="bottom", xytext=(0, 2), textcoords="offset points")
    figure.suptitle(title)
    axes.set_xlabel("week starting" + (f" ({years[0]})" if len(years) == 1 else ""))
    axes.set_ylabel("replacements")
    axes.set_ylim(0, max(totals, default=0) * 1.15 + 1)
    axes.yaxis.get_major_locator().set_params(integer=True)
    if len(weeks) > 8:
        axes.tick_params(axis="x", labelrotation=45)
    if series:
        axes.legend(title="reason", loc="upper left", bbox_to_anchor=(1.0, 1.0))
    else:
        axes.text(0.5, 0.5, "no completed replacements", ha="center", va="center", transform=axes.transAxes)
    figure.savefig(path, dpi=120)
    plt.close(figure)
