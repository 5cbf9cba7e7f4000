//! The checkout form: validation, placing the order, the order page, and escaping of what the
//! shopper typed.

use axum::http::StatusCode;
use demo_shop::ShopConfig;

use crate::browser::{Browser, Reply, signed_in};

const GOOD_CARD: &str = "4242 4242 4242 4242";

/// A signed-in browser with two Blue Mugs in its cart, on the checkout page.
async fn at_checkout(config: ShopConfig) -> (Browser, Reply) {
    let mut browser = signed_in(config).await;
    browser.add_to_cart(1, 2).await;
    let form = browser.get("/checkout").await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    (browser, form)
}

async fn submit(browser: &mut Browser, csrf: &str, name: &str, card: &str, terms: bool) -> Reply {
    let mut fields = vec![
        ("csrf", csrf),
        ("name", name),
        ("address", "12 Analytical Row"),
        ("city", "Amsterdam"),
        ("country", "NL"),
        ("card", card),
    ];
    if terms {
        fields.push(("terms", "yes"));
    }
    browser.post_form("/checkout", &fields).await
}

#[tokio::test]
async fn checkout_form_has_the_expected_fields() {
    let (_, form) = at_checkout(ShopConfig::default()).await;
    for needle in [
        "<title>Gate Demo Shop — Checkout</title>",
        r#"<form id="checkout-form" method="post" action="/checkout" novalidate>"#,
        r#"<input type="hidden" name="csrf" value=""#,
        r#"<label for="name">Full name</label>"#,
        r#"<label for="address">Address</label>"#,
        r#"<label for="city">City</label>"#,
        r#"<label for="country">Country</label>"#,
        r#"<select id="country" name="country""#,
        r#"<option value="US" selected>United States</option>"#,
        r#"<option value="DE">Germany</option>"#,
        r#"<option value="FR">France</option>"#,
        r#"<option value="NL">Netherlands</option>"#,
        r#"<label for="card">Card number</label>"#,
        r#"<input id="terms" name="terms" type="checkbox" value="yes">"#,
        r#"<label for="terms">I accept the terms</label>"#,
        r#"<button class="button" id="place-order" type="submit">Place order</button>"#,
        r#"<p class="total" id="checkout-total">Total: $24.00</p>"#,
    ] {
        assert!(
            form.body.contains(needle),
            "missing {needle}\n{}",
            form.body
        );
    }
}

