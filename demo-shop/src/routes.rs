//! [`app`]: every route of the shop, assembled in this one place.

use axum::Router;
use axum::extract::State;
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};

use crate::api::{self, error::ApiError};
use crate::config::ShopConfig;
use crate::pages::{self, error::PageError, layout::Chrome};
use crate::request_log;
use crate::shop::{SharedShop, Shop};
use crate::visitor::Visitor;

/// The shop as a router, with fresh in-memory state.
pub fn app(config: ShopConfig) -> Router {
    let log_requests = config.log_requests;
    let version = axum::http::HeaderValue::from_str(&config.version)
        .unwrap_or(axum::http::HeaderValue::from_static("unknown"));
    let router = Router::new()
        .route("/", get(pages::home::show))
        .route("/login", get(pages::login::form).post(pages::login::submit))
        .route("/logout", post(pages::login::logout))
        .route(
            "/signup",
            get(pages::signup::form).post(pages::signup::submit),
        )
        .route("/account", get(pages::account::show))
        .route("/products", get(pages::products::list))
        .route("/products/{id}", get(pages::product::show))
        .route("/cart", get(pages::cart::show))
        .route(
            "/checkout",
            get(pages::checkout::form).post(pages::checkout::submit),
        )
        .route("/orders/{id}", get(pages::order::show))
        .route("/api/health", get(api::health::show))
        .route("/api/accounts", post(api::accounts::create))
        .route("/api/me", get(api::me::show))
        .route("/api/products", get(api::products::list))
        .route("/api/products/{id}", get(api::products::show))
        .route("/api/cart", get(api::cart::show).delete(api::cart::clear))
        .route("/api/cart/items", post(api::cart::add_item))
        .route("/api/cart/items/{id}", delete(api::cart::remove_item))
        .route(
            "/api/orders",
            get(api::orders::list).post(api::orders::create),
        )
        .route("/api/orders/{id}", get(api::orders::show))
        .route("/api/admin/logout-all", post(api::admin::logout_all))
        .fallback(not_found)
        .with_state(Shop::new(config))
        // Which version answered, whatever router is in front (canary tests count by it).
        .layer(middleware::map_response(move |mut response: Response| {
            let version = version.clone();
            async move {
                response.headers_mut().insert("x-shop-version", version);
                response
            }
        }));
    if log_requests {
        // Outermost, so the line is printed before any extractor or handler runs.
        router.layer(middleware::from_fn(request_log::print_request))
    } else {
        router
    }
}

/// Unknown routes: a JSON 404 under `/api`, a friendly page everywhere else.
async fn not_found(State(shop): State<SharedShop>, visitor: Visitor) -> Response {
    if visitor.path == "/api" || visitor.path.starts_with("/api/") {
        ApiError::NotFound("route").into_response()
    } else {
        PageError::not_found(&Chrome::new(&shop, &visitor)).into_response()
    }
}
