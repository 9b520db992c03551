"""The address rules of media.ingest_url, on resolved addresses from an injected resolver:
nothing here resolves a name through DNS or connects anywhere."""

from __future__ import annotations

import ipaddress
import socket

import pytest

from relay.runtime.net.ssrf import AddressPolicy, UrlNotAllowedError, refusal

REFUSED = [
    ("127.0.0.1", "loopback"),
    ("127.9.9.9", "loopback"),
    ("::1", "loopback"),
    ("0.0.0.0", "unspecified"),
    ("::", "unspecified"),
    ("169.254.169.254", "link-local"),  # cloud metadata
    ("fe80::1", "link-local"),
    ("10.0.0.5", "private"),
    ("172.16.0.1", "private"),
    ("172.31.255.254", "private"),
    ("192.168.1.1", "private"),
    ("fc00::1", "private"),
    ("fd12:3456::1", "private"),
    ("100.64.0.1", "CGNAT"),
    ("100.127.255.254", "CGNAT"),
    ("224.0.0.1", "multicast"),
    ("ff02::1", "multicast"),
    ("240.0.0.1", "reserved"),
    ("255.255.255.255", "reserved"),
    ("192.0.2.10", "private"),  # TEST-NET-1
    ("198.18.0.1", "private"),  # benchmarking
    ("2001:db8::1", "private"),  # documentation
    ("::ffff:127.0.0.1", "carries 127.0.0.1"),  # IPv4-mapped
    ("::ffff:10.0.0.1", "carries 10.0.0.1"),
    ("::ffff:169.254.169.254", "carries 169.254.169.254"),
    ("::127.0.0.1", "carries 127.0.0.1"),  # IPv4-compatible
    ("64:ff9b::a00:1", "carries 10.0.0.1"),  # NAT64 of a private address
    ("64:ff9b::7f00:1", "carries 127.0.0.1"),
    ("64:ff9b:1::1", "NAT64"),  # local-use NAT64
    ("2002:c0a8:0101::1", "carries 192.168.1.1"),  # 6to4
]

PUBLIC = ["8.8.8.8", "1.1.1.1", "93.184.216.34", "2606:4700:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808"]


@pytest.mark.parametrize(("address", "why"), REFUSED)
def test_non_public_addresses_are_refused(address, why):
    reason = refusal(ipaddress.ip_address(address))
    assert reason is not None and why in reason


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_pass(address):
    assert refusal(ipaddress.ip_address(address)) is None


def test_allow_loopback_lets_only_loopback_through():
    for address in ("127.0.0.1", "::1", "::ffff:127.0.0.1"):
        assert refusal(ipaddress.ip_address(address), allow_loopback=True) is None
    for address in ("10.0.0.1", "169.254.169.254", "0.0.0.0", "::ffff:192.168.0.1", "fe80::1"):
        assert refusal(ipaddress.ip_address(address), allow_loopback=True) is not None


def _resolver(table):
    calls = []

    def resolve(host, port):
        calls.append((host, port))
        return table[host]

    resolve.calls = calls
    return resolve


def test_a_name_is_refused_when_any_of_its_addresses_is_not_public():
    resolve = _resolver({"mixed.example": ["93.184.216.34", "10.1.2.3"], "v6.example": ["2606:4700::1", "fd00::1"]})
    policy = AddressPolicy(resolver=resolve)
    with pytest.raises(UrlNotAllowedError, match=r"10\.1\.2\.3 is private"):
        policy.addresses("mixed.example", 443)
    with pytest.raises(UrlNotAllowedError, match="fd00::1 is private"):
        policy.addresses("v6.example", 443)


def test_a_name_resolving_to_private_is_refused_and_public_ones_are_returned():
    policy = AddressPolicy(
        resolver=_resolver({"intranet.example": ["192.168.0.10"], "cdn.example": ["93.184.216.34", "2606:4700::1"]})
    )
    with pytest.raises(UrlNotAllowedError) as caught:
        policy.addresses("intranet.example", 80)
    assert caught.value.code == "URL_NOT_ALLOWED" and "192.168.0.10 is private" in caught.value.detail
    assert [str(a) for a in policy.addresses("cdn.example", 80)] == ["93.184.216.34", "2606:4700::1"]


def test_address_literals_are_checked_without_the_resolver():
    resolve = _resolver({})
    policy = AddressPolicy(resolver=resolve)
    for host in ("127.0.0.1", "[::1]", "::ffff:10.0.0.1", "169.254.169.254"):
        with pytest.raises(UrlNotAllowedError):
            policy.addresses(host, 80)
    assert resolve.calls == []


def test_no_address_or_garbage_from_the_resolver_is_refused():
    policy = AddressPolicy(resolver=_resolver({"empty.example": [], "odd.example": ["not-an-ip"]}))
    with pytest.raises(UrlNotAllowedError, match="resolves to no address"):
        policy.addresses("empty.example", 80)
    with pytest.raises(UrlNotAllowedError, match="not an address"):
        policy.addresses("odd.example", 80)


def test_the_system_resolver_judges_what_it_resolves(monkeypatch):
    """Numeric forms getaddrinfo accepts (decimal, hex, short) are judged by their address."""
    fake = {"2130706433": [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", 80))]}
    monkeypatch.setattr(socket, "getaddrinfo", lambda host, port, **kw: fake[host])
    with pytest.raises(UrlNotAllowedError, match=r"127\.0\.0\.1 is a loopback address"):
        AddressPolicy().addresses("2130706433", 80)
