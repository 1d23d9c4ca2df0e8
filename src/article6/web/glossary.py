"""The words of Article 6 that the pages abbreviate, each with what it stands for, what it means
and the decision that says so: shown on `/glossary` and as the `<abbr>` title wherever the
abbreviation appears on a page, in the reader's language (the UNFCCC's own terms: an ITMO is a
RATI in French and an RMTI in Spanish)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from markupsafe import Markup, escape

from article6 import translation
from article6.domain.wording import Words, words


@dataclass(frozen=True)
class Term:
    short: Words  # as a string, the English abbreviation: the page anchor and the data's code
    long: Words
    meaning: Words
    source: Words


TERMS: tuple[Term, ...] = (
    Term(
        words("ITMO"),
        words("Internationally transferred mitigation outcome"),
        words(
            "A mitigation outcome from a cooperative approach, authorized for use towards an NDC "
            "or for other international mitigation purposes, once first transferred."
        ),
        words("Decision 2/CMA.3, annex, para 1"),
    ),
    Term(
        words("MO"),
        words("Mitigation outcome"),
        words(
            "An emission reduction or removal from 2021 onward, recorded before any authorization."
        ),
        words("Decision 2/CMA.3, annex, para 1"),
    ),
    Term(
        words("AMO"),
        words("Authorized mitigation outcome"),
        words(
            "A mitigation outcome the Party has authorized but that has not yet been first "
            "transferred; it becomes an ITMO at its first transfer."
        ),
        words("Decision 2/CMA.3, annex, para 2; decision 6/CMA.4, annex I"),
    ),
    Term(
        words("OIMP"),
        words("Other international mitigation purposes"),
        words(
            "Uses other than towards an NDC: international mitigation purposes (IMP, such as "
            "CORSIA) and other purposes (OP) as the first transferring Party determines."
        ),
        words("Decision 2/CMA.3, annex, para 1(f)"),
    ),
    Term(
        words("IMP"),
        words("International mitigation purposes"),
        words(
            "Mitigation purposes outside any NDC, such as the airlines' offsetting scheme CORSIA."
        ),
        words("Decision 2/CMA.3, annex, para 1(f)"),
    ),
    Term(
        words("OMGE"),
        words("Overall mitigation in global emissions"),
        words("Units cancelled so that no one counts them towards any NDC or other purpose."),
        words("Decision 2/CMA.3, annex, chapter VII"),
    ),
    Term(
        words("NDC"),
        words("Nationally determined contribution"),
        words(
            "A Party's climate pledge under Article 4 of the Paris Agreement, towards which it may "
            "use ITMOs."
        ),
        words("Paris Agreement, Article 4.2; decision 2/CMA.3, annex, para 4(b)"),
    ),
    Term(
        words("CA"),
        words("Corresponding adjustment"),
        words(
            "The adjustment a Party makes to its emissions balance for ITMOs first transferred or "
            "used; cooperative approaches are also numbered CA0001 and so on."
        ),
        words("Decision 2/CMA.3, annex, chapter III"),
    ),
    Term(
        words("ARS"),
        words("Additional Registry Services"),
        words(
            "The optional part of the international registry that keeps MOs a Party has not yet "
            "authorized, or authorized but not yet first transferred."
        ),
        words("Decision 6/CMA.4, annex I; the secretariat's description of the IR"),
    ),
    Term(
        words("IR"),
        words("International registry"),
        words(
            "The registry the secretariat runs for Parties without their own, tracking ITMOs from "
            "issuance or arrival to use or transfer out."
        ),
        words("Decision 2/CMA.3, annex, para 30; decision 6/CMA.4, annex I"),
    ),
)
BY_SHORT = {str(t.short): t for t in TERMS}


@dataclass(frozen=True)
class Named:
    """A term the pages write out in full, said with one word per language throughout."""

    name: Words
    meaning: Words
    source: Words


NAMED: tuple[Named, ...] = (
    Named(
        words("Interoperability hub"),
        words(
            "The secretariat's system that connects the international registry, the Parties' "
            "own registries and the Article 6.4 mechanism registry: it checks and forwards "
            "transfers between registries and reconciles their totals."
        ),
        words("Decision 6/CMA.4, annex I"),
    ),
)


@cache
def _abbreviations(language: str) -> tuple[re.Pattern[str], dict[str, Term]]:
    """The abbreviations a page in `language` may hold: the English ones (the codes the data
    carries, such as a unit's state ITMO) and the language's own (RATI, CDN)."""
    found = dict(BY_SHORT)
    with translation.speaking(language):
        found.update({translation.said(t.short): t for t in TERMS})
    pattern = re.compile(
        r"\b(" + "|".join(sorted(map(re.escape, found), key=len, reverse=True)) + r")\b"
    )
    return pattern, found


def abbreviate(text: object) -> Markup:
    """`text` with each Article 6 abbreviation in an `<abbr title=…>` saying what it stands for."""
    pattern, found = _abbreviations(translation.current())

    def one(match: re.Match[str]) -> str:
        term = found[match.group(1)]
        return f'<abbr title="{escape(translation.said(term.long))}">{match.group(1)}</abbr>'

    return Markup(pattern.sub(one, str(escape(text))))
