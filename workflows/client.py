"""Connecting to Temporal: once per process (the API's lifespan, the worker), never per request."""

from __future__ import annotations

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.service import TLSConfig

from service.config import Settings


async def connect(settings: Settings) -> Client:
    tls: TLSConfig | bool = False
    if settings.temporal_tls_cert and settings.temporal_tls_key:
        tls = TLSConfig(client_cert=settings.temporal_tls_cert.read_bytes(),
                        client_private_key=settings.temporal_tls_key.read_bytes())
    elif settings.temporal_api_key:
        tls = True
    return await Client.connect(settings.temporal_address, namespace=settings.temporal_namespace,
                                data_converter=pydantic_data_converter, tls=tls,
                                api_key=settings.temporal_api_key)
