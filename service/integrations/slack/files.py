"""A file shared in a thread becomes a dataset of the tenant, through the upload's own checks
and limits (`DatasetService.create_from_upload`), and the thread's conversation turns to it."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any
from urllib.parse import urlsplit

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.ext.asyncio import AsyncSession

from ml_backend.configs import DatasetById
from ml_backend.errors import MLInputError
from service.db.models import SlackThread
from service.domain.conversations.schemas import ConversationUpdate
from service.domain.conversations.services import ConversationService
from service.domain.datasets.services import DatasetService
from service.errors import BadRequestError, ServiceError, upload_too_large
from service.integrations.slack.blocks import mrkdwn
from service.integrations.slack.posting import say

if TYPE_CHECKING:
    from service.integrations.slack.app import SlackIntegration

log = logging.getLogger(__name__)
SLACK_FILE_HOSTS = frozenset({"files.slack.com", "slack-files.com"})
CHUNK = 1024 * 1024
IN_MEMORY = 8 * 1024 * 1024
"""A download larger than this is spooled to disk."""
DOWNLOAD_TIMEOUT_S = 300


def file_hosts(api_url: str) -> frozenset[str]:
    """Hosts the bot token may be sent to for a file: Slack's, and the configured API's."""
    host = urlsplit(api_url).hostname
    return SLACK_FILE_HOSTS | ({host} if host else set())


async def take_files(slack: SlackIntegration, web: AsyncWebClient, session: AsyncSession,
                     thread: SlackThread, files: list[dict[str, Any]]) -> None:  # fmt: skip
    """Each file as a dataset, said in the thread: its name and size, or why it was refused."""
    for shared in files:
        name = str(shared.get("name") or shared.get("title") or "upload")
        try:
            text = await take_file(slack, web, session, thread, shared)
        except (ServiceError, MLInputError) as error:
            text = f"I could not make a dataset of *{name}*: {error.detail}"
        await say(web, thread.channel, thread.thread_ts, text)


async def take_file(slack: SlackIntegration, web: AsyncWebClient, session: AsyncSession,
                    thread: SlackThread, shared: dict[str, Any]) -> str:  # fmt: skip
    settings = slack.settings
    if not shared.get("url_private_download") and shared.get("id"):
        shared = await _file_info(web, str(shared["id"]))
    name = str(shared.get("name") or "upload")
    url = shared.get("url_private_download") or shared.get("url_private")
    if not isinstance(url, str) or urlsplit(url).hostname not in file_hosts(settings.slack_api_url):
        raise BadRequestError("Slack gave no address of Slack's own to download it from")
    if int(shared.get("size") or 0) > settings.max_dataset_bytes:
        raise upload_too_large(settings.max_dataset_mb)
    datasets = DatasetService(session, settings, thread.tenant)
    with tempfile.SpooledTemporaryFile(max_size=IN_MEMORY) as spool:
        await _download(url, web.token or "", spool, settings.max_dataset_bytes,
                        settings.max_dataset_mb)  # fmt: skip
        spool.seek(0)
        stem = Path(name).name.rsplit(".", 1)[0] or "dataset"
        # A file of a name in use is that dataset's next version, as an upload is.
        dataset, _added = await datasets.create_from_upload(spool, name, stem, new_version=True)
    conversations = ConversationService(session, slack.resources, thread.tenant)
    await conversations.update(thread.conversation_id,
                               ConversationUpdate(dataset=DatasetById(id=dataset.id)))  # fmt: skip
    return mrkdwn(
        f"Added **{dataset.name}** (version {dataset.version}) as a dataset: "
        f"{dataset.row_count:,} rows, "
        f"{dataset.column_count} columns. This thread talks about it now: ask for a chart or a "
        "model."
    )


async def _file_info(web: AsyncWebClient, file_id: str) -> dict[str, Any]:
    try:
        response = await web.files_info(file=file_id)
    except (SlackApiError, SlackClientError) as error:
        raise BadRequestError(f"Slack did not describe the file ({type(error).__name__})") from None
    found = response.get("file")
    return found if isinstance(found, dict) else {}


async def _download(url: str, token: str, target: IO[bytes], max_bytes: int, max_mb: int) -> None:
    """The file into `target`, refused once it grows past the upload limit."""
    headers = {"Authorization": f"Bearer {token}"}
    timeout = aiohttp.ClientTimeout(total=DOWNLOAD_TIMEOUT_S)
    try:
        async with (
            aiohttp.ClientSession(timeout=timeout) as http,
            http.get(url, headers=headers) as response,
        ):
            if response.status != 200:
                raise BadRequestError(f"Slack answered {response.status} to its download")
            taken = 0
            async for chunk in response.content.iter_chunked(CHUNK):
                taken += len(chunk)
                if taken > max_bytes:
                    raise upload_too_large(max_mb)
                target.write(chunk)
    except (aiohttp.ClientError, TimeoutError) as error:
        raise BadRequestError(f"the download from Slack failed ({type(error).__name__})") from None
