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
# /redoc runs ReDoc 2.5 from tlc's own files (service/web/api_docs.py); what it needs, measured in Chromium
# (tests/browser/test_accessibility.py loads it and fails on any other CSP refusal):
# - no 'unsafe-inline' for styles, only two <style> elements, named by their hashes: the empty one that
#   styled-components fills through the CSSOM (which CSP does not check, nor the style properties React sets),
#   and perfect-scrollbar's fixed CSS. Refused, the first leaves the page blank. Another ReDoc version may
#   change the second's hash: Chromium's CSP message names the new one;
# - its search index runs in a Web Worker made from a blob: URL (worker-src; script-src stays 'self');
# - its icons are data: SVGs; the Redocly logo it shows from cdn.redoc.ly is refused, so never fetched.
REDOC_STYLE_HASHES = ("'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",   # "" (styled-components)
                      "'sha256-QMIg+bpjm3JdElJ388KYke01izlUW0UoNOeKjpMxdgc='")   # perfect-scrollbar's CSS
REDOC_CSP = (f"default-src 'none'; script-src 'self'; style-src 'self' {' '.join(REDOC_STYLE_HASHES)}; "
             "img-src 'self' data:; connect-src 'self'; worker-src blob:; frame-ancestors 'none'; base-uri 'none'")


def headers_for(path: str, *, https: bool) -> list[tuple[bytes, bytes]]:
    csp = DOCS_CSP if path == "/docs" else REDOC_CSP if path == "/redoc" else PAGE_CSP
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
