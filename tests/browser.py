"""A headless Chromium for the page tests: the fixture ``browser`` (tests/test_viz_page.py imports it).

Debian's ``chromium`` and ``chromium-driver`` packages, driven by Selenium 4: nothing is downloaded. The driver's
path is given to ``Service`` and the browser's to ``options.binary_location``, which makes Selenium skip Selenium
Manager, and ``SE_OFFLINE=true`` keeps Selenium Manager off the network should anything still call it.

Where the browser (or selenium) is missing the browser tests skip, except under ``CI=true``, where they fail and say
what to install: a CI run that silently skipped every browser test would prove nothing.

Also here: ``console_errors(driver)`` (the page's SEVERE console entries), ``open_page(driver, path)`` (load a
saved page and wait for its script), and ``decode_png`` / ``screenshot_is_not_blank(png)`` (a small PNG decoder on
zlib and NumPy, no image library).
"""
from __future__ import annotations

import os
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest

CHROMIUM = os.environ.get("TRACEGRAD_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("TRACEGRAD_CHROMEDRIVER", "/usr/bin/chromedriver")
INSTALL = "apt-get install -y chromium chromium-driver (Debian/Ubuntu; `make test` does it when run as root)"
WINDOW = (1400, 900)


def _unavailable(why: str):
    """Fail under CI=true (a CI run must run these tests), skip elsewhere."""
    if os.environ.get("CI", "").strip().lower() in ("true", "1", "yes"):
        pytest.fail(f"browser tests cannot run: {why}. Install: {INSTALL}", pytrace=False)
    pytest.skip(f"browser tests skipped: {why} (install: {INSTALL})")


def _executable(path: str) -> bool:
    return os.path.isfile(path) and os.access(path, os.X_OK)


def start_chromium():
    """A new headless Chromium WebDriver (the caller quits it). Skips or fails as described above."""
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not _executable(p)]
    if missing:
        _unavailable(f"{' and '.join(missing)} not found")
    try:
        from selenium import webdriver
        from selenium.common.exceptions import WebDriverException
        from selenium.webdriver.chrome.options import Options
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        _unavailable("selenium is not installed (pip install -e '.[test]')")
    os.environ["SE_OFFLINE"] = "true"  # Selenium Manager, if anything calls it, must not download a browser
    options = Options()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--disable-extensions", "--no-first-run", "--no-default-browser-check",
                "--force-device-scale-factor=1", "--hide-scrollbars", "--lang=en-US",
                f"--window-size={WINDOW[0]},{WINDOW[1]}"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(executable_path=CHROMEDRIVER)
    try:
        driver = webdriver.Chrome(service=service, options=options)
    except WebDriverException as e:
        _unavailable(f"chromium did not start ({str(e).strip().splitlines()[0] if str(e).strip() else e!r})")
    driver.set_window_size(*WINDOW)
    return driver


@pytest.fixture(scope="module", name="browser")
def browser_fixture():
    """The fixture ``browser``: a headless Chromium shared by the tests of one module (each test loads its own page).

    A test module uses it with ``from browser import browser_fixture  # noqa: F401`` (imported under this name, so
    that test parameters called ``browser`` do not redefine the import, which ruff's F811 would flag)."""
    driver = start_chromium()
    try:
        yield driver
    finally:
        driver.quit()


def console_log(driver) -> list[dict]:
    """The browser console entries since the last call (reading them empties the buffer)."""
    return driver.get_log("browser")


def console_errors(driver) -> list[dict]:
    """The SEVERE console entries (uncaught errors, failed loads, console.error) since the last call."""
    return [e for e in console_log(driver) if e.get("level") == "SEVERE"]


def open_page(driver, path: str | os.PathLike[str], timeout: float = 60.0) -> float:
    """Load a saved page and wait until its script has drawn the graph (``window.tracegrad.ready``); returns the
    seconds it took. The console buffer is emptied first, so ``console_errors`` then reports this page only."""
    import time

    from selenium.webdriver.support.ui import WebDriverWait

    console_log(driver)
    t0 = time.perf_counter()
    driver.get(Path(path).resolve().as_uri())
    WebDriverWait(driver, timeout).until(
        lambda d: d.execute_script("return !!(window.tracegrad && window.tracegrad.ready)"))
    return time.perf_counter() - t0


# ---------------------------------------------------------------------------------------------- PNG decoding
_CHANNELS = {0: 1, 2: 3, 4: 2, 6: 4}  # grey, RGB, grey+alpha, RGBA (palette images are not handled)


def decode_png(data: bytes) -> np.ndarray:
    """An 8-bit, non-interlaced PNG as a (height, width, channels) uint8 array.

    The five scanline filters are undone along anti-diagonals: a pixel's predictor needs only its left, upper and
    upper-left neighbours, which all lie on the previous two diagonals, so each diagonal is one vectorised step.
    """
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, header = 8, [], None
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
    if header is None:
        raise ValueError("PNG without IHDR")
    width, height, depth, color, _, _, interlace = header
    if depth != 8 or interlace or color not in _CHANNELS:
        raise ValueError(f"unsupported PNG: bit depth {depth}, colour type {color}, interlace {interlace}")
    ch = _CHANNELS[color]
    raw = np.frombuffer(zlib.decompress(b"".join(idat)), np.uint8).reshape(height, 1 + width * ch)
    filters = raw[:, 0].astype(np.int16)
    if filters.max(initial=0) > 4:
        raise ValueError("bad PNG filter type")
    x = raw[:, 1:].reshape(height, width, ch).astype(np.int16)
    out = np.zeros((height + 1, width + 1, ch), np.int16)  # row 0 and column 0: the zeros outside the image
    rows = np.arange(height)
    for d in range(height + width - 1):
        r = rows[max(0, d - width + 1):min(height, d + 1)]
        c = d - r
        a, b, up_left = out[r + 1, c], out[r, c + 1], out[r, c]
        f = filters[r][:, None]
        p = a + b - up_left
        pa, pb, pc = np.abs(p - a), np.abs(p - b), np.abs(p - up_left)
        paeth = np.where((pa <= pb) & (pa <= pc), a, np.where(pb <= pc, b, up_left))
        pred = np.select([f == 1, f == 2, f == 3, f == 4], [a, b, (a + b) >> 1, paeth], 0)
        out[r + 1, c + 1] = (x[r, c] + pred) & 0xFF
    return out[1:, 1:].astype(np.uint8)


def screenshot_is_not_blank(png: bytes, min_fraction: float = 0.002) -> bool:
    """True when more than ``min_fraction`` of the pixels differ from the most common colour (the background):
    a blank or single-colour screenshot is False."""
    pixels = decode_png(png)
    h, w, ch = pixels.shape
    flat = pixels.reshape(-1, ch).astype(np.uint32)
    packed = np.zeros(len(flat), np.uint32)
    for i in range(ch):
        packed = (packed << np.uint32(8)) | flat[:, i]
    values, counts = np.unique(packed, return_counts=True)
    background = values[np.argmax(counts)]
    return float(np.mean(packed != background)) > min_fraction

