"""Datasets over HTTP: every format in, profiled; bad files out with a reason, nothing left."""

from __future__ import annotations

import io
import json

import httpx
import pandas as pd
import pyarrow as pa
import pyarrow.feather as feather
import pytest

from tests.service.helpers import csv_bytes, upload
from tests.service.stack import Stack

FRAME = pd.DataFrame(
    {
        "height": [1.5, 2.5, None, 4.0, 5.5, 6.0],
        "colour": ["red", "blue", "red", None, "green", "red"],
        "count": [1, 2, 3, 4, 5, 6],
    }
)


def _encode(fmt: str) -> tuple[bytes, str]:
    if fmt == "csv":
        return csv_bytes(FRAME), "things.csv"
    if fmt == "tsv":
        return FRAME.to_csv(sep="\t", index=False).encode(), "things.tsv"
    if fmt == "jsonl":
        lines = [json.dumps({k: (None if pd.isna(v) else v) for k, v in row.items()})
                 for row in FRAME.to_dict("records")]  # fmt: skip
        return "\n".join(lines).encode(), "things.jsonl"
    buffer = io.BytesIO()
    if fmt == "parquet":
        FRAME.to_parquet(buffer, index=False)
        return buffer.getvalue(), "things.parquet"
    feather.write_feather(pa.Table.from_pandas(FRAME, preserve_index=False), buffer)
    return buffer.getvalue(), "things.arrow"


@pytest.mark.integration
@pytest.mark.parametrize("fmt", ["csv", "tsv", "parquet", "jsonl", "arrow"])
def test_every_format_is_stored_and_profiled(client: httpx.Client, fmt: str) -> None:
    content, filename = _encode(fmt)
    response = upload(client, content, filename, name=f"things-{fmt}")
    assert response.status_code == 201, response.text
    dataset = response.json()
    assert dataset["row_count"] == 6
    assert dataset["format"] == fmt
    columns = {c["name"]: c for c in dataset["profile"]["columns"]}
    assert set(columns) == {"height", "colour", "count"}
    assert columns["height"]["missing"] == 1
    assert columns["height"]["max"] == pytest.approx(6.0)
    assert columns["colour"]["missing"] == 1
    assert columns["colour"]["distinct"] == 3
    assert columns["colour"]["kind"] == "categorical"
    assert columns["count"]["kind"] == "numeric"

    rows = client.get(f"/api/v1/datasets/{dataset['id']}/rows?offset=2&limit=2").json()
    assert rows["total"] == 6
    assert [r["count"] for r in rows["rows"]] == [3, 4]
    assert rows["rows"][0]["height"] is None


@pytest.mark.integration
def test_samples_are_registered_on_first_start(client: httpx.Client) -> None:
    datasets = {d["name"]: d for d in client.get("/api/v1/datasets").json()}
    for name in ("penguins", "iris", "wine", "breast_cancer", "diabetes", "co2"):
        assert datasets[name]["is_sample"], name
    assert datasets["penguins"]["row_count"] == 344
    penguins = client.get(f"/api/v1/datasets/{datasets['penguins']['id']}").json()
    names = [c["name"] for c in penguins["profile"]["columns"]]
    assert names[:3] == ["species", "island", "bill_length_mm"]


@pytest.mark.integration
def test_delete_removes_row_and_file(client: httpx.Client, stack: Stack) -> None:
    dataset = upload(client, csv_bytes(FRAME.assign(extra=7)), "gone.csv").json()
    stored = stack.home / "datasets" / "default" / f"{dataset['content_hash']}.parquet"
    assert stored.exists()
    assert client.delete(f"/api/v1/datasets/{dataset['id']}").status_code == 204
    assert client.get(f"/api/v1/datasets/{dataset['id']}").status_code == 404
    assert not stored.exists()


def _parquet_files(stack: Stack) -> set[str]:
    root = stack.home / "datasets"
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


@pytest.mark.integration
@pytest.mark.parametrize(
    ("content", "filename", "status", "words"),
    [
        (b"", "empty.csv", 422, "empty"),
        (b"a,b\n1,2\n3,4,5\n", "ragged.csv", 422, "row"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64), "picture.png", 422, "csv"),
        (b"PK\x03\x04" + bytes(100), "sheet.xlsx", 422, "csv"),
    ],
)
def test_bad_files_are_refused_with_a_reason(
    client: httpx.Client, stack: Stack, content: bytes, filename: str, status: int, words: str
) -> None:
    before_files, before_rows = _parquet_files(stack), len(client.get("/api/v1/datasets").json())
    response = upload(client, content, filename)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert words in response.json()["detail"].lower()
    assert _parquet_files(stack) == before_files
    assert len(client.get("/api/v1/datasets").json()) == before_rows


@pytest.mark.integration
def test_oversize_upload_is_refused(client: httpx.Client, stack: Stack) -> None:
    limit = 5 * 1024 * 1024  # the stack runs with MLCHAT_MAX_DATASET_MB=5
    just_over = b"a,b\n" + b"1,2\n" * (limit // 4)
    way_over = just_over * 3  # beyond the request limit too: refused before it is read
    for content in (just_over, way_over):
        response = upload(client, content, "big.csv")
        assert response.status_code == 413
        assert "5 MiB" in response.json()["detail"]
    assert "big" not in {d["name"] for d in client.get("/api/v1/datasets").json()}
    assert not list((stack.home / "datasets" / "incoming").glob("*"))


@pytest.mark.integration
def test_a_used_name_is_the_next_version_and_the_same_content_is_no_new_one(
    client: httpx.Client,
) -> None:
    first = upload(client, csv_bytes(FRAME), "dup.csv", name="dup")
    assert first.status_code == 201 and first.json()["version"] == 1
    same = upload(client, csv_bytes(FRAME), "dup.csv", name="dup")
    assert same.status_code == 200 and same.json()["id"] == first.json()["id"]
    changed = upload(client, csv_bytes(FRAME.head(3)), "dup.csv", name="dup")
    assert changed.status_code == 201 and changed.json()["version"] == 2


def test_a_used_name_is_a_conflict_when_a_new_dataset_is_asked_for(client: httpx.Client) -> None:
    assert upload(client, csv_bytes(FRAME), "own.csv", name="own").status_code == 201
    again = client.post(
        "/api/v1/datasets",
        files={"file": ("own.csv", csv_bytes(FRAME), "text/csv")},
        data={"name": "own", "new_version": "false"},
    )
    assert again.status_code == 409
    assert "already exists" in again.json()["detail"]
