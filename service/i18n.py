"""The caller's language: Japanese by default, English on request (?lang=en or Accept-Language)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Query

from service.rules.reasons import Lang


def pick_lang(lang: str | None, accept_language: str | None) -> Lang:
    if lang in ("ja", "en"):
        return lang  # type: ignore[return-value]
    if accept_language:
        # The first language the caller names that we have wins; q-values are rarely needed here.
        for part in accept_language.split(","):
            tag = part.split(";")[0].strip().lower()
            if tag.startswith("en"):
                return "en"
            if tag.startswith("ja"):
                return "ja"
    return "ja"


def lang_dep(lang: Annotated[str | None, Query(pattern="^(ja|en)$")] = None,
             accept_language: Annotated[str | None, Header()] = None) -> Lang:
    return pick_lang(lang, accept_language)

LangDep = Annotated[Lang, Depends(lang_dep)]
