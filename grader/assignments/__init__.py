"""Registry of assignments: a code and the module whose `SPEC` declares it.

Adding an assignment is one folder `grader/assignments/<code>/` with a `spec.py` (its parts,
probes, checks and fixture builder) plus one line here; `register()` adds one from outside
the package (a course of one's own, the tests' toy assignment).
"""

from __future__ import annotations

import importlib

from grader.model.spec import AssignmentSpec

BUILT_IN = {code: f"grader.assignments.{code.lower()}.spec"
            for code in ("C2W1", "C2W2", "C2W3", "C2W4")}
CODES = tuple(BUILT_IN)
_modules = dict(BUILT_IN)


class UnknownAssignment(Exception):
    pass


def register(module: str) -> AssignmentSpec:
    """Import `module` (which validates its SPEC) and make its code gradable."""
    spec = importlib.import_module(module).SPEC
    if spec.module != module:
        raise ValueError(f"{module}: SPEC.module is {spec.module!r}; set module=__name__")
    _modules[spec.code.upper()] = module
    return spec


def codes() -> tuple[str, ...]:
    return tuple(_modules)


def get_spec(code: str) -> AssignmentSpec:
    module = _modules.get(code.upper())
    if module is None:
        raise UnknownAssignment(
            f"unknown assignment {code.upper()!r}; expected one of {', '.join(_modules)}")
    return importlib.import_module(module).SPEC


def probe_for(module: str, name: str):
    """The child's lookup: it is handed the spec's module, so registration need not be
    repeated in the child."""
    return importlib.import_module(module).SPEC.probes[name]


def build_fixtures(code: str) -> object:
    return get_spec(code).fixtures()
