"""Strip the grader's own paths from learner-facing text.

Checks and exception messages sometimes quote the temporary folder a submission ran in
(`/tmp/grader-c2w1-ab12cd34/cats-v-dogs`) or the fixture cache. Those say nothing useful to a
learner and show how the grader is laid out, so learner renderings replace them.
"""

from __future__ import annotations

import re

WORKDIR_LABEL = "<grader-folder>"
FIXTURES_LABEL = "<grader-fixtures>"

# A path (POSIX or Windows) whose last part is a folder made by `tempfile.mkdtemp` with one of
# the grader's prefixes (see pipeline/grade.py and sandbox/runner.py).
_WORKDIR = re.compile(
    r"(?:[A-Za-z]:)?(?:[\\/][^\s\\/'\"`()\[\],;:]+)*[\\/]grader-(?:c\d+w\d+|control)-\w+"
)


def _cache_roots() -> set[str]:
    from grader.model.cache import cache_root

    root = cache_root()
    forms = {str(root), str(root.absolute())}
    try:
        forms.add(str(root.resolve()))
    except OSError:
        pass
    return {f for f in forms if len(f) > 3}


def redact(text: str) -> str:
    """`text` with grader temp folders and the fixture cache replaced by neutral labels."""
    if not text:
        return text
    text = _WORKDIR.sub(WORKDIR_LABEL, text)
    for root in sorted(_cache_roots(), key=len, reverse=True):
        text = text.replace(root, FIXTURES_LABEL)
    return text
