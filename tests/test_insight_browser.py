"""The insight page in a real browser (Debian's chromium through playwright), with no network:
every chart loads, nothing fails in the console, a screenshot is kept under out/screenshots/."""
import pytest

from autograder.insight import synthetic
from browser import open_browser, requires_chromium, screenshot
from test_insight import run_report


@pytest.fixture(scope="module")
def chromium():
    """One browser for the module; each test forgets what earlier ones recorded."""
    with open_browser() as opened:
        yield opened


@pytest.fixture(scope="module")
def page_path(tmp_path_factory):
    folder = tmp_path_factory.mktemp("insight_browser")
    plan = synthetic.plan_class(honest=8)
    synthetic.write_store(plan, folder / "results.sqlite")
    done = run_report(folder / "results.sqlite", folder / "out")
    assert done.returncode == 0, done.stderr
    return plan, done.stdout.strip()


@requires_chromium
def test_report_in_chromium(page_path, chromium):
    plan, path = page_path
    chromium.reset()
    page = chromium.page()
    page.goto(f"file://{path}")
    page.wait_for_load_state("load")
    images = page.eval_on_selector_all("img", "els => els.map(e => [e.id, e.complete, e.naturalWidth])")
    assert len(images) == 4
    assert all(complete and width > 0 for _, complete, width in images), images
    # the hostile name is shown as text, not run
    assert synthetic.HOSTILE_NAME in page.inner_text("#groups")
    assert page.evaluate("document.scripts.length") == 0
    pair = page.locator("#similarity .pair").first
    assert (pair.get_attribute("data-left"), pair.get_attribute("data-right")) == plan.copied_pair
    assert page.locator("#similarity mark").count() > 0
    ranked = page.locator('table.ranked[data-exercise="update_parameters"] td.mistake-name')
    assert ranked.all_inner_texts() == ["update_parameters_no_rate", "update_parameters_sign"]
    shot = screenshot(page, "insight_report")
    assert shot.stat().st_size > 10_000
    assert chromium.problems() == []


@requires_chromium
def test_the_browser_helper_blocks_the_network(tmp_path, chromium):
    """The helper's guarantee the report test relies on: a page that reaches out is refused and seen."""
    page_file = tmp_path / "reaches_out.html"
    page_file.write_text('<img src="http://192.0.2.1/x.png"><p>local</p>', encoding="utf-8")
    chromium.reset()
    page = chromium.page()
    page.goto(f"file://{page_file}")
    page.wait_for_load_state("load")
    assert page.inner_text("p") == "local"
    assert any("192.0.2.1" in url for url in chromium.blocked)
    assert chromium.problems() != []


def test_without_chromium_the_browser_tests_skip_saying_how_to_install_it(monkeypatch, tmp_path):
    import browser
    monkeypatch.setattr(browser, "CHROMIUM", str(tmp_path / "no-chromium"))
    assert browser.INSTALL in browser.chromium_missing()
    with pytest.raises(pytest.skip.Exception, match="apt-get install -y chromium"):
        with browser.open_browser():
            pass
