//! Reading one history CSV into the API's rows. The header row says what the file holds
//! (deployments or incidents) and which column each cell belongs to; each cell is read by its
//! column; every problem is kept with the physical line its row starts on, so all of them are
//! reported at once. Pure: bytes in, rows or problems out. Whether the values make sense
//! together (a start after a finish, a service name's characters) is the server's check,
//! which [`super::batch`] runs.

use gate_server::service::submit::is_full_sha;
use gate_wire::{CarriedCommit, ExternalDeployment, ExternalOutcome, Incident};

/// What a file holds, told by its header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Deployments,
    Incidents,
}

const DEPLOYMENT_COLUMNS: &[&str] = &[
    "id",
    "service",
    "version",
    "commits",
    "started_at",
    "finished_at",
    "outcome",
    "hotfix",
    "rollback",
    "detected_at",
    "recovered_at",
];
const INCIDENT_COLUMNS: &[&str] = &[
    "id",
    "service",
    "title",
    "started_at",
    "resolved_at",
    "caused_by",
];

/// The outcome names, as the API spells them.
const OUTCOMES: &[(&str, ExternalOutcome)] = &[
    ("success", ExternalOutcome::Success),
    ("rolled_back", ExternalOutcome::RolledBack),
    ("auto_rolled_back", ExternalOutcome::AutoRolledBack),
    ("failed", ExternalOutcome::Failed),
];

const TIME_EXAMPLE: &str = "2026-11-30T14:05:00Z (UTC) or 2026-11-30T15:05:00+01:00";

impl Kind {
    pub fn columns(self) -> &'static [&'static str] {
        match self {
            Kind::Deployments => DEPLOYMENT_COLUMNS,
            Kind::Incidents => INCIDENT_COLUMNS,
        }
    }

    fn required(self) -> &'static [&'static str] {
        match self {
            Kind::Deployments => &["service", "finished_at", "outcome"],
            Kind::Incidents => &["service", "title", "started_at"],
        }
    }

    /// "deployment" or "incident", for messages.
    pub fn noun(self) -> &'static str {
        match self {
            Kind::Deployments => "deployment",
            Kind::Incidents => "incident",
        }
    }

    /// The kind whose own columns (those the other kind lacks) the header names more of.
    fn of_header(names: &[String]) -> Option<Kind> {
        let own = |kind: Kind, other: Kind| {
            names
                .iter()
                .filter(|n| kind.columns().contains(&n.as_str()))
                .filter(|n| !other.columns().contains(&n.as_str()))
                .count()
        };
        let deployments = own(Kind::Deployments, Kind::Incidents);
        let incidents = own(Kind::Incidents, Kind::Deployments);
        match deployments.cmp(&incidents) {
            std::cmp::Ordering::Greater => Some(Kind::Deployments),
            std::cmp::Ordering::Less => Some(Kind::Incidents),
            std::cmp::Ordering::Equal => None,
        }
    }
}

/// A row as read, with the physical line it starts on (the header is line 1; a quoted cell
/// holding a line break makes a row span several lines).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located<T> {
    pub line: u64,
    pub row: T,
}

/// A file's rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rows {
    Deployments(Vec<Located<ExternalDeployment>>),
    Incidents(Vec<Located<Incident>>),
}

impl Rows {
    pub fn kind(&self) -> Kind {
        match self {
            Rows::Deployments(_) => Kind::Deployments,
            Rows::Incidents(_) => Kind::Incidents,
        }
    }

