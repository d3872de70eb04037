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
