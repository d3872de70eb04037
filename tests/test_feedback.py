"""`grader feedback`: the learner's notebook with the feedback in it, as a page (checked as
headless Chromium builds it) and as a notebook."""

from __future__ import annotations

import json
import re
import struct
import subprocess
import sys

import nbformat
import pytest
from browser import chromium, dom_of, headless, line_number_layout, misplaced_line_numbers
from conftest import SOLUTION_HISTORY, edit, grading_options, load_solution, write

from grader.api import get_spec, grade, zero_result
from grader.reporters.feedback import (
    FeedbackError,
    render_feedback_html,
    render_feedback_notebook,
)
from grader.reporters.feedback.prepare import MAX_TEXT_CHARS, marks_for

SPEC = get_spec("C2W1")
HOSTILE_MARKDOWN = ("# Notes <script>document.title='pwned'</script>\n\n"
                    "<img src=x onerror=\"document.body.setAttribute('data-pwned', 1)\">\n"
                    "<a href=\"javascript:document.title='pwned'\">click</a> *fine*")
# A learner string that must arrive as text everywhere: in a message, a cell and an output.
ECHO = "<script>document.title='pwned'</script>"


def _broken(tmp_path):
    """Three mistakes, each from one line of its cell, and hostile cells around them."""
    nb = load_solution()
    nb = edit(nb, "c2w1-create-train-val-dirs",
              "os.makedirs(os.path.join(root_path, 'training', 'cats'))",
              "os.makedirs(os.path.join(root_dir, 'training', 'cats'), exist_ok=True)")
    nb = edit(nb, "c2w1-split-data", "files.append(filename)", "files.append(filenme)")
    nb = edit(nb, "c2w1-train-val-generators", "directory=TRAINING_DIR",
              "directory='/tmp/cats-v-dogs/training/'")
    nb = edit(nb, "c2w1-create-model", "def create_model():",
              f"def create_model():\n  # {ECHO}")
    hostile = [
        nbformat.v4.new_markdown_cell(HOSTILE_MARKDOWN),
        nbformat.v4.new_raw_cell(ECHO),
        nbformat.v4.new_code_cell("print('x' * 5_000_000)", outputs=[
            nbformat.v4.new_output("stream", name="stdout", text="x" * 5_000_000 + "\n"),
            nbformat.v4.new_output("display_data", data={
                "text/html": ECHO, "application/javascript": "document.title='pwned'",
                "text/plain": ECHO}),
        ]),
    ]
    nb.cells[1:1] = hostile  # before every graded cell: their indices move by three
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"x": "y" * 1000}}
    return write(nb, tmp_path / "learner")


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    path = _broken(tmp_path_factory.mktemp("feedback"))
    return path, grade(SPEC, path, SOLUTION_HISTORY, grading_options())


def _cells_and_blocks(dom) -> list[str]:
    """In page order: 'cell N' for each code cell's label, 'block NAME' for each feedback."""
    order, in_label = [], False
    for kind, value in dom.events:
        if kind == "tag":
            tag, attrs = value
            in_label = "c2-cellno" in attrs.get("class", "")
            if tag == "section" and "data-part" in attrs:
                order.append(f"block {attrs['data-part']}")
        elif in_label:
            order.append(value.strip())
            in_label = False
    return order


