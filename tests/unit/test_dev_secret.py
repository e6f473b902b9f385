"""`tlc dev`'s own JWT secret (tlc/devsecret.py): random, made once per data directory, private, reused."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from service.config import Settings
from tlc.devsecret import NoDevSecret, dev_secret_file, ensure_dev_secret, read_dev_secret


def settings(data_dir: Path) -> Settings:
    return Settings.model_construct(**{**Settings().model_dump(), "data_dir": data_dir})


def test_made_once_private_and_reused(tmp_path: Path) -> None:
    s = settings(tmp_path / "data")
    first = ensure_dev_secret(s)
    path = dev_secret_file(s)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(first.encode()) >= 48
    assert ensure_dev_secret(s) == first == read_dev_secret(s)


def test_each_data_directory_has_its_own(tmp_path: Path) -> None:
    assert ensure_dev_secret(settings(tmp_path / "a")) != ensure_dev_secret(settings(tmp_path / "b"))


def test_missing_secret_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(NoDevSecret, match="run `tlc dev` once or set TLC_JWT_SECRET"):
        read_dev_secret(settings(tmp_path))


def test_a_widened_file_is_made_private_again(tmp_path: Path) -> None:
    s = settings(tmp_path)
    ensure_dev_secret(s)
    dev_secret_file(s).chmod(0o644)
    read_dev_secret(s)
    assert stat.S_IMODE(dev_secret_file(s).stat().st_mode) == 0o600
