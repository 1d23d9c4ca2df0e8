"""Errors as RFC 9457 problem details, one table from check code to HTTP status.

Every error the API returns is `application/problem+json` naming the numbered check(s) and the
field or block concerned. Request validation errors are translated to the same checks, so a
client handles one shape whatever refused its request.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse

from article6 import translation
from article6.domain.checks import Check, CommandRefused, Refusal
from article6.domain.wording import Words, words
from article6.http.language import language_of
from article6.http.metrics import count_refusals
from article6.translation import said

MEDIA_TYPE = "application/problem+json"
log = logging.getLogger("article6.api")

STATUS: dict[Check, int] = {
    Check.C1010: 409,  # an idempotency key reused for another request: a conflict
    Check.C1012: 404,
    Check.C1013: 400,
    Check.C1014: 413,
    Check.C1015: 415,
    Check.C1016: 400,
    Check.C1017: 403,
    Check.C2012: 403,  # only the acquiring Party answers a transfer waiting for it
    Check.C2013: 409,  # the transfer no longer waits for acceptance, or its deadline passed
    Check.C2015: 409,  # the transfer no longer waits for the acquiring side: too late to withdraw
    Check.C2016: 403,  # only the transferring Party withdraws a transfer waiting for acceptance
    Check.C4002: 403,
    Check.C4006: 403,
    Check.C4007: 409,  # the transaction is no longer in a state that allows this step
    Check.C4009: 401,
    Check.C4010: 429,
    Check.C4011: 403,
    Check.C4012: 403,
    Check.C4028: 403,  # nobody grants or revokes their own role
    Check.C4014: 403,  # a reset password must be changed before anything else
    Check.C4016: 403,  # a password change whose current password or code is wrong
    Check.C5005: 403,  # a pull from the 6.4 registry outside the actor's scope
    Check.C4020: 403,  # only a Party Section Administrator keeps the trusted destinations
    Check.C4021: 403,  # a signed confirmation without a current, unused code
    Check.C4022: 409,  # the request is not the action that was previewed and confirmed
    Check.C4023: 403,  # the secretariat in a Party's section without its delegation
    Check.C4024: 403,  # an enrolment link used, expired or unknown
    Check.C4025: 409,  # a joining request already reviewed
    Check.C4026: 409,  # a suspended or closed section
    Check.C1026: 409,  # a stored document no longer matches its journaled digest
    Check.C4027: 409,  # an entity's application already reviewed
    Check.C6108: 401,  # an administrative request to the hub without an operator's signature
    Check.C6109: 429,  # a reconciliation asked for too soon
}
"""The HTTP status of a refusal by its (first) check; every other check is 422."""

DEFAULT_STATUS = 422
ERROR_STATUSES = (400, 401, 403, 404, 405, 409, 413, 415, 422, 429)
TITLES: dict[int, Words] = {
    400: words("Malformed request"),
    401: words("Sign-in required"),
    403: words("Not allowed"),
    404: words("Not found"),
    405: words("Method not allowed"),
    409: words("Conflict"),
    413: words("Request too large"),
    415: words("Unsupported media type"),
    422: words("Refused by the registry's checks"),
    429: words("Too many attempts"),
    500: words("Internal error"),
}


class CheckFailure(BaseModel):
    check: str
    title: str
    field: str
    detail: str


class Problem(BaseModel):
    """RFC 9457 problem details with the registry's numbered checks."""

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    checks: list[CheckFailure] = []


def status_of(refusals: list[Refusal]) -> int:
    return STATUS.get(refusals[0].check, DEFAULT_STATUS) if refusals else DEFAULT_STATUS


def problem_body(
    status: int, refusals: list[Refusal], instance: str | None = None, language: str | None = None
) -> dict[str, Any]:
    """The problem document: `type`, `check` and `field` are the same in every language;
    `title` and `detail` are said in `language` (English when None or not one of ours)."""
    first = refusals[0] if refusals else None
    with translation.speaking(language):
        title = said(first.check.title) if first else said(TITLES.get(status, "Error"))
        checks = [
            {
                "check": r.check.code,
                "title": said(r.check.title),
                "field": r.field,
                "detail": said(r.detail),
            }
            for r in refusals
        ]
        return {
            "type": f"urn:article6:check:{first.check.code}" if first else "about:blank",
            "title": title,
            "status": status,
            "detail": "; ".join(f"{c['check']} {c['field']}: {c['detail']}" for c in checks)
            or title,
            "instance": instance,
            "checks": checks,
        }


