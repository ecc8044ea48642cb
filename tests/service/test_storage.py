"""Each tenant's files in its own folders; files written before tenants had folders are still
found where they were."""

from __future__ import annotations

from pathlib import Path

from service.settings import Settings
from service.storage import dataset_file, run_dir, tenant_datasets_dir


def test_tenants_have_their_own_folders_and_old_files_are_still_found(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path)
    assert dataset_file(settings, "acme", "abc") == tmp_path / "datasets" / "acme" / "abc.parquet"
    assert dataset_file(settings, "beta", "abc") != dataset_file(settings, "acme", "abc")
    assert tenant_datasets_dir(settings, "acme") == tmp_path / "datasets" / "acme"
    assert run_dir(settings, "acme", 7) == tmp_path / "artifacts" / "acme" / "7"

    (tmp_path / "datasets").mkdir()
    (tmp_path / "datasets" / "old.parquet").write_bytes(b"PAR1")
    (tmp_path / "artifacts" / "3").mkdir(parents=True)
    assert dataset_file(settings, "default", "old") == tmp_path / "datasets" / "old.parquet"
    assert run_dir(settings, "default", 3) == tmp_path / "artifacts" / "3"
