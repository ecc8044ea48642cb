"""Settings, read from MLCHAT_* environment variables; every field has a working default.

One small class per concern; `Settings` composes them, so `settings.redis_url` and
`MLCHAT_REDIS_URL` read the same whichever class holds the field.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PLOTS_DIR = "plots"
"""A run's Plotly figures live in this folder of its artifact folder, one JSON file each."""

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
"""The Redis a process talks to when none is configured (`mlchat up` sets one for its children)."""

# An error names the setting and why, never the values given: they may hold tokens.
_FROM_ENV = SettingsConfigDict(env_prefix="MLCHAT_", extra="ignore", hide_input_in_errors=True)


class StorageSettings(BaseSettings):
    """Where state lives: the home folder, the database, Redis, datasets and artifacts."""

    model_config = _FROM_ENV

    home: Path = Field(
        default=Path("~/.mlchat"),
        description="Where the embedded database, Redis data, datasets and artifacts live.",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL, e.g. postgresql://user@host/db; unset: SQLite under home.",
    )
    redis_url: str | None = Field(
        default=None,
        description="redis://host:port/db; unset: `mlchat up` starts a private redis-server.",
    )
    max_dataset_mb: int = Field(
        default=500, ge=1, description="Largest dataset upload accepted, in MiB."
    )
    storage_url: str | None = Field(
        default=None,
        description="Where datasets and artifacts live: a local folder, or an fsspec URL that "
        "many machines share, e.g. s3://bucket/prefix; unset: the home folder.",
    )
    storage_options: dict[str, Any] = Field(
        default_factory=dict,
        description='The storage\'s fsspec options as JSON, e.g. {"endpoint_url": '
        '"http://minio:9000"} for s3:// (s3fs also reads the AWS_* variables: '
        "AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_ENDPOINT_URL, AWS_DEFAULT_REGION).",
    )
    storage_cache_gb: float = Field(
        default=10.0,
        gt=0,
        description="How much of a remote storage's datasets and models each machine keeps "
        "in its local cache (under home), in GiB; the least recently used go first.",
    )

    @property
    def home_dir(self) -> Path:
        return self.home.expanduser().resolve()

    @property
    def datasets_dir(self) -> Path:
        return self.home_dir / "datasets"

    @property
    def artifacts_dir(self) -> Path:
        return self.home_dir / "artifacts"

    @property
    def storage_cache_dir(self) -> Path:
        """This machine's copies of remote files and its jobs' scratch folders."""
        return self.home_dir / "cache"

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.home_dir / 'mlchat.db'}"

    @property
    def resolved_redis_url(self) -> str:
        return self.redis_url or DEFAULT_REDIS_URL

    @property
    def max_dataset_bytes(self) -> int:
        return self.max_dataset_mb * 1024 * 1024

    def ensure_dirs(self) -> None:
        """Create the folders under home that the service writes to."""
        self.home_dir.mkdir(parents=True, exist_ok=True)
        if self.storage_url is None:
            for path in (self.datasets_dir, self.artifacts_dir):
                path.mkdir(parents=True, exist_ok=True)


class LiveSettings(BaseSettings):
    """The API's Redis connections: a pool for its requests, one subscription for its sockets."""

    model_config = _FROM_ENV

    redis_pool_size: int = Field(
        default=50, ge=1, le=10_000,
        description="Redis connections the API's requests share; a request that finds them all "
        "busy waits up to MLCHAT_REDIS_TIMEOUT_S. WebSockets never take from it: they share one "
        "subscription per API process.",
    )  # fmt: skip
    redis_timeout_s: float = Field(
        default=5.0, gt=0, le=300,
        description="How long the API waits on Redis (for a free connection, to connect, for an "
        "answer) before the request fails rather than hangs.",
    )  # fmt: skip
    ws_buffer: int = Field(
        default=1000, ge=1, le=1_000_000,
        description="Events one WebSocket may have waiting unsent; a client further behind is "
        "closed with code 1013 (try again later) and may reconnect.",
    )  # fmt: skip
    ws_compression: bool = Field(
        default=False,
        description="Compress WebSocket messages (permessage-deflate): less traffic for large "
        "chat messages, but each socket compresses each message anew, which was a fifth of the "
        "API's CPU when one event went out to a thousand sockets.",
    )


