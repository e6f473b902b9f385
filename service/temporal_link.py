"""The API's one connection to Temporal, made lazily so that the API starts (and accepts records) while
Temporal is away; whatever needs Temporal asks for the client and gets an error it can retry."""

from __future__ import annotations

import asyncio

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.service import TLSConfig

from service.config import Settings


async def connect(settings: Settings) -> Client:
    """A client for the configured server (mTLS or an API key when set); once per process, never per request."""
    tls: TLSConfig | bool = False
    if settings.temporal_tls_cert and settings.temporal_tls_key:
        tls = TLSConfig(client_cert=settings.temporal_tls_cert.read_bytes(),
                        client_private_key=settings.temporal_tls_key.read_bytes())
    elif settings.temporal_api_key:
        tls = True
    return await Client.connect(settings.temporal_address, namespace=settings.temporal_namespace,
                                data_converter=pydantic_data_converter, tls=tls,
                                api_key=settings.temporal_api_key)


class TemporalLink:
    def __init__(self, settings: Settings):
        self._settings = settings
        self._client: Client | None = None
        self._lock = asyncio.Lock()

    async def client(self) -> Client:
        if self._client is not None:
            return self._client
        async with self._lock:
            if self._client is None:
                self._client = await asyncio.wait_for(connect(self._settings), timeout=10)
            return self._client

    async def reachable(self) -> bool:
        try:
            client = await self.client()
            await asyncio.wait_for(client.service_client.check_health(), timeout=3)
            return True
        except Exception:
            return False
