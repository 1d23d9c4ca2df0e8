"""The words of Article 6 that the pages abbreviate, each with what it stands for, what it means
and the decision that says so: shown on `/glossary` and as the `<abbr>` title wherever the
abbreviation appears on a page."""

from __future__ import annotations

import re
from dataclasses import dataclass

from markupsafe import Markup, escape


@dataclass(frozen=True)
class Term:
    short: str
    long: str
    meaning: str
    source: str


TERMS: tuple[Term, ...] = (
    Term(
        "ITMO",
        "Internationally transferred mitigation outcome",
        "A mitigation outcome from a cooperative approach, authorized for use towards an NDC or "
        "for other international mitigation purposes, once first transferred.",
        "Decision 2/CMA.3, annex, para 1",
    ),
    Term(
        "MO",
        "Mitigation outcome",
        "An emission reduction or removal from 2021 onward, recorded before any authorization.",
        "Decision 2/CMA.3, annex, para 1",
    ),
    Term(
        "AMO",
        "Authorized mitigation outcome",
        "A mitigation outcome the Party has authorized but that has not yet been first "
        "transferred; it becomes an ITMO at its first transfer.",
        "Decision 2/CMA.3, annex, para 2; decision 6/CMA.4, annex I",
    ),
    Term(
        "OIMP",
        "Other international mitigation purposes",
        "Uses other than towards an NDC: international mitigation purposes (IMP, such as CORSIA) "
        "and other purposes (OP) as the first transferring Party determines.",
        "Decision 2/CMA.3, annex, para 1(f)",
    ),
    Term(
        "IMP",
        "International mitigation purposes",
        "Mitigation purposes outside any NDC, such as the airlines' offsetting scheme CORSIA.",
        "Decision 2/CMA.3, annex, para 1(f)",
    ),
    Term(
        "OMGE",
        "Overall mitigation in global emissions",
        "Units cancelled so that no one counts them towards any NDC or other purpose.",
        "Decision 2/CMA.3, annex, chapter VII",
    ),
    Term(
        "NDC",
        "Nationally determined contribution",
        "A Party's climate pledge under Article 4 of the Paris Agreement, towards which it may "
        "use ITMOs.",
        "Paris Agreement, Article 4.2; decision 2/CMA.3, annex, para 4(b)",
    ),
    Term(
        "CA",
        "Corresponding adjustment",
        "The adjustment a Party makes to its emissions balance for ITMOs first transferred or "
        "used; cooperative approaches are also numbered CA0001 and so on.",
        "Decision 2/CMA.3, annex, chapter III",
    ),
    Term(
        "ARS",
        "Additional Registry Services",
        "The optional part of the international registry that keeps MOs a Party has not yet "
        "authorized, or authorized but not yet first transferred.",
        "Decision 6/CMA.4, annex I; the secretariat's description of the IR",
    ),
    Term(
        "IR",
        "International registry",
        "The registry the secretariat runs for Parties without their own, tracking ITMOs from "
        "issuance or arrival to use or transfer out.",
        "Decision 2/CMA.3, annex, para 30; decision 6/CMA.4, annex I",
    ),
)
BY_SHORT = {t.short: t for t in TERMS}
WORD = re.compile(r"\b(" + "|".join(sorted(BY_SHORT, key=len, reverse=True)) + r")\b")


def abbreviate(text: object) -> Markup:
    """`text` with each Article 6 abbreviation in an `<abbr title=…>` saying what it stands for."""

    def one(match: re.Match[str]) -> str:
        term = BY_SHORT[match.group(1)]
        return f'<abbr title="{escape(term.long)}">{term.short}</abbr>'

    return Markup(WORD.sub(one, str(escape(text))))