def problem_response(
    refusals: list[Refusal],
    instance: str | None = None,
    status: int | None = None,
    headers: dict[str, str] | None = None,
    language: str | None = None,
) -> JSONResponse:
    code = status or status_of(refusals)
    count_refusals(refusals)
    extra = dict(headers or {})
    if code == 401:
        extra.setdefault("WWW-Authenticate", 'Bearer realm="article6"')
    spoken = language if language in translation.LANGUAGES else translation.DEFAULT
    extra["Content-Language"] = spoken
    return JSONResponse(
        problem_body(code, refusals, instance, spoken),
        status_code=code,
        media_type=MEDIA_TYPE,
        headers=extra,
    )


# --- request validation -> checks -------------------------------------------------------

# Field names that mean one thing wherever they appear. A name whose meaning depends on the
# request (`code` is a Party's code when registering a Party, a second-factor code when signing
# in) is mapped by the request's own model instead (`checks_by_field`, below).
FIELD_CHECKS: list[tuple[tuple[str, ...], Check]] = [
    (
        ("party", "participating_parties", "authorized_parties", "acquiring_party"),
        Check.C1001,
    ),
    (("country_of_incorporation",), Check.C1001),
    (("cooperative_approach", "id"), Check.C1002),
    (("registry",), Check.C1003),
    (("authorization_id",), Check.C1004),
    (
        (
            "quantity",
            "first",
            "last",
            "after",
            "before",
            "limit",
            "ranges",
            "unit",
            "authorized_quantity",
            "underlying_first",
            "underlying_last",
            "registry_number",
        ),
        Check.C1005,
    ),
    (("vintage",), Check.C1006),
    (("idempotency_key", "Idempotency-Key"), Check.C1011),
]
TYPE_CHECKS: dict[str, Check] = {
    "enum": Check.C1007,
    "literal_error": Check.C1007,
    "missing": Check.C1011,
    "string_too_long": Check.C1011,
    "string_too_short": Check.C1011,
    "string_pattern_mismatch": Check.C1011,
    "extra_forbidden": Check.C1011,
    "too_long": Check.C1011,
    "too_short": Check.C1011,
    "json_invalid": Check.C1013,
}


def own_checks(model: Any) -> Mapping[str, Check]:
    """The checks a request model names for its own fields (its `checks_by_field`)."""
    found = getattr(model, "checks_by_field", None)
    return found if isinstance(found, Mapping) else {}


def body_checks(request: Request) -> Mapping[str, Check]:
    """The `checks_by_field` of the models the matched route reads its body into."""
    dependant = getattr(request.scope.get("route"), "dependant", None)
    found: dict[str, Check] = {}
    for param in getattr(dependant, "body_params", None) or ():
        found.update(own_checks(getattr(param.field_info, "annotation", None)))
    return found


def check_for(
    location: tuple[Any, ...], kind: str, own: Mapping[str, Check] | None = None
) -> Check:
    """The check a validation error at `location` names: the model's own for its field, else
    by the field's name (FIELD_CHECKS), else by the kind of error."""
    if kind in ("enum", "literal_error", "json_invalid"):
        return TYPE_CHECKS[kind]
    names = [str(part) for part in location if isinstance(part, str)]
    top = next((n for n in names if n not in ("body", "query", "path", "header")), None)
    if own and top is not None and top in own:
        return own[top]
    if kind.startswith(("date", "datetime", "time")) or any(
        n.startswith(("date", "ndc_", "timeframe_", "since", "until")) for n in names[-1:]
    ):
        return Check.C1009
    for part in reversed(names):
        for fields, check in FIELD_CHECKS:
            if part in fields:
                return check
    return TYPE_CHECKS.get(kind, Check.C1013)


