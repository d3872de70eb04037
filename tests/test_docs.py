"""The documentation a newcomer reads: the README's two commands first, every link between the
documents resolving (a file, and a heading where one is named), and the rubric generated from
the specs current (CI fails when a point or a check's name changed without it)."""

from __future__ import annotations

import re
import sys

from conftest import ROOT

DOCUMENTS = [ROOT / "README.md", ROOT / "CONTRIBUTING.md", ROOT / "SECURITY.md",
             *sorted((ROOT / "docs").glob("*.md"))]
_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
_FENCE = re.compile(r"^```.*?^```", re.M | re.S)


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces as dashes."""
    text = re.sub(r"[`*_]", "", heading.strip().lower())
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def _anchors(path) -> set[str]:
    text = _FENCE.sub("", path.read_text())
    return {_slug(m.group(1)) for m in re.finditer(r"^#{1,6} (.+)$", text, re.M)}


def test_the_readme_starts_with_the_two_commands_and_stays_short():
    lines = (ROOT / "README.md").read_text().splitlines()
    assert lines[2] == "```bash" and lines[5] == "```"
    assert "pip install -e '.[dev]' && grader grade solutions/C2W1_Assignment.ipynb" in lines[3]
    assert lines[4] == ". .venv/bin/activate && python -m pytest -n 3 --dist worksteal -q"
    assert len(lines) <= 160, "the README is read in two minutes: move detail to docs/"


def test_every_link_between_the_documents_resolves():
    broken = []
    for doc in DOCUMENTS:
        for target in _LINK.findall(_FENCE.sub("", doc.read_text())):
            if re.match(r"[a-z]+:", target):
                continue  # http(s), mailto: not followed here
            file, _, anchor = target.partition("#")
            path = (doc.parent / file).resolve() if file else doc
            if not path.exists():
                broken.append(f"{doc.name}: {target} (no such file)")
            elif anchor and path.suffix == ".md" and anchor not in _anchors(path):
                broken.append(f"{doc.name}: {target} (no such heading)")
    assert broken == []


def test_the_slug_is_githubs():
    assert _slug("Does it learn?") == "does-it-learn"
    assert _slug("The history's evidence: `--history-policy`") == (
        "the-historys-evidence---history-policy")


def test_the_generated_rubric_is_current():
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import rubric
    finally:
        sys.path.remove(str(ROOT / "tools"))
    assert (ROOT / "docs" / "rubric.md").read_text() == rubric.render(), (
        "docs/rubric.md is stale: run python tools/rubric.py")
