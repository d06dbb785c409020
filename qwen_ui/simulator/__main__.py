"""``python -m qwen_ui.simulator --port 8100 [--api-key KEY] [--task-seconds S]``"""

from __future__ import annotations

import argparse
import logging

import uvicorn

from qwen_ui.simulator.app import SimulatorConfig, create_simulator_app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m qwen_ui.simulator", description="Local simulator of the qwen-image-edit-plus task API."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8100)
    parser.add_argument("--api-key", default=None, help="accept only this bearer token (default: any non-empty token)")
    parser.add_argument("--task-seconds", type=float, default=4.0, help="how long each task takes")
    parser.add_argument("--result-ttl", type=float, default=24 * 3600, help="seconds result links stay valid")
    parser.add_argument("--failure-rate", type=float, default=0.0, help="fraction of tasks that fail")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every API response")
    parser.add_argument("--allow-local-callbacks", action="store_true", help="accept http:// and loopback callback URLs (testing)")
    args = parser.parse_args(argv)
    config = SimulatorConfig(
        api_key=args.api_key,
        task_seconds=args.task_seconds,
        result_ttl_s=args.result_ttl,
        failure_rate=args.failure_rate,
        latency_s=args.latency,
        allow_local_callbacks=args.allow_local_callbacks,
    )
    logging.basicConfig(level=logging.INFO)
    print(f"qwen-image-edit-plus simulator on http://{args.host}:{args.port} (task {args.task_seconds:g} s)", flush=True)
    uvicorn.run(create_simulator_app(config), host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
