"""The catalogs say everything the registry says, and nothing it no longer says.

Every word marked in the code (`words()`, `_()`, `gettext()`) and the templates (`_()`,
`{% trans %}`) has a French and a Spanish translation that is not fuzzy and keeps its fields;
no catalog keeps an entry nobody says any more; the compiled `.mo` shipped in the package is the
`.po` beside it. Arabic is partial by design (the main pages): what it has must be current too.
`make translations` brings the catalogs up to date.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from configparser import RawConfigParser
from functools import cache
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from article6 import translation

ROOT = Path(__file__).resolve().parents[2]
COMPLETE = ("fr", "es")
PARTIAL = ("ar",)
BRACE_FIELD = re.compile(r"(?<!\{)\{([A-Za-z_][A-Za-z0-9_]*)(?:[:!][^}]*)?\}")
PERCENT_FIELD = re.compile(r"%\(([A-Za-z_][A-Za-z0-9_]*)\)[sd]")
VARIABLE_GETTEXT = re.compile(r"""(?<![A-Za-z0-9_])_\(\s*(?!["'])""")


def _method_map() -> tuple[list[tuple[str, str]], dict[str, dict[str, str]]]:
    """babel.cfg, read as `pybabel extract -F babel.cfg` reads it."""
    parser = RawConfigParser()
    parser.read(ROOT / "babel.cfg")
    methods, options = [], {}
    for section in parser.sections():
        method, pattern = (part.strip() for part in section.split(":", 1))
        methods.append((pattern, method))
        options[pattern] = dict(parser.items(section))
    return methods, options


@cache
def said_in_code() -> frozenset[str]:
    """Every msgid the code and templates say (a plural by its singular)."""
    methods, options = _method_map()
    keywords = dict(DEFAULT_KEYWORDS, words=None)
    found: set[str] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), methods, options_map=options, keywords=keywords
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return frozenset(found)


@cache
def catalog(code: str) -> Catalog:
    path = translation.LOCALE_DIR / code / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as po:
        return read_po(po, locale=code)


def entries(code: str) -> Iterator[Message]:
    yield from (m for m in catalog(code) if m.id)


def msgid(message: Message) -> str:
    return message.id[0] if isinstance(message.id, tuple) else message.id


def translations_of(message: Message) -> list[str]:
    return list(message.string) if isinstance(message.string, tuple) else [message.string]


def test_the_code_marks_words_to_translate() -> None:
    assert len(said_in_code()) > 100  # guard: the extraction itself found the marked words


@pytest.mark.parametrize("code", COMPLETE)
def test_every_word_said_has_a_translation(code: str) -> None:
    translated = {msgid(m) for m in entries(code) if all(translations_of(m))}
    missing = sorted(said_in_code() - translated)
    assert not missing, f"{len(missing)} not translated into {code}: {missing[:10]}"


@pytest.mark.parametrize("code", COMPLETE + PARTIAL)
def test_no_catalog_keeps_words_nobody_says(code: str) -> None:
    unused = sorted({msgid(m) for m in entries(code)} - said_in_code())
    assert not unused, f"{len(unused)} unused in {code}: {unused[:10]} (make translations)"
    assert not catalog(code).obsolete, f"obsolete entries in {code} (make translations)"


@pytest.mark.parametrize("code", COMPLETE + PARTIAL)
def test_no_translation_is_fuzzy(code: str) -> None:
    fuzzy = [msgid(m) for m in entries(code) if m.fuzzy]
    assert not fuzzy, f"fuzzy in {code}: {fuzzy[:10]}"


@pytest.mark.parametrize("code", COMPLETE + PARTIAL)
def test_translations_keep_every_field(code: str) -> None:
    """A field lost or renamed would print the template or fail the page: the same
    `{name}` and `%(name)s` fields on both sides."""
    wrong = []
    for m in entries(code):
        for pattern in (BRACE_FIELD, PERCENT_FIELD):
            wanted = set(pattern.findall(msgid(m)))
            for said in translations_of(m):
                if said and set(pattern.findall(said)) != wanted and not m.pluralizable:
                    wrong.append((msgid(m), said))
    assert not wrong, f"fields differ in {code}: {wrong[:5]}"


@pytest.mark.parametrize("code", COMPLETE + PARTIAL)
def test_the_compiled_catalog_is_the_catalog(code: str) -> None:
    compiled = io.BytesIO()
    write_mo(compiled, catalog(code))
    shipped = translation.LOCALE_DIR / code / "LC_MESSAGES" / "messages.mo"
    assert shipped.read_bytes() == compiled.getvalue(), f"run make translations ({code})"


def test_arabic_covers_the_main_pages() -> None:
    assert sum(1 for m in entries("ar") if all(translations_of(m))) >= 40


def test_no_template_translates_a_variable() -> None:
    """`_(x)` on a value would come back marked safe (newstyle gettext): an injection. Values
    that are words go through `|said`, which escapes as usual."""
    offending = [
        f"{page.relative_to(ROOT)}: {line.strip()[:80]}"
        for page in sorted((ROOT / "src" / "article6" / "web").rglob("*.html"))
        for line in page.read_text(encoding="utf-8").splitlines()
        if VARIABLE_GETTEXT.search(line)
    ]
    assert not offending, offending
