"""Rendering a message from its templates (templates/messages/, overridable by a ministry's directory).

One set of templates per message kind and language: `<kind>.subject.<lang>.txt` and `<kind>.lead.<lang>.txt`
(what happened), then `<kind>.<lang>.txt` and `<kind>.<lang>.html` for e-mail, which by default lay out the same
facts (`_layout.txt`, `_layout.html`), and `<kind>.<lang>.json` for webhooks. Labels come from the pages'
gettext catalogues, so a term reads the same in a message and on the page it links to.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, select_autoescape

KINDS = ("reminder", "due", "escalation_lead", "escalation_ministry", "incident")


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str
    json_body: str


@lru_cache
def _env(templates_dir: Path, override_dir: Path | None) -> Environment:
    dirs = ([str(override_dir)] if override_dir else []) + [str(templates_dir)]
    # StrictUndefined: a template that names a missing value fails loudly instead of sending a blank.
    env = Environment(loader=ChoiceLoader([FileSystemLoader(dirs)]), undefined=StrictUndefined,
                      autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
                      keep_trailing_newline=True)
    # A label that starts a sentence or a subject ("access review" → "Access review"), the rest kept as it is
    # (jinja's `capitalize` lowercases it).
    env.filters["upfirst"] = lambda s: s[:1].upper() + s[1:]
    return env


def kind_of(rung_kind: str, audience: str) -> str:
    if rung_kind == "notice":
        return "incident"  # the only deadline that opens with a notice to the ministry (DOMAIN.md §4 [r2])
    if rung_kind == "escalation":
        return "escalation_lead" if audience == "compliance_lead" else "escalation_ministry"
    return rung_kind


def render(kind: str, lang: str, facts: dict[str, Any], *, templates_dir: Path,
           override_dir: Path | None = None, webhook: bool = True) -> Rendered:
    """The message of `kind` in `lang` from its facts (service.notifications.facts.message_facts): the
    subject and the lead (what happened) are rendered first, into the facts, so that the text and the HTML
    part render the same sentences. `webhook` False: a kind sent by e-mail only, which has no JSON template
    (a review round's messages, service/research/messages.py)."""
    env = _env(templates_dir, override_dir)
    ctx = dict(facts)
    ctx["subject"] = env.get_template(f"messages/{kind}.subject.{lang}.txt").render(ctx).strip()
    ctx["lead"] = env.get_template(f"messages/{kind}.lead.{lang}.txt").render(ctx).strip()
    ctx["paragraphs"] = [p.strip() for p in ctx["lead"].split("\n\n") if p.strip()]
    text = env.get_template(f"messages/{kind}.{lang}.txt").render(ctx)
    html = env.get_template(f"messages/{kind}.{lang}.html").render(ctx)
    if not webhook:
        return Rendered(subject=ctx["subject"], text=text, html=html, json_body="")
    body = env.get_template(f"messages/{kind}.{lang}.json").render(ctx)
    json.loads(body)  # a broken override must fail here, not at the receiver
    return Rendered(subject=ctx["subject"], text=text, html=html, json_body=body)
