"""The Gradio page: layout (widgets), handlers (reactions), text (every visible string)."""

from qwen_ui.ui.page import build_demo, launch_options

__all__ = ["build_demo", "launch_options"]
