//! The switchable faults: a slow products page and a late add-to-cart button. (The failing
//! checkout is tested with the checkout.)

use std::time::Duration;

use axum::http::StatusCode;
use demo_shop::{Fault, ShopConfig};
use tokio::time::Instant;

use crate::browser::Browser;

fn with_fault(fault: Fault) -> ShopConfig {
    ShopConfig {
        faults: vec![fault],
        ..ShopConfig::default()
    }
}

#[tokio::test(start_paused = true)]
async fn slow_products_delays_the_products_page() {
    let config = ShopConfig {
        slow: Duration::from_secs(7),
        ..with_fault(Fault::SlowProducts)
    };
    let mut browser = Browser::new(config);

    let started = Instant::now();
    let page = browser.get("/products").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(started.elapsed() >= Duration::from_secs(7));

    // Only the products page is slow.
    let started = Instant::now();
    browser.get("/products/1").await;
    browser.get("/").await;
    assert!(started.elapsed() < Duration::from_secs(1));
}

#[tokio::test(start_paused = true)]
async fn products_page_is_fast_without_the_fault() {
    let mut browser = Browser::new(ShopConfig::default());
    let started = Instant::now();
    browser.get("/products").await;
    assert!(started.elapsed() < Duration::from_secs(1));
}

#[tokio::test]
async fn late_element_leaves_the_button_out_of_the_html() {
    let config = ShopConfig {
        late: Duration::from_millis(2500),
        ..with_fault(Fault::LateElement)
    };
    let mut browser = Browser::new(config);
    let page = browser.get("/products/1").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("<button id=\"add-to-cart\""));
    assert!(!page.body.contains("data-testid=\"add-to-cart\""));
    assert!(page.body.contains(r#"data-late-ms="2500""#));
    assert!(page.body.contains(r#"<span id="add-to-cart-slot"></span>"#));

    let mut healthy = Browser::new(ShopConfig::default());
    let page = healthy.get("/products/1").await;
    assert!(page.body.contains(
        r#"<button class="button" id="add-to-cart" type="button" data-testid="add-to-cart">Add to cart</button>"#
    ));
    assert!(!page.body.contains("data-late-ms"));
}
