"""Every error leaves as RFC 9457 problem+json with a detail a person can act on."""

from __future__ import annotations

import logging
from typing import Any

from litestar import Request, Response
from litestar.enums import RequestEncodingType
from litestar.exceptions import HTTPException, ValidationException
from litestar.types import ExceptionHandlersMap
from pydantic import ValidationError

from ml_backend.errors import DatasetFormatError, MLInputError, describe_validation_errors
from service.errors import ServiceError, json_too_large, upload_too_large
from service.redis_away import REDIS_AWAY

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
RETRY_AFTER_S = 5
"""What a 503 asks a client to wait: about as long as `mlchat up` takes to restart Redis."""


def problem_body(status: int, title: str, detail: str, **extra: Any) -> dict[str, Any]:
    return {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}


def problem(status: int, title: str, detail: str, **extra: Any) -> Response[dict[str, Any]]:
    body = problem_body(status, title, detail, **extra)
    return Response(body, status_code=status, media_type=PROBLEM_JSON)


def _service_error(_: Request[Any, Any, Any], exc: ServiceError) -> Response[dict[str, Any]]:
    return problem(exc.status_code, exc.title, exc.detail, **exc.extra)


def _ml_input_error(_: Request[Any, Any, Any], exc: MLInputError) -> Response[dict[str, Any]]:
    extra = {"field": exc.field} if exc.field else {}
    title = "Unreadable dataset" if isinstance(exc, DatasetFormatError) else "Invalid config"
    return problem(422, title, exc.detail, **extra)


def _pydantic_error(_: Request[Any, Any, Any], exc: ValidationError) -> Response[dict[str, Any]]:
    return problem(422, "Invalid input", describe_validation_errors(exc.errors()))


def _plain(message: str) -> str:
    if message == "Extra inputs are not permitted":
        return "unknown field; remove it or check its spelling"
    return message


def _validation_exception(
    _: Request[Any, Any, Any], exc: ValidationException
) -> Response[dict[str, Any]]:
    errors = exc.extra if isinstance(exc.extra, list) else []
    parts = [
        f"{e.get('key')}: {_plain(str(e.get('message')))}"
        if e.get("key")
        else str(e.get("message"))
        for e in errors
        if isinstance(e, dict)
    ]
    detail = "; ".join(parts) or exc.detail
    return problem(exc.status_code if exc.status_code != 400 else 422, "Invalid input", detail)


def _http_exception(
    request: Request[Any, Any, Any], exc: HTTPException
) -> Response[dict[str, Any]]:
    if exc.status_code == 413:
        # Only uploads are multipart (a body of another type is refused before it is read).
        settings = request.app.state.resources.settings
        too_large = (
            upload_too_large(settings.max_dataset_mb)
            if request.content_type[0] == RequestEncodingType.MULTI_PART
            else json_too_large(settings.max_json_bytes)
        )
        return _service_error(request, too_large)
    title = {404: "Not found", 405: "Method not allowed"}.get(exc.status_code, "Request error")
    return problem(exc.status_code, title, exc.detail)


def _redis_away(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    log.warning("Redis is out of reach", extra={"path": request.url.path, "error": str(exc)})
    detail = (
        "mlchat cannot reach its Redis (queues and run events) right now: it is restarting or "
        f"overloaded; try again in {RETRY_AFTER_S} seconds"
    )
    return Response(
        problem_body(503, "Service unavailable", detail),
        status_code=503,
        media_type=PROBLEM_JSON,
        headers={"Retry-After": str(RETRY_AFTER_S)},
    )


def _unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    log.exception("unhandled error", extra={"path": request.url.path})
    return problem(
        500, "Internal error", "something went wrong on our side; the error has been logged"
    )


EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    ServiceError: _service_error,
    MLInputError: _ml_input_error,
    ValidationError: _pydantic_error,
    ValidationException: _validation_exception,
    HTTPException: _http_exception,
    **dict.fromkeys(REDIS_AWAY, _redis_away),
    Exception: _unexpected,
}
