"""A document as a list of blocks, rendered three ways from the same blocks: terminal text,
Markdown, and one self-contained HTML page (figures embedded, no network needed). No
Markdown library: nothing is parsed back, so each renderer writes its format directly.
"""

from __future__ import annotations

import base64
import html as _html
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.report.text import cell, table


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 2


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[list[Any]]


@dataclass(frozen=True)
class Bullets:
    items: list[str]


@dataclass(frozen=True)
class Pre:
    """Text already laid out (a terminal table), kept as it is."""

    text: str


@dataclass(frozen=True)
class Figure:
    path: Path
    caption: str


Block = Heading | Text | Table | Bullets | Pre | Figure


def text(blocks: list[Block]) -> str:
    """For the terminal: headings as lines, tables aligned, figures by their file."""
    out: list[str] = []
    for b in blocks:
        if isinstance(b, Heading):
            rule = [] if b.level > 1 else ["=" * min(len(b.text), 100)]
            out += ([] if not out else [""]) + [b.text, *rule]
        elif isinstance(b, Text):
            out.append("  " + b.text)
        elif isinstance(b, Table):
            out.append(table(b.headers, b.rows))
        elif isinstance(b, Bullets):
            out += [f"  - {item}" for item in b.items]
        elif isinstance(b, Pre):
            out.append(b.text)
        elif isinstance(b, Figure):
            out.append(f"  figure: {b.path}  ({b.caption})")
    return "\n".join(out)


def markdown_table(headers: list[str], rows: list[list[Any]]) -> str:
    def md_cell(x: Any) -> str:
        return " ".join(cell(x).split()).replace("|", "\\|")  # one line: a row is a line

    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(md_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def markdown(blocks: list[Block], folder: Path | None = None) -> str:
    """Markdown; figures linked relative to `folder` (where the document is written)."""
    out: list[str] = []
    for b in blocks:
        if isinstance(b, Heading):
            out += ["#" * b.level + " " + b.text, ""]
        elif isinstance(b, Text):
            out += [b.text, ""]
        elif isinstance(b, Table):
            out += [markdown_table(b.headers, b.rows), ""]
        elif isinstance(b, Bullets):
            out += [*(f"- {item}" for item in b.items), ""]
        elif isinstance(b, Pre):
            out += ["```text", b.text, "```", ""]
        elif isinstance(b, Figure):
            where = b.path.name if folder is not None and b.path.parent == folder else b.path
            out += [f"![{b.caption}]({where})", ""]
    return "\n".join(out).rstrip() + "\n"


STYLE = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto;
       padding: 0 1rem; line-height: 1.45; color: #1a1a1a; }
table { border-collapse: collapse; margin: 0.6rem 0 1.2rem; font-size: 0.9rem; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.6rem; vertical-align: top; }
th { background: #f2f2f2; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 1rem 0 1.6rem; }
figure img { max-width: 100%; border: 1px solid #ddd; }
figcaption { font-size: 0.85rem; color: #555; }
code { background: #f4f4f4; padding: 0 0.2rem; }
pre { background: #f7f7f7; padding: 0.6rem; overflow-x: auto; font-size: 0.82rem; }
"""


def html(blocks: list[Block], title: str) -> str:
    """One self-contained page: inline style, every figure a data: URI."""
    e = _html.escape
    out = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>{e(title)}</title>", f"<style>{STYLE}</style>", "</head>", "<body>"]
    for b in blocks:
        if isinstance(b, Heading):
            out.append(f"<h{b.level}>{e(b.text)}</h{b.level}>")
        elif isinstance(b, Text):
            out.append(f"<p>{_inline(b.text)}</p>")
        elif isinstance(b, Table):
            head = "".join(f"<th>{e(h)}</th>" for h in b.headers)
            rows = "".join("<tr>" + "".join(_td(c) for c in row) + "</tr>" for row in b.rows)
            out.append(f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")
        elif isinstance(b, Bullets):
            out.append("<ul>" + "".join(f"<li>{_inline(i)}</li>" for i in b.items) + "</ul>")
        elif isinstance(b, Pre):
            out.append(f"<pre>{e(b.text)}</pre>")
        elif isinstance(b, Figure):
            data = base64.b64encode(b.path.read_bytes()).decode("ascii")
            out.append(f'<figure><img src="data:image/png;base64,{data}" alt="{e(b.caption)}">'
                       f"<figcaption>{e(b.caption)}</figcaption></figure>")
    out += ["</body>", "</html>"]
    return "\n".join(out) + "\n"


def _td(x: Any) -> str:
    numeric = isinstance(x, int | float) and not isinstance(x, bool)
    return f'<td class="num">{_html.escape(cell(x))}</td>' if numeric else \
        f"<td>{_html.escape(cell(x))}</td>"


def _inline(text: str) -> str:
    """Escaped text with `code` spans (the one piece of Markdown the blocks use)."""
    parts = _html.escape(text).split("`")
    return "".join(f"<code>{p}</code>" if i % 2 else p for i, p in enumerate(parts))
