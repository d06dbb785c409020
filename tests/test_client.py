"""The async client against the simulator over real HTTP on loopback."""

from __future__ import annotations

import io
import logging

import httpx
import pytest
from PIL import Image

from qwen_ui.api.client import QwenClient
from qwen_ui.api.events import Done, Failed, Queued, Running
from qwen_ui.api.retry import PollPolicy, RetryPolicy
from qwen_ui.api.schema import CreateRequest
from qwen_ui.errors import (
    ApiError,
    AuthenticationError,
    BadRequest,
    ConnectionFailed,
    InsufficientCredits,
    PayloadTooLarge,
    PermissionDenied,
    ProtocolError,
    RateLimited,
    ResultUnavailable,
    ServerError,
    TaskNotFound,
    UnknownOutcome,
)
from qwen_ui.secrets import Secret
from tests.conftest import FAST_RETRY, TEST_KEY
from tests.helpers import SimulatorControl, image_bytes


async def new_task(client: QwenClient, sim: SimulatorControl, **overrides: object) -> str:
    url = sim.upload(image_bytes())
    task = await client.create(CreateRequest.build(prompt="make it blue", image_urls=[url], **overrides))
    return task.id


async def test_full_life_cycle_goes_pending_processing_completed_with_rising_progress(client: QwenClient, sim: SimulatorControl) -> None:
    sim.configure(task_seconds=1.2)
    url = sim.upload(image_bytes())
    task = await client.create(CreateRequest.build(prompt="make it blue", image_urls=[url], n=2, seed=3))
    assert task.status == "pending" and task.id.startswith("task-unified-")
    events = [event async for event in client.watch(task.id, first=task)]
    assert isinstance(events[0], Queued)
    assert any(isinstance(e, Running) for e in events)
    assert isinstance(events[-1], Done)
    progress = [e.task.progress for e in events]
    assert progress == sorted(progress) and progress[-1] == 100
    images = [Image.open(io.BytesIO(await client.download(u))) for u in events[-1].urls]
    assert len(images) == 2 and all(im.format == "PNG" for im in images)


async def test_failed_task_yields_failed_with_the_providers_reason(client: QwenClient, sim: SimulatorControl) -> None:
    sim.configure(fail_next_task="The image violates the content policy.")
    task_id = await new_task(client, sim)
    events = [e async for e in client.watch(task_id)]
    assert isinstance(events[-1], Failed)
    assert events[-1].reason == "The image violates the content policy."


@pytest.mark.parametrize(
    ("status", "error_type"),
    [
        (400, ApiError),
        (401, AuthenticationError),
        (402, InsufficientCredits),
        (403, PermissionDenied),
        (404, TaskNotFound),
        (413, PayloadTooLarge),
        (500, ServerError),
    ],
)
async def test_each_error_status_maps_to_its_exception_with_the_providers_message(
    client: QwenClient, sim: SimulatorControl, status: int, error_type: type[ApiError]
) -> None:
    task_id = await new_task(client, sim)
    sim.fault(target="get", kind="status", status=status, count=10, message=f"provider says {status}")
    with pytest.raises(error_type) as caught:
        await client.get(task_id)
    assert caught.value.status == status
    assert f"provider says {status}" in str(caught.value)


async def test_bad_request_from_the_provider_is_a_bad_request(client: QwenClient, sim: SimulatorControl) -> None:
    sim.fault(target="create", kind="status", status=400, message="size is invalid")
    with pytest.raises(BadRequest, match="size is invalid"):
        await new_task(client, sim)


async def test_wrong_key_is_an_authentication_error(client: QwenClient, sim: SimulatorControl) -> None:
    with pytest.raises(AuthenticationError, match="Invalid API key"):
        await client.with_key(Secret("sk-wrong-key-000")).get("task-unified-1-aaaaaaaa")


async def test_unknown_task_is_not_found(client: QwenClient) -> None:
    with pytest.raises(TaskNotFound):
        await client.get("task-unified-1-nosuchid")


async def test_get_is_retried_on_5xx_until_it_succeeds(client: QwenClient, sim: SimulatorControl) -> None:
    task_id = await new_task(client, sim)
    sim.fault(target="get", kind="status", status=503, count=3)
    assert (await client.get(task_id)).id == task_id
    assert sim.stats()["gets"] == 1  # the three 503s never reached the handler