# What pydantic says, in the registry's words: never a library's sentence or a Python value.
# Each is a whole sentence about `{field}` (a translation may put the field anywhere).
WORDS: dict[str, Words] = {
    "missing": words("{field} is required"),
    "string_type": words("{field} must be text"),
    "int_type": words("{field} must be a whole number"),
    "int_parsing": words("{field} must be a whole number"),
    "int_from_float": words("{field} must be a whole number"),
    "float_type": words("{field} must be a number"),
    "float_parsing": words("{field} must be a number"),
    "bool_type": words("{field} must be yes or no"),
    "bool_parsing": words("{field} must be yes or no"),
    "list_type": words("{field} must be a list"),
    "dict_type": words("{field} must be a set of named values"),
    "model_type": words("{field} must be a set of named values"),
    "model_attributes_type": words("{field} must be a set of named values"),
    "date_type": words("{field} must be a date written as YYYY-MM-DD"),
    "date_parsing": words("{field} must be a date written as YYYY-MM-DD"),
    "date_from_datetime_parsing": words("{field} must be a date written as YYYY-MM-DD"),
    "datetime_type": words("{field} must be a date and time written as YYYY-MM-DDTHH:MM:SSZ"),
    "datetime_parsing": words("{field} must be a date and time written as YYYY-MM-DDTHH:MM:SSZ"),
    "datetime_from_date_parsing": words(
        "{field} must be a date and time written as YYYY-MM-DDTHH:MM:SSZ"
    ),
    "timezone_aware": words("{field} must give its time zone (Z for UTC)"),
    "extra_forbidden": words("{field} is not one of the fields this request takes"),
    "json_invalid": words("{field} is not well-formed JSON"),
    "json_type": words("{field} is not well-formed JSON"),
    "string_pattern_mismatch": words("{field} is not written in the expected form"),
    "uuid_parsing": words(
        "{field} must be an identifier such as 123e4567-e89b-12d3-a456-426614174000"
    ),
    "uuid_type": words(
        "{field} must be an identifier such as 123e4567-e89b-12d3-a456-426614174000"
    ),
}


FIELD_NAMES = {
    "authorization_id": words("authorization ID"),
    "csrf_token": words("the form's security token"),
    "idempotency_key": words("the form's request key"),
    "ndc_year": words("NDC year"),
    # The unit forms' fields: the same English as the name read as words, marked so that a
    # refusal names them in the reader's language too.
    "units": words("units"),
    "quantity": words("quantity"),
    "ranges": words("ranges"),
    "first": words("first"),
    "last": words("last"),
    "account": words("account"),
    "source_account": words("source account"),
    "destination_account": words("destination account"),
    "authorization_filter": words("authorization filter"),
    "vintage_filter": words("vintage filter"),
    "vintage": words("vintage"),
    "purpose": words("purpose"),
    "purpose_text": words("purpose text"),
    "mitigation_activity": words("mitigation activity"),
    "reason": words("reason"),
}
"""Fields whose name, read as words, would not say what they are, or would stay English."""
YEARS = ("vintage", "year", "timeframe")


def field_words(location: tuple[Any, ...]) -> Words:
    """`units.ranges.0.first` as people say it: "units, ranges, line 1, first"."""
    parts: list[str] = []
    for part in location:
        if part in ("body", "query", "path", "header"):
            continue
        if isinstance(part, int):
            parts.append(words("line {number}", number=part + 1))
        else:
            parts.append(FIELD_NAMES.get(str(part), str(part).replace("_", " ").replace("-", " ")))
    if not parts:
        return words("the request")
    # A list, not a sentence: each part is said on its own (a line number, a named field).
    return Words(
        ", ".join(f"{{part{i}}}" for i in range(len(parts))),
        **{f"part{i}": part for i, part in enumerate(parts)},
    )


def _limit(context: Mapping[str, Any], *names: str) -> str:
    for name in names:
        if name in context:
            value = context[name]
            return (
                f"{value:,}"
                if isinstance(value, int) and not isinstance(value, bool)
                else str(value)
            )
    return ""


BOUNDS: dict[str, tuple[Words, str]] = {
    "greater_than_equal": (words("{field} must be at least {limit}"), "ge"),
    "greater_than": (words("{field} must be more than {limit}"), "gt"),
    "less_than_equal": (words("{field} must be at most {limit}"), "le"),
    "less_than": (words("{field} must be less than {limit}"), "lt"),
}
"""A bound pydantic checked: the sentence, and the name of the limit in the error's context."""


