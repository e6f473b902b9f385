"""Where a webhook may point, judged on the addresses its host really resolves to (the rule:
service/rules/webhook_targets.py). A name is resolved at subscribe time and again before every delivery
attempt (a name may change what it points at), and the delivery connects to the very address that was
judged, never resolving twice (delivery.py), so a name cannot answer one address to the check and another
to the connection.

The resolver is a parameter (the system's getaddrinfo by default) so that the tests map names without any
DNS traffic.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import httpx

from service.problems import Invalid
from service.rules.webhook_targets import IPAddress, refusal_of_all

log = logging.getLogger("tlc.webhooks")

# (host, port) -> the IP addresses, as text, that a connection to host:port could reach; [] when none.
Resolver = Callable[[str, int], Sequence[str]]


def system_resolver(host: str, port: int) -> list[str]:
    """getaddrinfo, as a connection would use it: it also reads the numeric spellings (2130706433,
    0x7f000001, 127.1, 0) and /etc/hosts, which is why names are judged on its answer and not on their text."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return []
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class Refused(Exception):
    """This address may not receive webhooks; the text is for the server log (it names addresses)."""


@dataclass(frozen=True)
class WebhookTarget:
    url: httpx.URL  # as the subscriber wrote it
    ip: IPAddress  # the judged address, the only one to connect to

    @property
    def connect_url(self) -> httpx.URL:
        return self.url.copy_with(host=str(self.ip))

    @property
    def host_header(self) -> str:
        return self.url.netloc.decode("ascii")

    @property
    def tls_name(self) -> str:
        """The name the certificate must carry (sent as SNI): the subscriber's host, not the address."""
        return self.url.raw_host.decode("ascii")


def parse(address: str) -> httpx.URL:
    try:
        url = httpx.URL(address)
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise Refused(f"not a URL: {exc}") from None
    if url.scheme not in ("http", "https"):
        raise Refused(f"scheme {url.scheme!r}")
    if url.userinfo:
        raise Refused("user info in the URL")
    if not url.raw_host:
        raise Refused("no host")
    if url.port is not None and not 0 < url.port < 65536:
        raise Refused(f"port {url.port}")
    return url


def resolve_target(address: str, *, allow_private: bool, resolver: Resolver = system_resolver) -> WebhookTarget:
    """The address to connect to for `address`, or Refused (a bad URL, a name that does not resolve, or one
    resolving to any address the rule refuses)."""
    url = parse(address)
    host = url.raw_host.decode("ascii")
    port = url.port or (443 if url.scheme == "https" else 80)
    ips: list[IPAddress] = []
    for text in resolver(host, port):
        try:
            ips.append(ipaddress.ip_address(text))
        except ValueError:
            raise Refused(f"{host} resolved to {text!r}, not an IP address") from None
    if (why := refusal_of_all(ips, allow_private=allow_private)) is not None:
        raise Refused(f"{host}: {why}")
    return WebhookTarget(url=url, ip=ips[0])


def check_webhook_url(address: str, *, allow_private: bool, resolver: Resolver = system_resolver) -> None:
    """At subscribe time: a 422 unless the webhook could be delivered now. One message for every refusal of
    a host, so that the answer does not tell which internal names exist or what they point at."""
    try:
        resolve_target(address, allow_private=allow_private, resolver=resolver)
    except Refused as exc:
        log.info("webhook address refused at subscribe time: %s", exc)
        raise Invalid(["body", "address"], "{field} is not a public http(s) address.",
                      detail="A webhook must be an http(s) URL without user info whose host resolves only to "
                             "public internet addresses.") from None
