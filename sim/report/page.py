"""The report as one self-contained HTML page: every figure inlined as SVG, the style inlined, no script.

The page opens with no network at all, in any browser, and prints well. It names no remote resource:
the inlined SVG loses its XML prologue, its metadata and its namespace declarations (which name
w3.org), and each figure's ids are prefixed with its name so that figures never share an id.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape

from .chart import Chart

CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; margin: 0 auto;
       max-width: 1200px; padding: 1.5rem 2rem 4rem; color: #222; line-height: 1.45; }
h1 { font-size: 2rem; margin-bottom: .2rem; } h2 { margin-top: 2.5rem; border-bottom: 1px solid #ddd; }
.lead { color: #555; margin-top: 0; } figure { margin: 1rem 0 2rem; } figure svg { width: 100%; height: auto; }
figcaption { color: #444; font-size: .95rem; } figcaption .files { color: #777; font-size: .85rem; }
table { border-collapse: collapse; font-size: .92rem; margin: .5rem 0 1.5rem; }
th, td { text-align: left; padding: .25rem .8rem .25rem 0; border-bottom: 1px solid #eee; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.holds { color: #007a56; font-weight: 600; } .fails { color: #b34700; font-weight: 600; }
ol.moments li { margin-bottom: .8rem; } ol.moments ul { color: #444; font-size: .93rem; }
footer { margin-top: 3rem; color: #777; font-size: .85rem; }
@media print { figure { break-inside: avoid; } body { max-width: none; } }
"""


@dataclass
class Section:
    """A part of the page that is not a figure: a heading and ready HTML."""

    title: str
    html: str


@dataclass
class Page:
    """Everything the page shows, in order: the lead, the sections before the figures, the figures,
    the sections after them, and the footer."""

    title: str
    lead: str
    charts: list[Chart]
    before: list[Section] = field(default_factory=list)
    after: list[Section] = field(default_factory=list)
    footer: str = ""


def inline_svg(svg: str, prefix: str) -> str:
    """An SVG file's text made fit to sit inside HTML: no prologue, metadata or namespace declarations,
    ids prefixed, and sized by the page (its viewBox keeps its shape)."""
    svg = re.sub(r"<\?xml[^>]*\?>|<!DOCTYPE[^>]*>|<metadata>.*?</metadata>", "", svg, flags=re.S)
    svg = re.sub(r'\s+xmlns(:\w+)?="[^"]*"', "", svg)
    svg = re.sub(r'(\bid="|href="#|url\(#)', rf"\g<1>{prefix}-", svg)
    svg = re.sub(r'<svg([^>]*?)\swidth="[^"]*"\s+height="[^"]*"', r'<svg\1 role="img"', svg, count=1)
    return svg.strip()


def table(head: Sequence[str], rows: Sequence[Sequence[object]], numeric: Sequence[bool] = ()) -> str:
    """An HTML table; every cell escaped (cells given as ``Markup`` are trusted HTML)."""
    def cell(value: object, index: int) -> str:
        text = value.html if isinstance(value, Markup) else escape(str(value))
        css = ' class="num"' if index < len(numeric) and numeric[index] else ""
        return f"<td{css}>{text}</td>"
    header = "".join(f"<th>{escape(h)}</th>" for h in head)
    body = "\n".join("<tr>" + "".join(cell(v, i) for i, v in enumerate(row)) + "</tr>" for row in rows)
    return f"<table><thead><tr>{header}</tr></thead><tbody>\n{body}\n</tbody></table>"


@dataclass(frozen=True)
class Markup:
    """HTML made by this module, not to be escaped again."""

    html: str


def figure_html(chart: Chart, svg: str, files: Sequence[str]) -> str:
    links = " · ".join(f'<a href="figures/{escape(name)}">{escape(name.rsplit(".", 1)[-1])}</a>' for name in files)
    return (f'<section id="{escape(chart.name)}"><h2>{escape(chart.title)}</h2><figure>{inline_svg(svg, chart.name)}'
            f"<figcaption>{escape(chart.caption)} <span class=\"files\">Drawn from: "
            f"{escape(', '.join(chart.sources))}. Files: {links}</span></figcaption></figure></section>")


def render(page: Page, svgs: dict[str, str], files: dict[str, list[str]]) -> str:
    """The whole page; ``svgs`` and ``files`` are each chart's SVG text and file names, by chart name."""
    parts = [f"<h1>{escape(page.title)}</h1>", f'<p class="lead">{page.lead}</p>']
    parts += [f"<section><h2>{escape(s.title)}</h2>{s.html}</section>" for s in page.before]
    parts += [figure_html(chart, svgs[chart.name], files[chart.name]) for chart in page.charts]
    parts += [f"<section><h2>{escape(s.title)}</h2>{s.html}</section>" for s in page.after]
    body = "\n".join(parts)
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{escape(page.title)}</title>\n<style>{CSS}</style></head>\n<body>\n{body}\n"
            f"<footer>{page.footer}</footer>\n</body></html>\n")
