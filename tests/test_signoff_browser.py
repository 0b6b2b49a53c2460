"""The signoff and the Allure report as a release manager and a QA engineer see them, in
a real browser (pytest-playwright's ``browser``), on one shared run: NO-GO because MTP-01
fails for TP-1002, with MTP-06's failure for TP-1003 waived. The same page is scanned
with axe-core (npm, package.json) for serious or critical accessibility violations."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Request, ViewportSize, expect

from golive.report import DATA_FIRST
from tests.conftest import FAR_FUTURE, ROOT, golive_process

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
FOLD: ViewportSize = {"width": 1366, "height": 768}
WAIVERS = f"""waivers:
  - id: MTP-06
    subject: TP-1003
    reason: buyers are loaded by the go-live migration (OPS-123)
    approved_by: Jane Roe (release manager)
    expires: {FAR_FUTURE}
"""


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One run with its HTML report, shared by every test here."""
    out = tmp_path_factory.mktemp("browser-run")
    (out / "w.yaml").write_text(WAIVERS)
    done = golive_process(
        ["run", "--output", str(out / "reports"),
         "--tags", "MTP-01 or MTP-06", "--sandbox-fault", "change-request-open",
         "--sandbox-fault", "buyers-empty", "--waivers", str(out / "w.yaml")],
    )  # fmt: skip
    assert done.returncode == 1, done.stdout + done.stderr
    run_dir = (out / "reports" / "latest").resolve()
    assert (run_dir / "allure-report" / "index.html").exists(), done.stdout
    return run_dir


@pytest.fixture(scope="session")
def connect_options() -> None:
    """A local browser: the scenario's remote one is not needed to look at files."""
    return None


@pytest.fixture(scope="module")
def tab(browser: Browser) -> Iterator[Page]:
    """The tab the Allure report is opened in, in a context of its own. Each opening is a
    new document (``open_report``) that starts with no local storage (where Allure keeps
    its settings): what a fresh browser sees, in one renderer. The report is one file of
    3.6 MB, mostly script: a load cost 2.1-2.8 s of CPU in a fresh context each, 1.2-2.1 s
    here, where the renderer has compiled it before."""
    context = browser.new_context(viewport=FOLD)
    context.add_init_script(
        "if (window === window.top && location.protocol === 'file:') {"
        " localStorage.clear(); window.storageEmptied = localStorage.length === 0 }"
    )
    page = context.new_page()
    yield page
    context.close()


def open_report(tab: Page, run: Path, href: str) -> Page:
    """Open ``href`` (relative to the run folder) in the report tab as a new document:
    from about:blank, never as a change of the hash of the page already there."""
    tab.goto("about:blank")
    path, _, fragment = href.partition("#")
    tab.goto((run / path).as_uri() + (f"#{fragment}" if fragment else ""))
    assert tab.evaluate("window.storageEmptied") is True  # it started with none kept
    return tab


@pytest.fixture
def signoff(run: Path, browser: Browser) -> Any:
    page = browser.new_page(viewport=FOLD)
    page.goto((run / "signoff.html").as_uri())
    yield page
    page.close()


def in_first_viewport(page: Page, selector: str) -> bool:
    box = page.locator(selector).first.bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= FOLD["height"]


def test_no_go_its_reason_and_links_are_in_the_first_viewport(signoff: Page) -> None:
    expect(signoff.get_by_test_id("verdict").locator("h1")).to_have_text("NO-GO")
    reason = signoff.get_by_test_id("reasons").locator("li").first
    expect(reason).to_contain_text("MTP-01 [TP-1002]")
    expect(reason).to_contain_text("change requests not completed: CR-1002-2 (in_progress)")
    assert in_first_viewport(signoff, '[data-testid="reasons"] li')
    assert in_first_viewport(signoff, '[data-testid="reasons"] a[href^="allure-report/"]')
    assert in_first_viewport(signoff, '[data-testid="approvals"]')
    assert in_first_viewport(signoff, '[data-testid="checklist-bars"]')
    # and the row it links to: the first FAIL row is in the blocking table, above the fold
    assert in_first_viewport(signoff, 'tr[data-status="failed"]')


def test_the_reason_leads_to_its_row(signoff: Page) -> None:
    signoff.get_by_test_id("reasons").get_by_role("link", name="MTP-01 [TP-1002]").click()
    assert signoff.url.endswith("#item-MTP-01--TP-1002")
    row = signoff.locator("#item-MTP-01--TP-1002")
    expect(row).to_be_in_viewport()
    expect(row.locator(".st")).to_have_text("FAIL")