def test_the_page_puts_each_part_after_its_cell_and_marks_the_lines(graded, tmp_path):
    path, result = graded
    failed = {p.name: [t.name for t in p.tests if not t.passed] for p in result.parts}
    assert failed["create_train_val_dirs"] and failed["split_data"], result.to_dict()
    assert failed["train_val_generators"] and not failed["create_model"]
    assert result.curves["targets"] == [0.95, 0.80]  # what its plot draws as dashed lines
    cells = {p.name: p.cell for p in result.parts}
    assert cells["split_data"] == 15 and cells["history"] is None  # 12 + the 3 inserted
    page = render_feedback_html(result, path)
    assert "<script" not in page.lower() and "javascript:" not in page
    assert "onerror" not in page.replace("onerror=&quot;", "")  # only as escaped text
    assert len(page) < 1_000_000 and "x" * (MAX_TEXT_CHARS + 1) not in page
    assert "more characters left out of this feedback page" in page
    assert "widget-state" not in page

    out = tmp_path / "feedback.html"
    out.write_text(page)
    exe = chromium()
    dom = headless(exe, tmp_path / "profile", "--dump-dom", out.as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    parsed = dom_of(dom.stdout)
    title = re.search(r"<title>(.*?)</title>", dom.stdout, re.S).group(1)
    assert title == f"Feedback: {path.name}"  # no script ran to change it
    assert not [a for _, a in parsed.tags if "data-pwned" in a]
    assert not [t for t, _ in parsed.tags if t == "script"]
    assert parsed.headings[0] == f"Feedback on {path.name} (C2W1)"
    order = _cells_and_blocks(parsed)
    for part in ("create_train_val_dirs", "split_data", "train_val_generators", "create_model"):
        at = order.index(f"block {part}")
        assert order[at - 1] == f"cell {cells[part] + 1}", (part, order)
    first_cell = next(i for i, item in enumerate(order) if item.startswith("cell "))
    assert order.index("block history") < first_cell  # in the summary, above the cells

    sources = [c.source for c in nbformat.read(path, as_version=4).cells]
    marks = marks_for(result, sources)
    for part, text in (("create_train_val_dirs", "root_dir = '/tmp/cats-v-dogs'"),
                       ("create_train_val_dirs", "os.path.join(root_dir, 'training', 'cats')"),
                       ("split_data", "files.append(filenme)"),
                       ("train_val_generators", "directory='/tmp/cats-v-dogs/training/'")):
        lines = sources[cells[part]].splitlines()
        want = next(n for n, line in enumerate(lines, 1) if text in line)
        assert want in marks.lines[cells[part]], (part, marks.lines)
    assert cells["create_model"] not in marks.lines
    assert page.count('class="hll"') == sum(len(v) for v in marks.lines.values())
    shown = "".join(parsed.text)
    assert shown.count(ECHO) >= 3  # the comment, the output and the raw cell: as text
    # Every source line of a graded cell is drawn in place, marked or not (a marked line
    # once pushed the next one off to the right).
    layout = line_number_layout(exe, tmp_path / "profile", page, tmp_path)
    assert sum(map(len, layout)) > 40, layout
    assert misplaced_line_numbers(layout) == [], layout

    shot = tmp_path / "shot.png"
    run = headless(exe, tmp_path / "profile", f"--screenshot={shot}",
                   "--window-size=1100,1600", out.as_uri())
    assert run.returncode == 0, run.stderr[-2000:]
    data = shot.read_bytes()
    assert struct.unpack(">II", data[16:24]) == (1100, 1600) and len(data) > 20_000


def test_the_notebook_rendering_inserts_escaped_markdown_after_graded_cells(graded):
    path, result = graded
    nb = nbformat.reads(render_feedback_notebook(result, path), as_version=4)
    nbformat.validate(nb)
    kinds = [c.metadata.get("c2_grader_feedback") for c in nb.cells]
    assert kinds[0] == "summary"
    after, original = {}, -1  # each feedback cell: the learner's cell just above it
    for kind in kinds[1:]:
        if kind is None:
            original += 1
        else:
            after[kind] = original
    assert after == {p.name: p.cell for p in result.parts if p.cell is not None}
    assert "Feedback on history" in nb.cells[0].source
    feedback = "\n".join(c.source for c in nb.cells if c.metadata.get("c2_grader_feedback"))
    assert "<script" not in feedback and "filenme" in feedback
    assert all(len(o.get("text", "")) <= MAX_TEXT_CHARS + 100 for c in nb.cells
               if c.cell_type == "code" for o in c.outputs)
    assert "widgets" not in nb.metadata
    assert [c for c in nb.cells if c.cell_type == "raw"] == []


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader", "feedback", *args],
                          capture_output=True, text=True, timeout=600)


def test_cli_refuses_before_grading_and_pages_a_broken_notebook(tmp_path):
    broken = tmp_path / "C2W1_Assignment.ipynb"
    broken.write_text('{"cells": [ {"cell_type": "code", ')
    wrong = _cli(str(broken), "--output", str(tmp_path / "out.pdf"))
    assert wrong.returncode == 2 and ".html or .ipynb, not .pdf" in wrong.stderr
    itself = _cli(str(broken), "--output", str(broken))
    assert itself.returncode == 2 and "is the notebook itself" in itself.stderr
    unknown = _cli(str(broken))
    assert unknown.returncode == 2 and "cannot be graded" in unknown.stderr
    as_notebook = _cli(str(broken), "--assignment", "C2W1", "--output", str(tmp_path / "f.ipynb"))
    assert as_notebook.returncode == 2 and "not valid JSON" in as_notebook.stderr
    page = _cli(str(broken), "--assignment", "C2W1")
    assert page.returncode == 1, page.stderr
    out = tmp_path / "C2W1_Assignment-feedback.html"
    assert f"feedback in {out}" in page.stdout
    text = out.read_text()
    assert "Your notebook cannot be shown: The file is not valid JSON" in text
    assert text.count('class="c2-feedback') == len(SPEC.parts)  # every part, in the summary


