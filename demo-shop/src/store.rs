//! The shop's memory: customer accounts, sessions (each with its own cart) and placed orders.
//! Plain data and rules, no HTTP and no locking; `shop` puts it behind a mutex.
//!
//! Carts belong to sessions rather than to the user so that scenarios running in parallel as the
//! same `demo` user do not see each other's carts. Orders belong to the user, like a real
//! account's order history.

use std::collections::HashMap;

use crate::accounts::Accounts;
use crate::catalog::Product;
use crate::checkout::{Shipping, ValidCheckout};
use crate::money::Money;
use crate::token::random_hex;

/// Most of one product a cart may hold.
pub const MAX_QUANTITY: u32 = 99;

/// The first order number handed out.
const FIRST_ORDER_ID: u64 = 1001;

/// Accounts, sessions and orders.
#[derive(Debug)]
pub struct Store {
    accounts: Accounts,
    sessions: HashMap<String, Session>,
    orders: Vec<Order>,
    next_order_id: u64,
}

/// A signed-in browser.
#[derive(Debug, Clone)]
pub struct Session {
    pub username: String,
    pub cart: Cart,
}

/// What a session intends to buy.
#[derive(Debug, Clone)]
pub struct Cart {
    /// Stable for the session's lifetime; not the session token, which must stay secret.
    pub id: String,
    lines: Vec<Line>,
}

/// A product and how many of it, in a cart or an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Line {
    pub product: Product,
    pub quantity: u32,
}

impl Line {
    pub fn total(&self) -> Money {
        self.product.price * self.quantity
    }
}

/// A placed order.
#[derive(Debug, Clone)]
pub struct Order {
    pub id: u64,
    pub username: String,
    pub lines: Vec<Line>,
    pub shipping: Shipping,
    pub card_last4: String,
}

impl Order {
    pub fn total(&self) -> Money {
        self.lines.iter().map(Line::total).sum()
    }
}

/// Why an item could not be added to a cart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddError {
    /// Zero, or more than [`MAX_QUANTITY`] in total.
    BadQuantity,
}

/// Why an order could not be placed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlaceOrderError {
    NoSession,
    EmptyCart,
}

impl Cart {
    fn new() -> Self {
        Self {
            id: format!("cart-{}", random_hex(8)),
            lines: Vec::new(),
        }
    }

    pub fn lines(&self) -> &[Line] {
        &self.lines
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    pub fn total_quantity(&self) -> u32 {
        self.lines.iter().map(|line| line.quantity).sum()
    }

    pub fn total(&self) -> Money {
        self.lines.iter().map(Line::total).sum()
    }

    /// Adds `quantity` of `product`, merging with a line already holding it.
    pub fn add(&mut self, product: Product, quantity: u32) -> Result<(), AddError> {
        if quantity == 0 {
            return Err(AddError::BadQuantity);
        }
        match self
            .lines
            .iter_mut()
            .find(|line| line.product.id == product.id)
        {
            Some(line) => {
                let combined = line.quantity.saturating_add(quantity);
                if combined > MAX_QUANTITY {
                    return Err(AddError::BadQuantity);
                }
                line.quantity = combined;
            }
            None if quantity > MAX_QUANTITY => return Err(AddError::BadQuantity),
            None => self.lines.push(Line { product, quantity }),
        }
        Ok(())
    }

    /// Removes the product's line; removing what is not there is fine.
    pub fn remove(&mut self, product_id: u32) {
        self.lines.retain(|line| line.product.id != product_id);
    }

    pub fn clear(&mut self) {
        self.lines.clear();
    }
}

impl Store {
    pub fn new() -> Self {
        Self {
            accounts: Accounts::default(),
            sessions: HashMap::new(),
            orders: Vec::new(),
            next_order_id: FIRST_ORDER_ID,
        }
    }

    /// Customers who signed up.
    pub fn accounts(&self) -> &Accounts {
        &self.accounts
    }

    pub fn accounts_mut(&mut self) -> &mut Accounts {
        &mut self.accounts
    }

    /// Starts a session for `username` and returns its token. A session being replaced (a
    /// signed-in browser signing in again) is ended, and its cart carries over.
    pub fn sign_in(&mut self, username: &str, replacing: Option<&str>) -> String {
        let cart = replacing
            .and_then(|token| self.sessions.remove(token))
            .map_or_else(Cart::new, |old| old.cart);
        let token = random_hex(24);
        self.sessions.insert(
            token.clone(),
            Session {
                username: username.to_owned(),
                cart,
            },
        );
        token
    }

