"""What the tests read off a rendered page."""

from __future__ import annotations

import re

import httpx


def csrf_of(page: httpx.Response) -> str:
    """The CSRF token the page's forms carry."""
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found, page.text[:500]
    return found.group(1)