def test_a_notebook_nbformat_cannot_read_still_gets_its_page(tmp_path):
    path = tmp_path / "n.ipynb"
    path.write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "cells": "nope"}))
    result = zero_result(SPEC, "unreadable", "2", path)
    page = render_feedback_html(result, path)
    assert "Your notebook cannot be shown" in page
    with pytest.raises(FeedbackError, match="cannot write feedback into it"):
        render_feedback_notebook(result, path)
    assert re.search(r"Score 0/100, pass mark \d+: NOT PASSED YET", page)


def test_the_solution_page_marks_nothing_and_the_template_fails_every_block(tmp_path):
    from conftest import SOLUTION, TEMPLATE

    solution = render_feedback_html(grade(SPEC, SOLUTION, SOLUTION_HISTORY, grading_options()),
                                    SOLUTION)
    assert 'class="hll"' not in solution and "Score 100/100" in solution
    assert solution.count('class="c2-feedback passed"') == len(SPEC.parts)
    template = render_feedback_html(grade(SPEC, TEMPLATE, None, grading_options()), TEMPLATE)
    assert "Score 0/100" in template and 'class="c2-feedback passed"' not in template
    assert template.count('class="c2-feedback failed"') == len(SPEC.parts)


# Hostile: a learner's notebook dressed as the grader's verdict (issue 30, item 10). Learner
# HTML keeps no class, id or style, so it can neither look like a verdict nor hide one.
SPOOF = "Score 100/100, pass mark 80: passed"
SPOOF_MARKDOWN = (
    f'<p class="c2-verdict ok" id="feedback-split_data">{SPOOF}</p>\n\n'
    "<style>.c2-feedback, .c2-summary { display: none }</style>\n\n"
    '<div style="position:fixed;top:0;left:0;width:100%;height:100%;background:#fff">'
    '<section class="c2-feedback passed" data-part="split_data"><p class="c2-badge">Grader</p>'
    "<h3>Feedback on split_data: 30/30 points, all 7 checks passed</h3></section></div>\n\n"
    "</div></section></main><p>still the learner's</p>\n\n"
    "<script>document.title='pwned'</script>\n\n"
    "<img src=x onerror=\"document.body.setAttribute('data-pwned', 1)\">\n\n"
    '<iframe src="https://example.com"></iframe><form action="https://example.com">'
    "<input name=q></form>\n\n"
    '<a href="jav&#x09;ascript:document.title=1">tabbed</a> '
    '<a href="data:text/html,<b>x</b>">data link</a> <svg onload="document.title=1"></svg>')
FORBIDDEN = ("<script", "<iframe", "<form", "<input", "<svg", "onerror=", "onload=",
             "javascript:", 'href="data:', "celltag")


def _spoofing_notebook(tmp_path):
    """The spoof in a markdown cell, in an HTML output, and in code-cell tags and forged grader
    metadata; split_data's part placed after the last cell."""
    tagged = nbformat.v4.new_code_cell("print('hi')", outputs=[nbformat.v4.new_output(
        "display_data", data={"text/html": SPOOF_MARKDOWN, "text/plain": "hi"}),
        nbformat.v4.new_output("stream", name="stdout",  # 24-bit colors: a style attribute
                               text="\x1b[38;2;30;123;52m\x1b[48;2;241;249;242mall passed\x1b[0m")])
    tagged.metadata.update(tags=["x c2-feedback passed", "c2-verdict"],
                           c2_grader={"index": 0, "part": "split_data", "lines": [1]})
    graded = nbformat.v4.new_code_cell("def split_data(a, b, c, d):\n    pass\n")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(SPOOF_MARKDOWN), tagged,
                                         graded])
    path = write(nb, tmp_path / "spoof")
    result = zero_result(SPEC, "nothing was graded", "2", path)
    next(p for p in result.parts if p.name == "split_data").cell = 2
    return path, result


