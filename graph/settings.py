"""One settings class for the whole service, read from CREDGRAPH_* environment variables."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from graph.errors import StoreUnavailable


class Settings(BaseSettings):
    """Service settings; build one with ``Settings()`` (never at import time).

    Without ``neo4j_uri`` the embedded store (networkx, journal on disk) is used.
    """

    model_config = SettingsConfigDict(env_prefix="CREDGRAPH_", extra="ignore")

    data_dir: Path = Path("data")
    neo4j_uri: str | None = None
    neo4j_user: str = "neo4j"
    neo4j_password: SecretStr | None = None
    neo4j_database: str = "neo4j"
    neo4j_fetch_size: int = 1000
    id_hash_key: SecretStr | None = None
    write_batch_size: int = 5000
    catalogue_dir: Path | None = None  # the measure catalogue (YAML); None: the shipped one
    audit_log: Path | None = None  # who asked what and why (JSON lines); None: data_dir/audit.jsonl
    keys_file: Path | None = None  # API keys (hashes only); None: data_dir/keys.json
    query_timeout: float = 10.0  # seconds a store question may run before it is cut
    connect_timeout: float = 3.0  # seconds to reach the store before it counts as down
    max_body_bytes: int = 1_000_000  # largest request body the API accepts
    # risk clusters: the run history, alerts, the webhook and the in-service schedule
    cluster_dir: Path | None = None  # kept runs; None: data_dir/clusters
    cluster_weights: Path | None = None  # the run's parameters (YAML); None: the shipped ones
    cluster_match_threshold: float = Field(default=0.5, gt=0, lt=1)  # overlap to keep an id
    cluster_alerts: Path | None = None  # JSON lines; None: cluster_dir/alerts.jsonl
    cluster_webhook_url: str | None = None  # POST each alert here (with the secret)
    cluster_webhook_secret: SecretStr | None = None  # HMAC-SHA256 key of the signature
    cluster_webhook_attempts: int = Field(default=6, ge=1, le=20)
    cluster_webhook_backoff: float = Field(default=1.0, ge=0)  # first wait (s), then doubled
    cluster_webhook_deadline: float = Field(default=120.0, gt=0)  # seconds for all attempts
    cluster_webhook_timeout: float = Field(default=10.0, gt=0)  # seconds for one attempt
    cluster_schedule: str | None = None  # "02:30" (daily, local time; "02:30,14:00") or "360"

    @model_validator(mode="after")
    def _webhook_is_signed(self) -> Settings:
        if self.cluster_webhook_url and self.cluster_webhook_secret is None:
            raise ValueError(
                "CREDGRAPH_CLUSTER_WEBHOOK_URL needs CREDGRAPH_CLUSTER_WEBHOOK_SECRET (alerts are "
                "signed)"
            )
        return self

    @property
    def audit_path(self) -> Path:
        """Where the audit trail is appended."""
        return self.audit_log or self.data_dir / "audit.jsonl"

    @property
    def keys_path(self) -> Path:
        """Where the API keys are kept (SHA-256 of each key, its name and role)."""
        return self.keys_file or self.data_dir / "keys.json"

    @property
    def clusters_path(self) -> Path:
        """Where the cluster runs are kept (and the job's lock file)."""
        return self.cluster_dir or self.data_dir / "clusters"

    @property
    def alerts_path(self) -> Path:
        """Where the cluster alerts are appended (JSON lines)."""
        return self.cluster_alerts or self.clusters_path / "alerts.jsonl"

    @property
    def dead_letter_path(self) -> Path:
        """Where alerts the webhook never accepted are appended (JSON lines)."""
        return self.alerts_path.with_name(self.alerts_path.stem + ".failed.jsonl")

    @property
    def backend(self) -> str:
        """``"neo4j"`` when a Neo4j URI is configured, else ``"embedded"``."""
        return "neo4j" if self.neo4j_uri else "embedded"

    def hash_key(self) -> bytes:
        """The secret key for person keys: the configured one, else a key file in data_dir.

        The key file is created once (mode 0600) so every later load derives the same keys.
        """
        if self.id_hash_key is not None:
            return self.id_hash_key.get_secret_value().encode()
        path = self.data_dir / "id_hash.key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32))
                handle.flush()
                os.fsync(handle.fileno())
            try:
                os.link(tmp, path)  # atomic: the first process to create the key wins
            except FileExistsError:
                pass
            finally:
                tmp.unlink()
        key = path.read_text().strip()
        if len(key) < 32:
            raise StoreUnavailable(f"{path}: the ID hash key is too short or empty")
        return key.encode()
