"""Which addresses a URL a workflow names may reach: public ones only.

Every address a host name resolves to (IPv4 and IPv6) must be public; one that is not refuses
the whole URL, before anything connects. Addresses that carry an IPv4 address inside an IPv6
one (IPv4-mapped `::ffff:a.b.c.d`, IPv4-compatible, NAT64 `64:ff9b::/96`, 6to4 `2002::/16`)
are judged by the IPv4 address they carry. The resolver is injected, so tests check the rules
on resolved addresses without DNS and without connecting.

`allow_loopback` lets 127.0.0.0/8 and ::1 through (nothing else): only tests set it, to fetch
from a server they run on loopback. No setting or template parameter reaches it."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from relay.runtime.modules.exceptions import ModuleError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# host, port → the addresses it resolves to (strings, as getaddrinfo gives them).
Resolver = Callable[[str, int], Sequence[str]]

_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")
_SIX_TO_FOUR = ipaddress.ip_network("2002::/16")
_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")


class UrlNotAllowedError(ModuleError):
    """The URL may not be fetched: not http(s), credentials in it, or a host that is (or
    resolves to, or redirects to) an address that is not public."""

    code = "URL_NOT_ALLOWED"


def system_resolver(host: str, port: int) -> list[str]:
    """The addresses the system resolver gives (IPv4 and IPv6), scope ids dropped."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UrlNotAllowedError(f"the host {host[:255]!r} does not resolve: {exc}") from exc
    return list(dict.fromkeys(str(info[4][0]).split("%", 1)[0] for info in infos))


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in _IPV4_COMPATIBLE and int(ip) > 1:  # deprecated ::a.b.c.d (:: and ::1 are judged as IPv6)
        return ipaddress.IPv4Address(int(ip))
    return None


def refusal(ip: IPAddress, *, allow_loopback: bool = False) -> str | None:
    """Why `ip` may not be connected to, or None when it is public."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.scope_id:
            return f"{ip} has a scope (link-local)"
        if ip in _NAT64_LOCAL:
            return f"{ip} is a local-use NAT64 address"
        inner = _embedded_ipv4(ip)
        if inner is not None:
            why = refusal(inner, allow_loopback=allow_loopback)
            return f"{ip} carries {inner}: {why}" if why else None
    if ip.is_loopback:
        return None if allow_loopback else f"{ip} is a loopback address"
    for flag, what in (
        (ip.is_unspecified, "unspecified"),
        (ip.is_link_local, "link-local"),
        (ip.is_multicast, "multicast"),
        (ip.is_reserved, "reserved"),
        (isinstance(ip, ipaddress.IPv4Address) and ip in _CGNAT, "shared (CGNAT) address space"),
        (ip.is_private, "private"),
        (not ip.is_global, "not globally routable"),
    ):
        if flag:
            return f"{ip} is {what}"
    return None


@dataclass(frozen=True)
class AddressPolicy:
    resolver: Resolver = system_resolver
    allow_loopback: bool = False  # tests only (see the module's docstring)

    def addresses(self, host: str, port: int) -> list[IPAddress]:
        """The host's addresses, every one of them allowed; UrlNotAllowedError otherwise."""
        literal = host[1:-1] if host.startswith("[") and host.endswith("]") else host
        try:
            found: list[str] = [str(ipaddress.ip_address(literal))]
        except ValueError:
            found = list(self.resolver(host, port))
        if not found:
            raise UrlNotAllowedError(f"the host {host[:255]!r} resolves to no address")
        addresses = []
        for text in found:
            try:
                ip = ipaddress.ip_address(text)
            except ValueError as exc:
                raise UrlNotAllowedError(f"the host {host[:255]!r} resolved to {text[:64]!r}, not an address") from exc
            why = refusal(ip, allow_loopback=self.allow_loopback)
            if why:
                raise UrlNotAllowedError(f"the host {host[:255]!r} is not public: {why}")
            addresses.append(ip)
        return addresses
