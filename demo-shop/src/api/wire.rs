//! The JSON bodies the API sends, built from the store's types. Money goes out as dollars.

use serde::Serialize;

use crate::catalog::Product;
use crate::store::{Cart, Line, Order};

#[derive(Debug, Serialize)]
pub struct HealthBody {
    pub status: &'static str,
    pub version: String,
}

#[derive(Debug, Serialize)]
pub struct MeBody {
    pub username: String,
    /// Customers who signed up have one; the built-in user does not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer_number: Option<u64>,
}

/// A new account, as `POST /api/accounts` answers.
#[derive(Debug, Serialize)]
pub struct AccountBody {
    pub email: String,
    pub customer_number: u64,
}

#[derive(Debug, Serialize)]
pub struct ProductBody {
    pub id: u32,
    pub name: &'static str,
    pub price: f64,
}

#[derive(Debug, Serialize)]
pub struct LineBody {
    pub product_id: u32,
    pub name: &'static str,
    pub quantity: u32,
    pub unit_price: f64,
    pub line_total: f64,
}

#[derive(Debug, Serialize)]
pub struct CartBody {
    pub id: String,
    pub items: Vec<LineBody>,
    pub total_quantity: u32,
    pub total: f64,
}

#[derive(Debug, Serialize)]
pub struct ShippingBody {
    pub name: String,
    pub address: String,
    pub city: String,
    pub country: &'static str,
}

#[derive(Debug, Serialize)]
pub struct OrderBody {
    pub id: u64,
    pub status: &'static str,
    pub total: f64,
    pub items: Vec<LineBody>,
    pub shipping: ShippingBody,
    pub card_last4: String,
}

impl From<&Product> for ProductBody {
    fn from(product: &Product) -> Self {
        Self {
            id: product.id,
            name: product.name,
            price: product.price.dollars(),
        }
    }
}

impl From<&Line> for LineBody {
    fn from(line: &Line) -> Self {
        Self {
            product_id: line.product.id,
            name: line.product.name,
            quantity: line.quantity,
            unit_price: line.product.price.dollars(),
            line_total: line.total().dollars(),
        }
    }
}

impl From<&Cart> for CartBody {
    fn from(cart: &Cart) -> Self {
        Self {
            id: cart.id.clone(),
            items: cart.lines().iter().map(LineBody::from).collect(),
            total_quantity: cart.total_quantity(),
            total: cart.total().dollars(),
        }
    }
}

impl From<&Order> for OrderBody {
    fn from(order: &Order) -> Self {
        Self {
            id: order.id,
            // Orders are confirmed the moment they are placed; the shop has no fulfilment.
            status: "confirmed",
            total: order.total().dollars(),
            items: order.lines.iter().map(LineBody::from).collect(),
            shipping: ShippingBody {
                name: order.shipping.name.clone(),
                address: order.shipping.address.clone(),
                city: order.shipping.city.clone(),
                country: order.shipping.country,
            },
            card_last4: order.card_last4.clone(),
        }
    }
}
