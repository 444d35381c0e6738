"""Small inline SVG charts for the offline report (no JavaScript, no network: a browser or a PDF renders them)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from html import escape

PALETTE = ("#1f6feb", "#d97706", "#059669", "#b91c1c", "#7c3aed", "#0891b2", "#64748b")
_W, _H = 760, 300
_LEFT, _RIGHT, _TOP, _BOTTOM = 70, 150, 32, 40


def _nice_ticks(low: float, high: float, count: int = 5, *, with_zero: bool = True) -> list[float]:
    """Round tick values covering [low, high] (0 included unless `with_zero` is false)."""
    if with_zero:
        low, high = min(low, 0.0), max(high, 0.0)
    if high == low:
        high = low + 1.0
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    start = math.floor(low / step) * step
    ticks: list[float] = []
    value = start
    while value <= high + step * 0.5:
        ticks.append(round(value, 10))
        value += step
    return ticks


def _fmt(value: float, percent: bool) -> str:
    if percent:
        return f"{value * 100:.0f} %"
    if abs(value) >= 1000:
        return f"{value / 1000:,.1f}".removesuffix(".0") + " k"
    return f"{value:,.0f}"


def _frame(title: str, ticks: list[float], y, percent: bool) -> list[str]:
    parts = [
        f'<text x="{_LEFT}" y="14" class="chart-title">{escape(title)}</text>',
    ]
    for tick in ticks:
        ypos = y(tick)
        parts.append(f'<line x1="{_LEFT}" x2="{_W - _RIGHT}" y1="{ypos:.1f}" y2="{ypos:.1f}" class="grid"/>')
        parts.append(
            f'<text x="{_LEFT - 6}" y="{ypos + 4:.1f}" class="tick" text-anchor="end">{_fmt(tick, percent)}</text>'
        )
    return parts


def _legend(series: Sequence[str]) -> list[str]:
    parts = []
    for index, name in enumerate(series):
        ypos = _TOP + 10 + index * 18
        color = PALETTE[index % len(PALETTE)]
        parts.append(f'<rect x="{_W - _RIGHT + 12}" y="{ypos - 9}" width="10" height="10" fill="{color}"/>')
        parts.append(f'<text x="{_W - _RIGHT + 28}" y="{ypos}" class="legend">{escape(name)}</text>')
    return parts


def _svg(parts: list[str], label: str) -> str:
    body = "\n".join(parts)
    return (
        f'<svg class="chart" role="img" aria-label="{escape(label)}" viewBox="0 0 {_W} {_H}" '
        f'width="{_W}" height="{_H}" xmlns="http://www.w3.org/2000/svg">\n{body}\n</svg>'
    )


def grouped_bars(
    title: str,
    categories: Sequence[str],
    series: Mapping[str, Sequence[float | None]],
    *,
    percent: bool = False,
) -> str:
    """Bars per category (x) for each series, side by side; None is drawn as no bar."""
    values = [v for vals in series.values() for v in vals if v is not None]
    if not categories or not values:
        return f'<p class="empty">{escape(title)}: no data yet.</p>'
    ticks = _nice_ticks(min(values), max(values))
    lo, hi = ticks[0], ticks[-1]
    plot_h = _H - _TOP - _BOTTOM

    def y(value: float) -> float:
        return _TOP + plot_h * (hi - value) / (hi - lo)

    parts = _frame(title, ticks, y, percent)
    band = (_W - _LEFT - _RIGHT) / len(categories)
    bar = band * 0.8 / max(len(series), 1)
    for ci, category in enumerate(categories):
        x0 = _LEFT + ci * band + band * 0.1
        for si, (name, vals) in enumerate(series.items()):
            value = vals[ci]
            if value is None:
                continue
            top, bottom = sorted((y(value), y(0.0)))
            parts.append(
                f'<rect x="{x0 + si * bar:.1f}" y="{top:.1f}" width="{bar * 0.92:.1f}" height="{max(bottom - top, 0.5):.1f}" '
                f'fill="{PALETTE[si % len(PALETTE)]}"><title>{escape(name)} {escape(category)}: {_fmt(value, percent)}</title></rect>'
            )
        parts.append(
            f'<text x="{x0 + band * 0.4:.1f}" y="{_H - _BOTTOM + 16}" class="tick" text-anchor="middle">{escape(category)}</text>'
        )
    parts += _legend(list(series))
    return _svg(parts, title)


def lines(
    title: str,
    categories: Sequence[str],
    series: Mapping[str, Sequence[float | None]],
    *,
    percent: bool = False,
) -> str:
    """One polyline per series over the categories (x); None breaks the line."""
    values = [v for vals in series.values() for v in vals if v is not None]
    if not categories or not values:
        return f'<p class="empty">{escape(title)}: no data yet.</p>'
    # a line chart shows the variation: its axis need not start at zero
    ticks = _nice_ticks(min(values), max(values), with_zero=False)
    lo, hi = ticks[0], ticks[-1]
    plot_h = _H - _TOP - _BOTTOM
    step = (_W - _LEFT - _RIGHT) / max(len(categories), 1)

    def y(value: float) -> float:
        return _TOP + plot_h * (hi - value) / (hi - lo)

    def x(index: int) -> float:
        return _LEFT + step * (index + 0.5)

    parts = _frame(title, ticks, y, percent)
    for si, (name, vals) in enumerate(series.items()):
        color = PALETTE[si % len(PALETTE)]
        segment: list[str] = []
        for ci, value in enumerate(vals):
            if value is None:
                if len(segment) > 1:
                    parts.append(
                        f'<polyline points="{" ".join(segment)}" fill="none" stroke="{color}" stroke-width="2"/>'
                    )
                segment = []
                continue
            segment.append(f"{x(ci):.1f},{y(value):.1f}")
            parts.append(
                f'<circle cx="{x(ci):.1f}" cy="{y(value):.1f}" r="3" fill="{color}">'
                f"<title>{escape(name)} {escape(categories[ci])}: {_fmt(value, percent)}</title></circle>"
            )
        if len(segment) > 1:
            parts.append(
                f'<polyline points="{" ".join(segment)}" fill="none" stroke="{color}" stroke-width="2"/>'
            )
    for ci, category in enumerate(categories):
        parts.append(
            f'<text x="{x(ci):.1f}" y="{_H - _BOTTOM + 16}" class="tick" text-anchor="middle">{escape(category)}</text>'
        )
    parts += _legend(list(series))
    return _svg(parts, title)


def horizontal_bars(title: str, rows: Sequence[tuple[str, float]]) -> str:
    """One bar per labelled value (negative values to the left of zero)."""
    if not rows:
        return f'<p class="empty">{escape(title)}: no data yet.</p>'
    height = 30 + 22 * len(rows)
    low, high = min(0.0, min(v for _, v in rows)), max(0.0, max(v for _, v in rows))
    span = (high - low) or 1.0
    left, width = 260, _W - 260 - 90

    def x(value: float) -> float:
        return left + width * (value - low) / span

    parts = [f'<text x="0" y="14" class="chart-title">{escape(title)}</text>']
    for index, (label, value) in enumerate(rows):
        ypos = 26 + index * 22
        start, end = sorted((x(0.0), x(value)))
        color = PALETTE[0] if value >= 0 else PALETTE[3]
        parts.append(
            f'<text x="{left - 6}" y="{ypos + 12}" class="tick" text-anchor="end">{escape(label[:40])}</text>'
        )
        parts.append(
            f'<rect x="{start:.1f}" y="{ypos}" width="{max(end - start, 0.5):.1f}" height="16" fill="{color}"/>'
        )
        parts.append(f'<text x="{max(start, end) + 4:.1f}" y="{ypos + 12}" class="tick">{value:,.2f}</text>')
    body = "\n".join(parts)
    return (
        f'<svg class="chart" role="img" aria-label="{escape(title)}" viewBox="0 0 {_W} {height}" '
        f'width="{_W}" height="{height}" xmlns="http://www.w3.org/2000/svg">\n{body}\n</svg>'
    )
