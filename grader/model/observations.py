"""What one grading observed, declared: everything its checks read, as plain JSON data.

The pipeline observes (grader/pipeline/grade.py: the learner's and the clean child's probes,
after the clean measurement superseded the learner's report), then judges from this record
alone (grader/pipeline/judge.py), so a stored record can be judged again under a changed
rubric without running a notebook (`grader rescore`). The record is the grader's own writing,
in a results folder hidden from learner code; it is still parsed against this schema, with
size caps, because a results folder is a file anyone can edit.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields

from grader.model.protocol import ProbeOutcome

FORMAT = 1
MAX_BYTES = 64 * 2**20  # a record over this is not read (a real one is well under 1 MiB)


class StaleObservation(Exception):
    """A check asked for something the stored record does not hold (a new fact, a prepared
    value added since): the part needs a regrade, never a verdict from missing data."""


class ObservationError(ValueError):
    """A stored record that cannot be used: unreadable, another format, malformed."""


@dataclass
class Observations:
    """One grading's observations. `facts` are what the parent read from disk while judging
    (`Context.fact`), per part; `digests` name the code that produced each part's
    observations (grader/pipeline/provenance.py), so a rescore knows when they are stale."""

    assignment: str
    keras: str
    workdir: str = ""
    prepared: dict = field(default_factory=dict)
    outcomes: dict[str, ProbeOutcome] = field(default_factory=dict)
    extraction: dict = field(default_factory=dict)  # functions, missing, notes, general_notes
    load_problems: list[dict] = field(default_factory=list)
    output_truncated: bool = False
    # The grader's fault (grade.py `_Run.fault`) and why the notebook could not be read
    # (nothing was run): said() messages, shown in the reader's language (a string in a record
    # stored before they were).
    fault: dict | str | None = None
    unreadable: dict | str | None = None
    facts: dict[str, dict] = field(default_factory=dict)  # part -> fact key -> JSON value
    digests: dict[str, str] = field(default_factory=dict)  # part -> its probes' code
    prepared_digest: str = ""  # of what the assignment's prepare() laid out
    fact_digests: dict[str, str] = field(default_factory=dict)  # observer module -> its code
    inputs: dict[str, str | None] = field(default_factory=dict)  # file -> sha256 graded
    # Fields a child reported beyond its probe's declaration (grader/model/observed.py),
    # dropped before any check ran: by probe. Never judged; a sign of a tampered report.
    dropped: dict[str, list] = field(default_factory=dict)
    # The history file as the grader's safe loader read it (grader/pipeline/history.py):
    # data, error, reader (the loader's code digest), language (of the error). The file's
    # own digest is in `inputs`, so a rescore reads it from here instead of unpickling again.
    history: dict | None = None

    def to_dict(self) -> dict:
        """The record as JSON data; nested values are the record's own (not copies): to be
        serialised, not edited."""
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["outcomes"] = {name: {f.name: getattr(o, f.name) for f in fields(o)}
                            for name, o in self.outcomes.items()}
        data["format"] = FORMAT
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True)

    @classmethod
    def from_dict(cls, data: object) -> Observations:
        """Parsed against the schema: a wrong type anywhere is an ObservationError."""
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ObservationError("not an observation record of format "
                                   f"{FORMAT}")
        try:
            outcomes = {}
            for name, raw in _typed(data, "outcomes", dict).items():
                if not isinstance(raw, dict):
                    raise ObservationError(f"outcome {name!r} is not an object")
                outcomes[str(name)] = ProbeOutcome(
                    str(raw["name"]), _maybe(raw.get("observation"), dict),
                    _maybe(raw.get("failure"), str), float(raw.get("seconds", 0.0)),
                    _maybe(raw.get("reason"), dict), _maybe(raw.get("partial"), dict))
            facts = _typed(data, "facts", dict)
            if not all(isinstance(v, dict) for v in facts.values()):
                raise ObservationError("facts are not grouped by part")
            return cls(
                assignment=_typed(data, "assignment", str), keras=_typed(data, "keras", str),
                workdir=_typed(data, "workdir", str), prepared=_typed(data, "prepared", dict),
                outcomes=outcomes, extraction=_typed(data, "extraction", dict),
                load_problems=[p for p in _typed(data, "load_problems", list)
                               if isinstance(p, dict)],
                output_truncated=bool(data.get("output_truncated")),
                fault=_message(data.get("fault")),
                unreadable=_message(data.get("unreadable")), facts=facts,
                digests=_strings(_typed(data, "digests", dict)),
                prepared_digest=_typed(data, "prepared_digest", str),
                fact_digests=_strings(_typed(data, "fact_digests", dict)),
                inputs={str(k): _maybe(v, str) for k, v in _typed(data, "inputs", dict).items()},
                dropped={str(k): [str(f) for f in v] for k, v in _typed(data, "dropped",
                                                                      dict).items()
                         if isinstance(v, list)},
                history=_maybe(data.get("history"), dict))
        except (KeyError, TypeError, ValueError) as exc:
            raise ObservationError(f"malformed record: {exc}") from exc

    @classmethod
    def from_json(cls, text: str | bytes) -> Observations:
        if len(text) > MAX_BYTES:
            raise ObservationError(f"record over {MAX_BYTES // 2**20} MiB")
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise ObservationError(f"not JSON: {exc}") from exc
        return cls.from_dict(data)

    def copy(self) -> Observations:
        """A deep copy through JSON: what a check sees whether the record was just made or
        read back from disk, so both judge alike (tuples become lists either way)."""
        return Observations.from_json(self.to_json())


def _typed(data: dict, key: str, kind: type):
    """A required field of the record (to_dict writes every one), of its declared type."""
    if key not in data:
        raise ObservationError(f"{key} is missing")
    value = data[key]
    if not isinstance(value, kind):
        raise ObservationError(f"{key} is not a {kind.__name__}")
    return value


def _strings(value: dict) -> dict[str, str]:
    return {str(k): str(v) for k, v in value.items()}


def _message(value) -> dict | str | None:
    """A said() message ({"text": str, "args": {...}}), a string, or None."""
    if value is None or isinstance(value, str) or (
            isinstance(value, dict) and isinstance(value.get("text"), str)
            and isinstance(value.get("args", {}), dict)):
        return value
    raise ObservationError(f"{value!r:.40} is not a message")


def _maybe(value, kind: type):
    if value is not None and not isinstance(value, kind):
        raise ObservationError(f"{value!r:.40} is not a {kind.__name__}")
    return value
