"""The dashboard card's 7-day graph: a small inline SVG, drawn on the server (no JS build,
no chart library), from plain per-day numbers. Pure functions."""

from markupsafe import Markup, escape

WIDTH, HEIGHT, LABEL_HEIGHT = 280, 56, 12
DONE_COLOUR, FAILED_COLOUR, CALLS_COLOUR = "#28a745", "#dc3545", "#8fa9c7"


def _bar(x, top, width, height, colour, title):
    return (f'<rect x="{x:.1f}" y="{top:.1f}" width="{width:.1f}" height="{height:.1f}" '
            f'fill="{colour}"><title>{escape(title)}</title></rect>')


def _day_bars(index, day, slot, job_scale, call_scale):
    """The two bars of one day: jobs (done stacked on failed) and API calls."""
    x = index * slot + slot * 0.15
    bar = slot * 0.32
    parts = []
    failed_height = day["failed"] * job_scale
    done_height = day["done"] * job_scale
    parts.append(_bar(x, HEIGHT - failed_height, bar, failed_height, FAILED_COLOUR,
                      f"{day['label']}: {day['failed']} jobs failed"))
    parts.append(_bar(x, HEIGHT - failed_height - done_height, bar, done_height, DONE_COLOUR,
                      f"{day['label']}: {day['done']} jobs done"))
    calls_height = day["calls"] * call_scale
    parts.append(_bar(x + bar + slot * 0.06, HEIGHT - calls_height, bar, calls_height,
                      CALLS_COLOUR, f"{day['label']}: {day['calls']} API calls"))
    parts.append(f'<text x="{x + bar:.1f}" y="{HEIGHT + LABEL_HEIGHT - 2}" font-size="9" '
                 f'text-anchor="middle" fill="#6c757d">{escape(day["short"])}</text>')
    return "".join(parts)


def seven_day_svg(days):
    """``days``: a list of {label, short, done, failed, calls}, oldest first. Jobs and
    calls each have their own scale (calls are often 10x the jobs)."""
    slot = WIDTH / max(len(days), 1)
    max_jobs = max([day["done"] + day["failed"] for day in days] + [1])
    max_calls = max([day["calls"] for day in days] + [1])
    job_scale, call_scale = (HEIGHT - 2) / max_jobs, (HEIGHT - 2) / max_calls
    bars = "".join(_day_bars(index, day, slot, job_scale, call_scale)
                   for index, day in enumerate(days))
    # Safe: numbers we computed, and titles / labels escaped in _bar and _day_bars.
    return Markup(  # noqa: S704
        f'<svg class="o_channel_week_graph" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'width="100%" height="{HEIGHT + LABEL_HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT + LABEL_HEIGHT}">'
        f'<line x1="0" y1="{HEIGHT}" x2="{WIDTH}" y2="{HEIGHT}" stroke="#dee2e6"/>'
        f"{bars}</svg>")
