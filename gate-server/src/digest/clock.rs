//! [`DigestClock`]: what time the digest scheduler thinks it is. The real clock, or one that
//! started at a given instant and runs at the real pace (`GATE_DIGEST_NOW`, for tests that
//! cannot wait for Monday).

use jiff::Timestamp;

use crate::store::now_ms;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DigestClock {
    /// Added to the real time, milliseconds.
    offset_ms: i64,
}

impl DigestClock {
    /// The real clock.
    pub fn real() -> DigestClock {
        DigestClock::default()
    }

    /// A clock that reads `start` now and runs on from there.
    pub fn starting_at(start: Timestamp) -> DigestClock {
        DigestClock {
            offset_ms: start.as_millisecond() - now_ms(),
        }
    }

    pub fn now(&self) -> Timestamp {
        Timestamp::from_millisecond(now_ms() + self.offset_ms).unwrap_or(Timestamp::UNIX_EPOCH)
    }

    /// `at` (on this clock) in the real clock's unix milliseconds.
    pub fn real_ms(&self, at: Timestamp) -> i64 {
        at.as_millisecond() - self.offset_ms
    }
}
