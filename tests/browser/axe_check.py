"""An automated accessibility check: axe-core (from the npm registry, a development
dependency) run in the page as it is, reporting WCAG 2.x A and AA rules."""

from pathlib import Path

from playwright.sync_api import Page

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
SERIOUS = ("serious", "critical")


def serious_violations(page: Page) -> list[str]:
    """The serious and critical violations on the page, one line each. The script is
    evaluated through the browser's debugging protocol, so the page's strict Content
    Security Policy stays as it is."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    results = page.evaluate(
        "async (tags) => await window.axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"],
    )
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']}: "
        + "; ".join(f"{node['target']} {node['failureSummary']}" for node in violation["nodes"][:3])
        for violation in results["violations"]
        if violation["impact"] in SERIOUS
    ]


def assert_accessible(page: Page) -> None:
    found = serious_violations(page)
    assert found == [], "\n".join(found)
