"""A local simulator of the qwen-image-edit-plus task API.

It shares only the request/response schema with the client: it never imports
the client, the service or the UI, so it stays an independent peer.
"""

from qwen_ui.simulator.app import SimulatorConfig, create_simulator_app
from qwen_ui.simulator.faults import FaultRule

__all__ = ["SimulatorConfig", "create_simulator_app", "FaultRule"]
