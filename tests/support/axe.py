"""The accessibility check of the browser tests: axe-core (npm, built by scripts/bootstrap into tests/.vendor, never
served to users) run in a Playwright page against WCAG 2.1 A and AA.

How axe gets into the page: through `page.evaluate`, which runs the script over the DevTools protocol, where the
page's CSP does not apply. `page.add_script_tag(content=...)` would add an inline <script>, which every CSP of tlc
refuses (the pages allow no script at all); `bypass_csp=True` on the context would work too, but it would switch
off the very policy the pages are tested under (ReDoc's and Swagger UI's run as users get them)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from playwright.async_api import Page

AXE = Path(__file__).resolve().parents[1] / ".vendor" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = ("serious", "critical")

_RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map(n => ({target: n.target.join(" "), html: n.html.slice(0, 200),
                             summary: n.failureSummary}))}));
}"""


@cache
def _source() -> str:
    if not AXE.is_file():
        raise FileNotFoundError(f"{AXE} is missing: run scripts/bootstrap (it installs axe-core from npm)")
    return AXE.read_text(encoding="utf-8")


async def check_accessibility(page: Page) -> list[dict[str, Any]]:
    """The serious and critical WCAG 2.1 AA violations axe finds on the page as it is now: each {id, impact,
    help, helpUrl, nodes: [{target, html, summary}]}; empty when there is none."""
    if not await page.evaluate("() => typeof window.axe === 'object'"):
        await page.evaluate(_source())
    violations = await page.evaluate(_RUN, WCAG_21_AA)
    return [v for v in violations if v["impact"] in BLOCKING]


def describe(violations: list[dict[str, Any]]) -> str:
    """One line a violation and one a node, for an assertion message."""
    lines = []
    for v in violations:
        lines.append(f"{v['impact']}: {v['id']} — {v['help']} ({v['helpUrl']})")
        lines += [f"    {n['target']}: {n['summary']}".replace("\n", " ") for n in v["nodes"]]
    return "\n".join(lines)
