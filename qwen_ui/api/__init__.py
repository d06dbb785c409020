"""The qwen-image-edit-plus task API: schema, client and events."""

__all__: list[str] = []
