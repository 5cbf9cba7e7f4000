//! `GET /checkout` and `POST /checkout`: the shipping and payment form, its validation, and
//! placing the order. The form is CSRF-protected like the login form. A rejected form comes back
//! with one alert per problem and the shopper's entries kept, except the card number, which the
//! shop never sends back. [`Fault::Checkout500`] makes placing the order fail, and `fail_rate` a
//! share of placings.

use axum::extract::rejection::FormRejection;
use axum::extract::{Form, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;

use super::error::{PageError, PageErrorKind, signed_in};
use super::layout::{Chrome, respond};
use crate::checkout::{COUNTRIES, CheckoutInput, Problem, validate};
#[cfg(doc)]
use crate::config::Fault;
use crate::csrf;
use crate::money::Money;
use crate::shop::SharedShop;
use crate::store::{Line, PlaceOrderError};
use crate::visitor::Visitor;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CheckoutForm {
    csrf: String,
    name: String,
    address: String,
    city: String,
    country: String,
    card: String,
    terms: Option<String>,
}

impl CheckoutForm {
    fn input(self) -> CheckoutInput {
        CheckoutInput {
            name: self.name,
            address: self.address,
            city: self.city,
            country: self.country,
            card: self.card,
            terms_accepted: self.terms.is_some(),
        }
    }
}

/// Everything the form page shows.
struct CheckoutView<'a> {
    csrf: &'a str,
    input: &'a CheckoutInput,
    problems: &'a [Problem],
    lines: &'a [Line],
}

pub async fn form(
    State(shop): State<SharedShop>,
    visitor: Visitor,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let chrome = Chrome::new(&shop, &visitor);
    let user = signed_in(&visitor, &chrome)?;
    let Some(lines) = cart_lines(&shop, &user.token) else {
        return Ok(Redirect::to("/cart").into_response());
    };
    let (token, set_cookie) = csrf::token_for(&headers);
    let input = CheckoutInput {
        country: "US".to_owned(),
        ..CheckoutInput::default()
    };
    let view = CheckoutView {
        csrf: &token,
        input: &input,
        problems: &[],
        lines: &lines,
    };
    Ok(respond(
        StatusCode::OK,
        set_cookie.into_iter().collect(),
        render(&chrome, &view),
    ))
}

pub async fn submit(
    State(shop): State<SharedShop>,
    visitor: Visitor,
    headers: HeaderMap,
    form: Result<Form<CheckoutForm>, FormRejection>,
) -> Result<Response, PageError> {
    let chrome = Chrome::new(&shop, &visitor);
    let user = signed_in(&visitor, &chrome)?;
    let Ok(Form(form)) = form else {
        return Err(PageError::new(&chrome, PageErrorKind::BadRequest));
    };
    let Some(lines) = cart_lines(&shop, &user.token) else {
        return Ok(Redirect::to("/cart").into_response());
    };
    let submitted_csrf = form.csrf.clone();
    let input = form.input();

    // Re-shows the form with `problems`, under a fresh or reused CSRF token.
    let reject = |status: StatusCode, problems: &[Problem]| {
        let (token, set_cookie) = csrf::token_for(&headers);
        let view = CheckoutView {
            csrf: &token,
            input: &input,
            problems,
            lines: &lines,
        };
        respond(
            status,
            set_cookie.into_iter().collect(),
            render(&chrome, &view),
        )
    };

    if !csrf::verify(&headers, &submitted_csrf) {
        let expired = Problem {
            field: "csrf",
            message: "Your session expired, please try again".to_owned(),
        };
        return Ok(reject(StatusCode::FORBIDDEN, &[expired]));
    }
    let valid = match validate(&input) {
        Ok(valid) => valid,
        Err(problems) => return Ok(reject(StatusCode::UNPROCESSABLE_ENTITY, &problems)),
    };
    if shop.fails_order() {
        tracing::warn!("failing the order on purpose (checkout-500 or fail-rate)");
        return Err(PageError::new(&chrome, PageErrorKind::Internal));
    }

    let placed = shop.store().place_order(&user.token, valid);
    match placed {
        Ok(order) => Ok(Redirect::to(&format!("/orders/{}", order.id)).into_response()),
        Err(PlaceOrderError::EmptyCart) => Ok(Redirect::to("/cart").into_response()),
        Err(PlaceOrderError::NoSession) => Err(PageError::new(
            &chrome,
            PageErrorKind::LoginRequired {
                next: "/checkout".to_owned(),
            },
        )),
    }
}

/// The session's cart lines, or `None` when there is nothing to check out.
fn cart_lines(shop: &SharedShop, token: &str) -> Option<Vec<Line>> {
    let store = shop.store();
    let cart = &store.session(token)?.cart;
    (!cart.is_empty()).then(|| cart.lines().to_vec())
}

fn render(chrome: &Chrome, view: &CheckoutView<'_>) -> Markup {
    let input = view.input;
    let invalid = |field: &str| {
        view.problems
            .iter()
            .any(|p| p.field == field)
            .then_some("true")
    };
    let total: Money = view.lines.iter().map(Line::total).sum();
    let main = html! {
        h1 { "Checkout" }
        div.checkout {
            section.card {
                @if !view.problems.is_empty() {
                    div #checkout-errors {
                        @for problem in view.problems {
                            p.error role="alert" data-field=(problem.field) { (problem.message) }
                        }
                    }
                }
                form #checkout-form method="post" action="/checkout" novalidate {
                    input type="hidden" name="csrf" value=(view.csrf);
                    div.field {
                        label for="name" { "Full name" }
                        input #name name="name" autocomplete="name" required
                            value=(input.name) aria-invalid=[invalid("name")];
                    }
                    div.field {
                        label for="address" { "Address" }
                        input #address name="address" autocomplete="street-address" required
                            value=(input.address) aria-invalid=[invalid("address")];
                    }
                    div.field {
                        label for="city" { "City" }
                        input #city name="city" autocomplete="address-level2" required
                            value=(input.city) aria-invalid=[invalid("city")];
                    }
                    div.field {
                        label for="country" { "Country" }
                        select #country name="country" autocomplete="country" aria-invalid=[invalid("country")] {
                            @for (code, name) in COUNTRIES {
                                option value=(code) selected[input.country == code] { (name) }
                            }
                        }
                    }
                    div.field {
                        label for="card" { "Card number" }
                        input #card name="card" inputmode="numeric" autocomplete="cc-number" required
                            placeholder="4242 4242 4242 4242" aria-invalid=[invalid("card")];
                    }
                    div.field.checkbox {
                        input #terms name="terms" type="checkbox" value="yes"
                            checked[input.terms_accepted] aria-invalid=[invalid("terms")];
                        label for="terms" { "I accept the terms" }
                    }
                    button #place-order .button type="submit" { "Place order" }
                }
            }
            aside.card.summary {
                h2 { "Order summary" }
                table #checkout-items .lines {
                    tbody {
                        @for line in view.lines {
                            tr.checkout-item {
                                td.name { (line.product.name) }
                                td.qty { "× " (line.quantity) }
                                td.line-total { (line.total()) }
                            }
                        }
                    }
                }
                p #checkout-total .total { "Total: " (total) }
            }
        }
    };
    chrome.page("Checkout", main)
}
