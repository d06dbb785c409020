"""Settings come from the environment; bad values stop start-up naming the variable."""

from __future__ import annotations

import pytest

from qwen_ui.config import SettingsError, load_settings


def test_defaults_without_a_key_select_the_simulator() -> None:
    settings = load_settings({})
    assert settings.simulated and settings.base_url == "https://api.evolink.ai"
    assert settings.server_port == 7860 and settings.image_host == "provider"


def test_a_key_turns_the_simulator_off_and_never_shows_in_repr() -> None:
    settings = load_settings({"EVOLINK_API_KEY": "sk-canary-123456"})
    assert not settings.simulated
    assert "sk-canary-123456" not in repr(settings)


def test_public_url_selects_self_hosting_when_a_key_is_set() -> None:
    assert load_settings({"EVOLINK_API_KEY": "k", "QWEN_UI_PUBLIC_URL": "https://edit.example.com"}).image_host == "self"


def test_space_host_gives_the_public_url() -> None:
    settings = load_settings({"SPACE_HOST": "me-qwen.hf.space,custom.example.com"})
    assert settings.public_url == "https://me-qwen.hf.space"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("GRADIO_SERVER_PORT", "abc"),
        ("GRADIO_SERVER_PORT", "70000"),
        ("EVOLINK_BASE_URL", "ftp://x"),
        ("QWEN_UI_PUBLIC_URL", "not a url"),
        ("QWEN_UI_IMAGE_HOST", "dropbox"),
        ("QWEN_UI_SIMULATOR_SECONDS", "-1"),
        ("QWEN_UI_CACHE_SIZE_MB", "many"),
        ("QWEN_UI_SIGNING_KEY", "short"),
    ],
)
def test_an_invalid_value_names_its_variable(variable: str, value: str) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings({variable: value})
    assert caught.value.variable == variable and variable in str(caught.value)


def test_self_hosting_without_a_public_url_is_refused() -> None:
    with pytest.raises(SettingsError, match="QWEN_UI_IMAGE_HOST"):
        load_settings({"EVOLINK_API_KEY": "k", "QWEN_UI_IMAGE_HOST": "self"})
