"""Chapter 11 in Voila: the reference table is built live (every row of the registry, each checked), its formulas
are typeset and its shape pictures drawn; the chain-rule and notation tables render; nothing prints an error."""
import pytest

from mcdl.identities import IDENTITIES

from .conftest import NB_DIR, assert_no_error_output

expect = pytest.importorskip("playwright.sync_api").expect

CHAPTER = "11_reference.ipynb"


def test_chapter11_reference_table_renders(browser, voila, artifacts):
    if not (NB_DIR / CHAPTER).exists():
        pytest.skip(f"notebooks/{CHAPTER} does not exist yet")
    page = browser.new_page(viewport={"width": 1200, "height": 900})     # no widgets here: wait for the table
    page.set_default_timeout(150_000)
    page.goto(f"{voila['url']}/voila/render/{CHAPTER}")
    table = page.locator("table.mcdl-reference")
    expect(table).to_be_visible()
    rows = sum(len(identity.derivatives) for identity in IDENTITIES)
    expect(table.locator("tbody tr")).to_have_count(rows)
    expect(table.locator("mjx-container").first).to_be_attached()          # formulas typeset by MathJax
    assert table.locator("svg[aria-label]").count() == rows                # one shape picture per row
    assert "≤ 1e" in table.inner_text()
    assert_no_error_output(page)
    table.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "voila_ch11_reference.png"), full_page=True)
    page.close()
