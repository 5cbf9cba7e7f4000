//! The cart API and the pages that show the cart's size.

use axum::http::StatusCode;
use demo_shop::ShopConfig;
use serde_json::json;

use crate::browser::{Browser, signed_in};

#[tokio::test]
async fn adding_through_the_api_updates_the_cart_totals() {
    let mut browser = signed_in(ShopConfig::default()).await;
    browser.add_to_cart(1, 2).await;
    browser.add_to_cart(3, 1).await;
    let added = browser.add_to_cart(1, 1).await;

    let cart = browser.get("/api/cart").await;
    assert_eq!(cart.status, StatusCode::OK);
    let cart = cart.json();
    assert_eq!(cart, added);
    let id = cart["id"].as_str().expect("id");
    assert!(id.starts_with("cart-"), "{id}");
    assert_eq!(
        cart["items"],
        json!([
            { "product_id": 1, "name": "Blue Mug", "quantity": 3, "unit_price": 12.0, "line_total": 36.0 },
            { "product_id": 3, "name": "Green Teapot", "quantity": 1, "unit_price": 28.5, "line_total": 28.5 },
        ])
    );
    assert_eq!(cart["total_quantity"], 4);
    assert_eq!(cart["total"], 64.5);

    // The id is stable for the session.
    assert_eq!(browser.get("/api/cart").await.json()["id"], id);
    // Every page's header shows the count.
    let page = browser.get("/products").await;
    assert!(
        page.body
            .contains(r#"<span class="badge" id="cart-count" data-testid="cart-count">4</span>"#)
    );
}

#[tokio::test]
async fn each_session_has_its_own_cart() {
    let mut first = signed_in(ShopConfig::default()).await;
    let mut second = first.another();
    second.log_in().await;
    first.add_to_cart(1, 2).await;
    let cart = second.get("/api/cart").await.json();
    assert_eq!(cart["total_quantity"], 0);
    assert_ne!(cart["id"], first.get("/api/cart").await.json()["id"]);
}

#[tokio::test]
async fn removing_and_clearing() {
    let mut browser = signed_in(ShopConfig::default()).await;
    browser.add_to_cart(1, 2).await;
    browser.add_to_cart(4, 3).await;

    let reply = browser.delete("/api/cart/items/1").await;
    assert_eq!(reply.status, StatusCode::OK);
    let cart = reply.json();
    assert_eq!(cart["total_quantity"], 3);
    assert_eq!(cart["total"], 9.75);

    // Removing what is not there is fine.
    assert_eq!(
        browser.delete("/api/cart/items/2").await.status,
        StatusCode::OK
    );
    assert_eq!(
        browser.delete("/api/cart/items/mug").await.status,
        StatusCode::NOT_FOUND
    );

    assert_eq!(
        browser.delete("/api/cart").await.status,
        StatusCode::NO_CONTENT
    );
    let cart = browser.get("/api/cart").await.json();
    assert_eq!(cart["items"], json!([]));
    assert_eq!(cart["total"], 0.0);
}

#[tokio::test]
async fn cart_api_refuses_bad_requests() {
    let mut browser = signed_in(ShopConfig::default()).await;
    for (body, expected) in [
        (
            json!({ "product_id": 1, "quantity": 0 }),
            "quantity must be between 1 and 99",
        ),
        (
            json!({ "product_id": 1, "quantity": 100 }),
            "quantity must be between 1 and 99",
        ),
        (
            json!({ "product_id": 1, "quantity": -1 }),
            "quantity must be between 1 and 99",
        ),
        (
            json!({ "product_id": 99, "quantity": 1 }),
            "unknown product 99",
        ),
    ] {
        let reply = browser.post_json("/api/cart/items", body.clone()).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(reply.json()["error"], expected, "{body}");
    }

    let wrong_shape = browser
        .post_json("/api/cart/items", json!({ "product_id": "mug" }))
        .await;
    assert_eq!(wrong_shape.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong_shape.json()["error"].is_string());

    let not_json = browser
        .post("/api/cart/items", Some("application/json"), "{")
        .await;
    assert_eq!(not_json.status, StatusCode::BAD_REQUEST);

    // A cross-site form can only send form or text bodies; they are refused.
    let form = browser
        .post(
            "/api/cart/items",
            Some("application/x-www-form-urlencoded"),
            "product_id=1&quantity=1",
        )
        .await;
    assert_eq!(form.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(form.json()["error"].is_string());

    browser.add_to_cart(1, 98).await;
    let over = browser
        .post_json("/api/cart/items", json!({ "product_id": 1, "quantity": 2 }))
        .await;
    assert_eq!(over.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(browser.get("/api/cart").await.json()["total_quantity"], 98);
}

#[tokio::test]
async fn cart_api_needs_a_session() {
    let mut browser = Browser::new(ShopConfig::default());
    let add = browser
        .post_json("/api/cart/items", json!({ "product_id": 1, "quantity": 1 }))
        .await;
    assert_eq!(add.status, StatusCode::UNAUTHORIZED);
    assert_eq!(add.json(), json!({ "error": "not logged in" }));
    for path in ["/api/cart", "/api/orders", "/api/me", "/api/orders/1001"] {
        assert_eq!(
            browser.get(path).await.status,
            StatusCode::UNAUTHORIZED,
            "{path}"
        );
    }
    assert_eq!(
        browser.delete("/api/cart").await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test(start_paused = true)]
async fn adding_takes_a_moment() {
    let mut browser = signed_in(ShopConfig::default()).await;
    let started = tokio::time::Instant::now();
    browser.add_to_cart(1, 1).await;
    assert!(started.elapsed() >= std::time::Duration::from_millis(150));
}

#[tokio::test]
async fn cart_page_is_a_frame_for_the_script() {
    let mut browser = signed_in(ShopConfig::default()).await;
    let page = browser.get("/cart").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("<title>Gate Demo Shop — Cart</title>"));
    assert!(page.body.contains("<h1>Your cart</h1>"));
    assert!(page.body.contains(r#"<div id="cart" aria-live="polite">"#));
    assert!(page.body.contains("fetch('/api/cart')"));
}

#[tokio::test]
async fn checkout_with_an_empty_cart_goes_back_to_the_cart() {
    let mut browser = signed_in(ShopConfig::default()).await;
    let reply = browser.get("/checkout").await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(reply.location(), "/cart");
}
