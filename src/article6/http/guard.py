"""The request guard: limits and formats checked before any route runs.

Bodies larger than the limit (413), bodies that are not JSON (415), JSON nested deeper than
any registry request (counted on the raw bytes before parsing: a parser recurses once per
level), JSON that does not parse (400), and values no registry field can hold (numbers beyond
2^62, NUL characters, unpaired surrogates) are refused with a problem document, so nothing
malformed ever reaches a service or the database. A page's form refused here (a form over
the size limit; NUL in a page's address, asked by a browser) gets a short page in words, not
a problem document.
"""

from __future__ import annotations

import json
import re
from html import escape
from typing import Any

from starlette.responses import HTMLResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from article6 import translation
from article6.domain.checks import Check, Refusal
from article6.domain.wording import words
from article6.http.language import chosen_in, language_from
from article6.http.problems import problem_response, status_of
from article6.translation import said

LARGEST = 2**62
MAX_DEPTH = 16
"""Arrays and objects within each other; the deepest registry request needs 5."""
STRINGS = re.compile(rb'"(?:[^"\\]++|\\.)*+(?:"|\Z)', re.DOTALL)
"""A JSON string (to the end of the body if unterminated), matched with possessive repetition
so that no body makes the scan backtrack: linear in the body's size."""
NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
OPENING = frozenset(b"[{")
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
FORM_TYPES = {b"application/x-www-form-urlencoded", b"multipart/form-data"}


class BodyTooLarge(Exception):
    pass


def _strange(value: Any, where: str) -> Refusal | None:
    """The first value no registry field can hold, with where it is."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and abs(value) > LARGEST:
        return Refusal(
            Check.C1005, where or "body", words("the number is beyond any registry limit")
        )
    if isinstance(value, float) and abs(value) > LARGEST:
        return Refusal(
            Check.C1005, where or "body", words("the number is beyond any registry limit")
        )
    if isinstance(value, str):
        if "\x00" in value:
            return Refusal(
                Check.C1011, where or "body", words("text may not contain NUL characters")
            )
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return Refusal(Check.C1011, where or "body", words("text is not valid Unicode"))
        return None
    if isinstance(value, dict):
        for key, item in value.items():
            found = _strange(key, where) or _strange(item, f"{where}.{key}" if where else key)
            if found:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _strange(item, f"{where}[{index}]")
            if found:
                return found
    return None


def too_deep(body: bytes, limit: int = MAX_DEPTH) -> bool:
    """Whether the JSON text nests arrays and objects more than `limit` levels, read without
    parsing it (brackets inside strings do not count)."""
    depth = 0
    for bracket in STRINGS.sub(b"", body).translate(None, NOT_BRACKETS):
        if bracket in OPENING:
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
            if depth < 0:
                return False  # a stray closing bracket: the parser stops there
    return False


def no_constants(name: str) -> Any:
    """NaN and Infinity are not JSON: a registry number is never one."""
    raise ValueError(f"{name} is not JSON")


class RequestGuard:
    def __init__(self, app: ASGIApp, max_body_bytes: int, values: bool = True) -> None:
        """`values=False` leaves the values to the receiver (the protocol's doors answer a
        strange value in a message with their own acknowledgement); limits still hold."""
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.values = values

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        query = scope.get("query_string", b"")
        if "\x00" in path or b"%00" in query or b"\x00" in query:
            await self._refuse(
                scope, send, Refusal(Check.C1011, "path", words("NUL in the address"))
            )
            return
        if scope["method"] not in UNSAFE:
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers", []))
        declared = headers.get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_body_bytes):
            await self._too_large(scope, send)
            return
        try:
            body = await self._read(receive)
        except BodyTooLarge:
            await self._too_large(scope, send)
            return
        if body:
            media = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
            if media in FORM_TYPES and not path.startswith("/api/"):
                pass  # the web pages' forms are read by their own routes
            elif media != b"application/json" and not media.endswith(b"+json"):
                await self._refuse(
                    scope,
                    send,
                    Refusal(
                        Check.C1015, "content-type", words("send the body as application/json")
                    ),
                )
                return
            elif too_deep(body):
                await self._refuse(
                    scope,
                    send,
                    Refusal(
                        Check.C1016,
                        "body",
                        words("nested more than {max_depth} levels deep", max_depth=MAX_DEPTH),
                    ),
                )
                return
            else:
                try:
                    parsed = json.loads(body, parse_constant=no_constants)
                except (ValueError, RecursionError) as error:
                    await self._refuse(
                        scope,
                        send,
                        Refusal(
                            Check.C1013, "body", words("not valid JSON: {error}", error=str(error))
                        ),
                    )
                    return
                strange = _strange(parsed, "") if self.values else None
                if strange is not None:
                    await self._refuse(scope, send, strange, status=422)
                    return
        await self.app(scope, _replay(body, receive), send)

    async def _read(self, receive: Receive) -> bytes:
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                raise BodyTooLarge
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)

    async def _too_large(self, scope: Scope, send: Send) -> None:
        await self._refuse(
            scope,
            send,
            Refusal(
                Check.C1014,
                "body",
                words("a request body is at most {limit:,} bytes", limit=self.max_body_bytes),
            ),
        )

    async def _refuse(
        self, scope: Scope, send: Send, refusal: Refusal, status: int | None = None
    ) -> None:
        path = str(scope.get("path", ""))
        headers = dict(scope.get("headers", []))
        media = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
        from_a_page = not path.startswith("/api/") and (
            media in FORM_TYPES or b"text/html" in headers.get(b"accept", b"")
        )
        language = language_from(
            chosen_in(headers.get(b"cookie", b"").decode("latin-1")),
            headers.get(b"accept-language", b"").decode("latin-1") or None,
        )
        response: Response = (
            refusal_page(refusal, status or status_of([refusal]), language)
            if from_a_page
            else problem_response([refusal], path, status=status, language=language)
        )

        async def nothing() -> Message:
            return {"type": "http.disconnect"}

        await response(scope, nothing, send)


def refusal_page(refusal: Refusal, status: int, language: str | None = None) -> HTMLResponse:
    """What a person sees when the guard refuses a page's request: the check in words, the
    field, and the way back (the pages' own layout needs the routes this never reaches)."""
    field = refusal.field.replace("_", " ").replace("-", " ")
    with translation.speaking(language) as spoken:
        title = escape(said(words("Not done")))
        hint = escape(said(words("(field: {field})", field=field)))
        way_back = said(
            words(
                "Use your browser's Back button to return to the form, or go to the "
                '<a href="/">dashboard</a>.'
            )
        )
        return HTMLResponse(
            f'<!doctype html><html lang="{spoken.code}" dir="{spoken.direction}"><head>'
            '<meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{title} · Article 6.2 Registry</title>"
            '<link rel="stylesheet" href="/static/style.css"></head><body><main id="main">'
            f'<h1>{title}</h1><div class="errors" role="alert"><p>'
            f'<span class="code">{refusal.check.code}</span> {escape(said(refusal.check.title))} — '
            f"{escape(said(refusal.detail))} "
            f'<span class="hint">{hint}</span></p></div>'
            f"<p>{way_back}</p></main></body></html>",
            status_code=status,
            headers={"Content-Language": spoken.code},
        )


def _replay(body: bytes, original: Receive) -> Receive:
    """Hand the app the body already read, then the connection's own messages."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await original()

    return receive