def test_hostile_spoofed_verdict_keeps_no_class_style_or_script_and_the_verdict_stands(
        tmp_path):
    path, result = _spoofing_notebook(tmp_path)
    page = render_feedback_html(result, path)
    assert not [f for f in FORBIDDEN if f in page.lower()], page
    assert page.count('class="c2-verdict') == 1 and page.count("<style") == 1
    assert not re.search(r"\sstyle\s*=", page)
    assert page.count('<section class="c2-feedback') == len(SPEC.parts)  # the grader's only
    assert page.count('class="c2-badge"') == len(SPEC.parts) + 1  # and the summary's
    assert page.count('id="feedback-split_data"') == 1
    for rendered in re.findall(r'<div class="rendered_html">(.*?)</div>', page, re.S):
        assert not re.search(r"\s(class|id|style)\s*=", rendered), rendered
    frame = page.index('<section class="c2-notebook"')
    assert page.index(SPOOF) > frame and page.index("still the learner") > frame
    assert page.index("still the learner") < page.rindex("</section></main>")

    out = tmp_path / "spoof.html"
    out.write_text(page)
    dom = headless(chromium(), tmp_path / "profile", "--dump-dom", out.as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    parsed = dom_of(dom.stdout)
    assert re.search(r"<title>(.*?)</title>", dom.stdout, re.S).group(1) == \
        f"Feedback: {path.name}"
    assert not [t for t, a in parsed.tags if t in ("script", "iframe", "form", "input", "svg")
                or "style" in a or "data-pwned" in a]
    classes = [a.get("class", "") for _, a in parsed.tags]
    assert [c for c in classes if "c2-verdict" in c] == ["c2-verdict fail"]
    assert sum("c2-feedback" in c for c in classes) == len(SPEC.parts)
    verdict_at = next(i for i, (k, v) in enumerate(parsed.events)
                      if k == "tag" and "c2-verdict" in v[1].get("class", ""))
    assert parsed.events[verdict_at + 1] == ("text", "Score 0/100, pass mark 80: NOT PASSED YET")
    frame_at = next(i for i, (k, v) in enumerate(parsed.events)
                    if k == "tag" and v[1].get("class") == "c2-notebook")
    spoofs = [i for i, (k, v) in enumerate(parsed.events) if k == "text" and SPOOF in v]
    assert spoofs and min(spoofs) > frame_at > verdict_at


REALISTIC_MARKDOWN = r"""# Week 1: cats vs dogs

Some **bold**, *italic* and `inline code`, a [link](https://www.tensorflow.org), math $x^2$.

1. first
2. second
   - nested

```python
def f(x):
    return x < 1
```

| layer | units |
|:--|--:|
| Dense | 512 |

![a small cat](data:image/png;base64,iVBORw0KGgo=)
![pasted into Colab](attachment:image.png)

> a quote

$$\frac{a}{b}$$

<b>html bold</b> <a name="ex1"></a><img src="https://example.com/x.png" alt="remote" width="300">
"""


def test_realistic_learner_markdown_still_renders(tmp_path):
    from grader.reporters.feedback.sanitize import markdown_html

    rendered = markdown_html(REALISTIC_MARKDOWN)
    for piece in ("<h1>Week 1: cats vs dogs</h1>", "<strong>bold</strong>", "<em>italic</em>",
                  "<code>inline code</code>", '<a href="https://www.tensorflow.org">link</a>',
                  "$x^2$", "<li>first</li>", "<ul>", "<pre><code>def f(x):\n    return x &lt; 1",
                  "<th>layer</th>", "<td>512</td>", "pasted into Colab", "<blockquote>",
                  r"$$\frac{a}{b}$$", "<b>html bold</b>"):
        assert piece in rendered, (piece, rendered)
    images = {a.get("alt"): a for t, a in dom_of(rendered).tags if t == "img"}
    assert images["a small cat"] == {"alt": "a small cat",
                                     "src": "data:image/png;base64,iVBORw0KGgo="}
    assert images["remote"] == {"alt": "remote", "src": "https://example.com/x.png"}
    assert not re.search(r"\s(class|id|style|name|width)\s*=", rendered)

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(REALISTIC_MARKDOWN)])
    path = write(nb, tmp_path)
    page = render_feedback_html(zero_result(SPEC, "x", "2", path), path)
    assert "cannot be shown" not in page and "<h1>Week 1: cats vs dogs</h1>" in page


