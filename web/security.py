"""An ASGI layer in front of Gradio's app: what Gradio itself does not enforce.

- login: a per-client lockout that doubles after repeated failures, and no login POST
  from a foreign origin (a page on another site cannot log a browser in);
- no server-side fetching of outside URLs (``/gradio_api/file=<url>``, ``proxy=``, or a
  file payload whose ``path`` is a URL, which Gradio would download before our handler runs);
- the page cannot be framed by another site.

Gradio 6 registers ``/login`` itself; FastAPI middleware given to ``launch(app_kwargs=...)``
wraps every route, so this is the supported hook.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

log = logging.getLogger("dossier.web")

Scope = dict
Receive = Callable[[], Awaitable[dict]]
Send = Callable[[dict], Awaitable[None]]

FRAME_HEADERS = [
    (b"x-frame-options", b"DENY"),
    (b"content-security-policy", b"frame-ancestors 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
]
# A value with a URL scheme ("http:", "file:") or a network path ("//host"): never fetched by us.
_REMOTE = re.compile(r"^\s*(?:[a-z][a-z0-9+.\-]*:|[/\\]{2})", re.I)
_FETCH_ROUTE = re.compile(r"/gradio_api/(file|proxy)=(.*)$", re.S)
MAX_JSON_BODY = 8_000_000


@dataclass
class LoginThrottle:
    """Failures per client; after ``free`` failures each further one locks the client out for
    ``base * 2**(n - free)`` seconds (capped), and a success clears the count."""

    free: int = 5
    base_s: float = 1.0
    cap_s: float = 900.0
    clock: Callable[[], float] = time.monotonic
    _failures: dict[str, int] = field(default_factory=dict)
    _locked_until: dict[str, float] = field(default_factory=dict)

    def wait_s(self, client: str) -> float:
        return max(0.0, self._locked_until.get(client, 0.0) - self.clock())

    def failed(self, client: str) -> None:
        n = self._failures.get(client, 0) + 1
        self._failures[client] = n
        if n >= self.free:
            self._locked_until[client] = self.clock() + min(self.cap_s, self.base_s * 2 ** (n - self.free))
        if len(self._failures) > 100_000:  # bounded memory under a spray of client addresses
            self._failures.clear()

    def succeeded(self, client: str) -> None:
        self._failures.pop(client, None)
        self._locked_until.pop(client, None)


def has_remote_file(value: object) -> bool:
    """True if a request payload names a file by URL (Gradio would download it server-side)."""
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, dict):
            path = v.get("path")
            if isinstance(path, str) and _REMOTE.match(path):
                return True
            stack.extend(v.values())
        elif isinstance(v, list):
            stack.extend(v)
    return False


def same_origin(origin: str, host: str) -> bool:
    """Does the Origin header name this server (scheme ignored: loopback is plain http)?"""
    try:
        parts = urlsplit(origin)
        return parts.scheme in ("http", "https") and parts.netloc.lower() == host.lower()
    except ValueError:
        return False


class Guard:
    """The ASGI middleware (see the module docstring)."""

    def __init__(self, app, throttle: LoginThrottle | None = None):
        self.app = app
        self.throttle = throttle or LoginThrottle()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: dict) -> None:
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    h for h in FRAME_HEADERS if h[0] not in names]
            await send(message)

        path, method = scope.get("path", ""), scope.get("method", "GET")
        fetch = _FETCH_ROUTE.search(path)
        if fetch and (fetch.group(1) == "proxy" or _REMOTE.match(fetch.group(2))):
            await _respond(send_with_headers, 404, "Not found.")
            return
        if method == "POST" and path.rstrip("/").endswith("/login"):
            await self._login(scope, receive, send_with_headers)
            return
        if method == "POST" and "/gradio_api/" in path and not _header(scope, b"content-type").startswith("multipart/"):
            body = await _read_body(receive, MAX_JSON_BODY)
            if body is None:
                await _respond(send_with_headers, 413, "Request too large.")
                return
            try:
                payload = json.loads(body or b"null")
            except ValueError:
                payload = None  # Gradio answers malformed JSON itself
            if has_remote_file(payload):
                log.warning("refused a request naming a remote file on %s", path)
                await _respond(send_with_headers, 400, "Files must be uploaded; outside URLs are not fetched.")
                return
            await self.app(scope, _replay(body, receive), send_with_headers)
            return
        await self.app(scope, receive, send_with_headers)

    async def _login(self, scope: Scope, receive: Receive, send: Send) -> None:
        origin = _header(scope, b"origin")
        if (origin and not same_origin(origin, _header(scope, b"host"))) or \
                _header(scope, b"sec-fetch-site") == "cross-site":
            log.warning("refused a login POST from a foreign origin")
            await _respond(send, 403, "Login refused: the request came from another site.")
            return
        client = (scope.get("client") or ("unknown", 0))[0]
        wait = self.throttle.wait_s(client)
        if wait > 0:
            await _respond(send, 429, "Too many failed logins; try again later.",
                           [(b"retry-after", str(int(wait) + 1).encode())])
            return
        status: list[int] = []

        async def watch(message: dict) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])
            await send(message)

        await self.app(scope, receive, watch)
        if status and status[0] < 300:
            self.throttle.succeeded(client)
        elif status and status[0] in (400, 401, 403):
            self.throttle.failed(client)
            log.warning("failed login from %s", client)


def _header(scope: Scope, name: bytes) -> str:
    for k, v in scope.get("headers", []):
        if k.lower() == name:
            return v.decode("latin-1").strip()
    return ""


async def _read_body(receive: Receive, limit: int) -> bytes | None:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return b"".join(chunks)
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body"):
            return b"".join(chunks)


def _replay(body: bytes, original: Receive) -> Receive:
    """Hand the already-read body to the app, then the client's own messages (disconnect)."""
    sent = False

    async def receive() -> dict:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await original()

    return receive


async def _respond(send: Send, status: int, detail: str, headers: list | None = None) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            *(headers or [])]})
    await send({"type": "http.response.body", "body": body})
