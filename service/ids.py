"""Identifier and country-code formats shared by every schema."""

from typing import Annotated

from pydantic import StringConstraints

# Ids chosen by the caller (organisations, programmes, contracts) travel in URLs: keep them URL-safe.
Identifier = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
