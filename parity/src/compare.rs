//! Two observations side by side: every item either environment shows, each `same`,
//! `allowed` (with why) or `differs`.

use serde::Serialize;

use crate::item::{Value, items};
use crate::observation::Observation;
use crate::rules::Rules;

/// How an item compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Same,
    /// It differs, and that is allowed (`why` says by what).
    Allowed,
    /// It differs, and nothing allows it: parity fails.
    Differs,
}

/// One compared item; `None`: the environment does not show it (a header it does not send).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Row {
    pub item: String,
    pub staging: Option<String>,
    pub production: Option<String>,
    pub status: Status,
    /// For `allowed`: why.
    pub why: Option<String>,
}

/// A row that is not `same`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Difference {
    pub item: String,
    pub staging: Option<String>,
    pub production: Option<String>,
    pub allowed: bool,
    pub why: Option<String>,
}

/// The comparison of staging with production.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Comparison {
    pub rows: Vec<Row>,
}

/// Compares `staging` with `production` under `rules`.
pub fn compare(staging: &Observation, production: &Observation, rules: &Rules) -> Comparison {
    let mut staging = items(staging);
    let mut production = items(production);
    let mut places: Vec<_> = staging.keys().chain(production.keys()).cloned().collect();
    places.sort();
    places.dedup();
    let rows = places
        .into_iter()
        .map(|place| {
            let (s_name, s) = staging.remove(&place).unzip();
            let (p_name, p) = production.remove(&place).unzip();
            let item = s_name.or(p_name).unwrap_or_default();
            row(item, s.flatten(), p.flatten(), rules)
        })
        .collect();
    Comparison { rows }
}

fn row(item: String, staging: Option<Value>, production: Option<Value>, rules: &Rules) -> Row {
    let shown = |v: &Option<Value>| v.as_ref().map(|v| v.shown.clone());
    let (status, why) = match (&staging, &production) {
        (None, None) => (Status::Same, None),
        (Some(s), Some(p)) if s.shown == p.shown => (Status::Same, None),
        (Some(s), Some(p)) if s.compared == p.compared => (Status::Allowed, Some(s.alike.clone())),
        _ => match rules.allows(&item) {
            Some(why) => (Status::Allowed, Some(why)),
            None => (Status::Differs, None),
        },
    };
    Row {
        staging: shown(&staging),
        production: shown(&production),
        item,
        status,
        why,
    }
}

impl Comparison {
    /// Every row that is not `same`.
    pub fn differences(&self) -> Vec<Difference> {
        self.rows
            .iter()
            .filter(|r| r.status != Status::Same)
            .map(|r| Difference {
                item: r.item.clone(),
                staging: r.staging.clone(),
                production: r.production.clone(),
                allowed: r.status == Status::Allowed,
                why: r.why.clone(),
            })
            .collect()
    }

    /// How many rows have `status`.
    pub fn count(&self, status: Status) -> usize {
        self.rows.iter().filter(|r| r.status == status).count()
    }

    /// The items whose difference is not allowed, in the report's order.
    pub fn disallowed(&self) -> Vec<&str> {
        self.rows
            .iter()
            .filter(|r| r.status == Status::Differs)
            .map(|r| r.item.as_str())
            .collect()
    }

    /// Whether no difference is disallowed.
    pub fn holds(&self) -> bool {
        self.count(Status::Differs) == 0
    }

    /// The one-line verdict, e.g. `parity: 2 differences not allowed (tls.protocol,
    /// header.x-frame-options); 1 allowed difference, 21 same`.
    pub fn verdict(&self) -> String {
        let rest = format!(
            "{}, {} same",
            counted(
                self.count(Status::Allowed),
                "allowed difference",
                "allowed differences"
            ),
            self.count(Status::Same)
        );
        if self.holds() {
            format!("parity: staging matches production ({rest})")
        } else {
            format!("parity: {}; {rest}", self.disallowed_summary())
        }
    }

    /// What is not allowed, e.g. `2 differences not allowed (tls.protocol, version.app)`.
    pub fn disallowed_summary(&self) -> String {
        let items = self.disallowed();
        format!(
            "{} not allowed ({})",
            counted(items.len(), "difference", "differences"),
            items.join(", ")
        )
    }
}

