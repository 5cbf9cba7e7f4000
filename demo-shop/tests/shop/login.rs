//! Logging in and out through the form, with its CSRF double submit.

use axum::http::StatusCode;
use demo_shop::ShopConfig;

use crate::browser::{Browser, PASSWORD};

#[tokio::test]
async fn login_form_sets_the_csrf_cookie_and_has_the_expected_fields() {
    let mut browser = Browser::new(ShopConfig::default());
    let form = browser.get("/login?next=/cart").await;
    assert_eq!(form.status, StatusCode::OK);
    let csrf_cookie = form
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("shop_csrf="))
        .expect("csrf cookie");
    assert!(csrf_cookie.contains("HttpOnly"));
    assert!(csrf_cookie.contains("SameSite=Lax"));
    assert_eq!(browser.cookie("shop_csrf"), Some(form.csrf().as_str()));
    for needle in [
        "<title>Gate Demo Shop — Log in</title>",
        r#"<label for="username">Username</label>"#,
        r#"<input id="username" name="username""#,
        r#"<label for="password">Password</label>"#,
        r#"<input id="password" name="password" type="password""#,
        r#"<button class="button" id="login-button" type="submit">Log in</button>"#,
        r#"<input type="hidden" name="next" value="/cart">"#,
    ] {
        assert!(
            form.body.contains(needle),
            "missing {needle}\n{}",
            form.body
        );
    }

    // A second visit reuses the token, so two open tabs both work.
    let again = browser.get("/login").await;
    assert_eq!(again.csrf(), form.csrf());
    assert!(again.set_cookies().is_empty());
}

#[tokio::test]
async fn login_happy_path() {
    let mut browser = Browser::new(ShopConfig::default());
    let reply = browser.log_in().await;
    assert_eq!(reply.location(), "/account");
    let session_cookie = reply
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("shop_session="))
        .expect("session cookie");
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(session_cookie.contains(attribute), "{session_cookie}");
    }

    let account = browser.get("/account").await;
    assert_eq!(account.status, StatusCode::OK);
    assert!(account.body.contains("<h1>Welcome, demo</h1>"));
    assert!(account.body.contains(r#"<span id="user">demo</span>"#));
    assert!(account.body.contains("Log out"));
    assert!(!account.body.contains(r#"id="login-link""#));

    let me = browser.get("/api/me").await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.json(), serde_json::json!({ "username": "demo" }));
}

#[tokio::test]
async fn login_returns_to_next_only_on_this_site() {
    for (next, expected) in [
        ("/cart", "/cart"),
        ("/orders/1001", "/orders/1001"),
        ("//evil.example/", "/account"),
        ("https://evil.example/", "/account"),
        ("/\\evil.example", "/account"),
    ] {
        let mut browser = Browser::new(ShopConfig::default());
        let csrf = browser.get("/login").await.csrf();
        let reply = browser
            .post_form(
                "/login",
                &[
                    ("csrf", &csrf),
                    ("username", "demo"),
                    ("password", PASSWORD),
                    ("next", next),
                ],
            )
            .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER);
        assert_eq!(reply.location(), expected, "next={next}");
    }
}

#[tokio::test]
async fn csrf_mismatch_is_403() {
    let mut browser = Browser::new(ShopConfig::default());
    browser.get("/login").await;
    let reply = browser
        .post_form(
            "/login",
            &[
                ("csrf", "00000000000000000000000000000000"),
                ("username", "demo"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert!(
        reply.body.contains(
            r#"<p class="error" role="alert">Your session expired, please try again</p>"#
        )
    );
    assert!(browser.cookie("shop_session").is_none());
    // The form is shown again, ready for a retry with a token that does match.
    let retry = reply.csrf();
    assert_eq!(Some(retry.as_str()), browser.cookie("shop_csrf"));
}

#[tokio::test]
async fn missing_csrf_cookie_is_403() {
    let mut browser = Browser::new(ShopConfig::default());
    let csrf = browser.get("/login").await.csrf();
    let mut other = browser.another();
    let reply = other
        .post_form(
            "/login",
            &[
                ("csrf", &csrf),
                ("username", "demo"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert!(other.cookie("shop_session").is_none());
}

#[tokio::test]
async fn wrong_password_is_401_and_keeps_the_username() {
    let mut browser = Browser::new(ShopConfig::default());
    let csrf = browser.get("/login").await.csrf();
    let reply = browser
        .post_form(
            "/login",
            &[
                ("csrf", &csrf),
                ("username", "demo"),
                ("password", "hunter2"),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert!(
        reply
            .body
            .contains(r#"<p class="error" role="alert">Invalid username or password</p>"#)
    );
    assert!(reply.body.contains(r#"value="demo""#));
    assert!(browser.cookie("shop_session").is_none());
    assert_eq!(
        browser.get("/api/me").await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn configured_password_is_the_one_that_works() {
    let config = ShopConfig {
        password: "s3cret".to_owned(),
        ..ShopConfig::default()
    };
    let mut browser = Browser::new(config);
    let csrf = browser.get("/login").await.csrf();
    let default_password = browser
        .post_form(
            "/login",
            &[
                ("csrf", &csrf),
                ("username", "demo"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(default_password.status, StatusCode::UNAUTHORIZED);
    let configured = browser
        .post_form(
            "/login",
            &[
                ("csrf", &csrf),
                ("username", "demo"),
                ("password", "s3cret"),
            ],
        )
        .await;
    assert_eq!(configured.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn logout_ends_the_session_and_expires_the_cookie() {
    let mut browser = Browser::new(ShopConfig::default());
    browser.log_in().await;
    let token = browser.cookie("shop_session").expect("session").to_owned();
    let reply = browser.post("/logout", None, "").await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(reply.location(), "/");
    assert!(browser.cookie("shop_session").is_none());

    // The old token is dead on the server too, not just forgotten by the browser.
    browser.set_cookie("shop_session", &token);
    assert_eq!(
        browser.get("/api/me").await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn pages_that_need_a_login_redirect_to_it() {
    let mut browser = Browser::new(ShopConfig::default());
    for path in ["/account", "/cart", "/checkout", "/orders/1001"] {
        let reply = browser.get(path).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{path}");
        assert_eq!(reply.location(), format!("/login?next={path}"));
    }
}