class ServerSettings(BaseSettings):
    """The HTTP API: where it listens and whom it serves."""

    model_config = _FROM_ENV

    host: str = Field(default="127.0.0.1", description="Address the API listens on.")
    port: int = Field(default=8000, ge=0, le=65535, description="Port the API listens on.")
    auth: Literal["local", "required"] = Field(
        default="local",
        description="local: requests from this machine (loopback) need no key and act as "
        "MLCHAT_TENANT; required: every request needs an API key (`Authorization: Bearer`), "
        "which binding a non-loopback MLCHAT_HOST demands.",
    )
    tenant: str = Field(
        default="default",
        description="The local tenant: whom a loopback request without a key acts for.",
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$",
    )
    # NoDecode: the variable is a comma-separated list, not the JSON pydantic-settings expects.
    allowed_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Origins (scheme://host[:port]) whose pages may call the API and open its "
        "WebSockets, comma-separated; unset: the server's own, http://127.0.0.1:<port> and "
        "http://localhost:<port>. A request from any other page is refused.",
    )
    session_hours: int = Field(
        default=12,
        ge=1,
        le=24 * 30,
        description="How long the page stays signed in after signing in with a key.",
    )
    max_json_bytes: int = Field(
        default=1024 * 1024,
        ge=1024,
        description="Largest JSON request body accepted, in bytes (dataset uploads have "
        "their own limit, MLCHAT_MAX_DATASET_MB).",
    )
    public_url: str | None = Field(
        default=None,
        description="The address people open the web UI at (scheme://host[:port]), for links "
        "sent outside it (a Slack thread's link to a run); unset: http://<host>:<port>.",
    )

    @field_validator("allowed_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    @property
    def public_base_url(self) -> str:
        """Where the web UI is reached from outside this process, without a trailing slash."""
        if self.public_url:
            return self.public_url.rstrip("/")
        host = "127.0.0.1" if self.host in {"", "0.0.0.0", "::"} else self.host
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self.port}"

    @property
    def trusted_origins(self) -> frozenset[str]:
        """The origins a request's `Origin` header may name, as browsers write them."""
        if self.allowed_origins:
            return frozenset(origin.rstrip("/").lower() for origin in self.allowed_origins)
        # A browser leaves the default port out of the origin it sends.
        port = "" if self.port == 80 else f":{self.port}"
        hosts = {"127.0.0.1", "localhost", "[::1]"}
        if self.host not in {"", "0.0.0.0", "::"}:
            hosts.add(f"[{self.host}]" if ":" in self.host else self.host.lower())
        return frozenset(f"http://{host}{port}" for host in hosts)

    @property
    def trusted_hosts(self) -> frozenset[str] | None:
        """The names a request's Host may give where no key is needed; None: any (every
        request then proves itself with a key, which a rebound name cannot get)."""
        if self.auth == "required":
            return None
        names = {"127.0.0.1", "localhost", "[::1]"}
        for origin in self.trusted_origins:
            name = urlsplit(origin).hostname
            if name:
                names.add(f"[{name}]" if ":" in name else name)
        if self.host not in {"", "0.0.0.0", "::"}:
            names.add(f"[{self.host}]" if ":" in self.host else self.host.lower())
        return frozenset(names)


class JobSettings(BaseSettings):
    """The RQ workers and how they watch their jobs (how long a job may run is a tenant's
    limit, `LimitSettings.limit_duration_s`)."""

    model_config = _FROM_ENV

    workers: int = Field(default=1, ge=1, le=64, description="RQ workers that `mlchat up` starts.")
    heartbeat_s: float = Field(
        default=2.0, gt=0, description="How often a worker vouches for the job it runs."
    )
    dead_after_s: float = Field(
        default=20.0, gt=0, description="A running job unheard of for this long is marked failed."
    )


