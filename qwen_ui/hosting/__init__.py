"""Temporary public URLs for input images, behind one small interface."""

from qwen_ui.hosting.base import DedupingHost, HostedImage, ImageHost
from qwen_ui.hosting.provider import ProviderHost
from qwen_ui.hosting.selfhost import SignedFileHost

__all__ = ["ImageHost", "HostedImage", "DedupingHost", "ProviderHost", "SignedFileHost"]
