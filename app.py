"""Qwen Edit Studio: entry point (and the Hugging Face Space's app file).

``python app.py`` — with no EVOLINK_API_KEY it runs against the built-in simulator.
"""

from __future__ import annotations

import logging
import os
import sys

# Nothing may reach the internet at start-up: set before Gradio is imported.
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

from qwen_ui.config import SettingsError, load_settings  # noqa: E402


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        settings = load_settings()
    except SettingsError as exc:
        sys.exit(f"Configuration error — {exc}")
    from qwen_ui.runtime import build_runtime
    from qwen_ui.ui import build_demo, launch_options

    runtime = build_runtime(settings)
    mode = "local simulator" if runtime.simulated else settings.base_url
    logging.getLogger("qwen_ui").info("API: %s · image host: %s · cache: %s", mode, settings.image_host, settings.cache_dir)
    demo = build_demo(runtime)
    demo.launch(**launch_options(runtime))


if __name__ == "__main__":
    main()
