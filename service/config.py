"""All settings of tlc in one typed object, read from the environment (prefix TLC_)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_data_dir() -> Path:
    return Path.home() / ".local" / "share" / "tlc"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TLC_", env_file=None, extra="ignore")

    # Where the embedded defaults keep their files (SQLite data, the dev server's SQLite file).
    data_dir: Path = Field(default_factory=_default_data_dir)
    # Empty means the SQLite file under data_dir; production sets a postgresql+psycopg:// URL.
    database_url: str = ""

    temporal_address: str = "127.0.0.1:7233"
    temporal_namespace: str = "default"
    temporal_task_queue: str = "tlc-contracts"
    # Temporal Cloud / mTLS: paths to the client certificate and key, when set.
    temporal_tls_cert: Path | None = None
    temporal_tls_key: Path | None = None
    temporal_api_key: str | None = None

    # The outbox relay (service/relay.py). Each API process runs one unless relay_in_api is off, for
    # deployments where `tlc relay` runs as its own process (PostgreSQL only: it is woken by NOTIFY).
    relay_in_api: bool = True
    # `tlc relay` also makes a pass this often, for rows whose notification was lost (its connection down).
    relay_safety_pass_seconds: float = Field(default=5, gt=0, le=3600)
    # Workflows delivered to at once; one workflow's rows always go one after another, in id order.
    relay_concurrency: int = Field(default=16, ge=1, le=256)

    # JWT. HS256 with a shared secret, RS256 keys from a JWKS URL (production), or both; each key is only
    # ever tried with its own algorithm. No default: a shipped secret is a public one, so `tlc api` and
    # `tlc worker` refuse to start without a key (service/startup_checks.py), and `tlc dev` makes its own.
    jwt_secret: str | None = None
    jwt_jwks_url: str | None = None
    jwt_issuer: str = "tlc"
    jwt_audience: str = "tlc-api"
    jwt_leeway_seconds: int = 30
    jwks_cache_seconds: int = 300

    # Templates for pages and messages: the shipped ones, and a directory whose files override them
    # (a ministry may change a message without touching code).
    templates_dir: Path = Field(default_factory=lambda: Path(__file__).resolve().parent.parent / "templates")
    templates_override_dir: Path | None = None
    # The pages' development login form (choose user, role, organisation). Off in production, where the
    # token comes from the ministry's identity provider; `tlc dev` turns it on for itself.
    dev_login: bool = False
    # Page cookies are sent over HTTPS only; `tlc dev` (plain HTTP on loopback) turns this off for itself.
    cookie_secure: bool = True
    # A page session ends after this long (or when its person signs out, or when the token it was opened
    # with expires), whatever happens in the browser.
    page_session_hours: int = Field(default=12, ge=1, le=24 * 7)

    # Page sign-in with OpenID Connect (authorization code flow with PKCE) at the ministry's or company's
    # identity provider: on when oidc_issuer is set. The redirect URI to register there is
    # {public_base_url}/inbox/login/oidc/callback.
    oidc_issuer: str | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: str | None = None  # empty: a public client, PKCE alone
    oidc_scopes: str = "openid profile email"
    # Which ID-token claims say the person's role and organisation, and how the role claim's values (a
    # string or a list such as groups) map to tlc's roles; the role names themselves always map to themselves.
    oidc_role_claim: str = "tlc_role"
    oidc_org_claim: str = "tlc_org"
    oidc_roles: dict[str, str] = Field(default_factory=dict)
    oidc_provider_label: str = ""  # the sign-in button's name for the provider, e.g. "METI ID"
    oidc_timeout_seconds: float = 10

    # Screening (issue 13). A candidate is a potential match at this score (0-1) or above; unset: the
    # matcher's own default (service/rules/screening/matching.py DEFAULT_THRESHOLD, chosen on bench/screening).
    screening_threshold: float | None = Field(default=None, ge=0, le=1)
    # The largest list file imported (the CSL's CSV and JSON are tens of megabytes).
    list_max_bytes: int = Field(default=200 * 1024 * 1024, ge=1024)
    # Parties re-screened per activity, and batches per workflow run before it continues as new.
    # Small enough that a batch holds its contracts' row locks (its audit entries) for a second or two.
    rescreen_batch_size: int = Field(default=50, ge=1, le=5000)
    rescreen_batches_per_run: int = Field(default=50, ge=1, le=1000)

    # Messages. E-mail goes out over SMTP when smtp_host is set; links in messages start with public_base_url.
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_starttls: bool = False
    smtp_tls: bool = False  # implicit TLS (port 465)
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_timeout_seconds: float = 20
    mail_from: str = "tlc@localhost"  # its domain is the right part of every Message-ID
    # A contact line messages give the contractor after the ministry's name (a division, a telephone number):
    # empty, the ministry's name alone.
    mail_contact: str = ""
    public_base_url: str = "http://127.0.0.1:8000"
    webhook_timeout_seconds: float = 10
    # Production refuses webhooks to loopback/private addresses; `tlc dev` allows them for local receivers.
    webhook_allow_private: bool = False

    # Files attached to an answer (PDF, images, Office documents, text) are stored in the database, each at most
    # this large; a larger upload is refused before it is read.
    attachment_max_bytes: int = Field(default=10 * 1024 * 1024, ge=1024, le=100 * 1024 * 1024)

    # Where the toolchain bootstrap caches the Temporal CLI and the Java test server.
    cache_dir: Path = Field(default_factory=lambda: Path.home() / ".cache" / "tlc")

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'tlc.sqlite3'}"

    @property
    def temporal_db_file(self) -> Path:
        return self.data_dir / "temporal.sqlite3"


@lru_cache
def get_settings() -> Settings:
    return Settings()
