"""Gradebooks a learning platform imports: Canvas's gradebook CSV, Moodle's CSV grade import,
or a plain CSV with the roster's columns, mapping batch learners to platform identities
through the instructor's roster.

The roster is a CSV with a `learner` column (the submission's folder or file name, as the
batch found it) and the platform's identity columns, under our names or the platform's own
export headers (so a Canvas or Moodle export with a `learner` column added works as is):

- canvas: `name` (Student), `canvas_id` (ID), `sis_user_id` (SIS User ID), `sis_login_id`
  (SIS Login ID), `section` (Section); one of the three ids is required per learner.
- moodle: `email` (Email address), `username` (Username), `idnumber` (ID number); the first
  of these the roster has is required on every row (Moodle aborts an import at a blank
  identity).

Only a grade the grader computed is posted: roster learners without a submission, and
submissions the grader could not grade, get an empty cell (both platforms leave the grade
unchanged), and are counted. Submissions missing from the roster go to `unmatched.csv` and
a warning, never dropped silently.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from grader.batch.gradebook import neutral
from grader.batch.layout import safe_id
from grader.batch.rows import CRASHED, LearnerRow
from grader.model.files import atomic_write
from grader.model.spec import AssignmentSpec

PLATFORMS = ("canvas", "moodle", "csv")
# our column name -> the platform export's header (matched without case or spacing)
ALIASES = {"learner": ("learner", "submission"), "name": ("name", "student", "full name"),
           "canvas_id": ("canvas_id", "id"), "sis_user_id": ("sis_user_id", "sis user id"),
           "sis_login_id": ("sis_login_id", "sis login id"), "section": ("section",),
           "email": ("email", "email address"), "username": ("username",),
           "idnumber": ("idnumber", "id number")}
IDENTITIES = {"canvas": ("canvas_id", "sis_user_id", "sis_login_id"),
              "moodle": ("email", "username", "idnumber"), "csv": ()}
CANVAS_HEADER = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
CANVAS_FIELDS = ("name", "canvas_id", "sis_user_id", "sis_login_id", "section")
MOODLE_HEADERS = {"email": "Email address", "username": "Username", "idnumber": "ID number"}
UNMATCHED = "unmatched.csv"
FILES = {"canvas": "gradebook-canvas.csv", "moodle": "gradebook-moodle.csv",
         "csv": "gradebook-roster.csv"}


class RosterError(Exception):
    """The roster cannot be used; the message says which file, row and column."""


@dataclass
class Roster:
    platform: str
    rows: list[dict[str, str]]  # our column names -> values, in the roster's order
    extra: list[str] = field(default_factory=list)  # the roster's other columns, for csv
    moodle_key: str = ""

    def index(self) -> dict[str, int]:
        return {_key(row["learner"]): i for i, row in enumerate(self.rows)}


def _key(text: str) -> str:
    return safe_id(text.strip().removesuffix("/").removesuffix(".ipynb")).lower()


def _normal(header: str) -> str:
    return " ".join(header.replace("_", " ").split()).lower().lstrip("\ufeff")


def read_roster(path: Path, platform: str) -> Roster:
    """Read and check the roster before any grading starts, so a bad one costs nothing."""
    if platform not in PLATFORMS:
        raise RosterError(f"unknown gradebook {platform!r}: choose {', '.join(PLATFORMS)}")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise RosterError(f"{path}: cannot read the roster ({exc}); save it as UTF-8 "
                          "CSV") from None
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if not header:
        raise RosterError(f"{path}: the roster is empty; it needs a header row with a "
                          "`learner` column")
    columns: dict[int, str] = {}
    extra = []
    for i, name in enumerate(header):
        ours = next((k for k, names in ALIASES.items() if _normal(name) in names), None)
        if ours is not None and ours not in columns.values():
            columns[i] = ours
        elif name.strip():
            columns[i] = name.strip()
            extra.append(name.strip())
    if "learner" not in columns.values():
        raise RosterError(f"{path}: no `learner` column (the submission's folder or file "
                          f"name); the header has: {', '.join(header)}")
    wanted = IDENTITIES[platform]
    if wanted and not set(wanted) & set(columns.values()):
        raise RosterError(f"{path}: a {platform} roster needs one of the columns "
                          f"{', '.join(wanted)}; the header has: {', '.join(header)}")
    # Moodle identifies every row by one column, and aborts an import at a blank one.
    required = (next(k for k in wanted if k in columns.values()),) \
        if platform == "moodle" else wanted
    rows, seen = [], {}
    for number, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        if values[0].strip() == "Points Possible":
            continue  # the second row of a Canvas export
        row = {name: (values[i].strip() if i < len(values) else "")
               for i, name in columns.items()}
        learner = row["learner"]
        if not learner:
            raise RosterError(f"{path}, row {number}: the `learner` cell is empty")
        if _key(learner) in seen:
            raise RosterError(f"{path}, rows {seen[_key(learner)]} and {number}: the same "
                              f"learner {learner!r} twice")
        seen[_key(learner)] = number
        if required and not any(row.get(k) for k in required):
            raise RosterError(f"{path}, row {number}: {learner!r} has no "
                              f"{' or '.join(f'`{k}`' for k in required if k in row)}"
                              + (" (Moodle aborts an import at a row it cannot identify)"
                                 if platform == "moodle" else ""))
        rows.append(row)
    roster = Roster(platform, rows, extra)
    if platform == "moodle":
        roster.moodle_key = required[0]
    return roster


@dataclass
class Matched:
    grades: list[tuple[dict[str, str], LearnerRow | None]]
    unmatched: list[LearnerRow]

    @property
    def without_submission(self) -> int:
        return sum(row is None for _, row in self.grades)

    @property
    def not_graded(self) -> int:
        return sum(row is not None and row.status == CRASHED for _, row in self.grades)


def match(roster: Roster, rows: list[LearnerRow]) -> Matched:
    index = roster.index()
    found: dict[int, LearnerRow] = {}
    unmatched = []
    for row in rows:
        hit = index.get(_key(row.entry.source))
        hit = index.get(_key(row.learner)) if hit is None else hit
        if hit is None or hit in found:
            unmatched.append(row)
        else:
            found[hit] = row
    return Matched([(r, found.get(i)) for i, r in enumerate(roster.rows)], unmatched)


def _grade(row: LearnerRow | None) -> str:
    if row is None or row.status == CRASHED:
        return ""
    return f"{row.result.score:g}"


def _summary(row: LearnerRow | None) -> str:
    if row is None or row.status == CRASHED:
        return ""
    result = row.result
    parts = "; ".join(f"{p.name} {p.score:g}/{p.max_score:g}" for p in result.parts)
    verdict = "passed" if result.passed else "below the pass mark"
    return f"{result.score:g}/{result.max_score:g} ({verdict}): {parts}"


def _max_score(spec: AssignmentSpec) -> float:
    return sum(p.points for p in spec.parts)


def column_name(spec: AssignmentSpec, given: str | None) -> str:
    return given or f"{spec.code} {spec.title}"


def render(roster: Roster, matched: Matched, spec: AssignmentSpec, column: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if roster.platform == "canvas":
        writer.writerow([*CANVAS_HEADER, column])
        writer.writerow(["Points Possible", "", "", "", "", f"{_max_score(spec):g}"])
        for person, row in matched.grades:
            writer.writerow([*(neutral(person.get(k, "")) for k in CANVAS_FIELDS), _grade(row)])
    elif roster.platform == "moodle":
        key = roster.moodle_key
        writer.writerow([MOODLE_HEADERS[key], column, f"{column} (feedback)"])
        for person, row in matched.grades:
            writer.writerow([neutral(person[key]), _grade(row), neutral(_summary(row))])
    else:
        ours = [k for k in ALIASES if k != "learner" and any(k in p for p, _ in matched.grades)]
        writer.writerow(["learner", *ours, *roster.extra, *(p.name for p in spec.parts),
                         "total", "max_score", "passed", "status"])
        for person, row in matched.grades:
            scores = {p.name: f"{p.score:g}" for p in row.result.parts} if row else {}
            graded = row is not None and row.status != CRASHED
            writer.writerow([neutral(person["learner"]),
                             *(neutral(person.get(k, "")) for k in (*ours, *roster.extra)),
                             *(scores.get(p.name, "") if graded else "" for p in spec.parts),
                             _grade(row), f"{_max_score(spec):g}",
                             str(row.result.passed) if graded else "",
                             row.status if row else "no submission"])
    return out.getvalue()


def write_platform_gradebook(out: Path, roster: Roster, rows: list[LearnerRow],
                             spec: AssignmentSpec, column: str | None = None) -> Matched:
    """The platform's gradebook (FILES), and unmatched.csv listing submissions not in the roster."""
    matched = match(roster, rows)
    atomic_write(out / FILES[roster.platform],
                 render(roster, matched, spec, column_name(spec, column)))
    listing = io.StringIO()
    writer = csv.writer(listing, lineterminator="\n")
    writer.writerow(["learner", "source", "total", "status"])
    for row in matched.unmatched:
        writer.writerow([neutral(row.learner), neutral(row.entry.source), _grade(row),
                         row.status])
    if matched.unmatched:
        atomic_write(out / UNMATCHED, listing.getvalue())
    else:
        (out / UNMATCHED).unlink(missing_ok=True)
    return matched
