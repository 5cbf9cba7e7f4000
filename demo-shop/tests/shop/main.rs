//! End-to-end tests of the demo shop: `app()` driven request by request through
//! `tower::ServiceExt::oneshot` by a small cookie-keeping [`browser::Browser`], plus one test of
//! `serve` over a real loopback socket. One test binary, so the shop links once.

mod browser;

mod api;
mod cart;
mod checkout;
mod fail_rate;
mod faults;
mod login;
mod pages;
mod server;
mod sessions;
mod signup;
