"""One error hierarchy for the service, mapped once to RFC 9457 problem details."""

from __future__ import annotations

from typing import Any

from ml_backend.jobs.words import size_words


class ServiceError(Exception):
    """The root of errors a client can act on; `detail` tells them how."""

    status_code = 500
    title = "Internal error"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class BadRequestError(ServiceError):
    status_code = 400
    title = "Bad request"


class UnauthorizedError(ServiceError):
    status_code = 401
    title = "Unauthorized"


class ForbiddenError(ServiceError):
    status_code = 403
    title = "Forbidden"


class NotFoundError(ServiceError):
    status_code = 404
    title = "Not found"


class ConflictError(ServiceError):
    status_code = 409
    title = "Conflict"


class InvalidInputError(ServiceError):
    status_code = 422
    title = "Invalid input"


class PayloadTooLargeError(ServiceError):
    status_code = 413
    title = "Payload too large"


class UnsupportedMediaTypeError(ServiceError):
    status_code = 415
    title = "Unsupported media type"


def json_too_large(limit_bytes: int) -> PayloadTooLargeError:
    return PayloadTooLargeError(
        f"the JSON body is larger than the {limit_bytes:,} byte limit (MLCHAT_MAX_JSON_BYTES); "
        "send bulk data as a dataset upload (POST /api/v1/datasets) and name the dataset",
        limit_bytes=limit_bytes,
    )


def upload_too_large(limit_mb: int) -> PayloadTooLargeError:
    return PayloadTooLargeError(
        f"the upload is larger than the {limit_mb} MiB limit (MLCHAT_MAX_DATASET_MB); "
        "send a sample of it, or Parquet, which is usually several times smaller"
    )


def dataset_over_limit(limit_bytes: int, tenant: str) -> PayloadTooLargeError:
    return PayloadTooLargeError(
        f"the upload is larger than the {size_words(limit_bytes)} dataset limit of tenant "
        f"{tenant!r}: send a sample of it, or Parquet, which is usually several times smaller; "
        f"an admin may raise the limit (`mlchat limits set --tenant {tenant} --dataset-gb N`)",
        limit_bytes=limit_bytes,
    )


class UnavailableError(ServiceError):
    status_code = 503
    title = "Service unavailable"


class StorageUnavailableError(UnavailableError):
    """The datasets' and artifacts' storage (MLCHAT_STORAGE_URL) did not answer."""

    title = "Storage unavailable"
