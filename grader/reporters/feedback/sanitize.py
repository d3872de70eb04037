"""Learner markdown as the feedback page shows it: rendered, then cleaned with bleach and an
allow-list that keeps structure, text, links and images and nothing else.

The page tells the grader's verdicts from the learner's content by their classes and frames, so
learner HTML keeps no `class`, `id` or `style` (nor scripts, frames, forms, handlers, or links
to `javascript:` and `data:`): whatever a learner writes, it can neither look like a verdict
nor hide one. The page's Content-Security-Policy stops scripts a second time.
"""

from __future__ import annotations

import html
import re

import bleach
from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath

TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "details", "dl", "dt", "em",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "kbd", "li", "ol", "p", "pre", "s",
    "span", "strong", "sub", "summary", "sup", "table", "tbody", "td", "th", "thead", "tr",
    "ul"})
_LINKS = ("http:", "https:", "mailto:")
_IMAGES = ("http:", "https:", "data:image/")  # the CSP loads only data: images
_IGNORED_IN_URLS = re.compile(r"[\x00-\x20\x7f]+")  # what browsers drop from a URL's scheme


def _url_allowed(value: str, schemes: tuple[str, ...]) -> bool:
    """A relative URL, or one of `schemes`: read as a browser reads it, controls dropped."""
    url = _IGNORED_IN_URLS.sub("", html.unescape(value)).lower()
    before_path = re.split(r"[/?#]", url, maxsplit=1)[0]
    return ":" not in before_path or url.startswith(schemes)


def _attribute_allowed(tag: str, name: str, value: str) -> bool:
    """Links keep their target and title, images their source and alternative text; no other
    attribute survives."""
    if tag == "a":
        return name == "title" or (name == "href" and _url_allowed(value, _LINKS))
    if tag == "img":
        return name in ("alt", "title") or (name == "src" and _url_allowed(value, _IMAGES))
    return False


def clean_html(fragment: str) -> str:
    """Learner HTML with only the allow-listed tags and attributes; the rest of what is written
    stays as text. html5lib parses it, so unbalanced tags cannot close the page's own."""
    cleaner = bleach.Cleaner(tags=TAGS, attributes=_attribute_allowed,
                             protocols={"http", "https", "mailto", "data"}, strip=True,
                             strip_comments=True)  # a Cleaner is not thread-safe: one per call
    return cleaner.clean(fragment)


class _LearnerRenderer(IPythonRenderer):
    """Markdown to HTML for learner cells: code blocks as plain `<pre><code>` (highlighting
    needs classes, which learner HTML does not keep), and attached images as their
    alternative text (the page leaves attachments out)."""

    def block_code(self, code: str, info: str | None = None) -> str:
        return f"<pre><code>{html.escape(code, quote=False)}</code></pre>\n"

    def image(self, text: str, url: str, title: str | None = None) -> str:
        if url.startswith("attachment:"):
            return text
        return super().image(text, url, title)


def markdown_html(source: str) -> str:
    """A learner's markdown cell as clean HTML."""
    renderer = _LearnerRenderer(escape=False, allow_harmful_protocols=False,
                                exclude_anchor_links=True)
    return clean_html(MarkdownWithMath(renderer=renderer).render(source))
