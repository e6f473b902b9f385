"""Why a production process (`tlc api`, `tlc worker`, `tlc relay`) must not start with these settings: a pure function
of Settings, so that every case is a unit test and the CLI only prints the answer.

Each problem is one sentence saying what is wrong and what to set."""

from __future__ import annotations

from service.config import Settings

MIN_SECRET_BYTES = 32

# Secrets that are public: the one tlc shipped before it had none, and the ones people type first.
KNOWN_DEFAULT_SECRETS = frozenset({
    "tlc-local-development-secret-change-me",
    "secret", "changeme", "change-me", "change_me", "changeit", "password", "default", "jwt-secret",
    "jwt_secret", "your-secret-key", "your-256-bit-secret", "supersecret", "test", "dev", "development",
})

GENERATE = "python3 -c 'import secrets; print(secrets.token_urlsafe(48))'"


def _is_known_default(secret: str) -> bool:
    return secret.strip().lower() in KNOWN_DEFAULT_SECRETS


def startup_problems(settings: Settings) -> list[str]:
    """The reasons a production process refuses to start, empty when it may start."""
    problems: list[str] = []
    secret = settings.jwt_secret or None  # TLC_JWT_SECRET="" means no secret
    if secret is None and not settings.jwt_jwks_url:
        problems.append("No token key is configured: set TLC_JWT_JWKS_URL to your identity provider's key set, "
                        f"or TLC_JWT_SECRET to a random secret of at least {MIN_SECRET_BYTES} bytes "
                        f"(e.g. from `{GENERATE}`).")
    elif secret is not None and _is_known_default(secret):
        problems.append("TLC_JWT_SECRET is a publicly known default, so anyone could sign tokens: set it to a "
                        f"random secret of at least {MIN_SECRET_BYTES} bytes (e.g. from `{GENERATE}`), "
                        "or unset it and set TLC_JWT_JWKS_URL.")
    elif secret is not None and len(secret.encode()) < MIN_SECRET_BYTES:
        problems.append(f"TLC_JWT_SECRET is {len(secret.encode())} bytes long, shorter than the "
                        f"{MIN_SECRET_BYTES} bytes required: set it to a random secret of at least "
                        f"{MIN_SECRET_BYTES} bytes (e.g. from `{GENERATE}`), or unset it and set TLC_JWT_JWKS_URL.")
    if settings.oidc_issuer:
        from service.auth.oidc import issuer_problem

        if (problem := issuer_problem(settings.oidc_issuer)) is not None:
            problems.append(problem + ".")
        if not settings.oidc_client_id:
            problems.append("TLC_OIDC_ISSUER is set but TLC_OIDC_CLIENT_ID is not: set the client id registered "
                            "for tlc at the identity provider (and TLC_OIDC_CLIENT_SECRET for a confidential client).")
    if settings.dev_login:
        problems.append("TLC_DEV_LOGIN is on, which lets anyone sign in to the pages as anyone: set "
                        "TLC_DEV_LOGIN=false (the development login is for `tlc dev` only).")
    return problems


def relay_problems(settings: Settings) -> list[str]:
    """`tlc relay`: what any production process must not start with, and a database it can listen to."""
    problems = startup_problems(settings)
    if not settings.resolved_database_url().startswith("postgresql"):
        problems.append("tlc relay needs PostgreSQL, whose NOTIFY wakes it: set TLC_DATABASE_URL to a "
                        "postgresql+psycopg:// URL, or on SQLite leave the relay in the API (TLC_RELAY_IN_API=true, "
                        "the default; `tlc dev` does so).")
    return problems