async def test_get_honours_retry_after_on_429(sim: SimulatorControl) -> None:
    slept: list[float] = []

    async def record(seconds: float) -> None:
        slept.append(seconds)

    async with httpx.AsyncClient() as http:
        client = QwenClient(http, api_key=Secret(TEST_KEY), base_url=sim.url, files_url=sim.url, retry=FAST_RETRY, sleep=record)
        task_id = await new_task(client, sim)
        sim.fault(target="get", kind="status", status=429, retry_after="1.5", count=2)
        assert (await client.get(task_id)).id == task_id
    assert slept == [1.5, 1.5]


async def test_rate_limit_that_persists_reports_when_to_retry(client: QwenClient, sim: SimulatorControl) -> None:
    task_id = await new_task(client, sim)
    sim.fault(target="get", kind="status", status=429, retry_after="1", count=10)
    with pytest.raises(RateLimited) as caught:
        await client.get(task_id)
    assert caught.value.retry_after_s == 1.0
    assert "Try again in 1 s" in str(caught.value)


async def test_create_with_a_read_timeout_is_not_resent(sim: SimulatorControl) -> None:
    timeout = httpx.Timeout(connect=2.0, read=0.3, write=2.0, pool=2.0)
    async with httpx.AsyncClient(timeout=timeout) as http:
        client = QwenClient(http, api_key=Secret(TEST_KEY), base_url=sim.url, files_url=sim.url, retry=FAST_RETRY)
        url = sim.upload(image_bytes())
        sim.fault(target="create", kind="hang", phase="after", delay_s=1.0)
        with pytest.raises(UnknownOutcome, match="not sent again"):
            await client.create(CreateRequest.build(prompt="x", image_urls=[url]))
    assert sim.creates == 1


@pytest.mark.parametrize(
    "fault",
    [{"kind": "drop"}, {"kind": "status", "status": 502}, {"kind": "malformed"}],
    ids=["dropped-connection", "5xx", "malformed-answer"],
)
async def test_create_whose_answer_is_lost_is_not_resent(client: QwenClient, sim: SimulatorControl, fault: dict[str, object]) -> None:
    url = sim.upload(image_bytes())
    sim.fault(target="create", phase="after", **fault)
    with pytest.raises(UnknownOutcome):
        await client.create(CreateRequest.build(prompt="x", image_urls=[url]))
    assert sim.creates == 1


async def test_create_waits_out_a_short_429_and_is_sent_once_more(client: QwenClient, sim: SimulatorControl) -> None:
    url = sim.upload(image_bytes())
    sim.fault(target="create", kind="status", status=429, retry_after="0.2")
    task = await client.create(CreateRequest.build(prompt="x", image_urls=[url]))
    assert task.status == "pending" and sim.creates == 1


async def test_create_does_not_wait_out_a_long_429(client: QwenClient, sim: SimulatorControl) -> None:
    url = sim.upload(image_bytes())
    sim.fault(target="create", kind="status", status=429, retry_after="3600")
    with pytest.raises(RateLimited):
        await client.create(CreateRequest.build(prompt="x", image_urls=[url]))
    assert sim.creates == 0


async def test_create_is_resent_when_the_server_was_never_reached() -> None:
    attempts = 0

    def refuse_then_answer(request: httpx.Request) -> httpx.Response:
        nonlocal attempts
        attempts += 1
        if attempts < 3:
            raise httpx.ConnectError("connection refused", request=request)
        return httpx.Response(200, json={"id": "task-unified-1-abcdefgh", "status": "pending"})

    # The only mock in the suite: a refused TCP connect cannot be staged on a live server we also need.
    async with httpx.AsyncClient(transport=httpx.MockTransport(refuse_then_answer)) as http:
        client = QwenClient(http, api_key=Secret(TEST_KEY), base_url="https://api.test", files_url="https://files.test", retry=FAST_RETRY)
        task = await client.create(CreateRequest.build(prompt="x", image_urls=["https://example.com/a.png"]))
    assert task.id == "task-unified-1-abcdefgh" and attempts == 3


async def test_nothing_listening_is_a_connection_failure() -> None:
    async with httpx.AsyncClient() as http:
        client = QwenClient(http, api_key=Secret(TEST_KEY), base_url="http://127.0.0.1:9", files_url="http://127.0.0.1:9", retry=FAST_RETRY)
        with pytest.raises(ConnectionFailed, match="Could not connect"):
            await client.get("task-unified-1-abcdefgh")


