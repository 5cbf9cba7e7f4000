//! The HTML surface: one module per page, all drawn inside the same layout, all rendered with
//! maud so anything a visitor typed is escaped. Pages never answer with JSON; when something
//! goes wrong they answer with a [`error::PageError`], which is itself a page.

pub mod account;
pub mod cart;
pub mod checkout;
pub mod error;
pub mod home;
pub mod layout;
pub mod login;
pub mod order;
pub mod product;
pub mod products;
pub mod signup;
