"""Which numbered checks a person can meet on the registry's pages, and why the others never
show there.

Every check is either reachable from a page (a form, or a page's address such as a search)
or listed here with the reason no page can trip it. `tests/api/test_every_refusal_on_the_pages.py`
trips each reachable one through its page and reads the words shown; a new check fails that
test until it is given a case there or a reason here, so the decision is never skipped.
"""

from __future__ import annotations

from article6.domain.checks import Check

PROTOCOL = (
    "a message between registries and the hub: registries' software sends it, no person fills it in"
)
HISTORY = (
    "a Party's history is imported by the secretariat on the command line "
    "(`article6 history import`); no page takes the files"
)
JSON_BODY = "the pages post forms, not JSON: only an API client sends a body this check reads"

NOT_FROM_A_PAGE: dict[Check, str] = {
    Check.C1003: (
        "the pages take a registry ID only inside a serial range or a unit identifier, which "
        "they read whole (a bad one is refused as the range, C1005, or the unit, C1020)"
    ),
    Check.C1026: (
        "an application's stored document differs from the digest journaled when it was "
        "attached only if the database was altered underneath the registry; nothing typed or "
        "uploaded on a page can make it so (tests/api/test_application_documents.py alters "
        "one and downloads it through the page)"
    ),
    Check.C1027: (
        "the language switch offers only the registry's languages; another code reaches the "
        "registry only in a forged post (tests/api/test_language_switch.py sends one)"
    ),
    Check.C2015: (
        "a page offers the withdrawal only while the transfer waits for the acquiring side, and "
        "a withdrawal of a transfer no longer waiting is refused as any late step (C4007); the "
        "check refuses a withdrawal that lost the race with the acquiring Party's acceptance "
        "(tests/integration/test_acceptance.py runs them together)"
    ),
    Check.C1008: (
        "no form asks for a metric: what the pages record is measured in t CO2 eq; a non-GHG "
        "metric comes over the API"
    ),
    Check.C1013: JSON_BODY,
    Check.C1015: JSON_BODY,
    Check.C1016: JSON_BODY,
    Check.C1018: (
        "the consistency checks read AEF files given on the command line "
        "(`article6 aef consistency`); the page checks the registry's own AEFs"
    ),
    Check.C2003: (
        "the registry numbers the serials it issues itself; an overlap can come only with "
        "units arriving from another registry or the mechanism"
    ),
    Check.C2005: "units arrive from another registry through the hub, not from a form",
    Check.C2007: (
        "a form takes at most 1,000 serial ranges (C1005 says so first), and a quantity is "
        "taken from the fewest blocks; only a ledger of more than 1,000 scattered blocks could "
        "reach the limit"
    ),
    Check.C2008: "a journal checkpoint is sent to the hub by the registry's software",
    Check.C2009: "a journal checkpoint is sent to the hub by the registry's software",
    Check.C4013: "a registry announces its signing key to the hub in a signed message",
    Check.C5003: "Article 6.4 units arrive from the mechanism registry, not from a form",
    **{check: PROTOCOL for check in Check if check.code.startswith("C6")},
    **{check: HISTORY for check in Check if check.code.startswith("C7")},
}
"""Check -> why no page of the registry can trip it."""


def markdown() -> str:
    """The section of docs/checks.md that lists the checks no page shows, and why."""
    lines = [
        "",
        "## Checks no page can trip",
        "",
        "Every other check is shown on the pages when a form (or a search) trips it, naming the"
        " field in words; `tests/api/test_every_refusal_on_the_pages.py` trips each one.",
        "",
        "| code | check | why no page trips it |",
        "|---|---|---|",
    ]
    lines += [
        f"| {c.code} | {c.title} | {NOT_FROM_A_PAGE[c]} |" for c in Check if c in NOT_FROM_A_PAGE
    ]
    return "\n".join(lines) + "\n"