#[tokio::test]
async fn bad_card_is_422_with_entries_kept_but_not_the_card() {
    let (mut browser, form) = at_checkout(ShopConfig::default()).await;
    let bad_card = "4242 4242 4242 4241";
    let reply = submit(&mut browser, &form.csrf(), "Ada Lovelace", bad_card, true).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reply.body.contains(
        r#"<p class="error" role="alert" data-field="card">Card number is not valid</p>"#
    ));
    assert!(reply.body.contains(r#"value="Ada Lovelace""#));
    assert!(
        reply
            .body
            .contains(r#"<option value="NL" selected>Netherlands</option>"#)
    );
    assert!(reply.body.contains(r#"checked"#));
    assert!(!reply.body.contains(bad_card));
    assert!(!reply.body.contains("4242424242424241"));
    // Nothing was ordered.
    assert_eq!(browser.get("/api/cart").await.json()["total_quantity"], 2);
}

#[tokio::test]
async fn every_problem_gets_its_own_alert() {
    let (mut browser, form) = at_checkout(ShopConfig::default()).await;
    let reply = browser
        .post_form("/checkout", &[("csrf", &form.csrf()), ("card", "1234")])
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    for message in [
        "Full name is required",
        "Address is required",
        "City is required",
        "Please choose a country we ship to",
        "Card number must be 16 digits",
        "You must accept the terms",
    ] {
        assert!(reply.body.contains(message), "missing {message}");
    }
    assert_eq!(reply.body.matches(r#"role="alert""#).count(), 6);
}

#[tokio::test]
async fn checkout_csrf_mismatch_is_403() {
    let (mut browser, _) = at_checkout(ShopConfig::default()).await;
    let reply = submit(
        &mut browser,
        "ffffffffffffffffffffffffffffffff",
        "Ada",
        GOOD_CARD,
        true,
    )
    .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert!(
        reply
            .body
            .contains("Your session expired, please try again")
    );
    assert!(
        browser
            .get("/api/orders")
            .await
            .json()
            .as_array()
            .expect("list")
            .is_empty()
    );
}

#[tokio::test]
async fn successful_checkout_redirects_to_the_order_page() {
    let (mut browser, form) = at_checkout(ShopConfig::default()).await;
    let reply = submit(&mut browser, &form.csrf(), "Ada Lovelace", GOOD_CARD, true).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    assert_eq!(reply.location(), "/orders/1001");

    let order = browser.get("/orders/1001").await;
    assert_eq!(order.status, StatusCode::OK);
    for needle in [
        "<title>Gate Demo Shop — Order #1001</title>",
        "<h1>Thank you for your order</h1>",
        r#"<p class="order-id" id="order-id">Order #1001</p>"#,
        r#"<p class="total" id="order-total">Total: $24.00</p>"#,
        r#"<tr class="order-item"><td class="name">Blue Mug</td><td class="qty">2</td><td class="line-total">$24.00</td></tr>"#,
        "Ada Lovelace",
        "Amsterdam",
        "Netherlands",
        "ending in 4242",
        r#"data-testid="cart-count">0</span>"#,
    ] {
        assert!(
            order.body.contains(needle),
            "missing {needle}\n{}",
            order.body
        );
    }

    // The cart is empty, the account lists the order, and the next order gets the next id.
    assert_eq!(browser.get("/api/cart").await.json()["total_quantity"], 0);
    let account = browser.get("/account").await;
    assert!(
        account
            .body
            .contains(r#"<a href="/orders/1001">Order #1001</a>"#)
    );
    browser.add_to_cart(2, 1).await;
    let csrf = browser.get("/checkout").await.csrf();
    let second = submit(&mut browser, &csrf, "Ada Lovelace", GOOD_CARD, true).await;
    assert_eq!(second.location(), "/orders/1002");

    let orders = browser.get("/api/orders").await.json();
    let ids: Vec<u64> = orders
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|o| o["id"].as_u64())
        .collect();
    assert_eq!(ids, [1002, 1001]);
}

#[tokio::test]
async fn orders_are_only_visible_to_a_signed_in_owner() {
    let (mut browser, form) = at_checkout(ShopConfig::default()).await;
    submit(&mut browser, &form.csrf(), "Ada", GOOD_CARD, true).await;
    assert_eq!(
        browser.get("/orders/1002").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        browser.get("/orders/abc").await.status,
        StatusCode::NOT_FOUND
    );
    let mut stranger = browser.another();
    assert_eq!(
        stranger.get("/orders/1001").await.status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn checkout_500_fault_fails_the_order() {
    let config = ShopConfig {
        faults: vec![demo_shop::Fault::Checkout500],
        ..ShopConfig::default()
    };
    let (mut browser, form) = at_checkout(config).await;
    let reply = submit(&mut browser, &form.csrf(), "Ada", GOOD_CARD, true).await;
    assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(reply.body.contains("<h1>Something went wrong</h1>"));
    assert!(
        reply
            .body
            .contains("<title>Gate Demo Shop — Something went wrong</title>")
    );
    // Nothing was ordered and the cart is intact.
    assert_eq!(browser.get("/api/cart").await.json()["total_quantity"], 2);
    assert_eq!(
        browser.get("/orders/1001").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn what_the_shopper_typed_is_escaped() {
    let (mut browser, form) = at_checkout(ShopConfig::default()).await;
    let name = r#"<script>alert("x")</script>"#;
    let escaped = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;";

    let rejected = submit(&mut browser, &form.csrf(), name, "1", true).await;
    assert_eq!(rejected.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(rejected.body.contains(escaped), "{}", rejected.body);
    assert!(!rejected.body.contains(name));

    let placed = submit(&mut browser, &form.csrf(), name, GOOD_CARD, true).await;
    assert_eq!(placed.status, StatusCode::SEE_OTHER);
    let order = browser.get(placed.location()).await;
    assert!(
        order
            .body
            .contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;")
    );
    assert!(!order.body.contains(name));
}