    pub fn len(&self) -> usize {
        match self {
            Rows::Deployments(rows) => rows.len(),
            Rows::Incidents(rows) => rows.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// What is wrong in a file, where, and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The physical line (`None`: the file as a whole).
    pub line: Option<u64>,
    /// The column, as the API names it.
    pub column: Option<String>,
    /// A lower-case fragment: "`yesterday` is not an RFC 3339 time".
    pub message: String,
    pub hint: Option<String>,
}

impl Problem {
    pub fn at(line: u64, column: Option<&str>, message: impl Into<String>) -> Problem {
        Problem {
            line: Some(line),
            column: column.map(str::to_string),
            message: message.into(),
            hint: None,
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Problem {
        self.hint = Some(hint.into());
        self
    }
}

/// What a file gave: the rows read well (none when its header is unusable) and every problem
/// found; a row with a problem is not among the rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    pub rows: Option<Rows>,
    pub problems: Vec<Problem>,
}

/// Reads a CSV file's bytes.
pub fn parse(bytes: &[u8]) -> Parsed {
    read(bytes).unwrap_or_else(|problems| Parsed {
        rows: None,
        problems,
    })
}

/// The file's rows and problems, or the problems that stop it being read past its header.
fn read(bytes: &[u8]) -> Result<Parsed, Vec<Problem>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut records = reader.byte_records();
    let header = match records.next() {
        Some(Ok(header)) => header,
        Some(Err(e)) => return Err(vec![csv_problem(&e)]),
        None => {
            return Err(vec![Problem {
                line: None,
                column: None,
                message: "the file is empty".into(),
                hint: Some(format!(
                    "start with a header row naming the columns, e.g. {}",
                    Kind::Deployments.required().join(",")
                )),
            }]);
        }
    };
    let mut lines = Lines::new(bytes);
    let header_line = lines.of(&header);
    let header = Header::read(header_line, &header)?;
    let mut problems = Vec::new();
    let mut deployments = Vec::new();
    let mut incidents = Vec::new();
    for record in records {
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                problems.push(csv_problem(&e));
                break;
            }
        };
        let line = lines.of(&record);
        let Some(mut cells) = header.cells(line, &record, &mut problems) else {
            continue;
        };
        match header.kind {
            Kind::Deployments => {
                if let Some(row) = cells.deployment() {
                    deployments.push(Located { line, row });
                }
            }
            Kind::Incidents => {
                if let Some(row) = cells.incident() {
                    incidents.push(Located { line, row });
                }
            }
        }
        problems.extend(cells.problems);
    }
    if problems.is_empty() && deployments.is_empty() && incidents.is_empty() {
        problems.push(
            Problem::at(header_line, None, "no rows under the header")
                .with_hint(format!("add one row per {}", header.kind.noun())),
        );
    }
    let rows = match header.kind {
        Kind::Deployments => Rows::Deployments(deployments),
        Kind::Incidents => Rows::Incidents(incidents),
    };
    Ok(Parsed {
        rows: Some(rows),
        problems,
    })
}

/// The physical line a record starts on. csv's own position of a record is where reading it
/// began, which is before the blank lines it skipped; this counts from the record's first byte.
struct Lines<'a> {
    bytes: &'a [u8],
    at: usize,
    line: u64,
}

impl<'a> Lines<'a> {
    fn new(bytes: &'a [u8]) -> Lines<'a> {
        Lines {
            bytes,
            at: 0,
            line: 1,
        }
    }

    /// Records come in order, so each count goes on from the last.
    fn of(&mut self, record: &csv::ByteRecord) -> u64 {
        let Some(position) = record.position() else {
            return self.line;
        };
        let mut start = usize::try_from(position.byte()).unwrap_or(usize::MAX);
        while matches!(self.bytes.get(start), Some(b'\r' | b'\n')) {
            start += 1;
        }
        let end = start.min(self.bytes.len());
        if end > self.at {
            // A line ends as csv ends a record: at `\n`, `\r\n` or a lone `\r`.
            let skipped = &self.bytes[self.at..end];
            let breaks = skipped
                .iter()
                .enumerate()
                .filter(|&(i, &b)| b == b'\n' || (b == b'\r' && skipped.get(i + 1) != Some(&b'\n')))
                .count();
            self.line += breaks as u64;
            self.at = end;
        }
        self.line
    }
}

fn csv_problem(err: &csv::Error) -> Problem {
    let line = err.position().map(|p| p.line());
    Problem {
        line,
        column: None,
        message: format!("cannot read the CSV: {err}"),
        hint: None,
    }
}

/// The header row: what the file holds and which column each position is.
struct Header {
    kind: Kind,
    columns: Vec<&'static str>,
}

impl Header {
    fn read(line: u64, record: &csv::ByteRecord) -> Result<Header, Vec<Problem>> {
        let names: Vec<String> = record
            .iter()
            .map(|cell| {
                String::from_utf8_lossy(cell)
                    .trim_start_matches('\u{feff}')
                    .trim()
                    .to_ascii_lowercase()
            })
            .collect();
        let Some(kind) = Kind::of_header(&names) else {
            return Err(vec![
                Problem::at(
                    line,
                    None,
                    "cannot tell from the header whether the file holds deployments or incidents",
                )
                .with_hint(format!(
                    "a deployments file has the columns {}; an incidents file {}",
                    DEPLOYMENT_COLUMNS.join(","),
                    INCIDENT_COLUMNS.join(",")
                )),
            ]);
        };
        let mut problems = Vec::new();
        let mut columns: Vec<&'static str> = Vec::new();
        let mut suggested: Vec<&'static str> = Vec::new();
        for (position, name) in names.iter().enumerate() {
            if let Some(known) = kind.columns().iter().find(|c| *c == name) {
                if let Some(first) = columns.iter().position(|c| c == known) {
                    problems.push(
                        Problem::at(
                            line,
                            Some(known),
                            format!("appears twice (columns {} and {})", first + 1, position + 1),
                        )
                        .with_hint("keep one of them"),
                    );
                }
                columns.push(known);
                continue;
            }
            let shown = if name.is_empty() {
                format!("{}", position + 1)
            } else {
                name.clone()
            };
            let mut problem = Problem::at(
                line,
                Some(&shown),
                format!("unknown column in a {}s file", kind.noun()),
            );
            problem = match closest(name, kind.columns()) {
                Some(near) => {
                    suggested.push(near);
                    problem.with_hint(format!("did you mean `{near}`?"))
                }
                None => problem.with_hint(format!(
                    "the columns are {} (names are case-insensitive)",
                    kind.columns().join(", ")
                )),
            };
            problems.push(problem);
            columns.push("");
        }
        for required in kind.required() {
            // A misspelt required column was reported with its suggestion.
            if !columns.contains(required) && !suggested.contains(required) {
                problems.push(
                    Problem::at(line, Some(required), "required column is missing").with_hint(
                        format!(
                            "a {}s file needs the columns {}",
                            kind.noun(),
                            kind.required().join(", ")
                        ),
                    ),
                );
            }
        }
        if problems.is_empty() {
            Ok(Header { kind, columns })
        } else {
            Err(problems)
        }
    }

