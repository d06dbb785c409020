"""Qwen Edit Studio: a Gradio app over the qwen-image-edit-plus task API."""

__all__: list[str] = []
