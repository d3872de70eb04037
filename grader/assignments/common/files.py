"""The first two graded functions of C2W1 and C2W2: the directory tree and the split.

Both act on the filesystem, so their checks read it themselves, through `ctx.fact` and
observers.py (the learner's process only reports what was printed and raised). Their probes
are in probes_files.py; catsdogs.py keeps the model side the two weeks share.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from grader.assignments.common import fixtures, observers
from grader.assignments.common.feedback import describe_error, outcome_problem
from grader.i18n import tr
from grader.model.expected import CatsDogs
from grader.model.spec import Context, PartSpec, Test, Verdict, all_fail
from grader.sandbox import course_paths

SUBDIRS = {"training", "validation", "training/cats", "training/dogs", "validation/cats",
           "validation/dogs"}
# The Jan-Apr 2022 notebooks of weeks 1 and 2 (ASSIGNMENTS.md, "The early-2022 notebooks"):
# the same task as create_train_test_dirs(root_path), with testing/ where validation/ is now.
EARLY_2022_NAME = "create_train_test_dirs"
EARLY_2022_SUBDIRS = {d.replace("validation", "testing") for d in SUBDIRS}
# The two functions' checks, in report order; C2W1 and C2W2 weigh them (model.spec.weigh).
TREE = Test("tree", "creates the four directories under root_path")
DIRS_TESTS = (TREE, course_paths.ARGUMENTS)
ZERO_LENGTH = Test("zero_length", "skips zero-length files")
PRINTS = Test("prints", "prints '<file> is zero length, so ignoring.'")
_CUT = "SPLIT_SIZE {split}: int(n * {split}) to training, the rest to validation"
CUT_09 = Test("cut_09", _CUT)  # the course's SPLIT_SIZE (CatsDogs.split_size)
CUT_05 = Test("cut_05", _CUT)  # another, to catch a fixed one (CatsDogs.other_split_size)
COPIES = Test("copies", "copies files, leaving the source unchanged")
DISJOINT = Test("disjoint", "training and validation are disjoint and hold every non-empty image")
SHUFFLES = Test("shuffles", "shuffles before splitting")


def split_tests(expected: CatsDogs) -> tuple[Test, ...]:
    """split_data's checks, the two cuts named by the week's SPLIT_SIZEs."""
    return (ZERO_LENGTH, PRINTS, CUT_09.worth(0, split=expected.split_size),
            CUT_05.worth(0, split=expected.other_split_size), COPIES, DISJOINT, SHUFFLES)


def slash(path: Path) -> str:
    return str(path) + os.sep


def _copy_jpgs(source: Path, dest: Path) -> None:
    """The source as the course's cleanup cell leaves it: `.jpg` files only, empty ones kept."""
    dest.mkdir(parents=True)
    for name in os.listdir(source):
        if name.lower().endswith(".jpg"):
            shutil.copyfile(source / name, dest / name)


def split_runs(expected: CatsDogs) -> tuple[tuple[str, float, int], ...]:
    """split_data's runs: (class, SPLIT_SIZE, seed). A cut taken over every file, the
    zero-length one included, gives the right counts only when the shuffle puts the empty file
    on one side: with the fixture's 151 files per class that is validation (16 in 151 at 0.9,
    about half at 0.5), so several seeds per size make a lucky pass of that mistake all but
    impossible."""
    course, other = expected.split_size, expected.other_split_size
    return (("Cat", course, 11), ("Cat", course, 22), ("Cat", course, 44), ("Dog", other, 33),
            ("Dog", other, 55))


def prepare(workdir: Path, pets, expected: CatsDogs) -> tuple[dict, dict[str, dict]]:
    """(prepared, args) for the two functions."""
    roots = [workdir / "cats-v-dogs", workdir / "elsewhere" / "another-root"]
    runs = []
    prepared_runs = []
    for run_id, (label, split, seed) in enumerate(split_runs(expected)):
        base = workdir / f"split-{run_id}"
        source = base / "source"
        _copy_jpgs(pets.raw / label, source)
        (base / "training").mkdir()
        (base / "validation").mkdir()
        runs.append({"source": slash(source), "training": slash(base / "training"),
                     "validation": slash(base / "validation"), "split": split, "seed": seed})
        prepared_runs.append({
            "base": str(base), "split": split, "label": label, "seed": seed,
            "zero_length": fixtures.ZERO_LENGTH[label],
            "source_digest": fixtures.tree_digest(source),
        })
    args = {"create_train_val_dirs": {"roots": [str(r) for r in roots]},
            "split_data": {"runs": runs}}
    # The course's paths, for code that uses them instead of its arguments: /tmp/cats-v-dogs
    # does not exist yet (the notebook removes it before the call), the sources do.
    split_layout: course_paths.Layout = {
        f"/tmp/PetImages/{label}": str(pets.raw / label) for label in ("Cat", "Dog")}
    split_layout.update({f"/tmp/cats-v-dogs/{d}": None
                         for d in sorted(SUBDIRS | EARLY_2022_SUBDIRS) if "/" in d})
    prepared = {"roots": [str(r) for r in roots], "runs": prepared_runs,
                "course": {"create_train_val_dirs": {}, "split_data": split_layout}}
    return prepared, args


