//! The pages' fixed structure: titles, header, footer, the catalogue, and friendly 404s.

use axum::http::StatusCode;
use demo_shop::ShopConfig;

use crate::browser::Browser;

#[tokio::test]
async fn home_page_and_frame() {
    let config = ShopConfig {
        version: "v2".to_owned(),
        ..ShopConfig::default()
    };
    let mut browser = Browser::new(config);
    let home = browser.get("/").await;
    assert_eq!(home.status, StatusCode::OK);
    for needle in [
        "<title>Gate Demo Shop — Home</title>",
        "<h1>Gate Demo Shop</h1>",
        r#"<a href="/products">Products</a>"#,
        r#"<a id="cart-link" href="/cart">Cart <span class="badge" id="cart-count" data-testid="cart-count">0</span></a>"#,
        r#"<a id="login-link" href="/login">Log in</a>"#,
        r#"<span id="version">v2</span>"#,
    ] {
        assert!(
            home.body.contains(needle),
            "missing {needle}\n{}",
            home.body
        );
    }
    assert!(!home.body.contains(r#"id="user""#));
}

#[tokio::test]
async fn products_page_lists_the_catalogue() {
    let mut browser = Browser::new(ShopConfig::default());
    let page = browser.get("/products").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body
            .contains("<title>Gate Demo Shop — Products</title>")
    );
    assert!(page.body.contains("<h1>Products</h1>"));
    assert!(
        page.body
            .contains(r#"<ul class="product-grid" id="products">"#)
    );
    for (id, name, price) in [
        (1, "Blue Mug", "$12.00"),
        (2, "Red Kettle", "$35.00"),
        (3, "Green Teapot", "$28.50"),
        (4, "Yellow Spoon", "$3.25"),
    ] {
        let item = format!(
            r#"<li class="product" data-testid="product-{id}"><a href="/products/{id}">{name}</a> <span class="price">{price}</span></li>"#
        );
        assert!(page.body.contains(&item), "missing {item}\n{}", page.body);
    }
}

#[tokio::test]
async fn product_page_has_the_buy_controls() {
    let mut browser = Browser::new(ShopConfig::default());
    let page = browser.get("/products/3").await;
    assert_eq!(page.status, StatusCode::OK);
    for needle in [
        "<title>Gate Demo Shop — Green Teapot</title>",
        "<h1>Green Teapot</h1>",
        r#"<p class="price">$28.50</p>"#,
        r#"<label for="qty">Quantity</label><input id="qty" name="qty" type="number" value="1" min="1" max="99">"#,
        r#"id="add-to-cart""#,
        r#"<p id="cart-status" role="status"></p>"#,
        r#"data-product-id="3" data-product-name="Green Teapot""#,
        "fetch('/api/cart/items'",
    ] {
        assert!(
            page.body.contains(needle),
            "missing {needle}\n{}",
            page.body
        );
    }
}

#[tokio::test]
async fn unknown_pages_are_friendly_404s() {
    let mut browser = Browser::new(ShopConfig::default());
    for path in ["/nope", "/products/99", "/products/mug", "/products/-1"] {
        let page = browser.get(path).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}");
        assert!(page.body.contains("<h1>Page not found</h1>"), "{path}");
        assert!(page.body.contains(r#"id="cart-count""#), "{path}");
    }
}

#[tokio::test]
async fn unreadable_form_is_a_400_page() {
    let mut browser = Browser::new(ShopConfig::default());
    let reply = browser.post("/login", Some("application/json"), "{}").await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(reply.body.contains("<h1>That did not work</h1>"));
}