def test_the_waived_item_is_waived_on_the_signoff_and_in_the_report(
    signoff: Page, run: Path, tab: Page
) -> None:
    row = signoff.locator("#item-MTP-06--TP-1003")
    expect(row.locator(".st")).to_have_text("WAIVED")
    expect(row).to_contain_text("waived by Jane Roe (release manager)")
    href = row.get_by_role("link", name="evidence").get_attribute("href")
    assert href and "#" in href
    report = open_report(tab, run, href)
    expect(report.get_by_text("MTP-06 At least one buyer is set up [TP-1003]").last).to_be_visible()
    report.get_by_text("Resolutions").first.click()
    expect(report.get_by_text("Accepted", exact=True)).to_be_visible()
    expect(report.get_by_text(re.compile("waived by Jane Roe"))).to_be_visible()


def test_every_evidence_link_opens_its_item_on_the_first_try(
    signoff: Page, run: Path, tab: Page
) -> None:
    anchors = signoff.locator("[data-evidence-for]")
    links = {
        str(anchors.nth(n).get_attribute("data-evidence-for")): str(
            anchors.nth(n).get_attribute("href")
        )
        for n in range(anchors.count())
    }
    assert len(links) == 6  # every item of the run, each subject, has its link
    for label, href in links.items():
        assert "#" in href, label
        page = open_report(tab, run, href)  # each a new document, as from the signoff
        item_id, subject = label.split(" ", 1)
        title = page.get_by_text(re.compile(rf"^{item_id} .* {re.escape(subject)}$")).last
        expect(title).to_be_visible()
        assert "Failed to fetch" not in page.inner_text("body"), label
        if label == "MTP-01 [TP-1002]":  # the failing step, its message and its exchange
            step = page.get_by_text("Then every change request with configuration")
            expect(step.first).to_be_visible()
            exchange = page.get_by_text(re.compile(r"GET http://\S+/partners/TP-1002/change_"))
            expect(exchange.first).to_be_visible()
            expect(
                page.get_by_text(re.compile("CR-1002-2 \\(in_progress\\)")).first
            ).to_be_visible()


def data_late(html: str) -> str:
    """The report with its two data scripts run a second after the parser reaches them:
    what a busy machine's parser can do, which lets the app ask for its data first."""
    start = html.index("<script async>")
    end = html.index("</script>", html.index("<script defer>", start)) + len("</script>")
    scripts = re.findall(r"<script (?:async|defer)>(.*?)</script>", html[start:end], re.S)
    assert len(scripts) == 2, "the single-file template's data scripts are not where they were"
    late = (
        f"<script>setTimeout(() => {{ for (const s of {json.dumps(scripts)}) (0, eval)(s) }}, 1000)"
    )
    return html[:start] + late + "</script>" + html[end:]


def test_the_report_opens_its_item_when_its_data_scripts_run_late(
    signoff: Page, run: Path, tab: Page, tmp_path: Path
) -> None:
    """The race golive/report.py's ``DATA_FIRST`` closes, forced: with the data map defined
    before the app (as golive writes the report), the app waits for the data and opens
    the item; without it, the same page shows Allure's "Failed to fetch"."""
    href = signoff.get_by_test_id("reasons").locator('a[href^="allure-report/"]').first
    fragment = str(href.get_attribute("href")).partition("#")[2]
    html = (run / "allure-report" / "index.html").read_text("utf-8")
    assert DATA_FIRST in html

    def opened_late(name: str, text: str) -> Page:
        page = tmp_path / f"{name}.html"
        page.write_text(data_late(text), "utf-8")
        tab.goto("about:blank")
        tab.goto(f"{page.as_uri()}#{fragment}")
        return tab

    golive = opened_late("golive", html)
    expect(golive.get_by_text(re.compile(r"^MTP-01 .* \[TP-1002\]$")).last).to_be_visible()
    assert "Failed to fetch" not in golive.inner_text("body")
    allure = opened_late("allure", html.replace(DATA_FIRST, ""))
    expect(allure.get_by_text("Failed to fetch").first).to_be_visible()


def test_the_report_calls_no_one_when_opened(run: Path, tab: Page) -> None:
    outside: list[str] = []
    local = ("file:", "data:", "blob:")

    def record(request: Request) -> None:
        if not request.url.startswith(local):
            outside.append(request.url)

    tab.on("request", record)
    try:
        page = open_report(tab, run, "allure-report/index.html")
        expect(page.get_by_text("NO-GO: golive sandbox").first).to_be_visible()
        expect(page.get_by_text("Quality Gates").first).to_be_visible()
    finally:
        tab.remove_listener("request", record)
    assert outside == []


def test_the_signoff_has_no_serious_accessibility_violation(signoff: Page) -> None:
    signoff.add_script_tag(path=str(AXE))
    result = signoff.evaluate("async () => await axe.run(document)")
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert bad == []
    assert result["passes"], "axe-core ran no rule"


def test_the_signoff_prints_on_a4_with_the_verdict_first(signoff: Page, tmp_path: Path) -> None:
    signoff.emulate_media(media="print")
    expect(signoff.get_by_test_id("verdict").locator("h1")).to_be_visible()
    pdf = signoff.pdf(path=str(tmp_path / "signoff.pdf"), format="A4")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert 1 <= pages <= 3, pages  # six items: the whole signoff on a page or two
