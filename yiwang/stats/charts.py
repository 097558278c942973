"""Server-side SVG charts of the dashboard: no script, readable by screen readers (each has a
``<title>`` and a ``<desc>`` that states the figures, and the page has the same figures as
tables). Values are escaped; the SVG is built from numbers and escaped labels only."""

from django.utils.html import escape
from django.utils.safestring import mark_safe

WIDTH = 760
HEIGHT = 280
MARGIN_LEFT = 56
MARGIN_RIGHT = 16
MARGIN_TOP = 24
MARGIN_BOTTOM = 48
COLOURS = ("#2f6fb3", "#3c9d5d", "#c0392b")


def _nice_max(value):
    if value <= 0:
        return 1
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        top = step * magnitude
        if top >= value:
            return int(top) if top >= 1 else top
    return value


def _svg(chart_id, title, desc, body, height=HEIGHT):
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="stats-chart" id="{chart_id}" '
        f'viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" width="100%">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>'
        f"{body}</svg>"
    )


def _legend(names, y=14):
    parts, x = [], MARGIN_LEFT
    for i, name in enumerate(names):
        parts.append(
            f'<rect x="{x}" y="{y - 9}" width="10" height="10" fill="{COLOURS[i]}"/>'
            f'<text x="{x + 14}" y="{y}" font-size="12">{escape(name)}</text>'
        )
        x += 24 + 14 * len(name)
    return "".join(parts)


def _axis(top, fmt, plot_height):
    parts = []
    for i in range(5):
        value = top * i / 4
        y = MARGIN_TOP + plot_height - plot_height * i / 4
        parts.append(
            f'<line x1="{MARGIN_LEFT}" x2="{WIDTH - MARGIN_RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="#ddd"/><text x="{MARGIN_LEFT - 6}" y="{y + 4:.1f}" font-size="11" '
            f'text-anchor="end">{escape(fmt(value))}</text>'
        )
    return "".join(parts)


def _month_label(month):
    return f"{month:%Y-%m}"


def monthly_bars(months, chart_id="stats-chart-months"):
    """Received and completed per month (grouped bars)."""
    series = [
        ("收件量", [f.received for _, f in months]),
        ("办结量", [f.completed for _, f in months]),
    ]
    top = _nice_max(max([v for _, values in series for v in values], default=0))
    plot_w = WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    plot_h = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    slot = plot_w / max(1, len(months))
    bar = max(2.0, slot * 0.8 / len(series))
    parts = [_axis(top, lambda v: f"{v:,.0f}", plot_h), _legend([name for name, _ in series])]
    for i, (month, _figures) in enumerate(months):
        x0 = MARGIN_LEFT + i * slot + slot * 0.1
        for j, (_name, values) in enumerate(series):
            h = plot_h * values[i] / top
            parts.append(
                f'<rect x="{x0 + j * bar:.1f}" y="{MARGIN_TOP + plot_h - h:.1f}" '
                f'width="{bar:.1f}" height="{h:.1f}" fill="{COLOURS[j]}"/>'
            )
        parts.append(
            f'<text x="{x0 + bar * len(series) / 2:.1f}" y="{HEIGHT - MARGIN_BOTTOM + 16}" '
            f'font-size="11" text-anchor="middle">{_month_label(month)[2:]}</text>'
        )
    desc = "；".join(
        f"{_month_label(m)} 收件 {f.received} 件、办结 {f.completed} 件" for m, f in months
    )
    return _svg(chart_id, "每月收件量与办结量", desc or "无数据", "".join(parts))


def on_time_line(months, chart_id="stats-chart-on-time"):
    """The on-time rate per month (a line; months without timed cases leave a gap)."""
    plot_w = WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    plot_h = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    slot = plot_w / max(1, len(months))
    parts = [_axis(1, lambda v: f"{v:.0%}", plot_h), _legend(["按时办结率"])]
    segment, segments = [], []
    for i, (month, figures) in enumerate(months):
        x = MARGIN_LEFT + i * slot + slot / 2
        rate = figures.on_time_rate
        if rate is None:
            if segment:
                segments.append(segment)
            segment = []
        else:
            y = MARGIN_TOP + plot_h - plot_h * rate
            segment.append((x, y))
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{COLOURS[0]}"/>')
        parts.append(
            f'<text x="{x:.1f}" y="{HEIGHT - MARGIN_BOTTOM + 16}" font-size="11" '
            f'text-anchor="middle">{_month_label(month)[2:]}</text>'
        )
    if segment:
        segments.append(segment)
    for points in segments:
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            parts.append(
                f'<polyline points="{path}" fill="none" stroke="{COLOURS[0]}" stroke-width="2"/>'
            )
    desc = "；".join(
        f"{_month_label(m)} "
        + ("无计时办结件" if f.on_time_rate is None else f"{f.on_time_rate:.1%}")
        for m, f in months
    )
    return _svg(chart_id, "每月按时办结率", desc or "无数据", "".join(parts))


def department_bars(departments, limit=15, chart_id="stats-chart-departments"):
    """Received and completed per department (horizontal bars, the largest first)."""
    rows = departments[:limit]
    row_h = 26
    height = MARGIN_TOP + 8 + row_h * max(1, len(rows)) + 8
    label_w = 220
    plot_w = WIDTH - label_w - MARGIN_RIGHT - 50
    top = _nice_max(max([f.received for _, f in rows] + [f.completed for _, f in rows], default=0))
    parts = [_legend(["收件量", "办结量"])]
    for i, (department, figures) in enumerate(rows):
        y = MARGIN_TOP + 8 + i * row_h
        name = department.name if len(department.name) <= 16 else department.name[:15] + "…"
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 15}" font-size="12" text-anchor="end">'
            f"{escape(name)}</text>"
        )
        for j, value in enumerate((figures.received, figures.completed)):
            w = plot_w * value / top
            parts.append(
                f'<rect x="{label_w}" y="{y + 2 + j * 11}" width="{w:.1f}" height="10" '
                f'fill="{COLOURS[j]}"/><text x="{label_w + w + 4:.1f}" y="{y + 11 + j * 11}" '
                f'font-size="10">{value:,}</text>'
            )
    desc = "；".join(f"{d.name} 收件 {f.received} 件、办结 {f.completed} 件" for d, f in rows)
    return _svg(chart_id, "各部门收件量与办结量", desc or "无数据", "".join(parts), height)
