"""Real message receivers on loopback: an SMTP server (aiosmtpd) and a webhook endpoint that checks
signatures. Both drop a repeat of a message id they already took, as the receivers are told to."""

from __future__ import annotations

import email
import email.policy
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller

from service.notifications.delivery import verify
from tests.support.servers import free_port


@dataclass
class Received:
    message_id: str
    to: str
    subject: str
    text: str
    html: str | None
    arrived_at: float
    date: str | None = None  # the Date header as sent


class _SmtpHandler:
    def __init__(self, sink: SmtpSink):
        self.sink = sink

    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        mid = str(msg["Message-ID"]).strip("<>").split("@")[0]
        text = msg.get_body(("plain",)).get_content()
        html_part = msg.get_body(("html",))
        self.sink.deliveries += 1
        with self.sink.lock:
            self.sink.raw.append(envelope.content)
            if mid not in {m.message_id for m in self.sink.messages}:
                self.sink.messages.append(Received(mid, ",".join(envelope.rcpt_tos), str(msg["Subject"]), text,
                                                   html_part.get_content() if html_part else None, time.time(),
                                                   str(msg["Date"]) if msg["Date"] else None))
        self.sink.after_accept.wait() if self.sink.hold else None
        return "250 Message accepted for delivery"


@dataclass
class SmtpSink:
    port: int = field(default_factory=free_port)
    messages: list[Received] = field(default_factory=list)
    deliveries: int = 0
    raw: list[bytes] = field(default_factory=list)  # every delivery as it came, repeats included
    hold: bool = False  # keep the connection open after taking a message, until after_accept is set
    after_accept: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._controller = Controller(_SmtpHandler(self), hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> SmtpSink:
        self._controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.after_accept.set()
        self._controller.stop()


@dataclass
class WebhookReceiver:
    secret: str = ""
    fail_first: int = 0
    port: int = field(default_factory=free_port)
    messages: dict[str, dict] = field(default_factory=dict)
    attempts: list[tuple[str, int]] = field(default_factory=list)  # (message id, status answered)
    bad_signatures: int = 0
    hosts: list[str] = field(default_factory=list)  # the Host header of every request
    redirect_to: str | None = None  # answer every request with 302 to here


    def __enter__(self) -> WebhookReceiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                mid = self.headers.get("X-Tlc-Message-Id", "")
                receiver.hosts.append(self.headers.get("Host", ""))
                if receiver.redirect_to is not None:
                    receiver.attempts.append((mid, 302))
                    self.send_response(302)
                    self.send_header("Location", receiver.redirect_to)
                    self.end_headers()
                    return
                ok = verify(receiver.secret, self.headers.get("X-Tlc-Timestamp", ""), body,
                            self.headers.get("X-Tlc-Signature", ""))
                if not ok:
                    receiver.bad_signatures += 1
                    status = 401
                elif len(receiver.attempts) < receiver.fail_first:
                    status = 503
                else:
                    receiver.messages.setdefault(mid, json.loads(body))
                    status = 200
                receiver.attempts.append((mid, status))
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/tlc"

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
