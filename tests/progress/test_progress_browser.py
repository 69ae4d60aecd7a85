"""In Chromium at a desktop's and a phone's width: the plots fit, unscrolled, unblocked.

axe-core finds no serious or critical violation on either page.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from tests.e2e.test_accessibility import blocking_violations
from tests.fixtures.browser import sign_in_with_form
from tests.progress.conftest import TERM

pytestmark = pytest.mark.browser
WIDTHS = {"desktop": 1280, "phone": 390}


def _check_plots_fit(page, width: int, count: int) -> None:
    drawings = page.locator("svg.plot-svg:visible")
    assert drawings.count() == count
    for index in range(count):
        box = drawings.nth(index).bounding_box()
        assert box is not None and box["height"] > 120
        assert box["x"] >= 0 and box["x"] + box["width"] <= width
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    size = "narrow" if width < 640 else "wide"
    assert page.locator(f".plot-{size} svg.plot-svg:visible").count() == count


@pytest.mark.parametrize("device", WIDTHS)
def test_class_plots_fit_the_screen(
    live_server, school, term_pathways, term, new_browser_page, artifacts, device
):
    width = WIDTHS[device]
    page = new_browser_page(width=width, height=900)
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    sign_in_with_form(page, live_server, school.instructor.email)
    page.goto(f"{live_server}/progress/class?{urlencode(TERM)}")
    _check_plots_fit(page, width, 4)
    page.locator("#plot-mastery summary").click()
    assert page.locator("#plot-mastery table").is_visible()
    page.screenshot(path=artifacts / f"class-{device}.png", full_page=True)
    assert not [m for m in console if "Content Security Policy" in m]
    assert blocking_violations(page) == []


@pytest.mark.parametrize("device", WIDTHS)
def test_learner_plot_fits_the_screen(
    live_server, school, term, new_browser_page, artifacts, device
):
    width = WIDTHS[device]
    page = new_browser_page(width=width, height=900)
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    sign_in_with_form(page, live_server, school.classmate.email)
    page.goto(f"{live_server}/progress/mine?{urlencode(TERM)}")
    _check_plots_fit(page, width, 1)
    page.screenshot(path=artifacts / f"mine-{device}.png", full_page=True)
    assert not [m for m in console if "Content Security Policy" in m]
    assert blocking_violations(page) == []
