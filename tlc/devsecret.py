"""The JWT secret of `tlc dev`: random, made once per data directory and kept there (mode 0600), so that
`tlc token` run later against the same TLC_DATA_DIR signs tokens the running `tlc dev` accepts."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from service.config import Settings

FILE_NAME = "dev-jwt-secret"


class NoDevSecret(RuntimeError):
    pass


def dev_secret_file(settings: Settings) -> Path:
    return settings.data_dir / FILE_NAME


def ensure_dev_secret(settings: Settings) -> str:
    """The data directory's secret, made now if it has none."""
    path = dev_secret_file(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL: two `tlc dev` starting at once cannot each write a different secret.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return read_dev_secret(settings)
    secret = secrets.token_urlsafe(48)
    with os.fdopen(fd, "w") as f:
        f.write(secret + "\n")
    return secret


def read_dev_secret(settings: Settings) -> str:
    path = dev_secret_file(settings)
    try:
        secret = path.read_text().strip()
    except FileNotFoundError:
        raise NoDevSecret(f"no JWT secret: run `tlc dev` once or set TLC_JWT_SECRET (no {path})") from None
    if not secret:
        raise NoDevSecret(f"the dev secret file {path} is empty: delete it and run `tlc dev` again, "
                          f"or set TLC_JWT_SECRET")
    if path.stat().st_mode & 0o077:
        path.chmod(0o600)  # someone widened it; a signing key is nobody else's business
    return secret