def plain_words(item: Mapping[str, Any]) -> Words:
    """One validation error as a sentence naming the field and what it must be."""
    kind = str(item.get("type", ""))
    context: Mapping[str, Any] = item.get("ctx") or {}
    where = field_words(tuple(item.get("loc", ())))
    if kind in WORDS:
        return Words(WORDS[kind].template, field=where)
    if kind in ("enum", "literal_error"):
        expected = str(context.get("expected", "")).replace("'", "")
        if expected:
            return words("{field} must be one of: {expected}", field=where, expected=expected)
        return words("{field} is not allowed", field=where)
    if kind in ("too_short", "string_too_short"):
        least = context.get("min_length", 1)
        if kind == "string_too_short":
            if least == 1:
                return words("{field} is required", field=where)
            return words("{field} needs at least {least} characters", field=where, least=least)
        if least == 1:
            return words("{field} needs at least {least} entry", field=where, least=least)
        return words("{field} needs at least {least} entries", field=where, least=least)
    if kind in ("too_long", "string_too_long"):
        most = _limit(context, "max_length")
        if kind == "string_too_long":
            return words("{field} takes at most {most} characters", field=where, most=most)
        return words("{field} takes at most {most} entries", field=where, most=most)
    if kind in BOUNDS:
        sentence, name = BOUNDS[kind]
        limit = _limit(context, name)
        if any(year in str(part) for part in item.get("loc", ()) for year in YEARS):
            limit = limit.replace(",", "")  # a year is written 2021, not 2,021
        return Words(sentence.template, field=where, limit=limit)
    if kind == "value_error":
        # The model's own sentence (said as it stands, or from the catalog when marked there).
        message = str(item.get("msg", "")).removeprefix("Value error, ")
        return words("{field}: {message}", field=where, message=Words(message))
    return words("{field} has a value the registry cannot read", field=where)


def validation_refusals(
    error: RequestValidationError, own: Mapping[str, Check] | None = None
) -> list[Refusal]:
    refusals = []
    for item in error.errors()[:20]:
        location = tuple(item.get("loc", ()))
        where = [str(p) for p in location if p not in ("body", "query", "path", "header")]
        kind = str(item.get("type", ""))
        refusals.append(
            Refusal(check_for(location, kind, own), ".".join(where) or "body", plain_words(item))
        )
    return refusals or [Refusal(Check.C1013, "body", words("the request could not be read"))]


def install(app: FastAPI) -> None:
    """Route every error through the one table above."""

    @app.exception_handler(CommandRefused)
    async def refused(request: Request, exc: CommandRefused) -> JSONResponse:
        retry = {"Retry-After": str(max(exc.retry_after, 1))} if exc.retry_after else None
        return problem_response(
            exc.refusals, request.url.path, headers=retry, language=language_of(request)
        )

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        refusals = validation_refusals(exc, body_checks(request))
        status = 400 if refusals[0].check is Check.C1013 and _is_json_error(exc) else 422
        return problem_response(
            refusals, request.url.path, status=status, language=language_of(request)
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        refusals = (
            [Refusal(Check.C1012, "path", words("nothing at {path}", path=request.url.path))]
            if exc.status_code == 404
            else []
        )
        response = problem_response(
            refusals, request.url.path, status=exc.status_code, language=language_of(request)
        )
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        return response

    @app.exception_handler(DataError)
    async def unstorable(request: Request, exc: DataError) -> JSONResponse:
        log.warning("a value the database could not store reached it: %s", exc.orig)
        return problem_response(
            [Refusal(Check.C1013, "body", words("a value is outside what the registry can store"))],
            request.url.path,
            status=422,
            language=language_of(request),
        )

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s", request.url.path)
        language = language_of(request)
        return JSONResponse(
            problem_body(500, [], request.url.path, language),
            status_code=500,
            media_type=MEDIA_TYPE,
            headers={"Content-Language": language},
        )


def _is_json_error(exc: RequestValidationError) -> bool:
    return any(item.get("type") == "json_invalid" for item in exc.errors())
