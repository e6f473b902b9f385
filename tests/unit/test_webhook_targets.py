"""Which addresses a webhook may go to (issue 10: the SSRF filter judged only IP literals): the pure rule
service/rules/webhook_targets.py, and addresses.resolve_target on names mapped by a table (no DNS)."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv6Address, ip_address, ip_network

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.notifications.addresses import Refused, parse, resolve_target, system_resolver
from service.rules.webhook_targets import refusal, refusal_of_all
from tests.support.resolvers import PUBLIC, TableResolver

REFUSED = [
    # IPv4
    "127.0.0.1", "127.255.255.254", "10.0.0.5", "172.16.0.1", "172.31.255.255", "192.168.1.1",
    "169.254.169.254", "100.64.0.1", "100.127.255.254", "0.0.0.0", "0.1.2.3", "255.255.255.255", "240.0.0.1",
    "224.0.0.1", "224.0.1.1", "239.255.255.250", "192.0.2.1", "198.51.100.7", "203.0.113.9", "198.18.0.1",
    "192.0.0.8", "192.0.0.170", "100::1", "2001:2::1", "3fff::1", "5f00::1", "fec0::1", "64:ff9b:1::1",
    # IPv6
    "::1", "::", "fe80::1", "fc00::1", "fd12:3456::1", "ff02::1", "ff0e::1", "2001:db8::1", "::ffff:127.0.0.1",
    "::ffff:10.0.0.5", "::ffff:169.254.169.254", "::ffff:0.0.0.0", "64:ff9b::7f00:1", "64:ff9b::a00:5",
    "2002:7f00:1::1", "2002:a00:5::", "2001:0:4136:e378:8000:63bf:3fff:fdd2", "::127.0.0.1", "fe80::1%eth0",
]
ACCEPTED = ["8.8.8.8", "1.1.1.1", "192.0.43.10", "93.184.215.14", "2606:4700:4700::1111", "2001:4860:4860::8888",
            "::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::1"]
# Allowed once private receivers are (tlc dev, the tests): loopback, private, link-local, CGNAT.
PRIVATE = ["127.0.0.1", "10.0.0.5", "192.168.1.1", "169.254.169.254", "100.64.0.1", "::1", "fc00::1", "fe80::1",
           "::ffff:127.0.0.1"]
NEVER = ["0.0.0.0", "::", "255.255.255.255", "224.0.0.1", "ff02::1", "::ffff:0.0.0.0", "ff0e::1"]


@pytest.mark.parametrize("text", REFUSED)
def test_refused(text: str) -> None:
    assert refusal(ip_address(text), allow_private=False) is not None


@pytest.mark.parametrize("text", ACCEPTED)
def test_accepted(text: str) -> None:
    assert refusal(ip_address(text), allow_private=False) is None


@pytest.mark.parametrize("text", PRIVATE)
def test_private_allowed_only_when_the_installation_allows_it(text: str) -> None:
    assert refusal(ip_address(text), allow_private=False) is not None
    assert refusal(ip_address(text), allow_private=True) is None


@pytest.mark.parametrize("text", NEVER)
def test_never_one_host(text: str) -> None:
    assert refusal(ip_address(text), allow_private=True) is not None


def test_one_private_address_refuses_the_name() -> None:
    public, private = ip_address("8.8.8.8"), ip_address("10.0.0.5")
    assert refusal_of_all([public], allow_private=False) is None
    assert refusal_of_all([public, private], allow_private=False) is not None
    assert refusal_of_all([private, public], allow_private=False) is not None
    assert refusal_of_all([public, ip_address("::1")], allow_private=False) is not None
    assert refusal_of_all([], allow_private=False) == refusal_of_all([], allow_private=True) == \
        "the name does not resolve"


ipv4 = st.builds(IPv4Address, st.integers(0, 2**32 - 1))
ipv6 = st.builds(IPv6Address, st.integers(0, 2**128 - 1))
any_ip = st.one_of(ipv4, ipv6)
NON_PUBLIC_V4 = [ip_network(n) for n in ("0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8",
                                          "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24",
                                          "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24",
                                          "224.0.0.0/4", "240.0.0.0/4")]
NON_PUBLIC_V6 = [ip_network(n) for n in ("::/128", "::1/128", "fc00::/7", "fe80::/10", "ff00::/8",
                                          "2001:db8::/32")]


@given(ipv4)
def test_every_non_public_ipv4_refused_in_every_spelling(ip: IPv4Address) -> None:
    verdict = refusal(ip, allow_private=False)
    if any(ip in n for n in NON_PUBLIC_V4):
        assert verdict is not None
    # The IPv6 spellings that reach the same IPv4 host get the same verdict.
    for v6 in (IPv6Address(f"::ffff:{ip}"), IPv6Address((0x0064FF9B << 96) | int(ip))):
        assert (refusal(v6, allow_private=False) is None) == (verdict is None), v6
        assert (refusal(v6, allow_private=True) is None) == (refusal(ip, allow_private=True) is None), v6
    if verdict is not None:
        assert refusal(IPv6Address((0x2002 << 112) | (int(ip) << 80)), allow_private=False) is not None


@given(ipv6)
def test_every_non_public_ipv6_refused(ip: IPv6Address) -> None:
    if any(ip in n for n in NON_PUBLIC_V6):
        assert refusal(ip, allow_private=False) is not None


@given(any_ip)
def test_accepted_only_if_global_unicast(ip: IPv4Address | IPv6Address) -> None:
    if refusal(ip, allow_private=False) is None:
        inner = ip.ipv4_mapped if isinstance(ip, IPv6Address) else None
        judged = inner or ip
        assert (judged.is_global or ip in ip_network("64:ff9b::/96")) and not judged.is_multicast


@given(any_ip)
def test_allowing_private_only_ever_allows_more(ip: IPv4Address | IPv6Address) -> None:
    if refusal(ip, allow_private=True) is not None:
        assert refusal(ip, allow_private=False) is not None


@given(st.lists(any_ip, min_size=1, max_size=5), st.booleans())
def test_a_name_is_accepted_only_if_every_address_is(ips: list, allow_private: bool) -> None:
    every = all(refusal(ip, allow_private=allow_private) is None for ip in ips)
    assert (refusal_of_all(ips, allow_private=allow_private) is None) == every


# --------------------------------------------------------------------------------------------
# URLs and names, resolved by a table (never DNS)


@pytest.mark.parametrize("address", [
    "http://2130706433:8080/", "http://0x7f000001:8080/", "http://127.1:8080/", "http://0:8080/",
    "http://localhost:8080/", "http://localhost.:8080/", "http://db.internal/", "http://cgnat.example.test/",
    "http://private.example.test/", "http://mixed.example.test/", "http://nowhere.example.test/",
    "http://[::1]:8080/", "http://[::ffff:127.0.0.1]/", "http://[fd00::5]/", "http://169.254.169.254/latest",
    "ftp://hooks.acme.example/x", "file:///etc/passwd", "gopher://hooks.acme.example/",
    "https://user:pw@hooks.acme.example/x", "https://user@hooks.acme.example/x", "http:///x", "not a url",
    "http://hooks.acme.example:0/",
])
def test_refused_urls(address: str) -> None:
    resolver = TableResolver()
    resolver.names.update({"localhost": ["127.0.0.1", "::1"], "localhost.": ["127.0.0.1"], "db.internal": ["10.0.0.5"],
                           "cgnat.example.test": ["100.64.7.7"], "private.example.test": ["192.168.0.10"],
                           "mixed.example.test": [PUBLIC, "10.0.0.5"]})
    with pytest.raises(Refused):
        resolve_target(address, allow_private=False, resolver=resolver)


def test_numeric_spellings_are_read_as_the_system_reads_them() -> None:
    resolver = TableResolver(names={})
    for host in ("2130706433", "0x7f000001", "127.1", "127.0.0.1"):
        assert resolver(host, 80) == ["127.0.0.1"]
    assert resolver("0", 80) == ["0.0.0.0"]
    assert resolver("hooks.acme.example", 80) == []  # not in its table: does not resolve, no DNS asked
    # The system resolver on literals (no query leaves the machine for these).
    assert system_resolver("127.0.0.1", 80) == ["127.0.0.1"]
    assert system_resolver("::1", 80) == ["::1"]


def test_the_target_is_the_judged_address_with_the_original_name() -> None:
    t = resolve_target("https://Hooks.Acme.Example:8443/tlc?x=1", allow_private=False, resolver=TableResolver())
    assert t.ip == ip_address(PUBLIC)
    assert str(t.connect_url) == f"https://{PUBLIC}:8443/tlc?x=1"
    assert (t.host_header, t.tls_name) == ("hooks.acme.example:8443", "hooks.acme.example")
    v6 = resolve_target("http://[::1]:9/x", allow_private=True, resolver=TableResolver())
    assert (str(v6.connect_url), v6.host_header) == ("http://[::1]:9/x", "[::1]:9")


def test_parse_keeps_http_and_https_only() -> None:
    assert parse("https://hooks.acme.example/x").scheme == "https"
    for bad in ("ws://hooks.acme.example/", "javascript:alert(1)", "https://:pw@hooks.acme.example/"):
        with pytest.raises(Refused):
            parse(bad)


def test_the_test_process_resolves_no_names_but_localhost() -> None:
    """tests/support/no_dns.py: the guard that keeps every test off DNS (the network rule)."""
    import socket

    import pytest as _pytest

    with _pytest.raises(socket.gaierror):
        socket.getaddrinfo("hooks.example.test", 443)
    assert socket.getaddrinfo("127.0.0.1", 80)
    assert socket.getaddrinfo("2130706433", 80, flags=socket.AI_NUMERICHOST)[0][4][0] == "127.0.0.1"
