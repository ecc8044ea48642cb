"""Datasets: ingesting uploads as Parquet, profiling them, reading them back, built-in samples."""

from __future__ import annotations

from ml_backend.datasets.formats import (
    ACCEPTED,
    DataFormat,
    IngestedDataset,
    convert_to_parquet,
    detect_format,
    file_sha256,
    ingest_file,
    ingest_table,
)
from ml_backend.datasets.loading import frame_from_table, read_frame, read_rows, read_table
from ml_backend.datasets.profile import KindEvidence, infer_kind, looks_like_id, profile_parquet
from ml_backend.datasets.samples import SAMPLE_DATASETS, SampleDataset, snake_case, write_sample

__all__ = [
    "ACCEPTED",
    "SAMPLE_DATASETS",
    "DataFormat",
    "IngestedDataset",
    "KindEvidence",
    "SampleDataset",
    "convert_to_parquet",
    "detect_format",
    "file_sha256",
    "frame_from_table",
    "infer_kind",
    "ingest_file",
    "ingest_table",
    "looks_like_id",
    "profile_parquet",
    "read_frame",
    "read_rows",
    "read_table",
    "snake_case",
    "write_sample",
]
