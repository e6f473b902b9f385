"""Response headers that make a browser refuse what tlc never does: framing (clickjacking), guessing content
types, scripts and styles from anywhere but tlc itself, sending the page address to other sites. HSTS when
the service is set up for HTTPS (cookie_secure)."""

from __future__ import annotations

from typing import Any

# The pages use no script at all and one style sheet of their own; forms post only to tlc.
PAGE_CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; font-src 'self'; form-action 'self'; "
            "frame-ancestors 'none'; base-uri 'none'")
# The API page (/docs) runs Swagger UI from tlc's own files (service/web/api_docs.py); Swagger UI sets inline
# styles and shows its icons as data: URLs.
DOCS_CSP = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
            "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'")
_DOCS = ("/docs",)


def headers_for(path: str, *, https: bool) -> list[tuple[bytes, bytes]]:
    csp = DOCS_CSP if path.startswith(_DOCS) else PAGE_CSP
    out = [(b"content-security-policy", csp.encode()), (b"x-frame-options", b"DENY"),
           (b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"same-origin"),
           (b"cross-origin-opener-policy", b"same-origin"),
           (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=()")]
    if path.startswith("/inbox") and not path.startswith("/inbox/static"):
        out.append((b"cache-control", b"no-store"))  # pages show one person's data: not kept by caches
    if https:
        out.append((b"strict-transport-security", b"max-age=31536000"))
    return out


class SecurityHeaders:
    """Pure ASGI middleware: adds the headers to every HTTP response that does not set them itself."""

    def __init__(self, app: Any, *, https: bool):
        self.app, self.https = app, https

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = headers_for(scope["path"], https=self.https)

        async def send_with_headers(message: dict) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [(k, v) for k, v in extra
                                                                          if k not in present]
            await send(message)

        await self.app(scope, receive, send_with_headers)
