"""Registry of assignments: a code and the module whose `SPEC` declares it.

Adding an assignment is one folder `grader/assignments/<code>/` with a `spec.py` (its parts,
probes, checks and fixture builder) plus one line here; `register()` adds one from outside
the package (a course of one's own, the tests' toy assignment). Codes are matched without
regard to case (`c2w1v4` is C2W1v4), and shown as the spec spells them.
"""

from __future__ import annotations

import importlib

from grader.model.spec import AssignmentSpec

BUILT_IN = {code: f"grader.assignments.{code.lower()}.spec"
            for code in ("C2W1", "C2W2", "C2W3", "C2W4", "C2W1v4", "C2W2v4", "C2W3v4",
                          "C2W4v4")}
CODES = tuple(BUILT_IN)
_modules = {code.upper(): module for code, module in BUILT_IN.items()}
_spelled = {code.upper(): code for code in BUILT_IN}


class UnknownAssignment(Exception):
    pass


def register(module: str) -> AssignmentSpec:
    """Import `module` (which validates its SPEC) and make its code gradable."""
    spec = importlib.import_module(module).SPEC
    if spec.module != module:
        raise ValueError(f"{module}: SPEC.module is {spec.module!r}; set module=__name__")
    _modules[spec.code.upper()] = module
    _spelled[spec.code.upper()] = spec.code
    return spec


def codes() -> tuple[str, ...]:
    return tuple(_spelled.values())


def canonical(code: str) -> str:
    """A code as registered, whatever its case (argparse's `type=`); unknown codes come back
    in upper case, for the caller to refuse with the list of valid ones."""
    return _spelled.get(code.upper(), code.upper())


def get_spec(code: str) -> AssignmentSpec:
    module = _modules.get(code.upper())
    if module is None:
        raise UnknownAssignment(
            f"unknown assignment {code!r}; expected one of {', '.join(codes())}")
    return importlib.import_module(module).SPEC


def build_fixtures(code: str) -> object:
    return get_spec(code).fixtures()
