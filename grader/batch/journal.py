"""The batch journal: one JSON line per finished submission, appended and fsynced at once, so
a re-run knows what is already graded and a changed submission (new digest) is graded again.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from grader.api import DEFAULT_HISTORY_POLICY, grader_digest
from grader.batch.layout import Entry

CHUNK = 1 << 20
REGRADE = "regrade_from"


@dataclass(frozen=True)
class Record:
    learner: str
    digest: str  # of the assignment, Keras, grader, notebook, history: what the grade depends on
    status: str  # graded | crashed | missing
    score: float
    max_score: float
    passed: bool
    seconds: float
    finished: str  # ISO 8601, UTC
    reason: str = ""  # why a crashed or missing submission got 0


def _feed(digest: hashlib._Hash, path: Path | None) -> None:
    if path is None:
        digest.update(b"\0none\0")
        return
    digest.update(f"\0{path.stat().st_size}\0".encode())
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)


def submission_digest(entry: Entry, assignment: str, keras: str, lang: str = "en",
                      history_policy: str = DEFAULT_HISTORY_POLICY) -> str:
    """Changes with anything the recorded result depends on, its language and the history
    policy included."""
    digest = hashlib.sha256(
        f"{assignment}\0{keras}\0{lang}\0{history_policy}\0{grader_digest()}".encode())
    _feed(digest, entry.notebook)
    _feed(digest, entry.history)
    return digest.hexdigest()


def now_iso() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


class Journal:
    def __init__(self, path: Path) -> None:
        self.path = path

    def latest(self) -> dict[str, Record]:
        """The last record of each learner since the last `--regrade` mark; a torn line
        (power loss) is ignored."""
        records: dict[str, Record] = {}
        if not self.path.is_file():
            return records
        for line in self.path.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                data = json.loads(line)
                if isinstance(data, dict) and REGRADE in data:
                    records.clear()
                    continue
                record = Record(**data)
            except (ValueError, TypeError):
                continue
            records[record.learner] = record
        return records

    def mark_regrade(self) -> None:
        """Everything recorded so far is stale: a resumed `--regrade` run (without the flag)
        still grades whatever it had not reached."""
        self._append({REGRADE: now_iso()})

    def append(self, record: Record) -> None:
        self._append(asdict(record))

    def _append(self, data: dict) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(data, ensure_ascii=True) + "\n"
        if self.path.is_file() and self.path.stat().st_size:
            with self.path.open("rb") as f:
                f.seek(-1, os.SEEK_END)
                if f.read(1) != b"\n":  # a torn line must not swallow this record
                    line = "\n" + line
        with self.path.open("a", encoding="utf-8") as f:
            f.write(line)
            f.flush()
            os.fsync(f.fileno())
