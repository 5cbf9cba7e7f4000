//! `POST /api/admin/logout-all`, which tests use to simulate an expired login.

use axum::http::StatusCode;
use demo_shop::ShopConfig;

use crate::browser::signed_in;

#[tokio::test]
async fn logout_all_invalidates_every_session() {
    let mut first = signed_in(ShopConfig::default()).await;
    let mut second = first.another();
    second.log_in().await;
    first.add_to_cart(1, 1).await;

    let reply = first.post("/api/admin/logout-all", None, "").await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);

    for browser in [&mut first, &mut second] {
        assert_eq!(
            browser.get("/api/me").await.status,
            StatusCode::UNAUTHORIZED
        );
        let cart = browser.get("/api/cart").await;
        assert_eq!(cart.status, StatusCode::UNAUTHORIZED);
        assert_eq!(cart.json()["error"], "not logged in");
        let account = browser.get("/account").await;
        assert_eq!(account.location(), "/login?next=/account");
        let products = browser.get("/products").await;
        assert!(
            products
                .body
                .contains(r#"data-testid="cart-count">0</span>"#)
        );
        assert!(products.body.contains(r#"id="login-link""#));
    }
}

#[tokio::test]
async fn logging_in_again_keeps_the_cart() {
    let mut browser = signed_in(ShopConfig::default()).await;
    let cart = browser.add_to_cart(2, 1).await;
    browser.log_in().await;
    let again = browser.get("/api/cart").await.json();
    assert_eq!(again["id"], cart["id"]);
    assert_eq!(again["total_quantity"], 1);
}
