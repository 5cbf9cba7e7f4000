//! Digest outbox rows as the API shows them.

use gate_wire as wire;

use super::rfc3339;
use crate::store::{DigestRecord, GIVEN_UP};

/// `pending`, `delivered` or `failed` (given up).
pub fn digest_state(d: &DigestRecord) -> &'static str {
    if d.delivered_at.is_some() {
        "delivered"
    } else if d.next_attempt_at == GIVEN_UP {
        "failed"
    } else {
        "pending"
    }
}

pub fn digest_view(d: &DigestRecord) -> wire::DigestView {
    let state = digest_state(d);
    wire::DigestView {
        id: d.id.clone(),
        period_since: rfc3339(d.period_since),
        period_until: rfc3339(d.period_until),
        channel: d.channel.clone(),
        manual: d.manual,
        state: state.to_string(),
        attempts: d.attempts,
        next_attempt_at: (state == "pending").then(|| rfc3339(d.next_attempt_at)),
        delivered_at: d.delivered_at.map(rfc3339),
        last_error: d.last_error.clone(),
        created_at: rfc3339(d.created_at),
    }
}