def _tree_verdict(name: str, found: set[str], where: str, call: dict,
                  expected: set[str] = SUBDIRS) -> Verdict:
    want = ", ".join(sorted(d for d in expected if "/" in d))
    if found == expected:
        return (name, True, tr("Created {dirs} under {where}.", dirs=want, where=where))
    if not found:
        if not call["ok"]:
            return (name, False, describe_error("create_train_val_dirs", call["error"]))
        return (name, False, tr(
            "Nothing was created under the root_path given ({where}). Build every path from "
            "the root_path argument with os.path.join(root_path, 'training', 'cats').",
            where=where))
    missing, extra = sorted(expected - found), sorted(found - expected)
    detail = ([tr("missing {dirs}", dirs=", ".join(missing))] if missing else []) + (
        [tr("unexpected {dirs}", dirs=", ".join(extra))] if extra else [])
    return (name, False, tr(
        "Expected exactly {dirs} under root_path; found {found} under {where}. Note the "
        "lower-case plural names ('cats', 'dogs').", dirs=want, found="; ".join(detail),
        where=where))


def check_create_train_val_dirs(ctx: Context, part: PartSpec) -> list[Verdict]:
    """The tree is judged where the function made it; making it anywhere but under the
    root_path given (the notebook's root_dir, a hard-coded path) costs the second check."""
    outcome = ctx.outcomes.get("create_train_val_dirs")
    problem = outcome_problem("create_train_val_dirs", outcome)
    if problem:
        return all_fail(part, problem)
    calls = outcome.observation["calls"]
    roots = [Path(r) for r in ctx.prepared["roots"]]
    found = [set(ctx.fact(observers.dirs_under, str(root))) for root in roots]
    graded = ctx.extraction.functions.get("create_train_val_dirs") if ctx.extraction else None
    expected = (EARLY_2022_SUBDIRS if graded and graded.defined_as == EARLY_2022_NAME
                else SUBDIRS)
    view = ctx.prepared.get("views", {}).get("create_train_val_dirs")
    elsewhere = [path for path in (ctx.fact(observers.created, view, {}, str(ctx.workdir))
                                   if view else [])  # a tree there, not some library's file
                 if set(ctx.fact(observers.dirs_under_course_path, view, path)) & expected]
    tree, where = found[0], f"{roots[0].name}/"
    if not tree and elsewhere:
        tree = set(ctx.fact(observers.dirs_under_course_path, view, elsewhere[0]))
        where = elsewhere[0]
    if not tree and not elsewhere and not calls[0]["ok"]:
        return all_fail(part, describe_error("create_train_val_dirs", calls[0]["error"]))
    verdicts = [_tree_verdict(TREE.name, tree, where, calls[0], expected)]
    if elsewhere:
        verdicts.append(course_paths.arguments_verdict(
            "create_train_val_dirs", [("root_path", str(roots[1]), elsewhere[0])],
            bool(ctx.prepared.get("course_tmp"))))
    elif not calls[1]["ok"]:
        verdicts.append(course_paths.ARGUMENTS.verdict(False, describe_error(
            "create_train_val_dirs", calls[1]["error"])))
    elif not found[1] or found[1] != found[0]:
        verdicts.append(course_paths.ARGUMENTS.verdict(False, tr(
            "Called again with root_path {root}, it did not make the same tree there (found "
            "{found}). Build every path from root_path, not from a hard-coded path.",
            root=roots[1], found=sorted(found[1]) or tr("nothing"))))
    else:
        verdicts.append(course_paths.ARGUMENTS.verdict(
            True, tr("It followed a second root_path as well.")))
    return verdicts


_ZERO_LENGTH = re.compile(r"zero length|zero size|0 length|0 bytes|size 0|empty")


def reports_zero_length(stdout: str, name: str) -> bool:
    """Whether one printed line names the file and says it is zero length, compared without
    case, spacing or punctuation ('666.jpgis zero-length, so ignoring' counts)."""
    for line in stdout.lower().splitlines():
        if name.lower() in line:
            words = " ".join(re.sub(r"[-_]", " ", line.replace(name.lower(), " ")).split())
            if _ZERO_LENGTH.search(words):
                return True
    return False