    pub fn sign_out(&mut self, token: &str) {
        self.sessions.remove(token);
    }

    /// Ends every session, as if they had all expired.
    pub fn sign_out_everyone(&mut self) {
        self.sessions.clear();
    }

    pub fn session(&self, token: &str) -> Option<&Session> {
        self.sessions.get(token)
    }

    pub fn session_mut(&mut self, token: &str) -> Option<&mut Session> {
        self.sessions.get_mut(token)
    }

    /// Turns the session's cart into an order and empties the cart.
    pub fn place_order(
        &mut self,
        token: &str,
        checkout: ValidCheckout,
    ) -> Result<Order, PlaceOrderError> {
        let session = self
            .sessions
            .get_mut(token)
            .ok_or(PlaceOrderError::NoSession)?;
        if session.cart.is_empty() {
            return Err(PlaceOrderError::EmptyCart);
        }
        let order = Order {
            id: self.next_order_id,
            username: session.username.clone(),
            lines: session.cart.lines.clone(),
            shipping: checkout.shipping,
            card_last4: checkout.card_last4,
        };
        session.cart.clear();
        self.next_order_id += 1;
        self.orders.push(order.clone());
        Ok(order)
    }

    /// The user's orders, newest first.
    pub fn orders_of<'a>(&'a self, username: &'a str) -> impl Iterator<Item = &'a Order> + 'a {
        self.orders
            .iter()
            .rev()
            .filter(move |order| order.username == username)
    }

    /// One of the user's orders; other users' orders do not exist for them.
    pub fn order_of(&self, username: &str, id: u64) -> Option<&Order> {
        self.orders
            .iter()
            .find(|order| order.id == id && order.username == username)
    }
}

impl Default for Store {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::product;
    use crate::checkout::Shipping;

    fn mug() -> Product {
        *product(1).expect("mug")
    }

    fn checkout() -> ValidCheckout {
        ValidCheckout {
            shipping: Shipping {
                name: "Ada".to_owned(),
                address: "1 Row".to_owned(),
                city: "London".to_owned(),
                country: "US",
            },
            card_last4: "4242".to_owned(),
        }
    }

    #[test]
    fn cart_merges_lines_and_caps_quantity() {
        let mut cart = Cart::new();
        assert_eq!(cart.add(mug(), 2), Ok(()));
        assert_eq!(cart.add(mug(), 3), Ok(()));
        assert_eq!(cart.lines().len(), 1);
        assert_eq!(cart.total_quantity(), 5);
        assert_eq!(cart.total(), Money::from_cents(6000));
        assert_eq!(cart.add(mug(), 95), Err(AddError::BadQuantity));
        assert_eq!(cart.add(mug(), 0), Err(AddError::BadQuantity));
        assert_eq!(cart.total_quantity(), 5);
    }

    #[test]
    fn orders_get_increasing_ids_and_empty_the_cart() {
        let mut store = Store::new();
        let token = store.sign_in("demo", None);
        assert_eq!(
            store.place_order(&token, checkout()).map(|o| o.id),
            Err(PlaceOrderError::EmptyCart)
        );
        for expected in [1001, 1002] {
            let cart = &mut store.session_mut(&token).expect("session").cart;
            cart.add(mug(), 1).expect("add");
            let order = store.place_order(&token, checkout()).expect("order");
            assert_eq!(order.id, expected);
        }
        assert!(store.session(&token).expect("session").cart.is_empty());
        let ids: Vec<u64> = store.orders_of("demo").map(|o| o.id).collect();
        assert_eq!(ids, [1002, 1001]);
        assert!(store.order_of("someone-else", 1001).is_none());
    }

    #[test]
    fn signing_in_again_keeps_the_cart_and_ends_the_old_session() {
        let mut store = Store::new();
        let first = store.sign_in("demo", None);
        let cart = &mut store.session_mut(&first).expect("session").cart;
        cart.add(mug(), 2).expect("add");
        let cart_id = cart.id.clone();
        let second = store.sign_in("demo", Some(&first));
        assert!(store.session(&first).is_none());
        let session = store.session(&second).expect("session");
        assert_eq!(session.cart.id, cart_id);
        assert_eq!(session.cart.total_quantity(), 2);
    }

    #[test]
    fn sign_out_everyone() {
        let mut store = Store::new();
        let a = store.sign_in("demo", None);
        let b = store.sign_in("demo", None);
        store.sign_out_everyone();
        assert!(store.session(&a).is_none());
        assert!(store.session(&b).is_none());
    }
}