async def test_malformed_json_on_get_is_retried(client: QwenClient, sim: SimulatorControl) -> None:
    task_id = await new_task(client, sim)
    sim.fault(target="get", kind="malformed", phase="after", count=2)
    assert (await client.get(task_id)).id == task_id


async def test_unknown_status_that_persists_is_a_protocol_error(client: QwenClient, sim: SimulatorControl) -> None:
    task_id = await new_task(client, sim)
    sim.fault(target="get", kind="unknown_status", phase="after", count=10)
    with pytest.raises(ProtocolError, match="unknown task status"):
        await client.get(task_id)


async def test_watch_polls_adaptively_and_survives_a_5xx_burst(client: QwenClient, sim: SimulatorControl) -> None:
    sim.configure(task_seconds=0.8)
    task_id = await new_task(client, sim)
    sim.fault(target="get", kind="status", status=500, count=3)
    events = [e async for e in client.watch(task_id)]
    assert isinstance(events[-1], Done)


def test_poll_interval_backs_off_and_comes_back_near_the_estimated_finish() -> None:
    policy = PollPolicy(first_s=0.25, growth=2.0, max_s=5.0, near_finish_s=0.25)
    intervals, previous = [], None
    for elapsed in (0, 0.25, 0.75, 1.75, 3.75):
        previous = policy.next_interval_s(previous, elapsed, None)
        intervals.append(previous)
    assert intervals == [0.25, 0.5, 1.0, 2.0, 4.0]
    assert policy.next_interval_s(4.0, elapsed_s=29.8, estimated_s=30.0) <= 0.5


def test_backoff_is_capped_and_jittered() -> None:
    policy = RetryPolicy(base_s=1.0, cap_s=4.0, jitter=0.25)
    delays = [policy.backoff_s(attempt) for attempt in (1, 2, 3, 4, 5)]
    assert all(0.75 <= d <= 1.0 for d in delays[:1])
    assert all(d <= 4.0 for d in delays) and delays[-1] >= 3.0


async def test_expired_result_link_is_result_unavailable(client: QwenClient, sim: SimulatorControl) -> None:
    sim.configure(result_ttl_s=0)
    task_id = await new_task(client, sim)
    done = [e async for e in client.watch(task_id)][-1]
    assert isinstance(done, Done)
    with pytest.raises(ResultUnavailable, match="expired"):
        await client.download(done.urls[0])


async def test_upload_returns_a_fetchable_url(client: QwenClient) -> None:
    data = image_bytes()
    uploaded = await client.upload_file(data, "a.png", "image/png")
    assert httpx.get(uploaded.url).content == data
    assert uploaded.expires_at


async def test_the_key_never_appears_in_logs_exceptions_or_reprs(
    client: QwenClient, sim: SimulatorControl, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    texts = [repr(client)]
    task_id = await new_task(client, sim)
    for status in (401, 402, 429, 500):
        sim.fault(target="get", kind="status", status=status, count=10)
        try:
            await client.get(task_id)
        except ApiError as exc:
            texts += [str(exc), repr(exc)]
        sim.reset()
    texts += [record.getMessage() for record in caplog.records]
    assert texts and not [t for t in texts if TEST_KEY in t]
    assert repr(Secret(TEST_KEY)) == "Secret('****')"


@pytest.mark.parametrize(
    "url",
    ["https://10.0.0.5/result.png", "http://example.com/result.png", "https://169.254.169.254/latest/meta-data/", "https://[::1]/x.png"],
)
async def test_a_result_link_to_a_non_public_address_is_not_fetched(client: QwenClient, url: str) -> None:
    with pytest.raises(ResultUnavailable, match="will not fetch"):
        await client.download(url)


async def test_a_result_link_whose_name_resolves_inside_is_not_fetched(sim: SimulatorControl) -> None:
    async with httpx.AsyncClient() as http:
        client = QwenClient(
            http, api_key=Secret(TEST_KEY), base_url=sim.url, files_url=sim.url, retry=FAST_RETRY, resolver=lambda host: ["10.1.2.3"]
        )
        with pytest.raises(ResultUnavailable, match="will not fetch"):
            await client.download("https://cdn.example.com/result.png")


async def test_a_result_link_that_redirects_is_not_followed(client: QwenClient, sim: SimulatorControl) -> None:
    task_id = await new_task(client, sim)
    done = [e async for e in client.watch(task_id)][-1]
    sim.fault(target="download", kind="redirect")
    with pytest.raises(ResultUnavailable, match="redirect"):
        await client.download(done.urls[0])
