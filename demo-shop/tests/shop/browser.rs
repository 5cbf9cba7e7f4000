//! A minimal browser for tests: sends requests to the app, keeps the cookies it is given and
//! sends them back, and knows how to log in through the real form.

use std::collections::BTreeMap;

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::http::header::{CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};
use axum::http::{HeaderMap, Method, Request, StatusCode};
use demo_shop::{ShopConfig, app};
use serde_json::Value;
use tower::ServiceExt;

pub const PASSWORD: &str = "correct-horse-battery";

pub struct Browser {
    app: Router,
    cookies: BTreeMap<String, String>,
}

#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn location(&self) -> &str {
        self.headers
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    pub fn set_cookies(&self) -> Vec<&str> {
        self.headers
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect()
    }

    /// The value of the hidden `csrf` field in the page.
    pub fn csrf(&self) -> String {
        let marker = "name=\"csrf\" value=\"";
        let start = self.body.find(marker).expect("page has a csrf field") + marker.len();
        let end = self.body[start..].find('"').expect("csrf value ends");
        self.body[start..start + end].to_owned()
    }
}

impl Browser {
    pub fn new(config: ShopConfig) -> Self {
        Self::on(app(config))
    }

    /// A browser with no cookies, talking to an existing shop.
    pub fn on(app: Router) -> Self {
        Self {
            app,
            cookies: BTreeMap::new(),
        }
    }

    /// Another browser on the same shop (same state, separate cookies).
    pub fn another(&self) -> Self {
        Self::on(self.app.clone())
    }

    pub fn cookie(&self, name: &str) -> Option<&str> {
        self.cookies.get(name).map(String::as_str)
    }

    pub fn set_cookie(&mut self, name: &str, value: &str) {
        self.cookies.insert(name.to_owned(), value.to_owned());
    }

    pub async fn get(&mut self, path: &str) -> Reply {
        self.send(Method::GET, path, None, Body::empty()).await
    }

    pub async fn delete(&mut self, path: &str) -> Reply {
        self.send(Method::DELETE, path, None, Body::empty()).await
    }

    pub async fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> Reply {
        let body = fields
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        self.send(
            Method::POST,
            path,
            Some("application/x-www-form-urlencoded"),
            Body::from(body),
        )
        .await
    }

    pub async fn post_json(&mut self, path: &str, json: Value) -> Reply {
        self.send(
            Method::POST,
            path,
            Some("application/json"),
            Body::from(json.to_string()),
        )
        .await
    }

    pub async fn post(&mut self, path: &str, content_type: Option<&str>, body: &str) -> Reply {
        self.send(
            Method::POST,
            path,
            content_type,
            Body::from(body.to_owned()),
        )
        .await
    }

    pub async fn send(
        &mut self,
        method: Method,
        path: &str,
        content_type: Option<&str>,
        body: Body,
    ) -> Reply {
        let mut request = Request::builder().method(method).uri(path);
        if let Some(content_type) = content_type {
            request = request.header(CONTENT_TYPE, content_type);
        }
        if !self.cookies.is_empty() {
            let cookie = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; ");
            request = request.header(COOKIE, cookie);
        }
        let request = request.body(body).expect("valid request");
        let response = self.app.clone().oneshot(request).await.expect("infallible");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("body");
        let reply = Reply {
            status,
            headers,
            body: String::from_utf8(bytes.to_vec()).expect("utf-8 body"),
        };
        for set_cookie in reply.set_cookies() {
            let pair = set_cookie.split(';').next().unwrap_or("");
            let (name, value) = pair.split_once('=').expect("name=value");
            if set_cookie.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
        reply
    }

    /// Logs in as `demo` through the form, as a person would.
    pub async fn log_in(&mut self) -> Reply {
        let form = self.get("/login").await;
        assert_eq!(form.status, StatusCode::OK);
        let csrf = form.csrf();
        let reply = self
            .post_form(
                "/login",
                &[
                    ("csrf", &csrf),
                    ("username", "demo"),
                    ("password", PASSWORD),
                ],
            )
            .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
        reply
    }

    /// Adds `quantity` of a product through the API, expecting success.
    pub async fn add_to_cart(&mut self, product_id: u32, quantity: u32) -> Value {
        let reply = self
            .post_json(
                "/api/cart/items",
                serde_json::json!({ "product_id": product_id, "quantity": quantity }),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        reply.json()
    }
}

/// A signed-in browser on a shop with the given configuration.
pub async fn signed_in(config: ShopConfig) -> Browser {
    let mut browser = Browser::new(config);
    browser.log_in().await;
    browser
}

/// `application/x-www-form-urlencoded` encoding of one key or value.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'*' => {
                char::from(b).to_string()
            }
            b' ' => "+".to_owned(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
