"""The chat server's two pages in headless Chromium: a user asks, the agent's page shows
the offer, accepting connects them, and messages arrive both ways.

Needs Debian's ``chromium`` and ``chromium-driver`` (``.ci/run`` installs them). Without
them the test is skipped, unless ``DESKCORE_REQUIRE_BROWSER=1`` says they must be there.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from chat import free_port, start

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
REQUIRED = os.environ.get("DESKCORE_REQUIRE_BROWSER") == "1"

try:
    from selenium import webdriver
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as seen
    from selenium.webdriver.support.ui import WebDriverWait
except ImportError:  # pragma: no cover - selenium is in the dev group
    webdriver = None  # type: ignore[assignment]

if not REQUIRED and (CHROMIUM is None or DRIVER is None or webdriver is None):
    pytest.skip("chromium, chromedriver or selenium missing", allow_module_level=True)


@pytest.fixture
def browser() -> Iterator[webdriver.Chrome]:
    assert CHROMIUM is not None and DRIVER is not None, "install chromium and chromium-driver"
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(DRIVER))
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def test_user_and_agent_in_a_browser(browser: webdriver.Chrome, tmp_path: Path) -> None:
    port = free_port()
    server = start(f"sqlite:///{tmp_path / 'chat.db'}", port)
    wait = WebDriverWait(browser, 15)
    try:
        browser.get(f"http://127.0.0.1:{port}/agent?agent=ana&name=Ana")
        agent_tab = browser.current_window_handle
        wait.until(seen.text_to_be_present_in_element((By.ID, "status"), "online"))
        browser.switch_to.new_window("tab")
        browser.get(f"http://127.0.0.1:{port}/user?conversation=c1")
        user_tab = browser.current_window_handle
        wait.until(seen.presence_of_element_located((By.CSS_SELECTOR, "#log .prompt")))
        browser.find_element(By.ID, "ask").click()
        wait.until(seen.text_to_be_present_in_element((By.ID, "log"), "Connecting"))

        browser.switch_to.window(agent_tab)
        accept = wait.until(seen.element_to_be_clickable((By.CSS_SELECTOR, "#offer-c1 .accept")))
        accept.click()
        box = wait.until(seen.presence_of_element_located((By.CSS_SELECTOR, "#chat-c1 .text")))

        browser.switch_to.window(user_tab)
        wait.until(seen.text_to_be_present_in_element((By.ID, "log"), "Connected to ana"))
        browser.find_element(By.ID, "text").send_keys("Where is my parcel?")
        browser.find_element(By.ID, "send").click()

        browser.switch_to.window(agent_tab)
        wait.until(seen.text_to_be_present_in_element((By.ID, "chat-c1"), "Where is my parcel?"))
        box.send_keys("It is on its way.")
        browser.find_element(By.CSS_SELECTOR, "#chat-c1 .send").click()

        browser.switch_to.window(user_tab)
        wait.until(seen.text_to_be_present_in_element((By.ID, "log"), "Agent: It is on its way."))
    finally:
        server.terminate()
        server.wait()
