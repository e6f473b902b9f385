"""Identifier, country-code and name formats shared by every schema."""

from typing import Annotated

from pydantic import StringConstraints

from service.rules.countries import CountryCode
from service.rules.text import single_line

# Ids chosen by the caller (organisations, programmes, contracts) travel in URLs: keep them URL-safe.
Identifier = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
Name = single_line(300)

__all__ = ["CountryCode", "Identifier", "Name"]
