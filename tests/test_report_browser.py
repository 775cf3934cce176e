"""The main job's report in a real headless Chromium: loads clean, every image decodes, every model in the table."""
import pytest

from browser import browser_fixture, console_errors  # noqa: F401  (the fixture, by its name "browser")


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    from tracegrad import demo
    out = tmp_path_factory.mktemp("demo")
    return demo.run(str(out), epochs=1)


def test_the_report_is_self_contained_and_small(report):
    html = open(report, encoding="utf-8").read()
    assert len(html.encode()) < 5 * 2 ** 20
    assert "http://" not in html.replace("http://www.w3.org", "") and "https://" not in html


def test_the_report_loads_in_a_browser_with_every_image_and_model(browser, report):
    from pathlib import Path
    browser.get(Path(report).resolve().as_uri())
    errors = [e for e in console_errors(browser) if e.get("level") == "SEVERE"]
    assert not errors, errors
    sizes = browser.execute_script(
        "return Array.from(document.images).map(i => [i.complete, i.naturalWidth, i.naturalHeight]);")
    assert len(sizes) >= 6 and all(c and w > 0 and h > 0 for c, w, h in sizes)
    rows = browser.execute_script("return Array.from(document.querySelectorAll('table tr td:first-child'))"
                                  ".map(td => td.textContent);")
    for name in ("softmax regression", "20-layer sigmoid MLP", "20-layer ReLU MLP", "20-layer residual MLP",
                 "KNN, k = 1", "KNN, k = 3", "KNN, k = 29"):
        assert name in rows
    verdicts = browser.execute_script("return Array.from(document.querySelectorAll('.verdict'))"
                                      ".map(v => v.textContent);")
    assert verdicts[0] == "vanishing" and verdicts[-1] == "healthy"
    assert browser.execute_script("return document.querySelectorAll('.graph svg g.node').length") > 10
    assert browser.execute_script("return document.querySelector('iframe').srcdoc.length") > 1000
