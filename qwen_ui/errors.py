"""The one exception tree of the app.

::

    QwenUIError
    ├── InputError               our own checks refused the request (field named)
    │   └── ImageRejected        an input image cannot be used (slot named)
    ├── HostingError             an input could not be given a public URL
    ├── QuotaExceeded            this visitor is over the demo's edit limits
    └── ApiError                 the remote API said no, or could not be reached
        ├── BadRequest           400: a field the provider refused
        ├── AuthenticationError  401: missing or wrong key
        ├── InsufficientCredits  402: top up, then resend unchanged
        ├── PermissionDenied     403
        ├── TaskNotFound         404
        ├── PayloadTooLarge      413
        ├── RateLimited          429: carries retry_after_s
        ├── ServerError          5xx
        ├── ConnectionFailed     the request never reached the server
        ├── UnknownOutcome       a create may or may not have reached the server
        ├── ApiTimeout           a read or a whole operation took too long
        ├── ProtocolError        the answer was not what the contract promises
        ├── TaskFailed           the task ended ``failed``; carries the provider's reason
        └── ResultUnavailable    a result link could not be downloaded (expired, gone)

Messages are plain sentences meant for the person using the app; none of them
ever contains the API key.
"""

from __future__ import annotations

__all__ = [
    "QwenUIError",
    "InputError",
    "ImageRejected",
    "HostingError",
    "QuotaExceeded",
    "ApiError",
    "BadRequest",
    "AuthenticationError",
    "InsufficientCredits",
    "PermissionDenied",
    "TaskNotFound",
    "PayloadTooLarge",
    "RateLimited",
    "ServerError",
    "ConnectionFailed",
    "UnknownOutcome",
    "ApiTimeout",
    "ProtocolError",
    "TaskFailed",
    "ResultUnavailable",
]


class QwenUIError(Exception):
    """Root of every error the app raises on purpose."""


class InputError(QwenUIError):
    """A request field breaks one of the API's documented limits."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class ImageRejected(InputError):
    """An input image is unreadable, unsafe or outside what the API can take."""


class HostingError(QwenUIError):
    """An input image could not be given a URL the API can fetch."""


class QuotaExceeded(QwenUIError):
    """A visitor asked for more edits than a public deployment allows."""

    def __init__(self, message: str, *, retry_after_s: float | None = None) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class ApiError(QwenUIError):
    """The remote API answered with an error, or could not be reached."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        task_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.task_id = task_id


class BadRequest(ApiError):
    pass


class AuthenticationError(ApiError):
    pass


class InsufficientCredits(ApiError):
    pass


class PermissionDenied(ApiError):
    pass


class TaskNotFound(ApiError):
    pass


class PayloadTooLarge(ApiError):
    pass


class RateLimited(ApiError):
    def __init__(self, message: str, *, retry_after_s: float | None = None, **kwargs: object) -> None:
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        self.retry_after_s = retry_after_s


class ServerError(ApiError):
    pass


class ConnectionFailed(ApiError):
    pass


class UnknownOutcome(ApiError):
    pass


class ApiTimeout(ApiError):
    pass


class ProtocolError(ApiError):
    pass


class TaskFailed(ApiError):
    pass


class ResultUnavailable(ApiError):
    pass
