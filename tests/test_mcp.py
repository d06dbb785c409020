"""The edit tool over MCP (streamable HTTP), and the README's MCP example."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import pytest
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client

from qwen_ui.runtime import Runtime
from qwen_ui.serving import ServerThread
from tests.apphelpers import running_app
from tests.helpers import SimulatorControl

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def mcp_app(simulator_server: ServerThread, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Runtime]]:
    with running_app(simulator_server.url, tmp_path_factory.mktemp("mcp"), QWEN_UI_MCP_SERVER="1") as (url, runtime):
        yield url, runtime


async def test_an_agent_can_list_and_call_the_edit_tool(mcp_app: tuple[str, Runtime], sim: SimulatorControl) -> None:
    url, _ = mcp_app
    image = "data:image/png;base64," + base64.b64encode((ROOT / "examples" / "mug.png").read_bytes()).decode()
    async with streamable_http_client(f"{url}gradio_api/mcp/") as (read, write, _), ClientSession(read, write) as session:
        await session.initialize()
        tools = {tool.name: tool for tool in (await session.list_tools()).tools}
        assert "edit" in tools and "512–2048" in (tools["edit"].description or "")
        result = await session.call_tool("edit", {"image1": image, "prompt": "make the mug blue", "seed": 7, "randomize_seed": False})
    assert not result.isError
    assert "task-unified-" in str(result.content) and sim.creates == 1


def test_mcp_is_off_unless_asked_for(simulator_server: ServerThread, tmp_path: Path) -> None:
    import httpx

    with running_app(simulator_server.url, tmp_path / "no-mcp") as (url, _):
        assert httpx.get(f"{url}gradio_api/mcp/schema").status_code == 404


def test_the_readme_mcp_example_works(
    mcp_app: tuple[str, Runtime], sim: SimulatorControl, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    readme = (ROOT / "README.md").read_text()
    snippet = readme.split("<!-- snippet: mcp -->", 1)[1].split("```python", 1)[1].split("```", 1)[0]
    monkeypatch.chdir(ROOT)
    exec(compile(snippet.replace("http://127.0.0.1:7860/", mcp_app[0]), "README.md", "exec"), {})  # noqa: S102
    assert "task-unified-" in capsys.readouterr().out and sim.creates == 1
