//! The JSON surface under `/api`: health, sign-up, the signed-in user, products, the cart and
//! orders, plus an admin switch for tests. Every error is a JSON body `{"error": "…"}` with a fitting
//! status, produced by [`error::ApiError`]. Mutations only accept `application/json` bodies,
//! which is this surface's CSRF defence.

pub mod accounts;
pub mod admin;
pub mod cart;
pub mod error;
pub mod health;
pub mod json;
pub mod me;
pub mod orders;
pub mod products;
pub mod user;
pub mod wire;
