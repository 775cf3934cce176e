"""viz.page in a headless Chromium, replay mode: stepping through the backward pass with the buttons, the keys,
the slider and ``window.tracegrad.setFrame``, and what each step marks (ids prev, next, slider, counter, caption,
panel; classes current, done, traversed). tests/browser.py has the browser, tests/_page_data.py the data.
"""
from __future__ import annotations

from _page_data import _load, _severe, _shot, small_graph
from browser import browser_fixture, screenshot_is_not_blank  # noqa: F401


def test_replay_steps_with_buttons_keys_and_slider(browser, tmp_path):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    data = small_graph("replay")
    n = len(data["frames"])
    _load(browser, tmp_path, data)
    assert _severe(browser) == []

    def frame():
        return browser.execute_script("return window.tracegrad.frame")

    def current():
        cur = browser.find_elements("css selector", "g.node.current")
        assert len(cur) == 1
        return cur[0].get_attribute("data-id")

    assert frame() == 0 and current() == "n18"
    assert browser.find_element("id", "caption").text.startswith("step: loss = Mean")
    assert browser.find_element("id", "counter").text == f"1 / {n}"
    browser.find_element("id", "next").click()
    assert frame() == 1 and current() == "n17"
    assert browser.find_elements("css selector", 'g.node.done[data-id="n18"]')
    assert browser.find_elements("css selector", "g.edge.traversed")
    ActionChains(browser).send_keys(Keys.ARROW_RIGHT).perform()
    assert frame() == 2 and current() == "n15"
    ActionChains(browser).send_keys(Keys.ARROW_RIGHT).perform()
    assert frame() == 3 and current() == "n13"
    panel = browser.find_element("id", "panel").text
    assert "received" in panel.lower() and "∂L/∂n12 += ∂L/∂n13 · local" in panel and "= 1.2" in panel
    ActionChains(browser).send_keys(Keys.ARROW_LEFT).perform()
    assert frame() == 2 and current() == "n15"
    browser.find_element("id", "prev").click()
    assert frame() == 1
    slider = browser.find_element("id", "slider")
    ActionChains(browser).move_to_element_with_offset(slider, slider.size["width"] // 2 - 2, 0).click().perform()
    assert frame() >= n - 2 and current() != "n17"
    assert browser.find_element("id", "counter").text == f"{frame() + 1} / {n}"
    browser.execute_script("window.tracegrad.setFrame(7)")
    assert frame() == 7 and current() == f"n{[18, 17, 15, 13, 12, 11, 10, 9][7]}"
    assert screenshot_is_not_blank(_shot(browser, "replay.png"))
    assert _severe(browser) == []
