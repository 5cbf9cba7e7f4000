//! `show stat` (CSV) read into [`ServerStat`]s, and a server's counters as [`VersionCounts`]
//! (the mapping is documented in [`super`]). Pure: no I/O.

use std::collections::HashMap;

use crate::sample::VersionCounts;

/// One server line of `show stat`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServerStat {
    pub name: String,
    /// `UP`, `DOWN`, `no check`, `MAINT`, `DRAIN`, `MAINT (via …)`.
    pub status: String,
    pub weight: u32,
    /// `IP:PORT` as HAProxy connects to it.
    pub addr: String,
    /// `hrsp_1xx`, `hrsp_2xx`, `hrsp_3xx`, `hrsp_4xx`, `hrsp_5xx`, `hrsp_other`.
    pub hrsp: [u64; 6],
    pub econ: u64,
    pub eresp: u64,
    pub srv_abrt: u64,
}

impl ServerStat {
    /// Whether the balancer sends it new requests: not in maintenance, and a weight above 0.
    pub fn serving(&self) -> bool {
        self.weight > 0 && !self.status.starts_with("MAINT")
    }

    pub fn counts(&self) -> VersionCounts {
        let answered: u64 = self.hrsp.iter().sum();
        let unanswered = self.eresp.saturating_sub(self.srv_abrt);
        VersionCounts {
            requests: answered + self.econ + unanswered,
            errors: self.hrsp[4] + self.econ + self.eresp,
            latency: None,
        }
    }
}

/// The servers of `backend` in a `show stat` answer, in HAProxy's order. Errors say what is
/// wrong with the answer.
pub fn servers(answer: &str, backend: &str) -> Result<Vec<ServerStat>, String> {
    let mut lines = answer.lines();
    let header = lines
        .next()
        .and_then(|line| line.strip_prefix("# "))
        .ok_or_else(|| format!("not `show stat` CSV: {}", first_line(answer)))?;
    let columns: HashMap<&str, usize> = header
        .split(',')
        .enumerate()
        .map(|(i, name)| (name, i))
        .collect();
    let column = |name: &str| {
        columns
            .get(name)
            .copied()
            .ok_or_else(|| format!("`show stat` has no `{name}` column"))
    };
    let [pxname, svname, status, weight, addr, econ, eresp, srv_abrt] = [
        "pxname", "svname", "status", "weight", "addr", "econ", "eresp", "srv_abrt",
    ]
    .map(column);
    let (pxname, svname, status, weight, addr) = (pxname?, svname?, status?, weight?, addr?);
    let (econ, eresp, srv_abrt) = (econ?, eresp?, srv_abrt?);
    let hrsp = [
        "hrsp_1xx",
        "hrsp_2xx",
        "hrsp_3xx",
        "hrsp_4xx",
        "hrsp_5xx",
        "hrsp_other",
    ]
    .map(column);
    let mut hrsp_columns = [0; 6];
    for (slot, column) in hrsp_columns.iter_mut().zip(hrsp) {
        *slot = column?;
    }

    let mut servers = Vec::new();
    for line in lines.filter(|l| !l.trim().is_empty()) {
        let fields = split_csv(line);
        let field = |i: usize| fields.get(i).map(String::as_str).unwrap_or("");
        let name = field(svname);
        if field(pxname) != backend || name == "FRONTEND" || name == "BACKEND" {
            continue;
        }
        let number = |i: usize| -> Result<u64, String> {
            let text = field(i);
            if text.is_empty() {
                return Ok(0);
            }
            text.parse()
                .map_err(|_| format!("server `{name}` has `{text}` where a number belongs"))
        };
        let mut counts = [0; 6];
        for (count, &column) in counts.iter_mut().zip(&hrsp_columns) {
            *count = number(column)?;
        }
        servers.push(ServerStat {
            name: name.to_string(),
            status: field(status).to_string(),
            weight: u32::try_from(number(weight)?).unwrap_or(u32::MAX),
            addr: field(addr).to_string(),
            hrsp: counts,
            econ: number(econ)?,
            eresp: number(eresp)?,
            srv_abrt: number(srv_abrt)?,
        });
    }
    Ok(servers)
}

/// One CSV line as HAProxy writes it: fields that hold a comma or a quote are quoted, with
/// quotes doubled.
fn split_csv(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => fields.push(std::mem::take(&mut field)),
            (c, _) => field.push(c),
        }
    }
    fields.push(field);
    fields
}

pub(crate) fn first_line(answer: &str) -> &str {
    let line = answer.lines().next().unwrap_or("").trim();
    if line.is_empty() { "(nothing)" } else { line }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `show stat svc 4 -1` answer of HAProxy 2.6, cut to the columns the driver reads plus a
    /// quoted one. Server `b`: 36 answers, 3 refused connections, 3 answers never started and 3
    /// cut off (so `eresp` 6 with `srv_abrt` 3), 3 answers of 500.
    const ANSWER: &str = "\
# pxname,svname,econ,eresp,status,weight,hrsp_1xx,hrsp_2xx,hrsp_3xx,hrsp_4xx,hrsp_5xx,hrsp_other,srv_abrt,check_desc,addr,
svc,a,0,0,no check,95,0,107,0,0,0,0,0,\"a, quoted \"\"field\"\"\",127.0.0.1:18081,
svc,b,3,6,MAINT,0,0,39,0,0,3,0,3,,127.0.0.1:18085,
other,a,9,9,UP,1,9,9,9,9,9,9,0,,127.0.0.1:1,

";

    #[test]
    fn reads_the_servers_of_one_backend() {
        let servers = servers(ANSWER, "svc").unwrap();
        assert_eq!(servers.len(), 2);
        assert_eq!(servers[0].addr, "127.0.0.1:18081");
        assert!(servers[0].serving());
        assert_eq!(
            (servers[1].status.as_str(), servers[1].weight),
            ("MAINT", 0)
        );
        assert!(!servers[1].serving());
    }

    #[test]
    fn requests_count_each_request_once_and_errors_count_every_failure() {
        let servers = servers(ANSWER, "svc").unwrap();
        let a = servers[0].counts();
        assert_eq!((a.requests, a.errors, a.latency), (107, 0, None));
        // 42 answers started + 3 refused connections + (6 - 3) answers never started.
        // Errors: 3 answers of 500 + 3 refused + 6 response errors (3 never started, 3 cut off).
        let b = servers[1].counts();
        assert_eq!((b.requests, b.errors), (48, 12));
    }

    #[test]
    fn quoted_fields_keep_their_commas_and_quotes() {
        assert_eq!(
            split_csv(r#"a,"b, ""c""",d"#),
            ["a", r#"b, "c""#, "d"].map(String::from)
        );
    }

    #[test]
    fn an_answer_that_is_not_csv_says_what_it_was() {
        assert_eq!(
            servers("No such proxy.\n", "svc").unwrap_err(),
            "not `show stat` CSV: No such proxy."
        );
        let missing = servers("# pxname,svname\n", "svc").unwrap_err();
        assert!(missing.contains("no `status` column"), "{missing}");
    }
}
