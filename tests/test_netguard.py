"""SSRF: which URLs may be called back or fetched. DNS is stubbed; every spelling of an internal address is refused."""

from __future__ import annotations

import pytest

from qwen_ui.errors import InputError
from qwen_ui.netguard import check_public_url

PUBLIC_V4 = "93.184.215.14"
DNS: dict[str, list[str]] = {
    "example.com": [PUBLIC_V4],
    "hooks.example.com": [PUBLIC_V4],
    "internal.test": ["10.0.0.5"],
    "127.0.0.1.nip.io": ["127.0.0.1"],
    "mixed.test": [PUBLIC_V4, "10.0.0.5"],
    "v6private.test": ["fd00::1"],
    "mapped.test": ["::ffff:169.254.169.254"],
}


def resolver(host: str) -> list[str]:
    if host not in DNS:
        raise OSError("NXDOMAIN")
    return DNS[host]


REFUSED = [
    ("http://example.com/cb", "https"),
    ("ftp://example.com/cb", "https"),
    ("file:///etc/passwd", "https"),
    ("gopher://127.0.0.1:6379/_INFO", "https"),
    ("javascript:alert(1)", "https"),
    ("data:text/plain,x", "https"),
    ("https:///cb", "host"),
    ("https://example.com/" + "a" * 2040, "2048"),
    ("https://user:pw@example.com/cb", "user name"),
    ("https://example.com\\@127.0.0.1/", "backslash"),
    ("https://127.0.0.1:443\\@example.com/", "backslash"),
    ("https://exa mple.com/", "spaces"),
    ("https://example.com/\r\nX:1", "spaces"),
    ("https://127.0.0.1/cb", "internal"),
    ("https://127.1/cb", "internal"),
    ("https://2130706433/cb", "internal"),
    ("https://3232235521/cb", "internal"),
    ("https://0x7f000001/cb", "internal"),
    ("https://0x7f.0x0.0x0.0x1/cb", "internal"),
    ("https://0177.0.0.1/cb", ""),  # httpx already refuses to parse it
    ("https://017700000001/cb", "internal"),
    ("https://①②⑦.0.0.1/cb", ""),
    ("https://0/cb", "internal"),
    ("https://0.0.0.0/cb", "internal"),
    ("https://[::]/cb", "internal"),
    ("https://localhost/cb", "internal"),
    ("https://LOCALHOST./cb", "internal"),
    ("https://a.localhost/cb", "internal"),
    ("https://[::1]/cb", "internal"),
    ("https://[::ffff:127.0.0.1]/cb", "internal"),
    ("https://[::ffff:7f00:1]/cb", "internal"),
    ("https://[::127.0.0.1]/cb", "internal"),
    ("https://10.0.0.1/", "internal"),
    ("https://172.16.0.1/", "internal"),
    ("https://172.31.255.255/", "internal"),
    ("https://192.168.1.1/", "internal"),
    ("https://169.254.169.254/latest/meta-data/", "internal"),
    ("https://[fd00:ec2::254]/", "internal"),
    ("https://100.100.100.200/", "internal"),
    ("https://100.64.0.1/", "internal"),
    ("https://[fe80::1%25eth0]/", ""),
    ("https://[fc00::1]/", "internal"),
    ("https://[64:ff9b::a9fe:a9fe]/", "internal"),
    ("https://[2002:a9fe:a9fe::]/", "internal"),
    ("https://192.0.0.8/", "internal"),
    ("https://198.18.0.1/", "internal"),
    ("https://224.0.0.1/", "internal"),
    ("https://255.255.255.255/", "internal"),
    ("https://[ff02::1]/", "internal"),
    ("https://internal.test/", "internal"),
    ("https://127.0.0.1.nip.io/", "internal"),
    ("https://mixed.test/", "internal"),
    ("https://v6private.test/", "internal"),
    ("https://mapped.test/", "internal"),
    ("https://nx.test/", "cannot be resolved"),
    ("https://intranet/", "internal"),
    ("https://printer.local/", "internal"),
    ("https://example.com:22/cb", "port"),
]

ACCEPTED = [
    ("https://example.com/cb?x=1", "https://example.com/cb?x=1"),
    ("https://hooks.example.com:443/qwen", "https://hooks.example.com/qwen"),
    ("https://[2606:4700:4700::1111]/cb", "https://[2606:4700:4700::1111]/cb"),
    ("https://8.8.8.8/cb", "https://8.8.8.8/cb"),
    ("https://172.15.255.255/", "https://172.15.255.255/"),
    ("https://172.32.0.1/", "https://172.32.0.1/"),
]


@pytest.mark.parametrize(("url", "why"), REFUSED, ids=[u[:60] for u, _ in REFUSED])
def test_a_non_public_or_malformed_url_is_refused_with_the_field_named(url: str, why: str) -> None:
    with pytest.raises(InputError) as caught:
        check_public_url(url, field="callback_url", resolver=resolver)
    assert caught.value.field == "callback_url" and "callback_url" in str(caught.value)
    assert why in str(caught.value)


@pytest.mark.parametrize(("url", "canonical"), ACCEPTED)
def test_a_public_https_url_is_accepted_and_re_serialised(url: str, canonical: str) -> None:
    assert check_public_url(url, field="callback_url", resolver=resolver) == canonical


def test_the_matrix_has_at_least_30_url_forms() -> None:
    assert len(REFUSED) + len(ACCEPTED) >= 30
