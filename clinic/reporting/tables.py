"""The shape every report takes: columns, rows, the chart drawn from them, and the notes
that say how the figures are counted. CSV and the chart's data are made from it."""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

COUNT, PERCENT, HOURS, TEXT, DAY = "count", "percent", "hours", "text", "day"


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = COUNT


@dataclass(frozen=True)
class Chart:
    """A bar chart: one bar group per row (total rows left out), one series per key."""

    series: tuple[str, ...]
    stacked: bool = False
    horizontal: bool = False


@dataclass
class Report:
    name: str
    title: str
    columns: list[Column]
    rows: list[dict[str, Any]]
    chart: Chart
    notes: list[str] = field(default_factory=list)
    empty: str = "Nothing in this range."

    @property
    def label_column(self) -> Column:
        return self.columns[0]

    def chart_data(self) -> dict[str, Any]:
        """What the page's script needs to draw the chart (JSON-safe)."""
        by_key = {column.key: column for column in self.columns}
        rows = [row for row in self.rows if not row.get("total")]
        label = self.label_column
        return {
            "labels": [display(row[label.key], label.kind) for row in rows],
            "datasets": [
                {"label": by_key[key].label, "data": [row.get(key) for row in rows]}
                for key in self.chart.series
            ],
            "stacked": self.chart.stacked,
            "horizontal": self.chart.horizontal,
            "percent": all(by_key[key].kind == PERCENT for key in self.chart.series),
        }

    def table(self) -> Iterator[dict[str, Any]]:
        """The rows as the page shows them."""
        for row in self.rows:
            cells = [
                {"text": display(row.get(c.key), c.kind), "is_text": c.kind == TEXT}
                for c in self.columns
            ]
            yield {"cells": cells, "total": bool(row.get("total"))}

    def csv_rows(self) -> Iterator[list[Any]]:
        """A header row, then plain values: whole numbers, one-decimal percentages and
        hours, ISO dates; an empty cell where a rate has no denominator."""
        yield [column.label for column in self.columns]
        for row in self.rows:
            yield [plain(row.get(c.key), c.kind) for c in self.columns]


def with_total(rows: list[dict[str, Any]], label: dict[str, Any], keys: Iterable[str]) -> None:
    """Add a row of the sums of ``keys`` under the rows (shown in the table and the CSV,
    left out of the chart); nothing when there are no rows."""
    if rows:
        rows.append({**label, "total": True, **{key: sum(r[key] for r in rows) for key in keys}})


def rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


# A spreadsheet reads a cell starting with one of these as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def plain(value: Any, kind: str) -> Any:
    if value is None:
        return ""
    if kind == TEXT and str(value).startswith(FORMULA_START):
        return "'" + str(value)
    if kind == DAY and isinstance(value, date):
        return value.isoformat()
    if kind in (PERCENT, HOURS):
        return f"{value:.1f}"
    return value


def display(value: Any, kind: str) -> str:
    if value is None:
        return "—" if kind != TEXT else ""
    if kind == PERCENT:
        return f"{value:.1f}%"
    if kind == HOURS:
        return f"{value:,.1f}"
    if kind == DAY and isinstance(value, date):
        return f"{value:%B %Y}"
    if kind == COUNT:
        return f"{value:,}"
    return str(value)
