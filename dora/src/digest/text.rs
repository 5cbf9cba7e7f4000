//! The digest as plain text: the headline, one line per figure (name, value, band, change,
//! two spaces apart), the gate, the services, the trend and the dashboard link.

use super::lines::{MetricLine, Summary};

pub fn render(summary: &Summary, dashboard_url: Option<&str>) -> String {
    let mut out = String::new();
    out.push_str(&summary.headline);
    out.push_str("\n\n");
    for metric in &summary.metrics {
        out.push_str(&metric_line(metric));
    }
    out.push_str(&summary.bands_note);
    out.push_str("\n\n");
    out.push_str(&metric_line(&summary.gate));
    for line in &summary.scenarios {
        out.push_str(line);
        out.push('\n');
    }
    if !summary.services.is_empty() {
        out.push_str("\nServices\n");
        for line in &summary.services {
            out.push_str("  ");
            out.push_str(line);
            out.push('\n');
        }
    }
    if let Some(trend) = &summary.trend {
        out.push('\n');
        out.push_str(trend);
        out.push('\n');
    }
    if let Some(url) = dashboard_url {
        out.push_str("\nDashboard: ");
        out.push_str(url);
        out.push('\n');
    }
    out
}

fn metric_line(m: &MetricLine) -> String {
    match &m.band {
        Some(band) => format!("{}  {}  {band}  {}\n", m.name, m.value, m.change),
        None => format!("{}  {}  {}\n", m.name, m.value, m.change),
    }
}
