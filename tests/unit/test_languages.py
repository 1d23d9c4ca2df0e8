"""Which language is spoken, and how marked words are said in it: the browser's
Accept-Language ranked by quality, our languages only; a `Words` keeps its English and says its
template in the reader's language with the same values."""

from __future__ import annotations

import pickle
from datetime import UTC, date, datetime

import pytest

from article6 import translation
from article6.domain.authorizations import undated
from article6.domain.wording import Words, words


@pytest.mark.parametrize(
    ("header", "spoken"),
    [
        (None, "en"),
        ("", "en"),
        ("fr-CA,fr;q=0.9,en;q=0.8", "fr"),
        ("de-DE,de;q=0.9,es;q=0.5", "es"),
        ("en;q=0.2,ar;q=0.9", "ar"),
        ("es;q=0, fr;q=0.1", "fr"),
        ("de, *;q=0.1", "en"),
        ("zh-CN", "en"),
        ("fr;q=abc", "en"),
    ],
)
def test_the_browser_header_picks_the_best_of_our_languages(header: str | None, spoken: str):
    assert translation.negotiate(header) == spoken


def test_words_stay_the_english_sentence_for_logs_and_the_cli():
    said = words("{quantity:,} units of {party}", quantity=50000, party="XXA")
    assert said == "50,000 units of XXA"
    assert isinstance(said, str) and isinstance(said, Words)
    assert said.template == "{quantity:,} units of {party}"
    assert pickle.loads(pickle.dumps(said)).params == {"quantity": 50000, "party": "XXA"}


def test_a_word_without_a_translation_is_said_in_english():
    with translation.speaking("fr"):
        assert translation.said(words("No such sentence in any catalog {n}", n=3)) == (
            "No such sentence in any catalog 3"
        )
        assert translation.said("XXA01") == "XXA01"  # a code is said as it stands
        assert translation.said(None) == ""


def test_an_unknown_language_speaks_english():
    with translation.speaking("xx") as spoken:
        assert spoken.code == "en" and translation.current() == "en"
    assert translation.current() == "en"


def test_arabic_is_written_right_to_left():
    assert translation.LANGUAGES["ar"].direction == "rtl"
    assert {translation.LANGUAGES[c].direction for c in ("en", "fr", "es")} == {"ltr"}


def test_quantities_in_sentences_are_grouped_the_way_the_reader_writes_them():
    held = words("{quantity:,} units", quantity=20000)
    assert translation.said(held) == "20,000 units"
    with translation.speaking("fr"):
        assert "20\u202f000" in translation.said(held)
    with translation.speaking("es"):
        assert "20.000" in translation.said(held)


def test_days_and_moments_in_sentences_are_written_the_way_the_reader_writes_them():
    """A refusal naming a day (C1009, C3011) or a deadline: ISO in English, what the API and
    the CLI keep; the reader's own way on a French or Spanish page."""
    refused = undated(date(2019, 5, 2), date(2026, 1, 15))
    assert refused is not None
    assert str(refused.detail) == (
        "2019-05-02 is not a date from 2021-01-01 (decision 2/CMA.3 applies from 2021) "
        "to today (2026-01-15)"
    )
    with translation.speaking("fr"):
        french = translation.said(refused.detail)
    assert "2 mai 2019" in french and "1 janvier 2021" in french and "15 janvier 2026" in french
    with translation.speaking("es"):
        assert "2 de mayo de 2019" in translation.said(refused.detail)

    deadline = words(
        "{transaction} may be approved until {expires_at:%Y-%m-%d %H:%M} UTC",
        transaction="XXA01-00000001",
        expires_at=datetime(2026, 12, 3, 14, 5, tzinfo=UTC),
    )
    assert deadline == "XXA01-00000001 may be approved until 2026-12-03 14:05 UTC"
    with translation.speaking("fr"):
        assert "3 déc. 2026, 14:05 UTC" in translation.said(deadline)
    with translation.speaking("es"):
        assert "3 dic 2026, 14:05 UTC" in translation.said(deadline)
    with translation.speaking("fr"):
        assert (
            translation.said(words("on {day:%Y-%m-%d}", day=date(2025, 4, 1))) == "on 1 avril 2025"
        )


def test_a_moment_the_journal_keeps_is_said_the_readers_way_in_a_notification():
    from article6.services.notifications import moment_words

    until = moment_words("2026-12-02T13:00:00+00:00")
    assert until == "2026-12-02 13:00 UTC"
    with translation.speaking("fr"):
        assert translation.said(until) == "2 déc. 2026, 13:00 UTC"
    assert moment_words("soon") == "soon"
