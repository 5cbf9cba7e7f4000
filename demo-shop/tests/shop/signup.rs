//! Signing up through the form and the API: the account is created and signed in, an address
//! can only be used once, and a customer can log in again later.

use axum::http::StatusCode;
use demo_shop::ShopConfig;
use serde_json::json;

use crate::browser::Browser;

const EMAIL: &str = "buyer-1@example.com";
const PASSWORD: &str = "correct-horse-42";

/// Submits the sign-up form as a person would: load it (CSRF cookie and field), then post.
async fn sign_up(browser: &mut Browser, email: &str, password: &str) -> crate::browser::Reply {
    let csrf = browser.get("/signup").await.csrf();
    browser
        .post_form(
            "/signup",
            &[("csrf", &csrf), ("email", email), ("password", password)],
        )
        .await
}

#[tokio::test]
async fn sign_up_form_has_the_expected_fields() {
    let mut browser = Browser::new(ShopConfig::default());
    let form = browser.get("/signup").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(browser.cookie("shop_csrf").is_some());
    for needle in [
        "<title>Gate Demo Shop — Sign up</title>",
        r#"<form id="signup-form" method="post" action="/signup">"#,
        r#"<label for="email">Email</label>"#,
        r#"<input id="email" name="email" type="email""#,
        r#"<label for="new-password">Password</label>"#,
        r#"<input id="new-password" name="password" type="password""#,
        r#"<button class="button" id="signup-button" type="submit">Sign up</button>"#,
    ] {
        assert!(
            form.body.contains(needle),
            "missing {needle}\n{}",
            form.body
        );
    }
    let login = browser.get("/login").await;
    assert!(
        login
            .body
            .contains(r#"<a id="signup-link" href="/signup">Create an account</a>"#),
        "{}",
        login.body
    );
}

#[tokio::test]
async fn signing_up_creates_the_account_and_logs_in() {
    let mut browser = Browser::new(ShopConfig::default());
    let reply = sign_up(&mut browser, "Buyer-1@Example.com", PASSWORD).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    assert_eq!(reply.location(), "/account");
    assert!(browser.cookie("shop_session").is_some());

    let account = browser.get("/account").await;
    assert_eq!(account.status, StatusCode::OK);
    assert!(
        account.body.contains(&format!("<h1>Welcome, {EMAIL}</h1>")),
        "{}",
        account.body
    );
    assert!(
        account
            .body
            .contains(r#"Customer number <span data-testid="customer-number">1</span>"#),
        "{}",
        account.body
    );
    let me = browser.get("/api/me").await;
    assert_eq!(
        me.json(),
        json!({ "username": EMAIL, "customer_number": 1 })
    );
}

#[tokio::test]
async fn a_second_sign_up_with_the_same_address_stays_on_the_form() {
    let mut first = Browser::new(ShopConfig::default());
    assert_eq!(
        sign_up(&mut first, EMAIL, PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );

    let mut second = first.another();
    let reply = sign_up(&mut second, "BUYER-1@example.com", "another-password").await;
    assert_eq!(reply.status, StatusCode::CONFLICT);
    assert!(
        reply.body.contains(
            r#"<p class="error" role="alert">A user with that email address already exists</p>"#
        ),
        "{}",
        reply.body
    );
    // The form again, with the address kept and the password not sent back.
    assert!(reply.body.contains(r#"<form id="signup-form""#));
    assert!(reply.body.contains(r#"value="BUYER-1@example.com""#));
    assert!(!reply.body.contains("another-password"));
    assert!(second.cookie("shop_session").is_none());

    // The original account is untouched: its password still works, the other one does not.
    let mut later = first.another();
    let csrf = later.get("/login").await.csrf();
    let wrong = later
        .post_form(
            "/login",
            &[
                ("csrf", &csrf),
                ("username", EMAIL),
                ("password", "another-password"),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn invalid_input_is_refused_with_every_problem() {
    let mut browser = Browser::new(ShopConfig::default());
    let reply = sign_up(&mut browser, "not-an-address", "short").await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    for message in [
        "Please enter a valid email address",
        "Please choose a password of at least 8 characters",
    ] {
        assert!(
            reply
                .body
                .contains(&format!(r#"<p class="error" role="alert">{message}</p>"#)),
            "{message}\n{}",
            reply.body
        );
    }
    assert!(browser.cookie("shop_session").is_none());
}

#[tokio::test]
async fn sign_up_checks_the_csrf_token() {
    let mut browser = Browser::new(ShopConfig::default());
    browser.get("/signup").await;
    let reply = browser
        .post_form(
            "/signup",
            &[
                ("csrf", "00000000000000000000000000000000"),
                ("email", EMAIL),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert!(browser.cookie("shop_session").is_none());
    // Nothing was created: the address is still free.
    assert_eq!(
        sign_up(&mut browser, EMAIL, PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn a_customer_logs_in_again_with_their_address() {
    let mut browser = Browser::new(ShopConfig::default());
    sign_up(&mut browser, EMAIL, PASSWORD).await;
    browser.post("/logout", None, "").await;
    assert_eq!(
        browser.get("/api/me").await.status,
        StatusCode::UNAUTHORIZED
    );

    let csrf = browser.get("/login").await.csrf();
    let reply = browser
        .post_form(
            "/login",
            &[
                ("csrf", &csrf),
                ("username", "Buyer-1@example.com"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    assert_eq!(browser.get("/api/me").await.json()["username"], EMAIL);
}

#[tokio::test]
async fn signing_up_through_the_api() {
    let mut browser = Browser::new(ShopConfig::default());
    let body = json!({ "email": EMAIL, "password": PASSWORD });
    let created = browser.post_json("/api/accounts", body.clone()).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(
        created.json(),
        json!({ "email": EMAIL, "customer_number": 1 })
    );
    // Signed in: the cart is the new customer's.
    assert_eq!(browser.get("/api/me").await.json()["username"], EMAIL);
    assert_eq!(browser.get("/api/cart").await.status, StatusCode::OK);

    let mut other = browser.another();
    let taken = other.post_json("/api/accounts", body).await;
    assert_eq!(taken.status, StatusCode::CONFLICT);
    assert_eq!(
        taken.json(),
        json!({ "error": "a user with that email address already exists" })
    );
    assert!(other.cookie("shop_session").is_none());

    let invalid = other
        .post_json(
            "/api/accounts",
            json!({ "email": "nobody", "password": "" }),
        )
        .await;
    assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<_> = invalid.json()["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .map(|p| p["field"].clone())
        .collect();
    assert_eq!(fields, [json!("email"), json!("password")]);

    let form = other
        .post(
            "/api/accounts",
            Some("application/x-www-form-urlencoded"),
            "email=a",
        )
        .await;
    assert_eq!(form.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
}
