"""What every benchmark script prints the same way: a time in its unit, and a cProfile table."""

from __future__ import annotations

import pstats
from pathlib import Path


def fmt_time(seconds: float) -> str:
    """``2.31 s``, ``45.6 ms``, ``16.79 µs`` or ``301 ns``: the unit that keeps the figure readable."""
    if seconds >= 1:
        return f"{seconds:,.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:,.1f} ms"
    if seconds >= 1e-6:
        return f"{seconds * 1e6:,.2f} µs"
    return f"{seconds * 1e9:,.0f} ns"


def profile_table(profile, top: int) -> list[str]:
    """The ``top`` functions of a finished cProfile run by own time, as Markdown table lines."""
    stats = pstats.Stats(profile)
    total = stats.total_tt  # type: ignore[attr-defined]
    rows = sorted(stats.stats.items(), key=lambda item: -item[1][2])[:top]  # type: ignore[attr-defined]
    lines = ["| function | calls | own time | share |", "|---|---:|---:|---:|"]
    for (filename, line, name), (_, calls, own, _, _) in rows:
        where = f"{Path(filename).name}:{line}({name})" if filename != "~" else name  # "~": a built-in
        lines.append(f"| `{where}` | {calls:,} | {fmt_time(own)} | {own / total:.0%} |")
    return lines
