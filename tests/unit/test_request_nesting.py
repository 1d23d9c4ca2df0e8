"""The nesting limit is read on the raw bytes before any parser: exact at the limit, blind to
brackets inside strings, and linear whatever the body (a scan that backtracked would itself be
the denial of service it guards against)."""

from __future__ import annotations

import pytest

from article6.http.guard import MAX_DEPTH, too_deep

MEGABYTE = 1024 * 1024


def test_the_limit_is_exact():
    deepest = b"[" * MAX_DEPTH + b"]" * MAX_DEPTH
    assert not too_deep(deepest)
    assert too_deep(b"[" + deepest + b"]")
    assert too_deep(b'{"a": ' * (MAX_DEPTH + 1) + b"1" + b"}" * (MAX_DEPTH + 1))


def test_brackets_inside_strings_do_not_count():
    assert not too_deep(b'{"title": "' + b"[{" * 1000 + b'"}')
    assert not too_deep(b'["a \\" [[[[[[[[[[[[[[[[[[[[[[[[", "\\\\"]')
    assert too_deep(b'["\\\\", ' + b"[" * (MAX_DEPTH + 1))


def test_a_stray_closing_bracket_ends_the_count_where_a_parser_stops():
    assert not too_deep(b"[]]" + b"[" * 5000)


@pytest.mark.parametrize(
    "body",
    [
        b'\\"' * (MEGABYTE // 2),  # every quote opens a string that never closes
        b'"' + b'\\"' * (MEGABYTE // 2),
        b'"' * MEGABYTE,
        b'"' + b"\\" * MEGABYTE,
        b"[]" * (MEGABYTE // 2),
        b'"a",' * (MEGABYTE // 4),
    ],
)
def test_a_megabyte_of_quotes_and_backslashes_is_read_in_one_pass(body: bytes):
    assert too_deep(body) is False