def _cut_over_every_file(run: dict, n: int) -> bool:
    """Whether wrong counts are those of a cut taken over all n + 1 files, the zero-length
    one included (it then goes missing on whichever side the shuffle put it)."""
    cut = int((n + 1) * run["split"])
    got = (len(run["train"]), len(run["val"]))
    return got in ((cut - 1, n + 1 - cut), (cut, n - cut))


def split_count_verdicts(runs: list[dict], nonempty, part: PartSpec,
                         expected: CatsDogs) -> list[Verdict]:
    """The two count checks, each over every run of its SPLIT_SIZE (several shuffles). A cut
    over every file is one mistake whatever the shuffle did: it costs the 0.9 check, in every
    run, and never the 0.5 check as well."""
    wrong = {}
    for run in runs:
        n = len(nonempty(run))
        want = (int(n * run["split"]), n - int(n * run["split"]))
        got = (len(run["train"]), len(run["val"]))
        if got != want:
            wrong.setdefault(run["split"], (run, n, want, got))
    every_file = any(_cut_over_every_file(run, n) for run, n, _, _ in wrong.values())
    verdicts: list[Verdict] = []
    for test, split in ((part.test("cut_09"), expected.split_size),
                        (part.test("cut_05"), expected.other_split_size)):
        name = test.name
        mine = [r for r in runs if r["split"] == split]
        if every_file and split == expected.split_size:
            run, n, want, got = next(iter(wrong.values()))
            verdicts.append((name, False, tr(
                "With {n} non-empty files and one zero-length file, SPLIT_SIZE {split} should "
                "give {train} training and {val} validation files; found {got_train} and "
                "{got_val} in at least one of {runs} runs with different shuffles. The cut was "
                "taken over every file, the zero-length one included, so the counts depend on "
                "where the shuffle put it: drop zero-length files first, then cut at "
                "int(len(files) * SPLIT_SIZE).", n=n, split=run["split"], train=want[0],
                val=want[1], got_train=got[0], got_val=got[1], runs=len(runs))))
        elif split in wrong and not (every_file and _cut_over_every_file(*wrong[split][:2])):
            run, n, want, got = wrong[split]
            verdicts.append((name, False, tr(
                "With {n} non-empty files and SPLIT_SIZE {split}, expected {train} training "
                "and {val} validation files; found {got_train} and {got_val}. Compute the cut "
                "as int(len(files) * SPLIT_SIZE) on the non-empty files only, and use "
                "SPLIT_SIZE, not a fixed 0.9.", n=n, split=run["split"], train=want[0],
                val=want[1], got_train=got[0], got_val=got[1])))
        elif split in wrong:
            verdicts.append((name, True, tr(
                "Off only through the zero-length file counted in the cut: charged once, to "
                "the SPLIT_SIZE 0.9 check.")))
        else:
            n = len(nonempty(mine[0]))
            want = int(n * split)
            verdicts.append((name, True, tr(
                "{train} training, {val} validation of {n}, in each of {runs} runs.",
                train=want, val=n - want, n=n, runs=len(mine))))
    return verdicts


def _observed_runs(ctx: Context, calls: list[dict]) -> list[dict]:
    """Each split_data run as the parent reads it back from disk."""
    runs = []
    for info, call in zip(ctx.prepared["runs"], calls, strict=True):
        base = Path(info["base"])
        runs.append({**info, "stdout": call["stdout"],
                     "train": ctx.fact(observers.listing, str(base / "training")),
                     "val": ctx.fact(observers.listing, str(base / "validation")),
                     "source_now": ctx.fact(observers.tree_digest, str(base / "source")),
                     "train_digest": ctx.fact(observers.tree_digest, str(base / "training")),
                     "val_digest": ctx.fact(observers.tree_digest, str(base / "validation"))})
    return runs


def _nonempty(run: dict) -> list[str]:
    return sorted(n for n in run["source_digest"] if n != run["zero_length"])


