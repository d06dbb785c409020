"""Each image host gives a URL that serves the prepared bytes, and only while valid."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from qwen_ui.api.client import QwenClient
from qwen_ui.hosting.base import DedupingHost, HostedImage
from qwen_ui.hosting.provider import ProviderHost
from qwen_ui.hosting.selfhost import SignedFileHost
from qwen_ui.images import PreparedImage, prepare_image
from qwen_ui.secrets import Secret
from qwen_ui.serving import ServerThread, free_port
from tests.helpers import image_bytes


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def self_host(tmp_path: Path, clock: Clock) -> Iterator[tuple[SignedFileHost, ServerThread]]:
    port = free_port()
    host = SignedFileHost(tmp_path / "share", key=Secret("k" * 32), public_base_url=f"http://127.0.0.1:{port}", ttl_s=600, clock=clock)
    app = FastAPI()
    app.include_router(host.router())
    server = ServerThread(app, port=port).start()
    yield host, server
    server.stop()


def prepared(size: tuple[int, int] = (600, 400), fmt: str = "PNG") -> PreparedImage:
    return prepare_image(image_bytes(size, fmt=fmt))


async def test_self_host_serves_the_bytes_with_the_right_type_at_a_signed_url(self_host: tuple[SignedFileHost, ServerThread]) -> None:
    host, _ = self_host
    image = prepared(fmt="JPEG")
    hosted = await host.host(image)
    response = httpx.get(hosted.url)
    assert response.status_code == 200 and response.content == image.data
    assert response.headers["content-type"] == "image/jpeg"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert httpx.head(hosted.url).status_code == 200


async def test_self_host_names_are_unguessable(self_host: tuple[SignedFileHost, ServerThread]) -> None:
    host, _ = self_host
    first, second = await host.host(prepared()), await host.host(prepared())
    assert first.url != second.url
    name = httpx.URL(first.url).path.rsplit("/", 1)[1]
    assert len(name.split(".")[0]) >= 22


async def test_a_tampered_self_host_link_is_404(self_host: tuple[SignedFileHost, ServerThread]) -> None:
    host, _ = self_host
    url = httpx.URL((await host.host(prepared())).url)
    sig = url.params["sig"]
    tampered = url.copy_set_param("sig", ("0" if sig[0] != "0" else "1") + sig[1:])
    later = url.copy_set_param("exp", str(int(url.params["exp"]) + 3600))
    assert httpx.get(tampered).status_code == 404
    assert httpx.get(later).status_code == 404


async def test_an_expired_self_host_link_is_404(self_host: tuple[SignedFileHost, ServerThread], clock: Clock) -> None:
    host, _ = self_host
    url = (await host.host(prepared())).url
    clock.now += 601
    assert httpx.get(url).status_code == 404


@pytest.mark.parametrize(
    "path", ["/share/", "/share/..%2f..%2fetc%2fpasswd", "/share/%2e%2e/app.py", "/share/.hidden", "/share//etc/passwd"]
)
def test_self_host_has_no_listing_and_no_traversal(self_host: tuple[SignedFileHost, ServerThread], path: str) -> None:
    _, server = self_host
    assert httpx.get(f"{server.url}{path}").status_code == 404


async def test_self_host_sweep_deletes_expired_files(self_host: tuple[SignedFileHost, ServerThread], clock: Clock) -> None:
    host, _ = self_host
    await host.host(prepared())
    clock.now += 10_000
    assert host.sweep() == 1 and not list(host.directory.iterdir())


async def test_provider_host_uploads_to_the_file_service(client: QwenClient) -> None:
    image = prepared()
    hosted = await ProviderHost(client).host(image)
    assert httpx.get(hosted.url).content == image.data
    assert hosted.expires_at > 0


class CountingHost:
    name = "counting"

    def __init__(self) -> None:
        self.calls = 0

    async def host(self, image: PreparedImage) -> HostedImage:
        self.calls += 1
        await asyncio.sleep(0.05)
        return HostedImage(f"https://files.example/{self.calls}", expires_at=1_800_000_000.0 + 3600)


async def test_the_same_bytes_are_not_uploaded_twice_while_the_url_is_valid(clock: Clock) -> None:
    inner = CountingHost()
    host = DedupingHost(inner, min_remaining_s=900, clock=clock)
    image = prepared()
    urls = await asyncio.gather(*(host.host(image) for _ in range(5)))
    assert inner.calls == 1 and len({u.url for u in urls}) == 1
    clock.now += 3600 - 899  # too little life left for a new task
    await host.host(image)
    assert inner.calls == 2


@pytest.fixture(scope="module")
def moto_server() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


async def test_s3_host_serves_the_bytes_at_a_presigned_url(moto_server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import boto3

    from qwen_ui.hosting.s3 import S3Host

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    boto3.client("s3", endpoint_url=moto_server, region_name="us-east-1").create_bucket(Bucket="inputs")
    host = S3Host(bucket="inputs", ttl_s=900, endpoint_url=moto_server)
    image = prepared(fmt="JPEG")
    hosted = await host.host(image)
    url = httpx.URL(hosted.url)
    assert url.params["X-Amz-Expires"] == "900" and "X-Amz-Signature" in url.params
    response = httpx.get(hosted.url)
    assert response.status_code == 200 and response.content == image.data
    assert response.headers["content-type"] == "image/jpeg"
    # moto checks neither signature nor expiry, so the URL itself is what we can hold to SigV4.
    assert url.params["X-Amz-Algorithm"] == "AWS4-HMAC-SHA256"