    /// A row's non-empty cells by column, or `None` for a row to skip (every cell empty, or
    /// not as many cells as columns: reported).
    fn cells<'h>(
        &'h self,
        line: u64,
        record: &csv::ByteRecord,
        problems: &mut Vec<Problem>,
    ) -> Option<Cells<'h>> {
        if record.iter().all(|cell| cell.trim_ascii().is_empty()) {
            return None;
        }
        if record.len() != self.columns.len() {
            problems.push(
                Problem::at(
                    line,
                    None,
                    format!(
                        "the row has {} cells, the header {} columns",
                        record.len(),
                        self.columns.len()
                    ),
                )
                .with_hint(
                    "give every row one cell per column (empty for a value it lacks); a value \
                     holding a comma needs double quotes",
                ),
            );
            return None;
        }
        let mut cells = Cells {
            line,
            values: Vec::new(),
            problems: Vec::new(),
        };
        for (column, cell) in self.columns.iter().zip(record.iter()) {
            match std::str::from_utf8(cell) {
                Ok(text) if text.trim().is_empty() => {}
                Ok(text) => cells.values.push((column, text.trim().to_string())),
                Err(_) => cells.problems.push(
                    Problem::at(line, Some(column), "is not UTF-8 text")
                        .with_hint("save the file as UTF-8"),
                ),
            }
        }
        Some(cells)
    }
}

/// The known name `name` is most likely a misspelling of.
fn closest(name: &str, known: &[&'static str]) -> Option<&'static str> {
    known
        .iter()
        .map(|k| (strsim::levenshtein(name, k), *k))
        .filter(|(distance, k)| *distance <= 2.max(k.len() / 3))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, k)| k)
}

/// One row's cells, read column by column; problems collect as they are found.
struct Cells<'h> {
    line: u64,
    values: Vec<(&'h &'static str, String)>,
    problems: Vec<Problem>,
}

