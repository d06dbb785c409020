"""Every documented limit is enforced before any money is spent, naming the field."""

from __future__ import annotations

from typing import Any

import pytest

from qwen_ui.api.schema import CreateRequest, auto_output_size, estimate_tokens, parse_error_body, parse_task
from qwen_ui.errors import InputError, ProtocolError

URL = "https://example.com/a.png"


def build(**overrides: Any) -> CreateRequest:
    values: dict[str, Any] = {"prompt": "make it blue", "image_urls": [URL]}
    values.update(overrides)
    return CreateRequest.build(**values)


def refused(field: str, **overrides: Any) -> InputError:
    with pytest.raises(InputError) as caught:
        build(**overrides)
    assert caught.value.field == field
    assert field in str(caught.value)
    return caught.value


def test_a_valid_request_serialises_to_the_documented_body() -> None:
    body = build(n=1, size="1024x1536", seed=7, negative_prompt="blurry", watermark=True).to_json()
    assert body == {
        "model": "qwen-image-edit-plus",
        "prompt": "make it blue",
        "image_urls": [URL],
        "n": 1,
        "negative_prompt": "blurry",
        "size": "1024x1536",
        "seed": 7,
        "prompt_extend": True,
        "watermark": True,
    }


def test_optional_fields_are_left_out_not_sent_as_null() -> None:
    assert set(build().to_json()) == {"model", "prompt", "image_urls", "n", "prompt_extend", "watermark"}


def test_model_other_than_qwen_image_edit_plus_is_refused() -> None:
    refused("model", model="qwen-image-edit")


def test_empty_prompt_is_refused() -> None:
    refused("prompt", prompt="   ")


def test_prompt_over_2000_tokens_is_refused() -> None:
    assert "2000" in str(refused("prompt", prompt="word " * 2001))


def test_cjk_characters_count_one_token_each() -> None:
    assert estimate_tokens("把背景换成海边") == 7
    refused("prompt", prompt="海" * 2001)


def test_no_image_is_refused() -> None:
    refused("image_urls", image_urls=[])


def test_four_images_are_refused() -> None:
    assert "at most 3" in str(refused("image_urls", image_urls=[URL] * 4))


def test_image_url_must_be_http() -> None:
    refused("image_urls", image_urls=["ftp://example.com/a.png"])


@pytest.mark.parametrize("n", [0, 7, 2.5, True, "3"])
def test_n_outside_1_to_6_or_not_whole_is_refused(n: object) -> None:
    refused("n", n=n)


def test_negative_prompt_over_500_chars_is_truncated_and_said() -> None:
    request = build(negative_prompt="x" * 600)
    assert request.negative_prompt == "x" * 500
    assert any("600" in notice and "500" in notice for notice in request.notices)


def test_negative_prompt_of_500_cjk_characters_is_kept_whole() -> None:
    assert build(negative_prompt="模" * 500).notices == ()


@pytest.mark.parametrize("size", ["abc", "1024*1024", "1024x", "x1024", " 1024 x 1024"])
def test_size_not_matching_w_x_h_is_refused(size: str) -> None:
    refused("size", size=size)


@pytest.mark.parametrize("size", ["100x100", "511x1024", "4096x4096", "1024x2049"])
def test_size_sides_outside_512_to_2048_are_refused(size: str) -> None:
    refused("size", size=size)


def test_size_is_rejected_when_n_is_above_one() -> None:
    assert "n is 1" in str(refused("size", size="1024x1024", n=2))


@pytest.mark.parametrize("seed", [-1, 2**31, 1.5])
def test_seed_outside_0_to_2147483647_is_refused(seed: object) -> None:
    refused("seed", seed=seed)


def test_seed_bounds_are_accepted() -> None:
    assert build(seed=0).seed == 0
    assert build(seed=2**31 - 1).seed == 2**31 - 1


def test_callback_url_must_be_https() -> None:
    refused("callback_url", callback_url="http://example.com/cb")


def test_callback_url_over_2048_chars_is_refused() -> None:
    refused("callback_url", callback_url="https://example.com/" + "a" * 2040)


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/cb",
        "https://10.1.2.3/cb",
        "https://192.168.0.5/cb",
        "https://169.254.169.254/x",
        "https://[::1]/cb",
        "https://localhost/cb",
        "https://2130706433/cb",
    ],
)
def test_callback_url_to_internal_address_is_refused(url: str) -> None:
    assert "internal" in str(refused("callback_url", callback_url=url))


def test_public_https_callback_is_accepted() -> None:
    assert build(callback_url="https://hooks.example.com/qwen?x=1").callback_url == "https://hooks.example.com/qwen?x=1"


def test_prompt_extend_and_watermark_must_be_booleans() -> None:
    refused("prompt_extend", prompt_extend="yes")
    refused("watermark", watermark=1)


def test_auto_output_size_keeps_aspect_near_one_megapixel() -> None:
    width, height = auto_output_size(3000, 2000)
    assert (width % 16, height % 16) == (0, 0)
    assert abs(width / height - 1.5) < 0.02
    assert 0.9e6 < width * height < 1.1e6


def test_unknown_task_status_is_a_protocol_error() -> None:
    with pytest.raises(ProtocolError):
        parse_task({"id": "task-1", "status": "queued"})


def test_error_body_parsing_falls_back_to_raw_text() -> None:
    assert parse_error_body('{"error": {"code": "x", "message": "bad size"}}') == ("x", "bad size")
    assert parse_error_body("<html>Bad gateway</html>") == (None, "<html>Bad gateway</html>")
