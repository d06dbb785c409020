"""Start-up: ``python app.py`` (embedded simulator) to the first page served. Baseline in the same
run: a bare one-textbox Gradio app.

    .venv/bin/python bench/startup.py [--runs 3]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

from common import ROOT, base_env, median, wait_up

from qwen_ui.serving import free_port

BARE = "import gradio as gr, os\nwith gr.Blocks() as d:\n    gr.Textbox()\nd.launch(server_port=int(os.environ['GRADIO_SERVER_PORT']), ssr_mode=False)\n"


def time_to_page(command: list[str]) -> float:
    port = free_port()
    started = time.monotonic()
    process = subprocess.Popen(
        command, cwd=ROOT, env=base_env(GRADIO_SERVER_PORT=str(port)), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_up(f"http://127.0.0.1:{port}/")
        return time.monotonic() - started
    finally:
        process.terminate()
        process.wait(timeout=15)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    ours = [time_to_page([sys.executable, "app.py"]) for _ in range(args.runs)]
    bare = [time_to_page([sys.executable, "-c", BARE]) for _ in range(args.runs)]
    print("python app.py → first page served (median)")
    print(f"  app (with embedded simulator) {median(ours):.2f} s")
    print(f"  baseline: bare Gradio app     {median(bare):.2f} s   ratio {median(ours) / median(bare):.2f}")


if __name__ == "__main__":
    main()
