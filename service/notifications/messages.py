"""Rendering a message from its templates (templates/messages/, overridable by a ministry's directory).

One template per message kind and language: `<kind>.subject.<lang>.txt`, `<kind>.<lang>.txt` and
`<kind>.<lang>.html` for e-mail, `<kind>.<lang>.json` for webhooks. Labels come from the pages'
gettext catalogues, so a term reads the same in a message and on the page it links to.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, select_autoescape

from service.i18n import translations
from service.rules.dates import day_in_words
from service.rules.obligations.state import ground

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
    return Environment(loader=ChoiceLoader([FileSystemLoader(dirs)]), undefined=StrictUndefined,
                       autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
                       keep_trailing_newline=True)


def kind_of(rung_kind: str, audience: str) -> str:
    if rung_kind == "notice":
        return "incident"  # the only deadline that opens with a notice to the ministry (DOMAIN.md §4 [r2])
    if rung_kind == "escalation":
        return "escalation_lead" if audience == "compliance_lead" else "escalation_ministry"
    return rung_kind


def render(kind: str, lang: str, *, message_id: str, contract: dict[str, Any], deadline: dict[str, Any],
           days: int, link: str, templates_dir: Path, override_dir: Path | None = None,
           incident: dict[str, Any] | None = None) -> Rendered:
    env = _env(templates_dir, override_dir)
    tr = translations(lang)
    ctx = {"lang": lang, "message_id": message_id, "contract": contract, "deadline": deadline, "days": days,
           "due_on": str(deadline["due_on"]), "due_text": day_in_words(str(deadline["due_on"]), lang),
           "link": link, "incident": incident or {},
           "day": lambda v: day_in_words(str(v), lang), "source": ground(deadline["obligation"], lang),
           "deadline_label": tr.gettext(deadline["kind"]), "obligation_label": tr.gettext(deadline["obligation"])}
    subject = env.get_template(f"messages/{kind}.subject.{lang}.txt").render(ctx).strip()
    ctx["subject"] = subject
    labels = {"ja": ("契約", "義務", "期限", "期日", "根拠"), "en": ("Contract", "Obligation", "Deadline", "Due", "Basis")}[lang]
    ctx["facts"] = list(zip(labels, (f"{contract['id']} ({contract['title']})", ctx["obligation_label"],
                                     ctx["deadline_label"], ctx["due_text"], ctx["source"]), strict=True))
    ctx["footer"] = ("本メールは tlc から自動送信されています。" if lang == "ja"
                     else "This message was sent automatically by tlc.")
    text = env.get_template(f"messages/{kind}.{lang}.txt").render(ctx)
    html = env.get_template(f"messages/{kind}.{lang}.html").render(ctx)
    body = env.get_template(f"messages/{kind}.{lang}.json").render(ctx)
    json.loads(body)  # a broken override must fail here, not at the receiver
    return Rendered(subject=subject, text=text, html=html, json_body=body)
