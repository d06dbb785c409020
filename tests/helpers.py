"""Small helpers shared by the tests: image fixtures made with Pillow, simulator control."""

from __future__ import annotations

import io
from typing import Any

import httpx
from PIL import Image


def image_bytes(size: tuple[int, int] = (600, 400), color: Any = (200, 40, 40), fmt: str = "PNG", mode: str = "RGB", **save: Any) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, color).save(out, format=fmt, **save)
    return out.getvalue()


class SimulatorControl:
    """Talks to a running simulator's control surface over HTTP."""

    def __init__(self, url: str, api_key: str) -> None:
        self.url = url
        self.api_key = api_key

    def reset(self, **config: Any) -> None:
        httpx.post(f"{self.url}/_simulator/reset").raise_for_status()
        self.configure(
            **{"task_seconds": 0.4, "result_ttl_s": 86400, "failure_rate": 0.0, "latency_s": 0.0, "callback_override_url": "", **config}
        )

    def configure(self, **config: Any) -> dict[str, Any]:
        response = httpx.post(f"{self.url}/_simulator/config", json=config)
        response.raise_for_status()
        return response.json()

    def fault(self, **rule: Any) -> None:
        httpx.post(f"{self.url}/_simulator/faults", json=[rule]).raise_for_status()

    def stats(self) -> dict[str, Any]:
        return httpx.get(f"{self.url}/_simulator/stats").json()

    @property
    def creates(self) -> int:
        return int(self.stats()["creates"])

    def upload(self, data: bytes, name: str = "in.png", content_type: str = "image/png") -> str:
        response = httpx.post(
            f"{self.url}/api/v1/files/upload/stream",
            headers={"Authorization": f"Bearer {self.api_key}"},
            files={"file": (name, data, content_type)},
        )
        response.raise_for_status()
        return response.json()["data"]["file_url"]