/// `1 difference`, `3 differences`.
fn counted(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::observation::*;
    use crate::rules::Ignore;

    fn certificate(subject: &str, issuer: &str, days_left: i64) -> Certificate {
        Certificate {
            subject: subject.into(),
            issuer: issuer.into(),
            key: "ECDSA P-256".into(),
            not_after: "2027-02-23T10:00:00Z".into(),
            days_left,
        }
    }

    fn environment(host: &str) -> Observation {
        Observation {
            url: format!("https://{host}"),
            host: host.into(),
            tls: Some(Tls {
                protocol: "TLSv1.3".into(),
                cipher: "TLS13_AES_256_GCM_SHA384".into(),
                alpn: Some("h2".into()),
                chain: vec![
                    certificate(&format!("CN={host}"), "CN=R11, O=Let's Encrypt", 80),
                    certificate("CN=R11, O=Let's Encrypt", "CN=ISRG Root X1", 400),
                ],
                untrusted: None,
            }),
            response: HttpResponse {
                status: 200,
                headers: vec![
                    ("server".into(), "nginx/1.27.0".into()),
                    (
                        "strict-transport-security".into(),
                        "max-age=63072000".into(),
                    ),
                    (
                        "content-security-policy".into(),
                        format!("default-src 'self' https://{host}"),
                    ),
                    (
                        "date".into(),
                        format!("Thu, 03 Dec 2026 14:{}:00 GMT", host.len()),
                    ),
                ],
                cookies: vec![Cookie {
                    name: "session".into(),
                    secure: true,
                    http_only: true,
                    same_site: Some("Lax".into()),
                    path: Some("/".into()),
                }],
            },
            version: Some(VersionDocument::Json(serde_json::json!({
                "app": "1.4.2",
                "database": { "version": "16.2" }
            }))),
            probes: vec![ProbeResult {
                name: "postgres".into(),
                outcome: ProbeOutcome::Output("PostgreSQL 16.2".into()),
            }],
        }
    }

    fn status<'c>(comparison: &'c Comparison, item: &str) -> (&'c Row, Status) {
        let row = comparison
            .rows
            .iter()
            .find(|r| r.item == item)
            .unwrap_or_else(|| panic!("no row {item} in {comparison:#?}"));
        (row, row.status)
    }

    #[test]
    fn environments_that_differ_only_in_their_names_hold() {
        let staging = environment("staging.example.com");
        let production = environment("example.com");
        let comparison = compare(&staging, &production, &Rules::default());
        assert!(comparison.holds(), "{comparison:#?}");
        let (row, s) = status(&comparison, "tls.certificate.subject");
        assert_eq!(s, Status::Allowed);
        assert_eq!(row.staging.as_deref(), Some("CN=staging.example.com"));
        let (_, s) = status(&comparison, "header.content-security-policy");
        assert_eq!(s, Status::Allowed);
        assert_eq!(status(&comparison, "tls.protocol").1, Status::Same);
        assert_eq!(
            status(&comparison, "version.database.version").1,
            Status::Same
        );
        assert_eq!(status(&comparison, "cookie.session.secure").1, Status::Same);
        // Headers that are not compared (date) make no row; ones neither sends are `same`.
        assert!(comparison.rows.iter().all(|r| r.item != "header.date"));
        let (row, s) = status(&comparison, "header.x-frame-options");
        assert_eq!((row.staging.as_deref(), s), (None, Status::Same));
        assert!(
            comparison
                .verdict()
                .starts_with("parity: staging matches production")
        );
    }

    #[test]
    fn each_kind_of_difference_is_named() {
        let staging = environment("staging.example.com");
        let mut production = environment("example.com");
        let tls = production.tls.as_mut().unwrap();
        tls.protocol = "TLSv1.2".into();
        tls.cipher = "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256".into();
        tls.chain[0].days_left = 3;
        tls.alpn = None;
        production.response.headers[1].1 = "max-age=300".into();
        production
            .response
            .headers
            .push(("x-frame-options".into(), "DENY".into()));
        production.response.cookies[0].secure = false;
        production.response.cookies[0].same_site = None;
        production.version = Some(VersionDocument::Json(serde_json::json!({
            "app": "1.4.1",
            "database": { "version": "15.6" }
        })));
        production.probes[0].outcome = ProbeOutcome::Failed("exit status 2: no route".into());
        let comparison = compare(&staging, &production, &Rules::default());
        let disallowed: Vec<&str> = comparison
            .differences()
            .into_iter()
            .filter(|d| !d.allowed)
            .map(|d| {
                let row = comparison.rows.iter().find(|r| r.item == d.item).unwrap();
                row.item.as_str()
            })
            .collect();
        assert_eq!(
            disallowed,
            [
                "tls.protocol",
                "tls.cipher",
                "tls.certificate.expiry",
                "http.version",
                "header.strict-transport-security",
                "header.x-frame-options",
                "cookie.session.secure",
                "cookie.session.samesite",
                "version.app",
                "version.database.version",
                "probe.postgres",
            ]
        );
        let (row, _) = status(&comparison, "header.x-frame-options");
        assert_eq!(
            (row.staging.as_deref(), row.production.as_deref()),
            (None, Some("DENY"))
        );
        let (row, _) = status(&comparison, "cookie.session.samesite");
        assert_eq!(row.production.as_deref(), Some("(not set)"));
        let (row, _) = status(&comparison, "probe.postgres");
        assert_eq!(
            row.production.as_deref(),
            Some("failed: exit status 2: no route")
        );
        assert!(!comparison.holds());
        assert!(
            comparison
                .verdict()
                .starts_with("parity: 11 differences not allowed (tls.protocol, "),
            "{}",
            comparison.verdict()
        );
    }

    #[test]
    fn ignored_items_are_allowed_with_the_pattern_as_the_reason() {
        let staging = environment("staging.example.com");
        let mut production = environment("example.com");
        production.response.headers[0].1 = "nginx/1.25.3".into();
        production.response.cookies[0].path = Some("/app".into());
        production.version = Some(VersionDocument::Json(serde_json::json!({
            "app": "1.4.1",
            "database": { "version": "16.2" }
        })));
        let rules = Rules::new(
            ["header.server", "cookie.*.path", "version.app"]
                .iter()
                .map(|p| Ignore::parse(p).unwrap())
                .collect(),
        );
        let comparison = compare(&staging, &production, &rules);
        assert!(comparison.holds(), "{comparison:#?}");
        let (row, s) = status(&comparison, "cookie.session.path");
        assert_eq!(s, Status::Allowed);
        assert_eq!(row.why.as_deref(), Some("ignored: cookie.*.path"));
        assert_eq!(comparison.count(Status::Allowed), 5, "{comparison:#?}");
    }

    #[test]
    fn expiry_days_differ_within_a_window_and_the_chain_shape_is_compared() {
        let staging = environment("staging.example.com");
        let mut production = environment("example.com");
        let tls = production.tls.as_mut().unwrap();
        tls.chain[0].days_left = 30;
        tls.chain.pop();
        let comparison = compare(&staging, &production, &Rules::default());
        let (row, s) = status(&comparison, "tls.certificate.expiry");
        assert_eq!(s, Status::Allowed);
        assert_eq!(row.why.as_deref(), Some("both valid for 14 days or more"));
        let (row, s) = status(&comparison, "tls.chain");
        assert_eq!(s, Status::Differs);
        assert_eq!(
            row.staging.as_deref(),
            Some("2 certificates: leaf ← CN=R11, O=Let's Encrypt")
        );
        assert_eq!(row.production.as_deref(), Some("1 certificate"));
    }

    #[test]
    fn a_cookie_or_tls_only_one_side_has_differs() {
        let staging = environment("staging.example.com");
        let mut production = environment("example.com");
        production.tls = None;
        production.response.cookies.clear();
        let comparison = compare(&staging, &production, &Rules::default());
        let (row, s) = status(&comparison, "cookie.session");
        assert_eq!((row.production.as_deref(), s), (None, Status::Differs));
        let (row, s) = status(&comparison, "http.version");
        assert_eq!(
            (row.production.as_deref(), s),
            (Some("http/1.1 (no TLS)"), Status::Differs)
        );
        // The subject stays allowed; the missing TLS session is the protocol's difference.
        assert_eq!(
            status(&comparison, "tls.certificate.subject").1,
            Status::Allowed
        );
        assert_eq!(status(&comparison, "tls.protocol").1, Status::Differs);
    }

    #[test]
    fn the_comparison_serialises_as_rows() {
        let comparison = compare(
            &environment("a.example"),
            &environment("b.example"),
            &Rules::default(),
        );
        let json = serde_json::to_value(&comparison).unwrap();
        let row = &json["rows"][0];
        assert_eq!(row["item"], "tls.protocol");
        assert_eq!(row["status"], "same");
    }
}
