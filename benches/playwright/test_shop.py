"""The bundled login, checkout and API scenarios (scenarios/examples/*.toml) written for
Playwright Test (pytest-playwright), step for step, for the side-by-side benchmark.

Each test gets a fresh browser context, as Playwright does by default. Copies: BENCH_COPIES.
Differences from gate's run that remain are listed in benches/README.md.
"""

import os
import re

import pytest
from playwright.sync_api import Browser, BrowserContext, expect

PASSWORD = os.environ["SHOP_PASSWORD"]
COPIES = int(os.environ.get("BENCH_COPIES", "1"))
CHROMIUM = os.environ.get("BENCH_CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # The omnibox popup web UI gate turns off (runner/src/browser.rs), so both sides drive the
    # same browser. Chromium keeps only the last --disable-features, so the list repeats the
    # features Playwright 1.65 disables itself (chromiumSwitches.ts).
    "--disable-features=" + ",".join([
        "AvoidUnnecessaryBeforeUnloadCheckSync", "DestroyProfileOnBrowserClose", "HttpsUpgrades",
        "HttpsFirstBalancedModeAutoEnable", "LensOverlay", "MediaRouter", "PaintHolding",
        "ThirdPartyStoragePartitioning", "AvoidCorsURLLoaderRestartOnRedirect", "TcpPortRandomizationWin",
        "OptimizationHints", "NetworkTimeServiceQuerying", "AimEnabled", "PreconnectToSearch",
        "WebUIOmniboxPopup", "WebUIOmniboxAimPopup",
    ]),
]
# gate's default step timeout.
expect.set_options(timeout=5_000)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": FLAGS}


def log_in(page):
    page.goto("/login")
    page.get_by_label("Username").fill("demo")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/account$"))
    expect(page.locator("h1")).to_contain_text("Welcome, demo")


@pytest.fixture(scope="session")
def signed_in_state(browser: Browser, base_url):
    """Playwright's "authenticate once per worker": gate's `session = "login"`."""
    context = browser.new_context(base_url=base_url)
    page = context.new_page()
    log_in(page)
    state = context.storage_state()
    context.close()
    return state


@pytest.mark.parametrize("copy", range(COPIES))
def test_login(page, copy):
    log_in(page)


@pytest.mark.parametrize("copy", range(COPIES))
def test_checkout(browser: Browser, base_url, signed_in_state, tmp_path, copy):
    context: BrowserContext = browser.new_context(base_url=base_url, storage_state=signed_in_state)
    page = context.new_page()
    try:
        assert context.request.delete("/api/cart").status == 204
        page.goto("/products", timeout=2_000)
        page.get_by_text("Blue Mug", exact=True).click()
        expect(page.get_by_role("heading", name="Blue Mug")).to_be_visible()
        page.get_by_label("Quantity").fill("2")
        page.locator("#add-to-cart").click()
        expect(page.get_by_test_id("cart-count")).to_contain_text("2")
        cart = context.request.get("/api/cart")
        assert cart.status == 200
        body = cart.json()
        assert body["items"][0]["name"] == "Blue Mug" and body["total_quantity"] == 2
        page.goto("/cart")
        expect(page.locator(".cart-item .name").first).to_contain_text("Blue Mug")
        page.get_by_role("link", name="Checkout").click()
        page.get_by_label("Full name").fill("Dana Demo")
        page.get_by_label("Address").fill("1 Main Street")
        page.get_by_label("City").fill("Berlin")
        page.get_by_label("Country").select_option(label="Germany")
        page.get_by_label("Card number").fill("4242 4242 4242 4242")
        page.get_by_label("I accept the terms").check()
        page.get_by_role("button", name="Place order").click()
        expect(page.locator("h1")).to_contain_text("Thank you for your order")
        expect(page.locator("#order-total")).to_contain_text("Total: $24.00")
        page.screenshot(path=str(tmp_path / "confirmation.png"), full_page=True)
    finally:
        context.close()


@pytest.mark.parametrize("copy", range(COPIES))
def test_api(page, copy):
    request = page.context.request
    health = request.get("/api/health")
    assert health.status == 200 and health.json()["status"] == "ok"
    assert request.get("/api/cart").status == 401
    page.goto("/login")
    csrf = page.locator("input[name=csrf]").get_attribute("value")
    login = request.post("/login", form={"username": "demo", "password": PASSWORD, "csrf": csrf})
    assert login.status == 200 and "Welcome, demo" in login.text()
    me = request.get("/api/me")
    assert me.status == 200 and me.json()["username"] == "demo"
    assert request.delete("/api/cart").status == 204
    item = request.post("/api/cart/items", data={"product_id": 3, "quantity": 1})
    assert item.status == 201
    assert item.json()["items"][0]["name"] == "Green Teapot" and item.json()["total"] == 28.5
    order = request.post(
        "/api/orders",
        data={"name": "Dana Demo", "address": "1 Main Street", "city": "Berlin", "country": "DE", "card": "4242424242424242"},
    )
    assert order.status == 201 and order.json()["status"] == "confirmed"
    order_id = order.json()["id"]
    fetched = request.get(f"/api/orders/{order_id}")
    assert fetched.status == 200 and fetched.json()["id"] == order_id and fetched.json()["total"] == 28.5
    page.goto("/account")
    expect(page.locator("h1")).to_contain_text("Welcome, demo")
