"""Keep the Spanish catalog in step with the code (Babel).

    python tools/i18n.py                 # extract, update grader.po, compile grader.mo
    python tools/i18n.py --add a.po b.po # also take the translations in these files
    python tools/i18n.py --check         # exit 1 if anything is missing or stale

Extraction reads `tr(...)`, `N_(...)` and `msg(...)` calls in grader/ (see grader/i18n), and
the name of every test of the built-in assignments: a name is rendered from its template and
the values its check uses (grader.model.spec.Test), so one whose values change arrives as a
new message. New messages arrive untranslated; a message no longer in the code is dropped.
tests/test_i18n.py fails while any message lacks a Spanish translation.
"""

from __future__ import annotations

import argparse
import gettext
import io
import sys
from datetime import datetime, timezone
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "grader"
LOCALE = SOURCE / "i18n" / "locale"
KEYWORDS = {"tr": None, "N_": None, "msg": None}
# Fixed, so that --check compares content only (the history is git's).
DATE = datetime(2026, 12, 1, tzinfo=timezone.utc)


def po_path(lang: str = "es") -> Path:
    return LOCALE / lang / "LC_MESSAGES" / "grader.po"


def test_names() -> list[tuple[str, str]]:
    """(name, spec module's file) of every test of the built-in assignments, rendered: no
    literal in the code holds a name filled from its values."""
    from grader.assignments import CODES, get_spec  # the built-in ones, not any registered

    found = []
    for code in CODES:
        spec = get_spec(code)
        where = spec.module.replace(".", "/") + ".py"
        found += [(test.name, where) for part in spec.parts for test in part.tests]
    return found


def template() -> Catalog:
    """Every message the code can show, with where it is used."""
    catalog = Catalog(project="c2-grader", domain="grader", creation_date=DATE)
    for filename, lineno, message, comments, context in extract_from_dir(
            SOURCE, [("**.py", "python")], keywords=KEYWORDS, comment_tags=("TRANSLATORS:",),
            strip_comment_tags=True):
        if isinstance(message, tuple):  # keyword with several strings: we use one
            message = message[0]
        if message:
            catalog.add(message, locations=[(f"grader/{filename}", lineno)],
                        auto_comments=comments, context=context)
    for name, where in test_names():  # a known one gains the location
        catalog.add(name, locations=[(where, None)])
    return catalog


def read(path: Path, lang: str = "es") -> Catalog:
    if not path.exists():
        return Catalog(locale=lang, project="c2-grader", domain="grader", creation_date=DATE,
                       revision_date=DATE, language_team="Spanish", fuzzy=False)
    with path.open("rb") as handle:
        return read_po(handle, locale=lang, domain="grader")


def updated(lang: str = "es", extra: list[Path] = ()) -> Catalog:
    """The catalog for `lang` holding exactly the code's messages, translations kept."""
    catalog = read(po_path(lang), lang)
    for path in extra:
        for message in read(path, lang):
            if not (message.id and message.string):
                continue
            known = catalog.get(message.id)  # Catalog.add keeps a known message's string
            if known is None:
                catalog.add(message.id, message.string)
            else:
                known.string = message.string
                known.flags.discard("fuzzy")
    catalog.update(template(), no_fuzzy_matching=True, update_header_comment=False,
                   update_creation_date=False)
    catalog.obsolete.clear()
    return catalog


def po_bytes(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_po(out, catalog, width=100, omit_header=False, sort_output=False,
             include_previous=False)
    return out.getvalue()


def mo_bytes(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def untranslated(catalog: Catalog) -> list[str]:
    return [m.id for m in catalog if m.id and (not m.string or m.fuzzy)]


def translations(catalog: Catalog) -> dict[str, str]:
    """What a catalog says, compared by content: the files' layout varies with Babel's
    version (its header names it), the messages do not."""
    return {m.id: m.string for m in catalog if m.id and m.string and not m.fuzzy}


def _po_translations(path: Path) -> dict[str, str]:
    return translations(read(path))


def _mo_translations(path: Path) -> dict[str, str]:
    with path.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    return {k: v for k, v in compiled._catalog.items() if k}  # noqa: SLF001 (no public view)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--add", type=Path, nargs="+", action="extend", default=[],
                        help=".po files whose translations to take in")
    parser.add_argument("--check", action="store_true",
                        help="change nothing; exit 1 if the catalog is stale or incomplete")
    parser.add_argument("--lang", default="es")
    args = parser.parse_args(argv)
    catalog = updated(args.lang, args.add)
    po, mo = po_path(args.lang), po_path(args.lang).with_suffix(".mo")
    missing = untranslated(catalog)
    if args.check:
        wanted = translations(catalog)
        stale = [p for p, found in ((po, _po_translations), (mo, _mo_translations))
                 if not p.exists() or found(p) != wanted]
        for path in stale:
            print(f"{path.relative_to(ROOT)}: out of date; run python tools/i18n.py",
                  file=sys.stderr)
        for message in missing:
            print(f"untranslated: {message!r}", file=sys.stderr)
        return 1 if stale or missing else 0
    po.parent.mkdir(parents=True, exist_ok=True)
    po.write_bytes(po_bytes(catalog))
    mo.write_bytes(mo_bytes(catalog))
    print(f"{po.relative_to(ROOT)}: {len(catalog)} messages, {len(missing)} untranslated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
