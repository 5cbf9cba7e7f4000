//! `GET /api/v1/events`: the service's event stream as Server-Sent Events, for dashboards,
//! scripts and tests that react to runs instead of polling. Each event's `event:` field is its
//! type and its `data:` the JSON of [`gate_wire::Event`]. The stream opens with the comment
//! `: subscribed` once the subscription is in place (events from then on are sent). A client
//! that falls behind gets a `lagged` event saying how many it missed; the stream ends when the
//! server stops.
//!
//! Events are not stored: a client sees what happens while it is connected, and re-reads the
//! runs it shows after reconnecting.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::response::sse::{Event as Sse, KeepAlive};
use axum::response::{IntoResponse, Response};
use futures::{Stream, StreamExt};
use tokio::sync::broadcast::error::RecvError;

use crate::state::AppState;
use crate::views;

pub async fn stream(State(state): State<AppState>) -> Response {
    let receiver = state.service.events().subscribe();
    let stop = state.shutdown.clone();
    let subscribed = futures::stream::once(async { Ok(Sse::default().comment("subscribed")) });
    axum::response::sse::Sse::new(
        subscribed
            .chain(events(receiver))
            .take_until(stop.cancelled_owned()),
    )
    .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
    .into_response()
}

fn events(
    receiver: tokio::sync::broadcast::Receiver<crate::events::Event>,
) -> impl Stream<Item = Result<Sse, Infallible>> {
    futures::stream::unfold(receiver, |mut receiver| async move {
        let event = match receiver.recv().await {
            Ok(event) => views::event(&event),
            Err(RecvError::Lagged(missed)) => gate_wire::Event::Lagged { missed },
            Err(RecvError::Closed) => return None,
        };
        let sse = Sse::default()
            .event(event.name())
            .json_data(&event)
            .unwrap_or_default();
        Some((Ok(sse), receiver))
    })
}
