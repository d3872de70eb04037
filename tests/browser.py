"""Headless Chromium for the tests of the HTML pages (report.html, feedback pages): the page
as the browser built it (scripts and CSP applied), and screenshots."""

from __future__ import annotations

import html.parser
import os
import shutil
import subprocess
from pathlib import Path

import pytest


class Dom(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self._heading: str | None = None
        self.headings: list[str] = []
        self.events: list[tuple[str, object]] = []  # ("tag", (name, attrs)) / ("text", data)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self.events.append(("tag", (tag, dict(attrs))))
        if tag in ("h1", "h2"):
            self._heading = ""

    def handle_endtag(self, tag):
        if tag in ("h1", "h2") and self._heading is not None:
            self.headings.append(self._heading)
            self._heading = None

    def handle_data(self, data):
        self.text.append(data)
        self.events.append(("text", data))
        if self._heading is not None:
            self._heading += data


def dom_of(text: str) -> Dom:
    dom = Dom()
    dom.feed(text)
    return dom


def chromium() -> str:
    exe = shutil.which("chromium")
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed; .ci/run installs Debian's package")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    return exe


def headless(exe: str, profile: Path, *args: str) -> subprocess.CompletedProcess:
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={profile}"]
    return subprocess.run([exe, *flags, *args], capture_output=True, text=True, timeout=120)


_LAYOUT_PROBE = """<script>
const boxes = [];
document.querySelectorAll('.highlight').forEach(box => {
  const b = box.getBoundingClientRect();
  boxes.push([...box.querySelectorAll('.linenos')].map(n => {
    const r = n.getBoundingClientRect();
    return [n.textContent.trim(), r.left - b.left, r.top - b.top, r.right - b.left, b.width];
  }));
});
document.body.setAttribute('data-layout', JSON.stringify(boxes));
</script>"""


def line_number_layout(exe: str, profile: Path, page: str, work: Path) -> list[list[list]]:
    """Where Chromium draws each line number of each code box: [number, left, top, right,
    box width] in CSS pixels from the box's corner. The page's policy forbids scripts, so a
    copy without it, and with a measuring script at its end, is what gets laid out."""
    import json

    copy = work / "layout.html"
    copy.write_text(page.replace('http-equiv="Content-Security-Policy"', 'name="no-policy"')
                    .replace("</body>", _LAYOUT_PROBE + "</body>"))
    run = headless(exe, profile, "--window-size=1100,1600", "--dump-dom", copy.as_uri())
    assert run.returncode == 0, run.stderr[-2000:]
    tag = next(attrs for tag, attrs in dom_of(run.stdout).tags if tag == "body")
    return json.loads(tag["data-layout"])


def misplaced_line_numbers(layout: list[list[list]]) -> list[str]:
    """Line numbers a reader does not see in place: out of the box's first column, a number
    missing from the sequence, or not one row below the one before (a row skipped or
    shared; code in a <pre> never wraps, so every row is as high as the first)."""
    misplaced = []
    for box in layout:
        if not box:
            continue
        left = box[0][1]
        row = box[1][2] - box[0][2] if len(box) > 1 else 0
        for at, (number, x, y, right, width) in enumerate(box, 1):
            below = at == 1 or abs(y - box[at - 2][2] - row) <= 1
            if number != str(at) or abs(x - left) > 1 or right > width or not below:
                misplaced.append(number)
    return misplaced
