//! Durations for people: `m:ss`, `h:mm:ss`, `Nd h:mm:ss`, rounded to the nearest second.

/// `2:14` under an hour, `1:02:03` under a day, `3d 4:05:06` beyond; negative values get a
/// leading `-`.
pub fn format_duration(ms: i64) -> String {
    let sign = if ms < 0 { "-" } else { "" };
    let ms = i128::from(ms).abs();
    let total = (ms + 500) / 1000;
    let (days, rest) = (total / 86_400, total % 86_400);
    let (hours, minutes, seconds) = (rest / 3600, rest % 3600 / 60, rest % 60);
    if days > 0 {
        format!("{sign}{days}d {hours}:{minutes:02}:{seconds:02}")
    } else if hours > 0 {
        format!("{sign}{hours}:{minutes:02}:{seconds:02}")
    } else {
        format!("{sign}{minutes}:{seconds:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::format_duration;

    #[test]
    fn shapes() {
        assert_eq!(format_duration(0), "0:00");
        assert_eq!(format_duration(134_000), "2:14");
        assert_eq!(format_duration(59_999), "1:00");
        assert_eq!(format_duration(3_599_499), "59:59");
        assert_eq!(format_duration(3_599_500), "1:00:00");
        assert_eq!(format_duration(3_723_000), "1:02:03");
        assert_eq!(format_duration(86_399_000), "23:59:59");
        assert_eq!(format_duration(86_400_000), "1d 0:00:00");
        assert_eq!(format_duration(273_906_000), "3d 4:05:06");
        assert_eq!(format_duration(-134_000), "-2:14");
    }
}
