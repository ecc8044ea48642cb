"""The stores behind MLCHAT_STORAGE_URL, each as the API and the workers use it: a folder of
this machine, and S3 (moto's server on loopback)."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from ml_backend.datasets import ingest_table
from service.errors import StorageUnavailableError
from service.settings import Settings
from service.storage import Storage, open_storage
from service.storage.local import LocalStore
from service.storage.remote import RemoteStore
from tests.service.s3 import CREDENTIALS, MotoServer

StoreFactory = Callable[..., Storage]


@pytest.fixture
def aws_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)


@pytest.fixture(params=["local", "s3"])
def make_store(
    request: pytest.FixtureRequest, tmp_path: Path, aws_credentials: None
) -> StoreFactory:
    """Makes a store of the parameter's kind, over the same files each time it is called."""
    if request.param == "local":
        return lambda **_: LocalStore(tmp_path / "store")
    server: MotoServer = request.getfixturevalue("moto_server")
    bucket = f"bucket-{os.getpid()}"
    server.client().create_bucket(Bucket=bucket)

    def remote(cache: str = "cache", cache_bytes: int = 1 << 30) -> Storage:
        return RemoteStore(f"s3://{bucket}/prefix", {"endpoint_url": server.url},
                           tmp_path / cache, cache_bytes)  # fmt: skip

    return remote


def _table(rows: int, seed: int = 0) -> pa.Table:
    return pa.table({"x": [seed + i for i in range(rows)], "y": [f"v{i}" for i in range(rows)]})


def _store_dataset(store: Storage, tenant: str, table: pa.Table) -> str:
    ingested = ingest_table(table, store.ingest_dir(tenant))
    store.put_dataset(tenant, ingested.path, ingested.content_hash)
    return ingested.content_hash


def test_a_dataset_is_stored_read_streamed_and_deleted(make_store: StoreFactory) -> None:
    store = make_store()
    table = _table(1000)
    content_hash = _store_dataset(store, "acme", table)

    # Another machine (another cache) reads the same dataset, whole.
    elsewhere = make_store(cache="other-cache")
    path = elsewhere.local_dataset("acme", content_hash)
    assert pq.read_table(path).equals(table)
    streamed = elsewhere.open_dataset("acme", content_hash)
    data = b"".join(streamed.chunks())
    assert len(data) == streamed.size == path.stat().st_size and data[:4] == b"PAR1"

    with pytest.raises(FileNotFoundError):  # each tenant has its own files
        elsewhere.local_dataset("beta", content_hash)

    store.delete_dataset("acme", content_hash)
    store.delete_dataset("acme", content_hash)  # gone already: nothing to do
    with pytest.raises(FileNotFoundError):
        make_store(cache="third-cache").local_dataset("acme", content_hash)


def test_a_run_folder_appears_whole_when_its_job_ends(make_store: StoreFactory) -> None:
    store = make_store()
    folder = store.job_folder("acme", 1)
    (folder / "plots").mkdir()
    (folder / "plots" / "roc.json").write_text(json.dumps({"data": [1, 2]}))
    (folder / "model.joblib").write_bytes(b"m" * 3_000_000)
    (folder / "xgboost").mkdir()
    (folder / "xgboost" / "metrics.json").write_text("{}")
    # Run 10 too: its files never show among run 1's.
    other = store.job_folder("acme", 10)
    (other / "model.joblib").write_bytes(b"ten")

    assert store.list_artifacts("acme", 1, "plots") == []
    assert store.artifact_size("acme", 1, "model.joblib") is None
    store.publish_run("acme", 1, folder)
    store.publish_run("acme", 10, other)

    assert store.list_artifacts("acme", 1, "plots") == ["roc.json"]
    assert json.loads(store.read_artifact("acme", 1, "plots/roc.json")) == {"data": [1, 2]}
    assert store.artifact_size("acme", 1, "model.joblib") == 3_000_000
    model = store.open_artifact("acme", 1, "model.joblib")
    chunks = list(model.chunks())
    assert len(chunks) > 1 and b"".join(chunks) == b"m" * 3_000_000
    assert store.list_artifacts("beta", 1, "plots") == []

    local = make_store(cache="other-cache").local_run("acme", 1)
    files = sorted(p.relative_to(local).as_posix() for p in local.rglob("*") if p.is_file())
    assert files == ["model.joblib", "plots/roc.json", "xgboost/metrics.json"]
    assert not make_store(cache="third-cache").local_run("acme", 2).exists()

    with pytest.raises(FileNotFoundError):
        store.read_artifact("acme", 1, "../10/model.joblib")


def test_remote_copies_stay_within_the_cache_limit(
    moto_server: MotoServer, tmp_path: Path, aws_credentials: None
) -> None:
    moto_server.client().create_bucket(Bucket="cached")
    url, options = "s3://cached/p", {"endpoint_url": moto_server.url}
    writer = RemoteStore(url, options, tmp_path / "writer", 1 << 30)
    hashes = [_store_dataset(writer, "acme", _table(20_000, seed)) for seed in range(3)]
    one = next((tmp_path / "writer").rglob(f"{hashes[0]}.parquet")).stat().st_size

    reader = RemoteStore(url, options, tmp_path / "reader", int(one * 1.5))
    first = reader.local_dataset("acme", hashes[0])
    long_ago = time.time() - 3600
    os.utime(first, (long_ago, long_ago))  # not used for an hour
    second = reader.local_dataset("acme", hashes[1])
    assert not first.exists() and second.exists()  # the least recently used went
    reader.local_dataset("acme", hashes[2])
    assert second.exists()  # used just now: kept, though over the limit for a while
    assert pq.read_table(reader.local_dataset("acme", hashes[0])).num_rows == 20_000


def test_a_storage_that_cannot_be_reached_says_so(tmp_path: Path, aws_credentials: None) -> None:
    closed = MotoServer(log_dir=tmp_path)  # never started: its port refuses
    store = RemoteStore("s3://gone/p", {"endpoint_url": closed.url,
                        "config_kwargs": {"retries": {"max_attempts": 1}}},
                        tmp_path / "cache", 1 << 30)  # fmt: skip
    with pytest.raises(StorageUnavailableError) as raised:
        store.list_artifacts("acme", 1, "plots")
    assert raised.value.status_code == 503
    assert "s3://gone/p could not be used" in raised.value.detail
    assert "MLCHAT_STORAGE_URL" in raised.value.detail

    with pytest.raises(StorageUnavailableError, match="MLCHAT_STORAGE_URL nosuch://x/y"):
        RemoteStore("nosuch://x/y", {}, tmp_path / "cache", 1 << 30)


def test_the_storage_url_picks_the_store(tmp_path: Path) -> None:
    assert isinstance(open_storage(Settings(home=tmp_path)), LocalStore)
    local = open_storage(Settings(home=tmp_path, storage_url=str(tmp_path / "shared")))
    assert isinstance(local, LocalStore) and local.location == str(tmp_path / "shared")
    as_url = open_storage(Settings(home=tmp_path, storage_url=f"file://{tmp_path}/shared"))
    assert isinstance(as_url, LocalStore) and as_url.location == str(tmp_path / "shared")
    remote = open_storage(Settings(home=tmp_path, storage_url="s3://key:secret@bucket/prefix"))
    assert isinstance(remote, RemoteStore) and remote.location == "s3://bucket/prefix"
