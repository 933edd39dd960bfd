"""Charts drawn on the server as SVG: no script, no CDN, nothing for the Content-Security-Policy to
refuse. Colours come from classes in static/dispatch/site.css; each bar and point carries a <title>,
which browsers show as a tooltip. Every chart on a page is followed by the same figures as a table.
"""

# The standard library's escape: Django's lazy wrapper cost ~20 µs a call, and a week draws 2,500 calls.
from html import escape

from django.utils.safestring import mark_safe

WIDTH, HEIGHT = 720, 180
LEFT, RIGHT, TOP, BOTTOM = 64, 8, 10, 22  # room for the axis labels


def _frame(title: str, maximum: float, labels: list[str], unit: str) -> list[str]:
    """The SVG element, the y axis (0 and the maximum) and up to three x labels."""
    plot_h = HEIGHT - TOP - BOTTOM
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}" '
        'xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="none">',
        f"<title>{escape(title)}</title>",
        f'<line class="axis" x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - RIGHT}" y2="{TOP + plot_h}"/>',
        f'<line class="grid" x1="{LEFT}" y1="{TOP}" x2="{WIDTH - RIGHT}" y2="{TOP}"/>',
        f'<text class="tick" x="{LEFT - 4}" y="{TOP + 4}" text-anchor="end">{_number(maximum)}{unit}</text>',
        f'<text class="tick" x="{LEFT - 4}" y="{TOP + plot_h}" text-anchor="end">0</text>',
    ]
    if labels:
        slot = (WIDTH - LEFT - RIGHT) / len(labels)
        for index in sorted({0, len(labels) // 2, len(labels) - 1}):
            anchor = "start" if index == 0 else "end" if index == len(labels) - 1 else "middle"
            x = LEFT + slot * index + (slot if anchor == "end" else slot / 2 if anchor == "middle" else 0)
            parts.append(
                f'<text class="tick" x="{x:.1f}" y="{HEIGHT - 6}" text-anchor="{anchor}">'
                f"{escape(labels[index])}</text>"
            )
    return parts


def _number(value: float) -> str:
    return f"{value:,.0f}" if value >= 10 or value == int(value) else f"{value:.1f}"


def stacked_bars(title: str, labels: list[str], stacks: list[tuple[str, str, list[int]]]) -> str:
    """One bar per label, stacked from (name, css class, values) in order, bottom up."""
    totals = [sum(values[i] for _, _, values in stacks) for i in range(len(labels))]
    maximum = max(totals, default=0) or 1
    parts = _frame(title, maximum, labels, "")
    plot_h = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - LEFT - RIGHT) / max(len(labels), 1)
    bar_w = max(slot * 0.8, 1)
    for i, label in enumerate(labels):
        y = TOP + plot_h
        for name, css, values in stacks:
            if not values[i]:
                continue
            h = plot_h * values[i] / maximum
            y -= h
            parts.append(
                f'<rect class="{css}" x="{LEFT + slot * i + (slot - bar_w) / 2:.1f}" y="{y:.1f}" '
                f'width="{bar_w:.1f}" height="{h:.1f}"><title>{escape(label)}: {values[i]} {escape(name)}'
                "</title></rect>"
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))


def lines(title: str, labels: list[str], series: list[tuple[str, str, list[float | None]]], unit="") -> str:
    """One line per (name, css class, values); None leaves a gap, a lone value is a dot."""
    maximum = max((v for _, _, values in series for v in values if v is not None), default=0) or 1
    parts = _frame(title, maximum, labels, unit)
    plot_h = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - LEFT - RIGHT) / max(len(labels), 1)
    for name, css, values in series:
        run: list[str] = []
        for i, value in enumerate([*values, None]):
            if value is not None:
                x, y = LEFT + slot * (i + 0.5), TOP + plot_h * (1 - value / maximum)
                run.append(f"{x:.1f},{y:.1f}")
                parts.append(
                    f'<circle class="{css}" cx="{x:.1f}" cy="{y:.1f}" r="2"><title>{escape(labels[i])}: '
                    f"{escape(name)} {_number(value)}{unit}</title></circle>"
                )
            elif len(run) > 1:
                parts.append(f'<polyline class="{css}" points="{" ".join(run)}"/>')
                run = []
            else:
                run = []
    parts.append("</svg>")
    return mark_safe("".join(parts))


def meter(used: int, limit: int | None) -> str:
    """A bar showing use against a limit (empty without one)."""
    if not limit:
        return ""
    share = min(used / limit, 1)
    css = "meter-full" if used >= limit else "meter-high" if share >= 0.8 else "meter-ok"
    return mark_safe(
        f'<svg class="meter" viewBox="0 0 100 8" preserveAspectRatio="none" role="img" '
        f'aria-label="{used} of {limit}" xmlns="http://www.w3.org/2000/svg">'
        f'<rect class="meter-track" x="0" y="0" width="100" height="8"/>'
        f'<rect class="{css}" x="0" y="0" width="{share * 100:.1f}" height="8"/></svg>'
    )


def _cell(value) -> str:
    return "" if value is None else escape(str(value))


def series_rows(labels: list[str], series: list[dict]) -> str:
    """The chart's figures as table rows (built here: a week by the hour is 168 rows, which the
    template language took ~100 ms to render)."""
    rows = []
    for label, point in zip(labels, series, strict=True):
        durations = point["duration_ms"]
        by_type = ", ".join(f"{escape(t)} {n}" for t, n in point["errors_by_type"].items())
        rows.append(
            f"<tr><td>{escape(label)}</td><td>{point['runs']}</td><td>{point['failed']}</td>"
            f"<td>{round(point['error_rate'] * 100)} %</td><td>{by_type}</td><td>{point['events_in']}</td>"
            f"<td>{point['caused_by_events']}</td><td>{_cell(durations['p50'])}</td>"
            f"<td>{_cell(durations['p95'])}</td><td>{_cell(durations['p99'])}</td></tr>"
        )
    return mark_safe("".join(rows))
