"""The API's one connection to Temporal, made lazily so that the API starts (and accepts records) while
Temporal is away; whatever needs Temporal asks for the client and gets an error it can retry."""

from __future__ import annotations

import asyncio

from temporalio.client import Client

from service.config import Settings


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
                from workflows.client import connect

                self._client = await asyncio.wait_for(connect(self._settings), timeout=10)
            return self._client

    async def reachable(self) -> bool:
        try:
            client = await self.client()
            await asyncio.wait_for(client.service_client.check_health(), timeout=3)
            return True
        except Exception:  # noqa: BLE001 - readiness is a yes/no question
            return False
