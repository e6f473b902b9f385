"""Which addresses a webhook may be sent to (issue 10, "safe by default"; not a rule of DOMAIN.md, but pure
and kept here so that import-linter holds it to that). The server itself posts to whatever a subscriber
names, so any address not on the public internet would let a subscriber reach the server's own network: a
loopback service, the cloud metadata address 169.254.169.254, a private LAN, a carrier-grade NAT range.

The caller resolves the name and hands over every address it resolved to; one refused address refuses the
whole name, since the connection could have gone to any of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from ipaddress import IPv4Address, IPv6Address, ip_network

IPAddress = IPv4Address | IPv6Address

_BROADCAST = IPv4Address("255.255.255.255")
# Python's ipaddress calls 100.64.0.0/10 neither private nor global; it is a NAT's inside, never a public host.
_SHARED = ip_network("100.64.0.0/10")
# The IANA special-purpose registries, spelled out: Python's own lists (is_global, is_private) differ between
# its versions (3.11 calls 192.0.0.8 global), and a refusal must not depend on the interpreter.
_SPECIAL = [ip_network(n) for n in (
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24",
    "192.0.2.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4",
    "240.0.0.0/4",
    "::/127", "64:ff9b:1::/48", "100::/64", "2001::/23", "2001:db8::/32", "3fff::/20", "5f00::/16", "fc00::/7",
    "fe80::/10", "fec0::/10", "ff00::/8")]
# DNS64/NAT64 spell an IPv4 host inside 64:ff9b::/96: the gateway connects to the IPv4 address, so judge that.
_NAT64 = ip_network("64:ff9b::/96")


def refusal(ip: IPAddress, *, allow_private: bool) -> str | None:
    """Why `ip` may not be a webhook's target, or None when it may. `allow_private` (tlc dev, the tests) lets
    loopback and private receivers in; never multicast, broadcast or the unspecified address, which are
    not one host (and 0.0.0.0 reaches the server itself)."""
    if isinstance(ip, IPv6Address):
        if ip.scope_id:
            return "a scoped IPv6 address"
        # An IPv4 host written as IPv6: connecting to it reaches the IPv4 host, so that is what is judged.
        if ip.ipv4_mapped is not None:
            return refusal(ip.ipv4_mapped, allow_private=allow_private)
        if ip in _NAT64:
            return refusal(IPv4Address(int(ip) & 0xFFFF_FFFF), allow_private=allow_private)
        if ip.sixtofour is not None and (why := refusal(ip.sixtofour, allow_private=allow_private)):
            return f"6to4 of {ip.sixtofour}: {why}"
    if ip.is_multicast:
        return "multicast"
    if ip.is_unspecified:
        return "unspecified"
    if ip == _BROADCAST:
        return "broadcast"
    if allow_private:
        return None
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link-local"
    if isinstance(ip, IPv4Address) and ip in _SHARED:
        return "shared address space (carrier-grade NAT)"
    if ip.is_reserved:
        return "reserved"
    if not ip.is_global or any(ip in n for n in _SPECIAL if n.version == ip.version):
        return "not global (private, documentation or special-purpose)"
    return None


def refusal_of_all(addresses: Sequence[IPAddress], *, allow_private: bool) -> str | None:
    """Why a name that resolved to `addresses` may not be a webhook's host, or None when every one may be."""
    if not addresses:
        return "the name does not resolve"
    for ip in addresses:
        if (why := refusal(ip, allow_private=allow_private)) is not None:
            return f"{ip} is {why}"
    return None
