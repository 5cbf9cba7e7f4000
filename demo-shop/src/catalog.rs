//! The product catalogue: four fixed products. Fixed on purpose, so scenarios can name them.

use crate::money::Money;

/// Something the shop sells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Product {
    pub id: u32,
    pub name: &'static str,
    pub price: Money,
}

/// Every product, in display order.
pub const PRODUCTS: [Product; 4] = [
    Product {
        id: 1,
        name: "Blue Mug",
        price: Money::from_cents(1200),
    },
    Product {
        id: 2,
        name: "Red Kettle",
        price: Money::from_cents(3500),
    },
    Product {
        id: 3,
        name: "Green Teapot",
        price: Money::from_cents(2850),
    },
    Product {
        id: 4,
        name: "Yellow Spoon",
        price: Money::from_cents(325),
    },
];

/// The product with this id, if the shop sells one.
pub fn product(id: u32) -> Option<&'static Product> {
    PRODUCTS.iter().find(|product| product.id == id)
}
