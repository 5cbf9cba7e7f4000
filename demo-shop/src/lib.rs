//! The demo shop: a small but real web shop that gate's demo and end-to-end tests run browser
//! scenarios against. It has a built-in user and sign-up for more, four products, a cart, a
//! checkout with validation and orders, all kept in memory, plus switchable [`Fault`]s that break
//! it the way real releases break (a failing endpoint, a slow page, an element that shows up
//! late).
//!
//! Layout, from the outside in:
//! - [`server`]: `serve`, which runs [`app`] on a caller's listener until the caller's shutdown
//!   future completes.
//! - [`routes`]: `app`, the one place the router is assembled.
//! - `pages` (HTML rendered with maud) and `api` (JSON under `/api`): the two surfaces. Each has
//!   its own error enum, because the same failure is a page for one and a JSON body for the other.
//! - `visitor`: who is asking (session cookie → signed-in user, cart size for the header).
//! - `csrf`, `cookies`, `request_log`: small HTTP concerns.
//! - `shop`, `store`, `accounts`, `catalog`, `checkout`, `money`: the domain. These know nothing
//!   of HTTP.
//! - [`config`]: [`ShopConfig`] and [`Fault`], the knobs the `gate` CLI and tests turn.
//! - [`shoppers`]: simulated users of the shop's API, for canaries in the demo and tests.

mod accounts;
mod api;
mod catalog;
mod checkout;
pub mod config;
mod cookies;
mod csrf;
mod money;
mod pages;
mod request_log;
pub mod routes;
pub mod server;
mod shop;
pub mod shoppers;
mod store;
mod token;
mod visitor;

pub use config::{Fault, ShopConfig, UnknownFault};
pub use routes::app;
pub use server::serve;
