"""What every answer tells a browser: run only the registry's own scripts and styles, never be
framed, never sniff a type, send no address elsewhere, and keep nothing signed-in in a cache.

The pages carry no inline script and no style attribute; the print-ready reports keep their one
inline stylesheet (so that a saved report prints the same), allowed by its hash. A response that
sets a header itself (a static file's caching) keeps its own.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send


def content_security_policy(style_sources: tuple[str, ...] = ()) -> str:
    """The policy, allowing the inline stylesheets whose `'sha256-…'` sources are given."""
    styles = " ".join(["'self'", *style_sources])
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            f"style-src {styles}",
            "img-src 'self' data:",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


class BrowserHeaders:
    def __init__(self, app: ASGIApp, style_sources: tuple[str, ...] = ()) -> None:
        self.app = app
        policy = content_security_policy(style_sources)
        self.headers: list[tuple[bytes, bytes]] = [
            (b"content-security-policy", policy.encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"same-origin"),
            (b"x-frame-options", b"DENY"),
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope.get("path", "").startswith(("/static/", "/api/docs/assets/"))

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(n, v) for n, v in self.headers if n not in present]
                if not static and b"cache-control" not in present:
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)
