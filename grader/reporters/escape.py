"""Learner text written into the syntaxes the grader emits: Markdown (Jupyter cells, GitHub job
summaries), one-line HTML, and GitHub's workflow commands and log.

A notebook's name, a message quoting learner code or an exception's text is the learner's: in
those syntaxes it could start a heading, end a table cell or issue `::error::`. One module, so
that every front end escapes alike and a fix lands everywhere at once.
"""

from __future__ import annotations

import html
import re
import unicodedata

# Every punctuation mark that starts Markdown syntax in a block (headings, lists, quotes,
# setext underlines, tables, fences, math) or inline (emphasis, code, links, strikethrough).
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>$=])")
_NEWLINES = re.compile(r"\r\n|\r|\n")
# GitHub's runner reads a command from a line whose text, after leading whitespace, starts with
# "::" (and the legacy form "##[name]" anywhere in a line); it splits lines on \r and \n.
_COMMAND_START = "::"
_LEGACY_COMMAND = "##["
INERT_PREFIX = "| "  # put before a log line that would otherwise read as a command


def markdown_text(text: object) -> str:
    """Plain text that renders as itself in Markdown: HTML escaped, Markdown's punctuation
    backslash-escaped, each line break a hard break (so no line can start a block)."""
    escaped = html.escape(_NEWLINES.sub("\n", str(text)), quote=False)
    return _MARKDOWN_SPECIAL.sub(r"\\\1", escaped).replace("\n", "  \n")


def markdown_cell(text: object) -> str:
    """One table cell of a Markdown table: one line (a line break would end the row), and no
    `|` or trailing backslash that could end or merge cells."""
    return markdown_text(" ".join(str(text).split()))


def html_line(text: object) -> str:
    """Text for an HTML element on one line (a `<summary>`: a blank line would end the HTML
    block and let the rest render as Markdown)."""
    return html.escape(" ".join(str(text).split()), quote=True)


def command_data(text: object) -> str:
    """The data part of a workflow command (`::group::DATA`), per GitHub's escaping."""
    return str(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def command_property(text: object) -> str:
    """A property value of a workflow command (`::error file=VALUE::`)."""
    return command_data(text).replace(":", "%3A").replace(",", "%2C")


def workflow_command(name: str, data: object = "", **properties: object) -> str:
    """One workflow command line; `name` and property names are the grader's own."""
    props = ",".join(f"{key}={command_property(value)}" for key, value in properties.items())
    return f"::{name}{' ' + props if props else ''}::{command_data(data)}"


def _invisible(char: str) -> bool:
    """Whitespace or a format character: what a trim, or a reader, does not see."""
    return char.isspace() or unicodedata.category(char) in ("Cc", "Cf", "Zs", "Zl", "Zp")


def log_text(text: object) -> str:
    """Text for the Action's log in which no line is a workflow command: a line whose visible
    text starts with "::" gets a visible prefix, and "##[" is broken up."""
    lines = []
    for line in _NEWLINES.split(str(text)):
        line = line.replace(_LEGACY_COMMAND, "## [")
        head, found, _ = line.partition(_COMMAND_START)
        if found and all(_invisible(c) for c in head):
            line = INERT_PREFIX + line
        lines.append(line)
    return "\n".join(lines)