class LimitSettings(BaseSettings):
    """Every tenant's limits unless an admin set others (`mlchat limits set`), as the
    training-service document tables them."""

    model_config = _FROM_ENV

    limit_concurrent_jobs: int = Field(
        default=5, ge=1, le=1000, description="Jobs a tenant runs at once; more wait in line."
    )
    limit_duration_s: int = Field(
        default=4 * 3600, ge=1, le=30 * 24 * 3600,
        description="Seconds a job may run before it is stopped and its run failed.",
    )  # fmt: skip
    limit_dataset_gb: float = Field(
        default=10.0, gt=0, le=1024**2, description="Largest dataset a tenant may use, in GiB."
    )
    limit_cpu_cores: int = Field(
        default=4, ge=1, le=1024, description="CPU cores (threads of every pool) one job uses."
    )
    limit_memory_gb: float = Field(
        default=16.0, ge=0.25, le=1024**2, description="Memory one job may take, in GiB."
    )
    limit_gpus: int = Field(
        default=0, ge=0, le=64, description="GPUs one job may use; 0 hides CUDA from jobs."
    )


class AgentSettings(BaseSettings):
    """The agent's language model and how freely it acts."""

    model_config = _FROM_ENV

    llm: Literal["builtin", "openai", "local"] = Field(
        default="builtin",
        description="The agent's model: builtin (no key, no network), openai (any "
        "OpenAI-compatible server: OPENAI_BASE_URL, OPENAI_API_KEY) or local (a GGUF file).",
    )
    llm_model: str = Field(default="gpt-4o-mini", description="Model name for the openai provider.")
    llm_model_path: Path | None = Field(
        default=None, description="The GGUF model file of the local provider."
    )
    llm_threads: int = Field(
        default_factory=lambda: max(1, (os.cpu_count() or 2) // 2),
        ge=1,
        description="CPU threads of the local provider (default: half the cores, so the "
        "API and the workers keep theirs).",
    )
    auto_approve: bool = Field(
        default=False, description="Run the agent's plans without waiting for a yes."
    )


class SqlSourceSettings(BaseSettings):
    """How much one dataset query may take from a SQL connection."""

    model_config = _FROM_ENV

    sql_row_cap: int = Field(
        default=1_000_000, ge=1, description="Most rows a SQL query keeps; the rest are left."
    )
    sql_timeout_s: float = Field(
        default=60.0, gt=0, le=24 * 3600, description="A SQL query running longer is stopped."
    )


def _found_chromium() -> Path | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        if found := shutil.which(name):
            return Path(found)
    return None


class PlotImageSettings(BaseSettings):
    """How a run's Plotly figures become PNG images for places that cannot draw them (Slack)."""

    model_config = _FROM_ENV

    chromium_path: Path | None = Field(
        default_factory=_found_chromium,
        description="The Chromium (or Chrome) that kaleido drives to draw figures as PNG; "
        "unset: the first of chromium, chromium-browser, google-chrome on PATH. None found: "
        "summaries go without images, and say so. Nothing is ever downloaded.",
    )
    plot_render_timeout_s: float = Field(
        default=60.0, gt=0, le=3600,
        description="A figure not drawn in this many seconds is left out of the summary.",
    )  # fmt: skip


class LoggingSettings(BaseSettings):
    """What the processes log and in which shape."""

    model_config = _FROM_ENV

    log_level: str = Field(default="INFO", description="Log level: DEBUG, INFO, WARNING, ERROR.")
    log_json: bool = Field(default=True, description="Log one JSON object a line.")


TENANT_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
SLACK_API_URL = "https://slack.com/api/"


class SlackWorkspace(BaseModel):
    """One Slack workspace's place in mlchat: its tenant, and what differs from the defaults."""

    model_config = ConfigDict(extra="forbid")

    tenant: str = Field(pattern=TENANT_PATTERN, description="The tenant the workspace acts as.")
    bot_token: SecretStr | None = Field(
        default=None, description="Its bot token (xoxb-…); unset: MLCHAT_SLACK_BOT_TOKEN."
    )
    anyone_may_run: bool | None = Field(
        default=None,
        description="Whether anyone may press Run; unset: MLCHAT_SLACK_ANYONE_MAY_RUN.",
    )


class SlackSettings(BaseSettings):
    """The Slack app: its secrets, where Slack's Web API is, and which workspace is which tenant.

    The secrets are SecretStr: they print as asterisks, in logs and in errors alike."""

    model_config = _FROM_ENV

    slack_signing_secret: SecretStr | None = Field(
        default=None,
        description="The app's Signing Secret (Basic Information): every request from Slack is "
        "checked against it. With MLCHAT_SLACK_BOT_TOKEN it turns on /integrations/slack/*.",
    )
    slack_bot_token: SecretStr | None = Field(
        default=None, description="The bot token (xoxb-…, OAuth & Permissions) the app posts with."
    )
    slack_app_token: SecretStr | None = Field(
        default=None,
        description="An app-level token (xapp-…, scope connections:write) for Socket Mode.",
    )
    slack_api_url: str = Field(
        default=SLACK_API_URL, description="Slack's Web API; tests point it at their own server."
    )
    slack_socket_mode: bool = Field(
        default=False,
        description="Reach Slack over Socket Mode from the API process (`mlchat up`/`mlchat "
        "api`), for a server Slack cannot reach; needs MLCHAT_SLACK_APP_TOKEN.",
    )
    slack_workspaces: dict[str, SlackWorkspace] = Field(
        default_factory=dict,
        description='Which workspace (team id) is which tenant, as JSON: {"T0123": "acme"} or '
        '{"T0123": {"tenant": "acme", "bot_token": "xoxb-…", "anyone_may_run": true}}; '
        "unset: any workspace the app is installed in is MLCHAT_TENANT's.",
    )
    slack_anyone_may_run: bool = Field(
        default=False,
        description="Whether anyone in a thread may press a plan's Run, not only who asked.",
    )

    @field_validator("slack_workspaces", mode="before")
    @classmethod
    def _workspace_shorthand(cls, value: object) -> object:
        if isinstance(value, dict):
            return {team: {"tenant": v} if isinstance(v, str) else v for team, v in value.items()}
        return value

    @model_validator(mode="after")
    def _socket_mode_needs_tokens(self) -> SlackSettings:
        if self.slack_socket_mode and (
            self.slack_app_token is None or self.slack_bot_token is None
        ):
            raise ValueError(
                "MLCHAT_SLACK_SOCKET_MODE=true needs MLCHAT_SLACK_APP_TOKEN (an app-level token "
                "with connections:write, from the app's Basic Information page) and "
                "MLCHAT_SLACK_BOT_TOKEN"
            )
        return self


class LineageSettings(BaseSettings):
    """Where OpenLineage run events go, if anywhere."""

    model_config = _FROM_ENV

    openlineage_url: str | None = Field(
        default=None,
        description="Where each run's OpenLineage events (START, COMPLETE, FAIL) go: an "
        "http(s):// URL of a lineage server (events are POSTed to its /api/v1/lineage, as "
        "Marquez takes them), or file:///path/events.jsonl (one event a line); unset: none.",
    )
    openlineage_namespace: str = Field(
        default="mlchat", description="The OpenLineage namespace of mlchat's jobs and datasets."
    )
    openlineage_timeout_s: float = Field(
        default=2.0,
        gt=0,
        description="How long a worker waits for the lineage server per event; an event it "
        "cannot send is logged and dropped, never the run.",
    )


class Settings(
    StorageSettings,
    LiveSettings,
    ServerSettings,
    JobSettings,
    LimitSettings,
    AgentSettings,
    SqlSourceSettings,
    PlotImageSettings,
    LoggingSettings,
    SlackSettings,
    LineageSettings,
):
    """Everything `mlchat` needs to run; `mlchat up` works with none of it set."""

    model_config = _FROM_ENV
