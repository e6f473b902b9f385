"""The caller's language: Japanese by default, English on request (?lang=en or Accept-Language)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Query

from service.rules.reasons import Lang


def pick_lang(lang: str | None, accept_language: str | None) -> Lang:
    """?lang= wins; then the Accept-Language entry of ours with the highest q (q=0 refuses); then Japanese."""
    if lang in ("ja", "en"):
        return lang  # type: ignore[return-value]
    best: tuple[float, int, Lang] | None = None
    for position, part in enumerate((accept_language or "").split(",")):
        tag, *params = [p.strip() for p in part.split(";")]
        q = 1.0
        for p in params:
            if p.lower().startswith("q="):
                try:
                    q = float(p[2:])
                except ValueError:
                    q = 0.0
        primary = tag.lower().split("-")[0]
        if primary in ("ja", "en") and q > 0 and (best is None or (q, -position) > (best[0], best[1])):
            best = (q, -position, primary)  # type: ignore[assignment]
    return best[2] if best else "ja"


def lang_dep(lang: Annotated[str | None, Query(pattern="^(ja|en)$")] = None,
             accept_language: Annotated[str | None, Header()] = None) -> Lang:
    return pick_lang(lang, accept_language)

LangDep = Annotated[Lang, Depends(lang_dep)]