impl Cells<'_> {
    fn get(&self, column: &str) -> Option<String> {
        self.values
            .iter()
            .find(|(c, _)| **c == column)
            .map(|(_, v)| v.clone())
    }

    fn problem(&mut self, column: &str, message: String, hint: String) {
        self.problems
            .push(Problem::at(self.line, Some(column), message).with_hint(hint));
    }

    fn required(&mut self, column: &str, noun: &str) -> Option<String> {
        let value = self.get(column);
        if value.is_none() {
            self.problem(
                column,
                "is empty".into(),
                format!("every {noun} needs its {column}"),
            );
        }
        value
    }

    fn time(&mut self, column: &str) -> Option<String> {
        let text = self.get(column)?;
        if let Err((message, hint)) = check_time(&text) {
            self.problem(column, message, hint);
        }
        Some(text)
    }

    fn required_time(&mut self, column: &str, noun: &str) -> Option<String> {
        self.required(column, noun)?;
        self.time(column)
    }

    fn flag(&mut self, column: &str) -> bool {
        let Some(text) = self.get(column) else {
            return false;
        };
        match text.to_ascii_lowercase().as_str() {
            "true" | "yes" | "1" => true,
            "false" | "no" | "0" => false,
            _ => {
                self.problem(
                    column,
                    format!("`{text}` is not true or false"),
                    "write true, false, yes, no, 1 or 0 (empty is false)".into(),
                );
                false
            }
        }
    }

    fn outcome(&mut self) -> Option<ExternalOutcome> {
        let text = self.required("outcome", "deployment")?;
        let lower = text.to_ascii_lowercase();
        if let Some((_, outcome)) = OUTCOMES.iter().find(|(name, _)| *name == lower) {
            return Some(*outcome);
        }
        let names: Vec<&'static str> = OUTCOMES.iter().map(|(name, _)| *name).collect();
        let hint = match closest(&lower.replace(['-', ' '], "_"), &names) {
            Some(near) => format!("did you mean `{near}`? One of: {}", names.join(", ")),
            None => format!("one of: {}", names.join(", ")),
        };
        self.problem("outcome", format!("unknown outcome `{text}`"), hint);
        None
    }

    /// `SHA` or `SHA@COMMITTED_AT`, separated by spaces or `;`, head first.
    fn commits(&mut self) -> Vec<CarriedCommit> {
        let Some(text) = self.get("commits") else {
            return Vec::new();
        };
        let mut commits = Vec::new();
        let items = text
            .split(|c: char| c.is_whitespace() || c == ';')
            .filter(|item| !item.is_empty());
        for (n, item) in items.enumerate() {
            let (sha, committed_at) = match item.split_once('@') {
                Some((sha, at)) => (sha, Some(at)),
                None => (item, None),
            };
            if !is_full_sha(&sha.to_ascii_lowercase()) {
                self.problem(
                    "commits",
                    format!("commit {} (`{sha}`) is not a full SHA", n + 1),
                    "a commit is 40 (or 64) hex digits, as `git rev-parse HEAD` prints it; \
                     separate commits with spaces or `;`"
                        .into(),
                );
            }
            if let Some(Err((message, hint))) = committed_at.map(check_time) {
                self.problem(
                    "commits",
                    format!("commit {}'s time: {message}", n + 1),
                    format!("write SHA@TIME, the time without spaces; {hint}"),
                );
            }
            commits.push(CarriedCommit {
                sha: sha.to_string(),
                committed_at: committed_at.map(str::to_string),
            });
        }
        commits
    }

    /// The row as a deployment, or `None` when a cell is wrong. Every cell is read first, so
    /// that each of its problems is found.
    fn deployment(&mut self) -> Option<ExternalDeployment> {
        let service = self.required("service", "deployment");
        let commits = self.commits();
        let started_at = self.time("started_at");
        let finished_at = self.required_time("finished_at", "deployment");
        let outcome = self.outcome();
        let hotfix = self.flag("hotfix");
        let rollback = self.flag("rollback");
        let detected_at = self.time("detected_at");
        let recovered_at = self.time("recovered_at");
        if !self.problems.is_empty() {
            return None;
        }
        Some(ExternalDeployment {
            id: self.get("id"),
            service: service?,
            version: self.get("version"),
            commits,
            started_at,
            finished_at: finished_at?,
            outcome: outcome?,
            hotfix,
            rollback,
            detected_at,
            recovered_at,
        })
    }

    fn incident(&mut self) -> Option<Incident> {
        let service = self.required("service", "incident");
        let title = self.required("title", "incident");
        let started_at = self.required_time("started_at", "incident");
        let resolved_at = self.time("resolved_at");
        if !self.problems.is_empty() {
            return None;
        }
        Some(Incident {
            id: self.get("id"),
            service: service?,
            title: title?,
            started_at: started_at?,
            resolved_at,
            caused_by: self.get("caused_by"),
        })
    }
}

