//! `fail_rate`: a share of orders fails with a 500 at random (a slightly broken version for a
//! canary to catch), and every answer names the version that gave it.

use axum::http::StatusCode;
use demo_shop::ShopConfig;
use serde_json::json;

use crate::browser::signed_in;

/// Places `n` orders (one item each); how many failed with a 500.
async fn failed_orders(fail_rate: f64, n: usize) -> usize {
    let config = ShopConfig {
        fail_rate,
        ..ShopConfig::default()
    };
    let mut browser = signed_in(config).await;
    let mut failed = 0;
    for _ in 0..n {
        browser.add_to_cart(1, 1).await;
        let reply = browser
            .post_json(
                "/api/orders",
                json!({ "name": "Ada", "address": "12 Row", "city": "Paris", "country": "FR", "card": "4242424242424242" }),
            )
            .await;
        match reply.status {
            StatusCode::CREATED => {}
            StatusCode::INTERNAL_SERVER_ERROR => {
                failed += 1;
                // The cart survives a failed order: empty it for the next one.
                browser.delete("/api/cart").await;
            }
            other => panic!("unexpected {other}: {}", reply.body),
        }
    }
    failed
}

// Paused time: the cart's deliberate delay on adding an item passes at once.
#[tokio::test(start_paused = true)]
async fn a_share_of_orders_fails_at_random() {
    assert_eq!(failed_orders(0.0, 50).await, 0, "none by default");
    assert_eq!(failed_orders(1.0, 20).await, 20, "all at 100%");
    // 400 orders at 25%: 100 expected, standard deviation about 8.7; 5 sigma either side.
    let failed = failed_orders(0.25, 400).await;
    assert!((57..=143).contains(&failed), "{failed} of 400 failed");
}

#[tokio::test]
async fn every_answer_names_its_version() {
    let config = ShopConfig {
        version: "v2".to_owned(),
        ..ShopConfig::default()
    };
    let mut browser = crate::browser::Browser::new(config);
    for path in ["/", "/api/products", "/api/nope"] {
        let reply = browser.get(path).await;
        assert_eq!(
            reply
                .headers
                .get("x-shop-version")
                .and_then(|v| v.to_str().ok()),
            Some("v2"),
            "{path}"
        );
    }
}