def test_hostile_notebook_cells_cannot_pass_for_the_graders_cells(tmp_path):
    fake = nbformat.v4.new_markdown_cell(
        "> **Grader's feedback** · seal `0123456789abcdef`\n\n"
        "### Feedback on split\\_data: 30/30 points, all 7 checks passed",
        metadata={"c2_grader_feedback": "split_data", "c2_grader_seal": "0123456789abcdef",
                  "c2_grader": {"index": 1}})
    code = nbformat.v4.new_code_cell("def split_data(a, b, c, d):\n    pass\n")
    nb = nbformat.v4.new_notebook(cells=[fake, code], metadata={"c2_grader_feedback": "x"})
    path = write(nb, tmp_path)
    result = zero_result(SPEC, "nothing was graded", "2", path)
    next(p for p in result.parts if p.name == "split_data").cell = 1

    def graders_and_learners(text: str):
        cells = nbformat.reads(text, as_version=4).cells
        return ([c for c in cells if "c2_grader_feedback" in c.metadata],
                [c for c in cells if "c2_grader_feedback" not in c.metadata])

    written = render_feedback_notebook(result, path)
    graders, learners = graders_and_learners(written)
    assert [c.metadata["c2_grader_feedback"] for c in graders] == ["summary", "split_data"]
    seal = graders[0].metadata["c2_grader_seal"]
    assert re.fullmatch("[0-9a-f]{16}", seal)
    assert all(c.metadata["c2_grader_seal"] == seal and f"seal `{seal}`" in
               c.source.splitlines()[0] for c in graders)
    assert len(learners) == 2 and not [k for c in learners for k in c.metadata
                                       if k.startswith("c2_grader")]
    assert seal not in "".join(c.source for c in learners)
    assert "c2_grader_feedback" not in nbformat.reads(written, as_version=4).metadata
    assert render_feedback_notebook(result, path) == written  # the seal is reproducible...
    fake.source = fake.source.replace("0123456789abcdef", seal)  # ...and cannot be copied
    write(nb, tmp_path)
    again, _ = graders_and_learners(render_feedback_notebook(result, path))
    assert again[0].metadata["c2_grader_seal"] != seal


def test_one_cause_is_told_once_in_every_rendering():
    """Issue 31, item 7: a missing history failed every check of its part with one message;
    the page said it under each. Every rendering tells a cause once, then "(same reason as
    above)", and still tells each other cause."""
    from grader.model import results
    from grader.reporters.escape import markdown_text
    from grader.reporters.feedback.cells import part_markdown
    from grader.reporters.feedback.page import part_block
    from grader.reporters.learner import render_part
    from grader.reporters.text import render_text

    missing = "No history file was submitted: save history.pkl beside the notebook."
    check = results.TestResult
    part = results.PartResult("history", [
        check("at most 15 epochs", False, missing, 0, 2),
        check("training accuracy >= 0.95", False, missing, 0, 4),
        check("model file present", True, "found", 1, 1),
        check("validation accuracy >= 0.80", False, missing, 0, 4),
        check("other cause", False, "The file holds 3 epochs, not 15.", 0, 1),
    ])
    result = results.GradeResult("C2W1", [part], 60.0, "2")
    renderings = {"page": part_block(part), "cells": part_markdown(part),
                  "learner": "\n".join(render_part(part)), "text": render_text(result)}
    for name, text in renderings.items():
        said = markdown_text if name == "cells" else str  # markdown escapes its punctuation
        flat = " ".join(text.split())  # the text renderings wrap long messages
        assert flat.count(said(missing)) == 1, (name, text)
        assert flat.count("(same reason as above)") == 2, (name, text)
        assert flat.count(said("The file holds 3 epochs, not 15.")) == 1, (name, text)


def test_accuracy_plots_draw_the_targets():
    """Issue 31, item 6: every history plot shows the targets (0.95 and 0.80 in week 1)."""
    import base64
    import io

    from matplotlib.image import imread

    from grader.reporters import charts

    def pixels(targets):
        png = charts.accuracy_curves([0.5, 0.7, 0.9], [0.5, 0.6, 0.7], "alice", targets)
        return imread(io.BytesIO(base64.b64decode(png)))

    plain, marked = pixels(None), pixels((0.95, 0.80))
    assert plain.shape == marked.shape
    differ = (abs(plain - marked).sum(axis=2) > 0.1).any(axis=1)  # rows that changed
    rows = [i for i, changed in enumerate(differ) if changed]
    assert len(rows) > 2, "no target line was drawn"


