//! The JSON API apart from the cart: health, products, orders, and JSON 404s.

use axum::http::StatusCode;
use demo_shop::{Fault, ShopConfig};
use serde_json::json;

use crate::browser::{Browser, signed_in};

fn order_body(card: &str) -> serde_json::Value {
    json!({
        "name": "Ada Lovelace",
        "address": "12 Analytical Row",
        "city": "Paris",
        "country": "FR",
        "card": card,
    })
}

#[tokio::test]
async fn health_reports_the_version() {
    let config = ShopConfig {
        version: "v2".to_owned(),
        ..ShopConfig::default()
    };
    let reply = Browser::new(config).get("/api/health").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.json(), json!({ "status": "ok", "version": "v2" }));
}

#[tokio::test]
async fn products() {
    let mut browser = Browser::new(ShopConfig::default());
    let list = browser.get("/api/products").await.json();
    assert_eq!(list.as_array().map(Vec::len), Some(4));
    assert_eq!(
        list[3],
        json!({ "id": 4, "name": "Yellow Spoon", "price": 3.25 })
    );
    let one = browser.get("/api/products/2").await;
    assert_eq!(
        one.json(),
        json!({ "id": 2, "name": "Red Kettle", "price": 35.0 })
    );
    let missing = browser.get("/api/products/9").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.json(), json!({ "error": "product not found" }));
}

#[tokio::test]
async fn unknown_api_routes_are_json_404s() {
    let reply = Browser::new(ShopConfig::default()).get("/api/nope").await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(reply.json(), json!({ "error": "route not found" }));
}

#[tokio::test]
async fn placing_an_order_through_the_api() {
    let mut browser = signed_in(ShopConfig::default()).await;
    let empty = browser
        .post_json("/api/orders", order_body("4242424242424242"))
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(empty.json()["error"], "cart is empty");

    browser.add_to_cart(2, 1).await;
    browser.add_to_cart(4, 2).await;
    let reply = browser
        .post_json("/api/orders", order_body("4242 4242 4242 4242"))
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    let order = reply.json();
    assert_eq!(order["id"], 1001);
    assert_eq!(order["status"], "confirmed");
    assert_eq!(order["total"], 41.5);
    assert_eq!(order["items"][1]["line_total"], 6.5);
    assert_eq!(order["shipping"]["country"], "FR");
    assert_eq!(order["card_last4"], "4242");
    assert!(!reply.body.contains("4242 4242"));

    assert_eq!(browser.get("/api/orders/1001").await.json(), order);
    assert_eq!(browser.get("/api/orders").await.json(), json!([order]));
    assert_eq!(browser.get("/api/cart").await.json()["total_quantity"], 0);
    assert_eq!(
        browser.get("/api/orders/1002").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn api_orders_validate_like_the_form() {
    let mut browser = signed_in(ShopConfig::default()).await;
    browser.add_to_cart(1, 1).await;
    let reply = browser
        .post_json(
            "/api/orders",
            json!({ "card": "4242424242424241", "country": "XX" }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    let body = reply.json();
    let fields: Vec<&str> = body["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .filter_map(|p| p["field"].as_str())
        .collect();
    assert_eq!(fields, ["name", "address", "city", "country", "card"]);
    assert!(
        body["error"]
            .as_str()
            .is_some_and(|e| e.contains("Card number is not valid"))
    );

    let not_json = browser
        .post(
            "/api/orders",
            Some("text/plain"),
            &order_body("4242424242424242").to_string(),
        )
        .await;
    assert_eq!(not_json.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

#[tokio::test]
async fn checkout_500_fault_fails_api_orders_too() {
    let config = ShopConfig {
        faults: vec![Fault::Checkout500],
        ..ShopConfig::default()
    };
    let mut browser = signed_in(config).await;
    browser.add_to_cart(1, 1).await;
    let reply = browser
        .post_json("/api/orders", order_body("4242424242424242"))
        .await;
    assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(reply.json(), json!({ "error": "internal error" }));
    assert_eq!(browser.get("/api/cart").await.json()["total_quantity"], 1);
}
