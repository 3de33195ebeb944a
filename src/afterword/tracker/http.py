"""HTTP for the trackers: httpx with retries on rate limits and server errors.

429 and 5xx (and GitHub's 403 with ``x-ratelimit-remaining: 0``) are retried with
exponential backoff, honouring ``Retry-After``; 401, 403 and 404 are one clear line.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx

from afterword.errors import AfterwordError

ATTEMPTS = 5
#: The transport new clients use when none is given: None is the network. Tests set an
#: ``httpx.MockTransport`` here that answers with recorded responses.
DEFAULT_TRANSPORT: httpx.BaseTransport | None = None


def sleep(seconds: float) -> None:
    """Wait between retries (replaced in tests)."""
    time.sleep(seconds)


def http_client(**options: Any) -> httpx.Client:
    """An httpx client on the default transport."""
    return httpx.Client(
        transport=options.pop("transport", None) or DEFAULT_TRANSPORT, timeout=30, **options
    )


class TrackerError(AfterwordError):
    """The tracker refused or failed a request; the message says which and why."""


def _wait_for(response: httpx.Response, attempt: int) -> float:
    retry_after = response.headers.get("retry-after")
    if retry_after and retry_after.isdigit():
        return float(retry_after)
    reset = response.headers.get("x-ratelimit-reset")
    if reset and reset.isdigit():
        return max(0.0, float(reset) - time.time())
    return float(min(2**attempt, 60))


def _retryable(response: httpx.Response) -> bool:
    if response.status_code == 429 or response.status_code >= 500:
        return True
    return response.status_code == 403 and response.headers.get("x-ratelimit-remaining") == "0"


def _explain(name: str, response: httpx.Response) -> str:
    try:
        data = response.json()
    except ValueError:
        data = {}
    detail = ""
    if isinstance(data, dict):
        messages = [data.get("message"), *(data.get("errorMessages") or [])]
        messages += [
            f"{k}: {v}"
            for k, v in (data.get("errors") or {}).items()
            if isinstance(data.get("errors"), dict)
        ]
        detail = "; ".join(str(m) for m in messages if m)
    hint = {
        401: " (check the token)",
        403: " (the token lacks permission)",
        404: " (check the repository or project, and that the token can see it)",
    }.get(response.status_code, "")
    return f"{name}: {response.status_code} {detail or response.reason_phrase}{hint}"


class Client:
    """An httpx client for one tracker, with retries; ``sleep`` is replaceable in tests."""

    def __init__(
        self, name: str, client: httpx.Client, wait: Callable[[float], None] | None = None
    ) -> None:
        self.name = name
        self.client = client
        self.wait = wait

    def request(self, method: str, url: str, **kwargs: Any) -> Any:
        for attempt in range(ATTEMPTS):
            try:
                response = self.client.request(method, url, **kwargs)
            except httpx.TransportError as error:
                if attempt == ATTEMPTS - 1:
                    raise TrackerError(f"{self.name}: cannot connect: {error}") from None
                (self.wait or sleep)(float(min(2**attempt, 60)))
                continue
            if _retryable(response) and attempt < ATTEMPTS - 1:
                (self.wait or sleep)(_wait_for(response, attempt))
                continue
            if response.is_error:
                raise TrackerError(_explain(self.name, response))
            if not response.content:
                return None
            if "json" in response.headers.get("content-type", ""):
                return response.json()
            return response.text
        raise TrackerError(f"{self.name}: gave up after {ATTEMPTS} attempts")