/// An RFC 3339 time (the API's format), or what is wrong and how to write it.
fn check_time(text: &str) -> Result<(), (String, String)> {
    use time::format_description::well_known::Rfc3339;
    if time::OffsetDateTime::parse(text, &Rfc3339).is_ok() {
        return Ok(());
    }
    let message = format!("`{text}` is not an RFC 3339 time");
    let hint = if time::OffsetDateTime::parse(&format!("{text}Z"), &Rfc3339).is_ok() {
        format!("add the UTC offset the time was taken in: {text}Z for UTC, or e.g. {text}+01:00")
    } else {
        format!("write it as {TIME_EXAMPLE}")
    };
    Err((message, hint))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sha(c: char) -> String {
        c.to_string().repeat(40)
    }

    fn deployments(text: &str) -> Vec<Located<ExternalDeployment>> {
        match parse(text.as_bytes()) {
            Parsed {
                rows: Some(Rows::Deployments(rows)),
                problems,
            } if problems.is_empty() => rows,
            other => panic!("not deployments: {other:?}"),
        }
    }

    fn problems(text: &str) -> Vec<Problem> {
        let parsed = parse(text.as_bytes());
        assert!(!parsed.problems.is_empty(), "valid: {parsed:?}");
        parsed.problems
    }

    /// `line column: message`, for short assertions.
    fn brief(problems: &[Problem]) -> Vec<String> {
        problems
            .iter()
            .map(|p| {
                format!(
                    "{} {}: {}",
                    p.line.unwrap_or(0),
                    p.column.as_deref().unwrap_or("-"),
                    p.message
                )
            })
            .collect()
    }

    #[test]
    fn a_deployments_file_is_read_with_every_column() {
        let text = format!(
            "ID,Service,Version,Commits,Started_At,Finished_At,Outcome,Hotfix,Rollback,Detected_At,Recovered_At\n\
             d1,shop,v7,{a}@2026-11-03T08:00:00Z;{b},2026-11-03T09:50:00Z,2026-11-03T10:00:00Z,auto_rolled_back,yes,0,2026-11-03T10:01:00+01:00,2026-11-03T10:03:00+01:00\n\
             ,shop,,,,2026-11-04T10:00:00Z,SUCCESS,,,,\n",
            a = sha('a'),
            b = sha('b'),
        );
        let rows = deployments(&text);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].line, 2);
        assert_eq!(
            rows[0].row,
            ExternalDeployment {
                id: Some("d1".into()),
                service: "shop".into(),
                version: Some("v7".into()),
                commits: vec![
                    CarriedCommit {
                        sha: sha('a'),
                        committed_at: Some("2026-11-03T08:00:00Z".into())
                    },
                    CarriedCommit {
                        sha: sha('b'),
                        committed_at: None
                    },
                ],
                started_at: Some("2026-11-03T09:50:00Z".into()),
                finished_at: "2026-11-03T10:00:00Z".into(),
                outcome: ExternalOutcome::AutoRolledBack,
                hotfix: true,
                rollback: false,
                detected_at: Some("2026-11-03T10:01:00+01:00".into()),
                recovered_at: Some("2026-11-03T10:03:00+01:00".into()),
            }
        );
        // Empty cells are absent; outcome names are case-insensitive.
        let second = &rows[1].row;
        assert_eq!(
            (second.id.as_deref(), second.version.as_deref()),
            (None, None)
        );
        assert_eq!(second.outcome, ExternalOutcome::Success);
        assert!(second.commits.is_empty() && !second.hotfix);
    }

    #[test]
    fn an_incidents_file_is_told_by_its_header() {
        let text = "title,service,started_at,resolved_at,caused_by\n\
                    \"checkout errors, then none\",shop,2026-11-04T09:58:00Z,,d2\n";
        let Some(Rows::Incidents(rows)) = parse(text.as_bytes()).rows else {
            panic!("not incidents");
        };
        assert_eq!(rows[0].row.title, "checkout errors, then none");
        assert_eq!(rows[0].row.resolved_at, None);
        assert_eq!(rows[0].row.caused_by.as_deref(), Some("d2"));
    }

    #[test]
    fn lines_are_physical_lines_even_after_a_quoted_line_break() {
        let text = "service,title,started_at\n\
                    shop,\"two\nlines\",2026-11-04T09:58:00Z\n\
                    \n\
                    shop,,nope\n";
        assert_eq!(
            brief(&problems(text)),
            [
                "5 title: is empty",
                "5 started_at: `nope` is not an RFC 3339 time"
            ]
        );
        let text = "\r\nservice,title,started_at\r\n\r\n\r\nshop,x,nope\r\n";
        assert_eq!(
            brief(&problems(text)),
            ["5 started_at: `nope` is not an RFC 3339 time"]
        );
    }

    /// Found by the `csv_import` fuzz target (fuzz/regressions/csv_import/): with lines ended by
    /// a lone `\r` (old Mac files), every row was reported on line 1.
    #[test]
    fn lines_ended_by_a_lone_carriage_return_count() {
        let text = "service,title,started_at\rshop,x,nope\r\rshop,,2026-11-04T09:58:00Z\r";
        assert_eq!(
            brief(&problems(text)),
            [
                "2 started_at: `nope` is not an RFC 3339 time",
                "4 title: is empty"
            ]
        );
    }

    #[test]
    fn every_bad_row_is_reported_with_a_hint() {
        let text = format!(
            "service,finished_at,outcome,hotfix,commits\n\
             shop,30.11.2026 10:00,success,,\n\
             shop,2026-11-03T10:00:00,rolled-back,maybe,\n\
             ,2026-11-03T10:00:00Z,success,,abc;{a}@yesterday\n\
             shop,2026-11-03T10:00:00Z,success,,{a}\n",
            a = sha('a')
        );
        let found = problems(&text);
        assert_eq!(
            brief(&found),
            [
                "2 finished_at: `30.11.2026 10:00` is not an RFC 3339 time",
                "3 finished_at: `2026-11-03T10:00:00` is not an RFC 3339 time",
                "3 outcome: unknown outcome `rolled-back`",
                "3 hotfix: `maybe` is not true or false",
                "4 service: is empty",
                "4 commits: commit 1 (`abc`) is not a full SHA",
                "4 commits: commit 2's time: `yesterday` is not an RFC 3339 time",
            ]
        );
        let hint = |i: usize| found[i].hint.clone().unwrap_or_default();
        assert!(hint(0).contains("2026-11-30T14:05:00Z"), "{}", hint(0));
        assert!(hint(1).contains("offset"), "{}", hint(1));
        assert!(
            hint(2).starts_with("did you mean `rolled_back`?") && hint(2).contains("failed"),
            "{}",
            hint(2)
        );
        assert!(hint(3).contains("yes"), "{}", hint(3));
    }

    #[test]
    fn the_good_rows_of_a_file_with_bad_ones_are_kept_for_the_servers_checks() {
        let parsed = parse(
            b"service,finished_at,outcome\nshop,2026-11-03T10:00:00Z,success\nshop,x,success\n",
        );
        assert_eq!(parsed.rows.map(|r| r.len()), Some(1));
        assert_eq!(
            brief(&parsed.problems),
            ["3 finished_at: `x` is not an RFC 3339 time"]
        );
    }

    #[test]
    fn header_problems_name_the_column_with_a_suggestion() {
        let found = problems("service,finshed_at,outcome,colour,Service\n");
        assert_eq!(
            brief(&found),
            [
                "1 finshed_at: unknown column in a deployments file",
                "1 colour: unknown column in a deployments file",
                "1 service: appears twice (columns 1 and 5)",
            ]
        );
        assert_eq!(
            found[0].hint.as_deref(),
            Some("did you mean `finished_at`?")
        );
        assert!(
            found[1]
                .hint
                .as_deref()
                .unwrap_or("")
                .contains("recovered_at")
        );

        let found = problems("service,title\n");
        assert_eq!(brief(&found), ["1 started_at: required column is missing"]);
        let found = problems("name,when\nshop,2026-11-03T10:00:00Z\n");
        assert_eq!(
            brief(&found),
            ["1 -: cannot tell from the header whether the file holds deployments or incidents"]
        );
    }

    #[test]
    fn rows_of_the_wrong_width_and_empty_files_are_refused() {
        let found = problems("service,finished_at,outcome\nshop,2026-11-03T10:00:00Z\n,,\n");
        assert_eq!(
            brief(&found),
            ["2 -: the row has 2 cells, the header 3 columns"]
        );
        let found = problems("");
        assert_eq!(found[0].line, None);
        assert_eq!(found[0].message, "the file is empty");
        let found = problems("service,finished_at,outcome\n");
        assert_eq!(brief(&found), ["1 -: no rows under the header"]);
    }

    #[test]
    fn a_byte_order_mark_and_padding_are_ignored() {
        let text =
            "\u{feff} service , finished_at ,outcome\r\n shop , 2026-11-03T10:00:00Z ,success\r\n";
        let rows = deployments(text);
        assert_eq!(rows[0].row.service, "shop");
        assert_eq!(rows[0].row.finished_at, "2026-11-03T10:00:00Z");
    }
}
