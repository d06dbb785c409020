"""Which URLs may leave the building: callback URLs and anything the app fetches.

A URL is public only if it is https, carries no userinfo or odd characters,
and its host, written in any spelling (``127.1``, ``0x7f.1``, ``2130706433``,
``[::ffff:127.0.0.1]``) and after DNS resolution, is a global unicast address.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable

import httpx

from qwen_ui.errors import InputError

__all__ = ["check_public_url", "address_is_public", "literal_ip", "system_resolver", "Resolver", "MAX_URL_CHARS"]

MAX_URL_CHARS = 2048
Resolver = Callable[[str], Iterable[str]]

_DENY = [
    ipaddress.ip_network(n)
    for n in (
        "0.0.0.0/8",
        "10.0.0.0/8",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "172.16.0.0/12",
        "192.0.0.0/24",
        "192.0.2.0/24",
        "192.88.99.0/24",
        "192.168.0.0/16",
        "198.18.0.0/15",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "224.0.0.0/4",
        "240.0.0.0/4",
        "168.63.129.16/32",
        "::/96",
        "::1/128",
        "100::/64",
        "2001::/23",
        "2001:db8::/32",
        "fc00::/7",
        "fe80::/10",
        "ff00::/8",
    )
]
_NAT64 = [ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48")]
_LOCAL_SUFFIXES = (".localhost", ".local", ".internal", ".home.arpa", ".lan", ".intranet")


def address_is_public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """True for global unicast addresses; v4 embedded in v6 is judged as v4."""
    if ip.version == 6:
        assert isinstance(ip, ipaddress.IPv6Address)
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and any(ip in net for net in _NAT64):
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            return address_is_public(embedded)
    return not any(ip in net for net in _DENY) and ip.is_global and not ip.is_multicast


def literal_ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address a host string denotes by itself, in any spelling the C resolver accepts."""
    bare = host.strip("[]").split("%")[0]
    try:
        return ipaddress.ip_address(bare)
    except ValueError:
        pass
    try:
        # inet_aton takes the legacy forms getaddrinfo would: 127.1, 0177.0.0.1, 0x7f000001, 2130706433.
        return ipaddress.IPv4Address(socket.inet_aton(bare))
    except (OSError, UnicodeError, ValueError):
        return None


def system_resolver(host: str) -> list[str]:
    """Every A and AAAA address of ``host`` (blocking: call it from a thread)."""
    infos = socket.getaddrinfo(host, 443, proto=socket.IPPROTO_TCP)
    return [str(info[4][0]) for info in infos]


def check_public_url(
    url: str,
    *,
    field: str,
    resolver: Resolver | None = None,
    allowed_ports: tuple[int | None, ...] = (None, 443, 8443),
) -> str:
    """Return the re-serialised URL, or raise :class:`InputError` naming ``field``.

    ``resolver=None`` checks only what the URL says by itself (no DNS); pass
    a resolver to also refuse names that resolve to non-public addresses.
    """
    if len(url) > MAX_URL_CHARS:
        raise InputError(field, f"{field} is {len(url)} characters long; the API allows at most {MAX_URL_CHARS}.")
    if any(ch.isspace() or ord(ch) < 0x21 or ord(ch) > 0x7E for ch in url) or "\\" in url:
        raise InputError(field, f"{field} contains spaces, backslashes or non-ASCII characters.")
    try:
        parsed = httpx.URL(url)
    except Exception:
        raise InputError(field, f"{field} is not a valid URL.") from None
    if parsed.scheme != "https":
        raise InputError(field, f"{field} must start with https:// (the API only calls HTTPS addresses).")
    if not parsed.host:
        raise InputError(field, f"{field} has no host name.")
    if parsed.userinfo:
        raise InputError(field, f"{field} must not contain a user name or password.")
    if parsed.port not in allowed_ports:
        raise InputError(field, f"{field} uses port {parsed.port}; only the standard HTTPS port is allowed.")
    host = parsed.host.lower().rstrip(".")
    _refuse_private_host(host, field, resolver)
    return str(parsed)


def _refuse_private_host(host: str, field: str, resolver: Resolver | None) -> None:
    internal = f"{field} points at an internal address ({host}); the API refuses private, loopback and link-local hosts."
    ip = literal_ip(host)
    if ip is not None:
        if not address_is_public(ip):
            raise InputError(field, internal)
        return
    if host == "localhost" or host.endswith(_LOCAL_SUFFIXES) or "." not in host:
        raise InputError(field, internal)
    if resolver is None:
        return
    try:
        addresses = list(resolver(host))
    except OSError:
        raise InputError(field, f"{field}: the host {host} cannot be resolved.") from None
    if not addresses:
        raise InputError(field, f"{field}: the host {host} cannot be resolved.")
    for address in addresses:
        resolved = literal_ip(address)
        if resolved is None or not address_is_public(resolved):
            raise InputError(field, internal)