def check_split_data(ctx: Context, part: PartSpec) -> list[Verdict]:
    outcome = ctx.outcomes.get("split_data")
    problem = outcome_problem("split_data", outcome)
    if problem:
        return all_fail(part, problem)
    calls = outcome.observation["calls"]
    for call in calls:
        if not call["ok"]:
            return all_fail(part, describe_error("split_data", call["error"]))
    runs = _observed_runs(ctx, calls)
    if not any(r["train"] or r["val"] for r in runs):
        view = ctx.prepared.get("views", {}).get("split_data")
        layout = ctx.prepared.get("course", {}).get("split_data", {})
        elsewhere = (ctx.fact(observers.created, view, layout, str(ctx.workdir))
                     if view else [])
        if elsewhere:
            return all_fail(part, tr(
                "split_data copied no files into TRAINING_DIR or VALIDATION_DIR; it wrote to "
                "{path} (a path from the notebook) instead. List the files of SOURCE_DIR, "
                "shuffle them with random.sample, and copy them with shutil.copyfile into the "
                "directories it is given.", path=elsewhere[0]))
        return all_fail(part, tr(
            "split_data copied no files into TRAINING_DIR or VALIDATION_DIR. List the files of "
            "SOURCE_DIR, shuffle them with random.sample, and copy them with shutil.copyfile "
            "into the directories it is given."))
    expected = ctx.spec.expected
    course = [r for r in runs if r["split"] == expected.split_size]  # several seeds
    return [*_zero_length_verdicts(runs, course[0]),
            *split_count_verdicts(runs, _nonempty, part, expected),
            _source_verdict(runs), _partition_verdict(runs), _shuffle_verdict(*course[:2])]


def _zero_length_verdicts(runs: list[dict], run: dict) -> list[Verdict]:
    kept_empty = [r for r in runs if r["zero_length"] in set(r["train"]) | set(r["val"])]
    verdicts: list[Verdict] = [ZERO_LENGTH.verdict(False, tr(
        "The zero-length file {file} was copied. Check os.path.getsize(file) > 0 before "
        "keeping a file.", file=kept_empty[0]["zero_length"])) if kept_empty else
        ZERO_LENGTH.verdict(True, tr("Zero-length files were left out."))]
    expected = f"{run['zero_length']} is zero length, so ignoring."  # what the course prints
    if reports_zero_length(run["stdout"], run["zero_length"]):
        verdicts.append(PRINTS.verdict(True, tr("Printed the zero-length message.")))
    else:
        shown = run["stdout"].strip().splitlines()[:3]
        named = any(run["zero_length"].lower() in line.lower() for line in shown)
        verdicts.append(PRINTS.verdict(False, tr(
            "Expected the line \"{expected}\" for the empty file; found {found}. {advice} "
            "Wording, case and punctuation are up to you.", expected=expected,
            found=repr(" / ".join(shown)) if shown else tr("no output"),
            advice=tr("Say that it is zero length.") if named else
            tr("The message must name the file it skips."))))
    return verdicts


def _source_verdict(runs: list[dict]) -> Verdict:
    changed = [r for r in runs if r["source_now"] != r["source_digest"]]
    if not changed:
        return COPIES.verdict(True, tr("The source directory was left unchanged."))
    gone = sorted(set(changed[0]["source_digest"]) - set(changed[0]["source_now"]))
    return COPIES.verdict(False, tr(
        "SOURCE_DIR changed: {n} file(s) disappeared from it. Copy with shutil.copyfile (or "
        "copyfile) instead of moving with shutil.move or os.rename.", n=len(gone)))


def _partition_verdict(runs: list[dict]) -> Verdict:
    problems = []
    for run in runs:
        both = set(run["train"]) & set(run["val"])
        missing = set(_nonempty(run)) - (set(run["train"]) | set(run["val"]))
        altered = [
            n for n, digest in {**run["train_digest"], **run["val_digest"]}.items()
            if run["source_digest"].get(n) not in (None, digest)
        ]
        if both:
            problems.append(tr("{n} file(s) are in both sets (e.g. {file})", n=len(both),
                               file=sorted(both)[0]))
        if missing:
            problems.append(tr("{n} non-empty file(s) were copied nowhere (e.g. {file})",
                               n=len(missing), file=sorted(missing)[0]))
        if altered:
            problems.append(tr("{n} copied file(s) differ from the source", n=len(altered)))
    if problems:
        return DISJOINT.verdict(False, tr(
            "{problems}. Each non-empty file goes to exactly one of the two directories.",
            problems="; ".join(problems[:3])))
    return DISJOINT.verdict(True, tr("Every non-empty file is in exactly one set."))


def _shuffle_verdict(first: dict, second: dict) -> Verdict:
    if set(first["train"]) != set(second["train"]):
        return SHUFFLES.verdict(True, tr("Two runs gave two different splits."))
    return SHUFFLES.verdict(False, tr(
        "Two runs with different random seeds put exactly the same files in training: the "
        "files are not shuffled. Use random.sample(files, len(files)) before splitting."))
