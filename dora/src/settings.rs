//! What the caller chooses: the time zone that decides local days and weeks, and the rework
//! window. Defaults live here, in one place; resolving a zone name is the only thing that can
//! fail, and its error says what to write instead.

use std::fmt;

use jiff::tz::TimeZone;

/// One day, the default rework window.
pub const DEFAULT_REWORK_WINDOW_MS: i64 = 24 * 60 * 60 * 1000;

/// How the metrics are computed.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Decides local calendar days and weeks (Monday to Monday).
    pub time_zone: TimeZone,
    /// A deployment that starts within this long after a failed change of the same service was
    /// detected (or after a rollback deployment started) is rework.
    pub rework_window_ms: i64,
}

impl Default for Settings {
    /// UTC and a 24-hour rework window.
    fn default() -> Self {
        Self::new(TimeZone::UTC)
    }
}

impl Settings {
    /// The given zone and the default rework window.
    pub fn new(time_zone: TimeZone) -> Self {
        Self {
            time_zone,
            rework_window_ms: DEFAULT_REWORK_WINDOW_MS,
        }
    }

    /// Resolves an IANA zone name (`Europe/Berlin`, `UTC`) from the bundled database.
    pub fn with_zone_name(name: &str) -> Result<Self, UnknownTimeZone> {
        resolve_zone(name).map(Self::new)
    }

    /// The zone's IANA name, or its current offset when it has none.
    pub fn time_zone_name(&self) -> String {
        zone_name(&self.time_zone)
    }
}

/// The zone's IANA name, or its offset (`+02:00`) for a fixed-offset zone.
pub fn zone_name(tz: &TimeZone) -> String {
    match tz.iana_name() {
        Some(name) => name.to_owned(),
        None => tz.to_offset(jiff::Timestamp::UNIX_EPOCH).to_string(),
    }
}

/// Looks up an IANA zone name in the bundled database.
pub fn resolve_zone(name: &str) -> Result<TimeZone, UnknownTimeZone> {
    TimeZone::get(name).map_err(|_| UnknownTimeZone {
        name: name.to_owned(),
        suggestion: closest_zone_name(name),
    })
}

/// A time zone name the database does not know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownTimeZone {
    pub name: String,
    /// The known name closest to it, if one is close.
    pub suggestion: Option<String>,
}

impl fmt::Display for UnknownTimeZone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown time zone `{}`", self.name)?;
        match &self.suggestion {
            Some(name) => write!(f, ": did you mean `{name}`?"),
            None => write!(f, ": use an IANA name such as `Europe/Berlin` or `UTC`"),
        }
    }
}

impl std::error::Error for UnknownTimeZone {}

fn closest_zone_name(name: &str) -> Option<String> {
    let wanted = name.to_ascii_lowercase();
    let db = jiff::tz::db();
    let mut best: Option<(usize, String)> = None;
    for known in db.available() {
        let known = known.as_str().to_owned();
        let distance = edit_distance(&wanted, &known.to_ascii_lowercase());
        if best.as_ref().is_none_or(|(d, _)| distance < *d) {
            best = Some((distance, known));
        }
    }
    // Farther than a third of the name is a different name, not a typo.
    best.filter(|(d, _)| *d <= wanted.len().div_ceil(3))
        .map(|(_, known)| known)
}

/// Levenshtein distance over chars, one row at a time.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = if ca == *cb {
                diagonal
            } else {
                1 + diagonal.min(above).min(row[j])
            };
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_zone_resolves() {
        let settings = Settings::with_zone_name("Europe/Berlin").unwrap();
        assert_eq!(settings.time_zone_name(), "Europe/Berlin");
        assert_eq!(settings.rework_window_ms, 86_400_000);
    }

    #[test]
    fn typo_gets_a_suggestion() {
        let err = Settings::with_zone_name("Europe/Berln").unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown time zone `Europe/Berln`: did you mean `Europe/Berlin`?"
        );
    }

    #[test]
    fn nonsense_gets_an_example() {
        let err = Settings::with_zone_name("not a zone at all, really").unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown time zone `not a zone at all, really`: use an IANA name such as `Europe/Berlin` or `UTC`"
        );
    }

    #[test]
    fn default_is_utc() {
        assert_eq!(Settings::default().time_zone_name(), "UTC");
    }
}
