"""JUnit XML: a testsuite per part, a testcase per check, for CI dashboards."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from grader.i18n import in_its_language
from grader.model.results import GradeResult


@in_its_language
def render_junit(result: GradeResult, color: bool = False) -> str:
    suites = ET.Element("testsuites", name=f"grader {result.assignment}",
                        tests=str(sum(len(p.tests) for p in result.parts)),
                        failures=str(sum(not t.passed for p in result.parts for t in p.tests)),
                        time=f"{result.duration_s:.3f}")
    for part in result.parts:
        suite = ET.SubElement(suites, "testsuite", name=part.name, tests=str(len(part.tests)),
                              failures=str(sum(not t.passed for t in part.tests)))
        properties = ET.SubElement(suite, "properties")
        for key, value in {"keras_mode": result.keras, **result.environment}.items():
            ET.SubElement(properties, "property", name=key, value=str(value))
        for test in part.tests:
            # Named by the stable id, so dashboards track a check across languages; the name
            # as shown, where it differs, opens the message.
            case = ET.SubElement(suite, "testcase", classname=f"{result.assignment}.{part.name}",
                                 name=test.id)
            message = (test.message if test.name == test.id
                       else f"{test.name}: {test.message}")
            if test.passed:
                ET.SubElement(case, "system-out").text = message
            else:
                failure = ET.SubElement(case, "failure", message=message[:500],
                                        type="CheckFailed")
                failure.text = message
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, "unicode") + "\n"
