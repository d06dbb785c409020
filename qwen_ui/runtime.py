"""Build the app's adapters from the settings: client, image host, cache, service.

In simulator mode (no API key) the built-in simulator is started on a free
loopback port and reached over HTTP by the same client as the real API.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from qwen_ui.api.client import QwenClient, make_http_client
from qwen_ui.cache import ResultCache
from qwen_ui.callbacks import CallbackHub
from qwen_ui.config import Settings
from qwen_ui.history import HistoryStore
from qwen_ui.hosting.base import DedupingHost, ImageHost
from qwen_ui.hosting.provider import ProviderHost
from qwen_ui.hosting.selfhost import SignedFileHost
from qwen_ui.inflight import InflightStore
from qwen_ui.secrets import Secret, install_log_redaction
from qwen_ui.service import EditService
from qwen_ui.serving import ServerThread

__all__ = ["Runtime", "build_runtime"]

log = logging.getLogger("qwen_ui.runtime")
SIMULATOR_KEY = Secret("simulator-local-key")


@dataclass
class Runtime:
    settings: Settings
    http: httpx.AsyncClient
    client: QwenClient
    host: DedupingHost
    cache: ResultCache
    service: EditService
    results_dir: Path
    history: HistoryStore
    self_host: SignedFileHost | None = None
    simulator: ServerThread | None = None
    callbacks: CallbackHub | None = None

    def routes(self) -> list[Any]:
        """The app's own HTTP routes, mounted ahead of Gradio's."""
        routes: list[Any] = []
        if self.self_host is not None:
            routes += self.self_host.router().routes
        if self.callbacks is not None:
            routes += self.callbacks.router().routes
        return routes

    @property
    def simulated(self) -> bool:
        return self.simulator is not None

    @asynccontextmanager
    async def lifespan(self, _app: Any) -> AsyncIterator[None]:
        """Runs inside the web server: resume recorded tasks, sweep expired shared files."""
        job = asyncio.create_task(self._maintain())
        try:
            yield
        finally:
            job.cancel()

    async def _maintain(self, sweep_every_s: float = 600.0) -> None:
        saved = await self.service.resume_pending()
        if saved:
            log.info("saved the results of %d task(s) left running before the restart", saved)
        while True:
            if self.self_host is not None:
                await asyncio.to_thread(self.self_host.sweep)
            await asyncio.sleep(sweep_every_s)

    def for_user_key(self, key: Secret) -> tuple[QwenClient, ImageHost]:
        """Client and host for a key pasted in the page: the real API, even in simulator mode."""
        settings = self.settings
        if self.simulator is None:
            client = self.client.with_key(key)
        else:
            client = QwenClient(
                self.http,
                api_key=key,
                base_url=settings.base_url,
                files_url=settings.files_url,
                retry=self.client.retry,
                poll=self.client.poll,
            )
        host: ImageHost = self.host if settings.image_host != "provider" else ProviderHost(client)
        return client, host

    def close(self) -> None:
        self.cache.close()
        if self.simulator is not None:
            self.simulator.stop()


def _start_simulator(settings: Settings) -> ServerThread:
    # Imported here so a deployment with a key never loads the simulator.
    from qwen_ui.simulator.app import SimulatorConfig, create_simulator_app

    config = SimulatorConfig(api_key=SIMULATOR_KEY.reveal(), task_seconds=settings.simulator_seconds)
    return ServerThread(create_simulator_app(config)).start()


def _image_host(settings: Settings, client: QwenClient) -> tuple[ImageHost, SignedFileHost | None]:
    if settings.image_host == "self":
        assert settings.public_url is not None  # load_settings guarantees it
        host = SignedFileHost(
            settings.data_dir / "share", key=settings.signing_key, public_base_url=settings.public_url, ttl_s=settings.share_ttl_s
        )
        return host, host
    if settings.image_host == "s3":
        from qwen_ui.hosting.s3 import S3Host

        assert settings.s3_bucket is not None
        return S3Host(
            bucket=settings.s3_bucket, ttl_s=settings.share_ttl_s, endpoint_url=settings.s3_endpoint_url, region=settings.s3_region
        ), None
    return ProviderHost(client), None


def build_runtime(settings: Settings) -> Runtime:
    install_log_redaction(settings.api_key, settings.signing_key)
    simulator = _start_simulator(settings) if settings.simulated else None
    base_url = simulator.url if simulator else settings.base_url
    files_url = simulator.url if simulator else settings.files_url
    http = make_http_client(settings.http_timeout_s)
    client = QwenClient(http, api_key=SIMULATOR_KEY if simulator else settings.api_key, base_url=base_url, files_url=files_url)
    inner_host, self_host = _image_host(settings, client)
    host = DedupingHost(inner_host, min_remaining_s=min(900.0, settings.share_ttl_s / 4))
    cache = ResultCache(settings.cache_dir, size_limit_bytes=settings.cache_size_limit_bytes)
    results_dir = settings.data_dir / "results"
    results_dir.mkdir(parents=True, exist_ok=True)
    inflight = InflightStore(settings.data_dir / "inflight")
    history = HistoryStore(settings.data_dir / "history")
    # Push needs an address the API can call; the embedded simulator is polled.
    callbacks = CallbackHub(settings.signing_key, settings.public_url, http) if settings.public_url and not simulator else None
    service = EditService(
        client=client,
        host=host,
        cache=cache,
        results_dir=results_dir,
        inflight=inflight,
        callbacks=callbacks,
        history=history,
        max_upload_bytes=settings.max_upload_mb * 1024 * 1024,
    )
    return Runtime(settings, http, client, host, cache, service, results_dir, history, self_host, simulator, callbacks)
