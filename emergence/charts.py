"""The overview's charts: each :class:`~emergence.overview.Table` drawn by pygal as inline SVG.

The site's Content-Security-Policy allows no inline script and no inline style, so the SVG
keeps pygal's drawing only: its ``<script>`` (the tooltips' configuration), its ``<style>``
and its style attributes are taken out. The chart's look comes from
``static/css/overview_charts.css``, which :func:`chart_css` writes from pygal's own rules for
:data:`STYLE`, prefixed by ``.pygal-chart`` (a test checks the file is up to date; regenerate
it with ``python manage.py shell -c "from emergence.charts import chart_css;
print(chart_css(), end='')" > static/css/overview_charts.css``).

The series differ by lightness, not only by hue, and lines also by their dashes and dots,
so that a chart printed in grey stays readable. The SVG is ``aria-hidden``: screen readers
read the table of numbers printed beside it, and the chart's title and summary.
"""

import datetime
import hashlib
import html
import re
import xml.etree.ElementTree as ElementTree

import pygal
from django.core.cache import cache
from django.utils.safestring import SafeString, mark_safe
from pygal.style import Style

from emergence.overview import Table

#: Part of the charts' cache key: change it when the drawing changes (style, options).
VERSION = 2
SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"


def _register_namespaces() -> None:
    ElementTree.register_namespace("", SVG_NS)
    ElementTree.register_namespace("xlink", XLINK_NS)


#: From dark to light: each series stays apart in greyscale.
COLOURS = ("#1d3557", "#c8553d", "#7fb7be", "#f2a541", "#5c4d7d", "#b8b8b8", "#2a9d8f", "#e9c46a")
#: A line's dash per series (solid first): told apart without colour.
DASHES = ("", "10,5", "3,4", "14,4,3,4", "6,6", "2,2", "18,6", "8,3,2,3")

STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#1a1a1a",
    foreground_strong="#000000",
    foreground_subtle="#595959",
    opacity=".9",
    opacity_hover="1",
    transition="0ms",
    font_family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
    title_font_size=20,
    label_font_size=16,
    major_label_font_size=16,
    legend_font_size=17,
    value_font_size=16,
    tooltip_font_size=16,
    # Lines thick enough to tell their dashes apart, on screen and on paper.
    stroke_width="3",
    stroke_width_hover="4",
    colors=COLOURS,
)

CHART_CLASSES = {"bar": pygal.Bar, "stacked": pygal.StackedBar, "line": pygal.Line}
HORIZONTAL_CLASSES = {"bar": pygal.HorizontalBar, "stacked": pygal.HorizontalStackedBar}
#: Labels longer than this lay a bar chart horizontally.
LONG_LABEL = 14


def _config(**extra) -> dict:
    return {
        "style": STYLE,
        "disable_xml_declaration": True,
        "js": [],
        "width": 800,
        "height": 360,
        "legend_at_bottom": True,
        "legend_at_bottom_columns": 4,
        "truncate_legend": 40,
        "truncate_label": 20,
        "print_values": False,
        "show_y_guides": True,
        "dots_size": 5,
        "margin": 12,
        **extra,
    }


def _label(cell) -> str:
    if isinstance(cell, datetime.date):
        return cell.isoformat()
    return "" if cell is None else str(cell)


def _number(cell) -> float | None:
    if isinstance(cell, bool) or not isinstance(cell, (int, float)):
        return None
    return cell


def _clean(svg: str, *, label: str) -> str:
    """pygal's SVG without script, style or tooltip, hidden from screen readers."""
    root = ElementTree.fromstring(svg)
    for parent in list(root.iter()):
        for child in list(parent):
            tag = child.tag.rsplit("}", 1)[-1]
            if tag in {"script", "style"} or "tooltip" in (child.get("class") or "").split():
                parent.remove(child)
    for element in root.iter():
        element.attrib.pop("style", None)
        if element is not root:
            # Ids for pygal's script only; the same in every chart of a page.
            element.attrib.pop("id", None)
    root.set("aria-hidden", "true")
    root.set("focusable", "false")
    root.set("class", f"{root.get('class', '')} overview-chart-svg".strip())
    root.set("data-chart", label)
    # The SVG namespace as the default one again, whatever another library registered since
    # (WeasyPrint takes the empty prefix at import): an HTML page knows <svg>, not <svg:svg>.
    _register_namespaces()
    return ElementTree.tostring(root, encoding="unicode")


