//! Run identifiers: sortable by time, unique enough for one machine.

use time::OffsetDateTime;
use time::macros::format_description;

/// e.g. `20261127-001502-3f9a1c`.
pub fn new_run_id() -> String {
    let now = OffsetDateTime::now_utc();
    let stamp = now
        .format(format_description!(
            "[year][month][day]-[hour][minute][second]"
        ))
        .unwrap_or_else(|_| now.unix_timestamp().to_string());
    let entropy = (now.nanosecond() as u64 ^ (u64::from(std::process::id()) << 20)) & 0xff_ffff;
    format!("{stamp}-{entropy:06x}")
}
