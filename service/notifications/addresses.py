"""Where a webhook may point: the server posts to it, so loopback, private and link-local hosts (e.g. cloud
metadata at 169.254.169.254) are refused unless this installation allows them (tlc dev does, for local
receivers)."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from service.problems import Invalid


def check_webhook_url(address: str, *, allow_private: bool) -> None:
    host = urlsplit(address).hostname or ""
    if allow_private:
        return
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        if host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
            raise Invalid(["body", "address"], "local host", detail="Webhooks cannot target a local host.") from None
        return
    if ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved or ip.is_multicast or ip.is_unspecified:
        raise Invalid(["body", "address"], "private or local address",
                      detail="Webhooks cannot target a private or local address.")
