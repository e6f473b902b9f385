"""The tests' network rule, enforced: in the test process, name resolution answers only for IP literals,
numeric-host lookups and localhost (read from /etc/hosts). Any other name fails at once, as if it did not
exist, so that no code path under test can send a DNS query off this machine, and a test that needs a name
must map it itself (tests/support/resolvers.py)."""

from __future__ import annotations

import ipaddress
import socket

_real_getaddrinfo = socket.getaddrinfo
LOCAL_NAMES = {"localhost", "localhost.", "ip6-localhost", "ip6-loopback"}


def _literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
        return True
    except ValueError:
        return False


def _guarded(host, port, family=0, type=0, proto=0, flags=0):
    name = host.decode() if isinstance(host, bytes) else host
    if name is None or name in LOCAL_NAMES or _literal(name) or flags & socket.AI_NUMERICHOST:
        return _real_getaddrinfo(host, port, family, type, proto, flags)
    raise socket.gaierror(socket.EAI_NONAME, f"the tests resolve no names but localhost (asked for {name!r})")


def install() -> None:
    socket.getaddrinfo = _guarded