def test_a_memo_gives_the_page_drawn_afresh_and_a_rubric_change_draws_nothing_again(
        graded, tmp_path, monkeypatch):
    """Issue 32, item 5: a batch keeps the page's costly renderings (the notebook's cells
    through nbconvert, the history's plot) in a memo beside it, so a rescore redraws only the
    grader's blocks. Whatever the memo holds, the page is the one drawn without it."""
    from grader.model.memo import Memo
    from grader.model.results import GradeResult
    from grader.reporters import charts
    from grader.reporters.feedback import page

    path, result = graded
    fresh = render_feedback_html(result, path)
    memo = Memo.load(tmp_path / "memo.json")
    assert render_feedback_html(result, path, memo) == fresh and memo.hits == 0
    memo.save()

    changed = GradeResult.from_dict(result.to_dict())  # a rubric change: other points
    for test in changed.parts[0].tests:
        test.max_points *= 2
        test.points = test.max_points if test.passed else 0.0

    def drawn(*args, **kwargs):
        raise AssertionError("drawn again")

    with monkeypatch.context() as patched:
        patched.setattr(page._exporter(), "from_notebook_node", drawn)
        patched.setattr(charts, "_png", drawn)
        again = Memo.load(tmp_path / "memo.json")
        rescored = render_feedback_html(changed, path, again)
    assert again.hits == 2  # the cells and the plot
    assert rescored == render_feedback_html(changed, path) != fresh
    assert f"{changed.parts[0].score:g}/{changed.parts[0].max_score:g} points" in rescored

    # Another notebook in the same memo is drawn afresh, never from the other's entry.
    other = write(edit(load_solution(), "c2w1-split-data", "def split_data(",
                       "# an edit\ndef split_data("), tmp_path / "other")
    again = Memo.load(tmp_path / "memo.json")
    assert render_feedback_html(result, other, again) == render_feedback_html(result, other)
    assert "# an edit" in render_feedback_html(result, other, again)


@pytest.mark.parametrize("stored", [b"not json", b"[1, 2]", b'{"key": 5}', b"\xff\xfe"],
                         ids=["text", "list", "not-strings", "binary"])
def test_a_broken_memo_is_ignored_and_rewritten(graded, tmp_path, stored):
    from grader.model.memo import Memo

    path, result = graded
    (tmp_path / "memo.json").write_bytes(stored)
    memo = Memo.load(tmp_path / "memo.json")
    assert render_feedback_html(result, path, memo) == render_feedback_html(result, path)
    memo.save()
    assert Memo.load(tmp_path / "memo.json").found == memo.used


def test_learner_content_cannot_name_a_block_slot_even_knowing_its_nonce(tmp_path, monkeypatch):
    """The cells are drawn with a slot where each grader block goes, named with a random
    nonce. Even a learner who knew the nonce could not place a block: their markdown, raw
    cells and outputs reach the page escaped or without comments."""
    from grader.reporters.feedback import page

    monkeypatch.setattr(page.secrets, "token_hex", lambda n: "0" * (2 * n))
    slot = "<!--c2-block-" + "0" * 32 + "-{index}-->"
    nb = load_solution()
    cells = [nbformat.v4.new_markdown_cell(slot.format(index=i)) for i in range(20)]
    cells.append(nbformat.v4.new_raw_cell(slot.format(index=12)))
    cells.append(nbformat.v4.new_code_cell(f"# {slot.format(index=13)}", outputs=[
        nbformat.v4.new_output("display_data", data={"text/html": slot.format(index=14),
                                                     "text/plain": slot.format(index=15)})]))
    nb.cells[1:1] = cells
    path = write(nb, tmp_path)
    result = zero_result(SPEC, "nothing was graded", "2", path)
    sources = [str(c.source) for c in nb.cells]
    for part in result.parts:  # each part in its cell, as a grading places it
        found = [i for i, s in enumerate(sources) if f"def {part.name}(" in s]
        part.cell = found[0] if found else None
    rendered = render_feedback_html(result, path)
    assert rendered.count('<section class="c2-feedback') == len(SPEC.parts)
    assert "c2-block-" not in rendered.replace("&lt;!--c2-block-", "")
