"""Request and task models with the API's documented limits.

Shared by the client (to refuse a bad request before money is spent) and the
simulator (to answer it as the provider would). Limits come from
``reference/api-contract.md`` §1.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from typing import Any, Literal

from qwen_ui.errors import InputError, ProtocolError
from qwen_ui.netguard import MAX_URL_CHARS, check_public_url

__all__ = [
    "MODEL",
    "CreateRequest",
    "Task",
    "TaskStatus",
    "parse_task",
    "parse_size",
    "estimate_tokens",
    "error_body",
    "parse_error_body",
    "LIMITS",
    "auto_output_size",
]

MODEL = "qwen-image-edit-plus"
TaskStatus = Literal["pending", "processing", "completed", "failed"]
TASK_STATUSES: tuple[str, ...] = ("pending", "processing", "completed", "failed")


@dataclass(frozen=True)
class _Limits:
    prompt_max_tokens: int = 2000
    images_min: int = 1
    images_max: int = 3
    n_min: int = 1
    n_max: int = 6
    negative_prompt_max_chars: int = 500
    size_min_px: int = 512
    size_max_px: int = 2048
    seed_min: int = 0
    seed_max: int = 2_147_483_647
    input_min_px: int = 384
    input_max_px: int = 3072
    input_max_bytes: int = 10 * 1024 * 1024
    callback_max_chars: int = MAX_URL_CHARS


LIMITS = _Limits()
_SIZE_RE = re.compile(r"^([0-9]+)x([0-9]+)$")
_CJK_RE = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]")
_PIECE_RE = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]|[^\W_]+|[^\w\s]", re.UNICODE)


def estimate_tokens(text: str) -> int:
    """A deliberately generous token count: each CJK character is one token,
    each word one token per 4 characters, each punctuation mark one token.

    The provider's tokenizer is not published; over-counting keeps us from
    sending a prompt the API would refuse.
    """
    total = 0
    for piece in _PIECE_RE.findall(text):
        total += 1 if _CJK_RE.fullmatch(piece) else max(1, math.ceil(len(piece) / 4))
    return total


def parse_size(size: str, *, field: str = "size") -> tuple[int, int]:
    """``"1024x1536"`` → ``(1024, 1536)``, enforcing the pattern and the 512–2048 range."""
    match = _SIZE_RE.fullmatch(size.strip().lower())
    if not match:
        raise InputError(field, f"size must look like 1024x1536 (width x height in pixels), not {size!r}.")
    width, height = int(match.group(1)), int(match.group(2))
    lo, hi = LIMITS.size_min_px, LIMITS.size_max_px
    for name, value in (("width", width), ("height", height)):
        if not lo <= value <= hi:
            raise InputError(field, f"size {name} {value} is outside the allowed {lo}–{hi} pixels.")
    return width, height


@dataclass(frozen=True)
class CreateRequest:
    """One ``POST /v1/images/generations`` body, valid by construction.

    Fields mirror the API; ``notices`` lists what was changed on the way in
    (a negative prompt truncated to 500 characters, as the provider would).
    """

    prompt: str
    image_urls: tuple[str, ...]
    n: int = 1
    negative_prompt: str | None = None
    size: str | None = None
    seed: int | None = None
    prompt_extend: bool = True
    watermark: bool = False
    callback_url: str | None = None
    model: str = MODEL
    notices: tuple[str, ...] = field(default=(), compare=False)

    @classmethod
    def build(cls, *, check_callback: bool = True, **values: Any) -> CreateRequest:
        """Validate raw values; raise :class:`InputError` naming the first bad field."""
        notices: list[str] = []
        model = values.get("model", MODEL)
        if model != MODEL:
            raise InputError("model", f"model must be {MODEL!r}, not {model!r}.")
        prompt = _check_prompt(values.get("prompt"))
        image_urls = _check_image_urls(values.get("image_urls"))
        n = _check_int(values.get("n", 1), "n", LIMITS.n_min, LIMITS.n_max)
        negative = values.get("negative_prompt")
        if negative is not None and not isinstance(negative, str):
            raise InputError("negative_prompt", "negative_prompt must be text.")
        if negative and len(negative) > LIMITS.negative_prompt_max_chars:
            notices.append(
                f"The negative prompt was {len(negative)} characters; only the first "
                f"{LIMITS.negative_prompt_max_chars} are used, as the API truncates it."
            )
            negative = negative[: LIMITS.negative_prompt_max_chars]
        size = values.get("size")
        if size is not None:
            if not isinstance(size, str):
                raise InputError("size", "size must be text like 1024x1536.")
            width, height = parse_size(size)
            if n != 1:
                raise InputError("size", f"size can only be set when n is 1 (the API refuses size with n={n}); choose Auto or set n to 1.")
            size = f"{width}x{height}"
        seed = values.get("seed")
        if seed is not None:
            seed = _check_int(seed, "seed", LIMITS.seed_min, LIMITS.seed_max)
        callback = values.get("callback_url")
        if callback is not None:
            if not isinstance(callback, str):
                raise InputError("callback_url", "callback_url must be text.")
            callback = callback.strip() or None
        if callback is not None and check_callback:
            callback = check_public_url(callback, field="callback_url")
        return cls(
            prompt=prompt,
            image_urls=image_urls,
            n=n,
            negative_prompt=negative or None,
            size=size,
            seed=seed,
            prompt_extend=_check_bool(values.get("prompt_extend", True), "prompt_extend"),
            watermark=_check_bool(values.get("watermark", False), "watermark"),
            callback_url=callback,
            notices=tuple(notices),
        )

    def to_json(self) -> dict[str, Any]:
        """The wire body; optional fields are left out rather than sent as null."""
        body: dict[str, Any] = {"model": self.model, "prompt": self.prompt, "image_urls": list(self.image_urls), "n": self.n}
        optional = {
            "negative_prompt": self.negative_prompt,
            "size": self.size,
            "seed": self.seed,
            "callback_url": self.callback_url,
        }
        body.update({k: v for k, v in optional.items() if v is not None})
        body["prompt_extend"] = self.prompt_extend
        body["watermark"] = self.watermark
        return body


def _check_prompt(prompt: object) -> str:
    if not isinstance(prompt, str) or not prompt.strip():
        raise InputError("prompt", "prompt is empty: describe what to change in the image.")
    tokens = estimate_tokens(prompt)
    if tokens > LIMITS.prompt_max_tokens:
        raise InputError("prompt", f"prompt is about {tokens} tokens long; the API allows at most {LIMITS.prompt_max_tokens}.")
    return prompt


def _check_image_urls(urls: object) -> tuple[str, ...]:
    if not isinstance(urls, (list, tuple)) or not urls:
        raise InputError("image_urls", "image_urls needs at least one image.")
    if len(urls) > LIMITS.images_max:
        raise InputError("image_urls", f"image_urls has {len(urls)} images; the API takes at most {LIMITS.images_max}.")
    for i, url in enumerate(urls, start=1):
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise InputError("image_urls", f"image_urls[{i}] must be an http(s) URL the API can download.")
        if len(url) > MAX_URL_CHARS:
            raise InputError("image_urls", f"image_urls[{i}] is longer than {MAX_URL_CHARS} characters.")
    return tuple(urls)


def _check_int(value: object, name: str, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (isinstance(value, float) and not value.is_integer()):
        raise InputError(name, f"{name} must be a whole number between {lo} and {hi}.")
    value = int(value)
    if not lo <= value <= hi:
        raise InputError(name, f"{name} must be between {lo} and {hi}, not {value}.")
    return value


def _check_bool(value: object, name: str) -> bool:
    if not isinstance(value, bool):
        raise InputError(name, f"{name} must be true or false.")
    return value


@dataclass(frozen=True)
class TaskError:
    code: str | None
    message: str


@dataclass(frozen=True)
class Task:
    """A task as ``GET /v1/tasks/{id}`` describes it. ``task_info`` and ``usage`` are
    kept as given: every member is optional in the contract."""

    id: str
    status: TaskStatus
    progress: int = 0
    created: int | None = None
    model: str | None = None
    results: tuple[str, ...] = ()
    error: TaskError | None = None
    task_info: dict[str, Any] = field(default_factory=dict)
    usage: dict[str, Any] = field(default_factory=dict)

    @property
    def estimated_time_s(self) -> float | None:
        value = self.task_info.get("estimated_time")
        return float(value) if isinstance(value, (int, float)) and value > 0 else None

    @property
    def terminal(self) -> bool:
        return self.status in ("completed", "failed")


def parse_task(data: object) -> Task:
    """Turn a task JSON object into a :class:`Task`; anything off-contract is a ProtocolError."""
    if not isinstance(data, dict):
        raise ProtocolError("The API answered with something that is not a task.")
    task_id, status = data.get("id"), data.get("status")
    if not isinstance(task_id, str) or not task_id:
        raise ProtocolError("The API's task answer has no task id.")
    if status not in TASK_STATUSES:
        raise ProtocolError(f"The API reported an unknown task status {status!r}.", task_id=task_id)
    progress = data.get("progress", 0)
    progress = int(max(0, min(100, progress))) if isinstance(progress, (int, float)) else 0
    results = data.get("results") or []
    if not isinstance(results, list) or not all(isinstance(u, str) for u in results):
        raise ProtocolError("The API's task answer has a malformed results list.", task_id=task_id)
    error = None
    raw_error = data.get("error")
    if isinstance(raw_error, dict):
        error = TaskError(code=_str_or_none(raw_error.get("code")), message=str(raw_error.get("message") or "no reason given"))
    elif isinstance(raw_error, str):
        error = TaskError(code=None, message=raw_error)
    return Task(
        id=task_id,
        status=status,
        progress=progress,
        created=data.get("created") if isinstance(data.get("created"), int) else None,
        model=_str_or_none(data.get("model")),
        results=tuple(results),
        error=error,
        task_info=dict(data["task_info"]) if isinstance(data.get("task_info"), dict) else {},
        usage=dict(data["usage"]) if isinstance(data.get("usage"), dict) else {},
    )


def _str_or_none(value: object) -> str | None:
    return None if value is None else str(value)


def error_body(code: str, message: str, *, type_: str = "invalid_request_error", param: str | None = None) -> dict[str, Any]:
    """The provider's OpenAI-style error body."""
    error: dict[str, Any] = {"code": code, "message": message, "type": type_}
    if param is not None:
        error["param"] = param
    return {"error": error}


def parse_error_body(text: str) -> tuple[str | None, str | None]:
    """``(code, message)`` from an error body; parse defensively, fall back to the raw text."""
    try:
        data = json.loads(text)
    except ValueError:
        snippet = text.strip()[:200]
        return None, snippet or None
    if isinstance(data, dict):
        error = data.get("error", data)
        if isinstance(error, dict):
            message = error.get("message") or data.get("message")
            return _str_or_none(error.get("code")), _str_or_none(message)
        if isinstance(error, str):
            return None, error
    return None, None


def auto_output_size(width: int, height: int) -> tuple[int, int]:
    """What the API makes without ``size``: the input's aspect at about 1024×1024 pixels,
    sides on multiples of 16 within 512–2048 (contract §1 and §6)."""
    aspect = width / height
    target = 1024 * 1024
    out_w = (target * aspect) ** 0.5
    out_h = out_w / aspect

    def snap(value: float) -> int:
        return int(min(LIMITS.size_max_px, max(LIMITS.size_min_px, round(value / 16) * 16)))

    return snap(out_w), snap(out_h)
