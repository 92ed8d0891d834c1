"""Small, safe HTML building blocks for the reports: escaped text, tables, embedded figures
and the page template.

Every string that reaches a page is escaped unless it is an `Html` fragment built here,
so scenario text (names, descriptions, SOURCES.md) can never inject markup: a description
containing ``<script>`` shows as text. Figures are embedded as base64 PNG data URIs and
the stylesheet is inline, so a report is one file that opens anywhere without a network.
The page skeleton is ``template.html`` (`string.Template`; no template engine needed).
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Iterable, Sequence
from importlib import resources
from string import Template
from typing import Any

__all__ = ["Html", "element", "escape", "figure", "grouped_table", "join", "markdown", "page",
           "table"]


class Html(str):
    """A fragment of markup that is already safe to insert as is."""

    __slots__ = ()


def escape(value: Any) -> Html:
    """`value` as safe markup: `Html` passes through, anything else is escaped text."""
    if isinstance(value, Html):
        return value
    return Html(html.escape("" if value is None else str(value), quote=True))


def join(parts: Iterable[Any], separator: str = "\n") -> Html:
    """`parts`, each escaped unless `Html`, joined by `separator` into one fragment."""
    return Html(separator.join(escape(part) for part in parts))


def element(tag: str, *children: Any, **attributes: Any) -> Html:
    """``<tag attr="...">children</tag>``; attribute names ending in ``_`` lose it
    (``class_`` -> ``class``); None and False attributes are left out."""
    attrs = "".join(
        f' {name.rstrip("_").replace("_", "-")}'
        + ("" if value is True else f'="{html.escape(str(value), quote=True)}"')
        for name, value in attributes.items() if value is not None and value is not False
    )
    return Html(f"<{tag}{attrs}>{join(children, '')}</{tag}>")


def table(headers: Sequence[Any], rows: Iterable[Sequence[Any]], *,
          numeric: Sequence[int] = (), class_: str | None = None) -> Html:
    """A table; cells are escaped text unless `Html`; columns in `numeric` align right."""
    right = set(numeric)
    head = element("tr", *(element("th", h, class_="num" if i in right else None)
                           for i, h in enumerate(headers)))
    body = [element("tr", *(element("td", cell, class_="num" if i in right else None)
                            for i, cell in enumerate(row))) for row in rows]
    return element("table", element("thead", head), element("tbody", *body), class_=class_)


def grouped_table(headers: Sequence[Any], sections: Iterable[tuple[Any, Iterable[Any]]], *,
                  numeric: Sequence[int] = (), class_: str | None = None) -> Html:
    """A table in titled sections (one heading row across the table per section); a row
    is a sequence of cells, or an `Html` ``<tr>`` made by the caller."""
    right = set(numeric)
    head = element("tr", *(element("th", h, class_="num" if i in right else None)
                           for i, h in enumerate(headers)))
    body: list[Html] = []
    for title, rows in sections:
        body.append(element("tr", element("th", title, colspan=len(headers)), class_="group"))
        body += [row if isinstance(row, Html) else
                 element("tr", *(element("td", cell, class_="num" if i in right else None)
                                 for i, cell in enumerate(row))) for row in rows]
    return element("table", element("thead", head), element("tbody", *body), class_=class_)


# A figure's inch takes this many CSS pixels on the page: the size figures had when they
# were drawn at 120 dpi, whatever resolution they are drawn at now (2x: sharp on projectors).
FIGURE_PX_PER_INCH = 120


def figure(png: bytes, caption: Any, alt: str | None = None) -> Html:
    """An embedded PNG with its caption, as wide as its size in inches (from its
    resolution) at `FIGURE_PX_PER_INCH`; one without a resolution at its pixel width."""
    data = base64.b64encode(png).decode("ascii")
    width = _display_width(png)
    size = f' width="{width}"' if width else ""
    image = Html(f'<img src="data:image/png;base64,{data}"{size} '
                 f'alt="{html.escape(alt or "")}">')
    return element("figure", image, element("figcaption", caption))


def _display_width(png: bytes) -> int | None:
    """The width in CSS pixels to show `png` at, from its IHDR width and pHYs resolution
    (pixels per metre), or None when it has no resolution in metres."""
    if png[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    width_px = int.from_bytes(png[16:20], "big")
    at = 8
    while at + 8 <= len(png):
        length, kind = int.from_bytes(png[at:at + 4], "big"), png[at + 4:at + 8]
        if kind == b"pHYs" and length == 9 and png[at + 16:at + 17] == b"\x01":  # metres
            per_inch = int.from_bytes(png[at + 8:at + 12], "big") * 0.0254
            return round(width_px * FIGURE_PX_PER_INCH / per_inch) if per_inch else None
        if kind in (b"IDAT", b"IEND"):
            return None
        at += 12 + length
    return None


_INLINE = [
    (re.compile(r"`([^`]+)`"), r"<code>\1</code>"),
    (re.compile(r"\*\*([^*]+)\*\*"), r"<strong>\1</strong>"),
    (re.compile(r"(?<![\w*])\*([^*\s][^*]*)\*(?![\w*])"), r"<em>\1</em>"),
]


def _inline(text: str) -> Html:
    out = html.escape(text, quote=True)
    for pattern, replacement in _INLINE:
        out = pattern.sub(replacement, out)
    return Html(out)


_ITEM = re.compile(r"([-*]|\d+\.)\s+")


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def markdown(text: str) -> Html:
    """The small subset of Markdown that SOURCES.md uses, as escaped HTML: headings,
    paragraphs, ``-`` and ``1.`` lists, pipe tables, `code`, **bold** and *italics*."""
    lines = text.splitlines()
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if not stripped:
            i += 1
            continue
        heading = re.match(r"(#{1,6})\s+(.*)", stripped)
        if heading:
            level = min(len(heading.group(1)) + 2, 6)  # the report owns h1 and h2
            out.append(f"<h{level}>{_inline(heading.group(2))}</h{level}>")
            i += 1
        elif stripped.startswith("|"):
            block = []
            while i < len(lines) and lines[i].strip().startswith("|"):
                block.append(lines[i])
                i += 1
            header, rows = _cells(block[0]), [_cells(r) for r in block[1:]
                                              if not re.fullmatch(r"[\s|:-]+", r)]
            out.append(table([_inline(h) for h in header],
                             [[_inline(c) for c in row] for row in rows], class_="sources"))
        elif _ITEM.match(stripped):
            ordered = bool(re.match(r"\d+\.", stripped))
            items = []
            while i < len(lines) and lines[i].strip():
                item = lines[i].strip()
                bullet = _ITEM.match(item)
                if bullet:
                    items.append(item[bullet.end():].strip())
                elif items:
                    items[-1] += " " + item
                i += 1
            out.append(element("ol" if ordered else "ul",
                               *(element("li", _inline(item)) for item in items)))
        else:
            paragraph = []
            while i < len(lines) and lines[i].strip() and not re.match(
                    r"(#{1,6}\s|\||[-*]\s|\d+\.\s)", lines[i].strip()):
                paragraph.append(lines[i].strip())
                i += 1
            out.append(element("p", _inline(" ".join(paragraph))))
    return Html("\n".join(out))


def page(title: str, body: Html, subtitle: Any = "") -> str:
    """The whole HTML document: the template with the title and body filled in."""
    template = Template(resources.files(__package__).joinpath("template.html")
                        .read_text(encoding="utf-8"))
    return template.substitute(title=escape(title), subtitle=escape(subtitle), body=body)
