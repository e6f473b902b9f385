"""A resolver for webhook hosts that never sends a DNS query: names come from a table the test sets (and
may change between subscribe time and delivery); IP literals and the numeric spellings (2130706433,
0x7f000001, 127.1, 0) are read by getaddrinfo with AI_NUMERICHOST, which parses them as the system
resolver does and fails rather than ask DNS. Every other name does not resolve."""

from __future__ import annotations

import socket
from dataclasses import dataclass, field

# A public address for the names of API tests, which never deliver anything (no relay, no worker): nothing
# ever connects to it.
PUBLIC = "192.0.43.10"

API_NAMES = {"hooks.acme.example": [PUBLIC], "mext.example.go.jp": [PUBLIC], "receiver.example": [PUBLIC]}


@dataclass
class TableResolver:
    names: dict[str, list[str]] = field(default_factory=lambda: dict(API_NAMES))
    lookups: list[str] = field(default_factory=list)

    def __call__(self, host: str, port: int) -> list[str]:
        self.lookups.append(host)
        if host in self.names:
            return list(self.names[host])
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_NUMERICHOST)
        except (OSError, UnicodeError):
            return []
        return list(dict.fromkeys(str(i[4][0]) for i in infos))
