"""An automated accessibility check for the browser tests: axe-core, injected into the
page under test (it is a development dependency from npm, never served by the app).

``assert_accessible(page)`` fails with each serious or critical violation of WCAG 2.0,
2.1 and 2.2 A and AA (and axe's best practices), naming the rule and the elements.

axe is evaluated through the browser's debugging protocol rather than added as a script
tag, so the page keeps its strict Content Security Policy while it is checked (and a test
still sees any violation of it). ``context_args`` below gives a phone-sized screen.
"""

from pathlib import Path
from typing import Any

from playwright.sync_api import Page

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
FAILING = ("serious", "critical")


PHONE = {"width": 360, "height": 740}


def context_args(base: dict[str, Any], *, phone: bool = False) -> dict[str, Any]:
    """Playwright's context arguments (with ``phone``, a 360 x 740 touch screen)."""
    args = dict(base)
    if phone:
        args.update(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    return args


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Every violation axe finds on the page as it is now."""
    if not AXE.exists():
        raise AssertionError(f"axe-core is missing: run `npm ci` (looked for {AXE.name}).")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    result: dict[str, Any] = page.evaluate(
        "async (tags) => await window.axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        TAGS,
    )
    return list(result["violations"])


def assert_accessible(page: Page) -> None:
    """No serious or critical violation on the page."""
    bad = [v for v in axe_violations(page) if v.get("impact") in FAILING]
    described = [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + "; ".join(
            f"{' '.join(node['target'])}: {node.get('failureSummary', '')}"
            for node in v["nodes"][:5]
        )
        for v in bad
    ]
    assert not bad, "Accessibility violations:\n" + "\n".join(described)