#: Drawn charts are kept this long, by their content: the same numbers are not drawn twice.
CACHE_SECONDS = 24 * 3600


def chart_svg(table: Table) -> SafeString:
    """The table drawn as its ``chart`` says (an empty string without one, or without rows).

    Drawing takes pygal tens of milliseconds a chart, so the SVG is cached under a digest of
    everything it shows (the same figures, titles and language give the same drawing)."""
    chart = table.chart
    if chart is None or not table.rows:
        return mark_safe("")
    content = repr(
        (VERSION, table.key, table.title, list(table.columns), [list(r) for r in table.rows], chart)
    )
    key = "overview-chart:" + hashlib.sha256(content.encode()).hexdigest()
    svg = cache.get(key)
    if svg is None:
        svg = _draw(table)
        cache.set(key, svg, CACHE_SECONDS)
    return mark_safe(svg)


def _draw(table: Table) -> str:
    chart = table.chart
    rows = list(table.rows)
    if all(_number(row[column]) is None for row in rows for column in chart.series):
        return ""  # nothing to draw: the table says so
    labels = [_label(row[0]) for row in rows]
    options = {
        "title": table.title,
        # One series needs no legend: the title names it.
        "show_legend": len(chart.series) > 1,
        # A few round steps on the value axis rather than one per unit.
        "max_scale": 6,
    }
    if chart.y_range is not None:
        options["range"] = chart.y_range
    chart_class = CHART_CLASSES[chart.kind]
    if chart.kind == "line":
        options["allow_interruptions"] = True
    elif max(len(label) for label in labels) > LONG_LABEL:
        # Long labels (reasons, companies) read across: bars laid horizontally, the
        # table's first row on top.
        chart_class = HORIZONTAL_CLASSES[chart.kind]
        rows.reverse()
        labels.reverse()
        legend = 40 * ((len(chart.series) + 3) // 4) if len(chart.series) > 1 else 0
        options["height"] = max(240, 90 + 34 * len(labels) + legend)
        options["truncate_label"] = 30
    options["x_labels"] = labels
    drawing = chart_class(**_config(**options))
    for column in chart.series:
        values = [_number(row[column]) for row in rows]
        drawing.add(str(table.columns[column]), values)
    return _clean(drawing.render(is_unicode=True), label=table.key)


def chart_css() -> str:
    """The rules of ``static/css/overview_charts.css``: pygal's for :data:`STYLE`, with one
    dash per series, every selector under ``.pygal-chart``."""
    drawing = pygal.Line(**_config(no_prefix=True, pretty_print=False))
    for position in range(len(COLOURS)):
        dash = DASHES[position % len(DASHES)]
        drawing.add(str(position), [1, 2], stroke_style={"dasharray": dash} if dash else None)
    svg = drawing.render(is_unicode=True)
    css = html.unescape(re.search(r"<style[^>]*>(.*?)</style>", svg, re.S).group(1))
    rules = []
    for block in css.replace("\n", "").split("}"):
        if "{" not in block:
            continue
        selectors, declarations = block.split("{", 1)
        if selectors.strip().startswith("@"):
            continue
        scoped = ",".join(
            f".pygal-chart {selector.strip()}".strip() for selector in selectors.split(",")
        )
        rules.append(f"{scoped}{{{declarations}}}")
    header = "/* Generated by emergence.charts.chart_css(): do not edit by hand. */"
    return "\n".join([header, *rules, ""])
