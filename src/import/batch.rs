//! The rows of every file as one `POST /api/v1/history` request, and the way back: each row
//! keeps the file and line it came from, so a problem the server's checks name by field path
//! (`deployments[3].finished_at`) — found here before sending, or in the server's answer —
//! points at a line and a column of a CSV file. Pure: no files, no server.

use std::collections::HashMap;

use gate_server::service::ServiceError;
use gate_server::service::history::{external_deployment, incident};
use gate_wire::HistoryImport;

use super::parse::{self, Problem, Rows};

/// Where a row came from: the index of its file in the command line, and its line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Origin {
    pub file: usize,
    pub line: u64,
}

/// A problem and the file it is in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    pub file: usize,
    pub problem: Problem,
}

/// The request, with the origin of each of its rows.
#[derive(Debug, Default)]
pub struct Batch {
    pub request: HistoryImport,
    deployments: Vec<Origin>,
    incidents: Vec<Origin>,
    /// The files' names by index, for messages that point at another file.
    names: Vec<String>,
}

impl Batch {
    /// Adds the rows of file number `file`, named `name`, in order.
    pub fn add(&mut self, file: usize, name: &str, rows: Rows) {
        if self.names.len() <= file {
            self.names.resize(file + 1, String::new());
        }
        self.names[file] = name.to_string();
        match rows {
            Rows::Deployments(rows) => {
                append(
                    file,
                    rows,
                    &mut self.deployments,
                    &mut self.request.deployments,
                );
            }
            Rows::Incidents(rows) => {
                append(file, rows, &mut self.incidents, &mut self.request.incidents);
            }
        }
    }

    pub fn rows(&self) -> usize {
        self.deployments.len() + self.incidents.len()
    }

    /// Every row checked as the server checks it before storing anything (the first problem
    /// of each row), and rows that would be stored under the same id: the later one would
    /// replace the earlier, and a row would be lost. Whether an incident's `caused_by` names
    /// a deployment already on the server only the server can tell.
    pub fn check(&self) -> Vec<Located> {
        // Each row's field path, its id as the server would store it (or the problem), and
        // what the id is derived from when the row has none.
        let deployments = self.request.deployments.iter().enumerate().map(|(i, d)| {
            let at = format!("deployments[{i}]");
            let id = external_deployment(&at, d).map(|d| d.id);
            (at, id, d.id.is_none().then_some("service and finished_at"))
        });
        let incidents = self.request.incidents.iter().enumerate().map(|(i, row)| {
            let at = format!("incidents[{i}]");
            let id = incident(&at, row).map(|i| i.id);
            (
                at,
                id,
                row.id.is_none().then_some("service, started_at and title"),
            )
        });
        let mut problems = Vec::new();
        let mut ids: HashMap<String, Origin> = HashMap::new();
        for (at, id, derived_from) in deployments.chain(incidents) {
            let (id, origin) = match (id, self.origin(&at)) {
                (Ok(id), Some(origin)) => (id, origin),
                (Err(err), _) => {
                    problems.extend(self.problem_of(&err));
                    continue;
                }
                (Ok(_), None) => continue,
            };
            let Some(first) = ids.get(&id) else {
                ids.insert(id, origin);
                continue;
            };
            let there = if first.file == origin.file {
                format!("the row on line {}", first.line)
            } else {
                format!("line {} of {}", first.line, self.names[first.file])
            };
            let problem = match derived_from {
                None => Problem::at(
                    origin.line,
                    Some("id"),
                    format!("the same id (`{id}`) as {there}"),
                )
                .with_hint(
                    "an id names one deployment or incident: recording it again replaces it, \
                     so only one of these rows would be kept",
                ),
                Some(values) => Problem::at(
                    origin.line,
                    Some("id"),
                    format!("none given, and the same {values} as {there}"),
                )
                .with_hint(
                    "without an id, gate derives one from these values, so only one of the rows \
                     would be kept: give them ids",
                ),
            };
            problems.push(Located {
                file: origin.file,
                problem,
            });
        }
        problems
    }

    /// A validation error of the server's checks as a problem at its row, if it names one.
    fn problem_of(&self, err: &ServiceError) -> Option<Located> {
        match err {
            ServiceError::Invalid {
                field: Some(field),
                message,
            } => self.locate(field, message),
            _ => None,
        }
    }

    /// The row and column of a field path of the request, with the server's message:
    /// `deployments[3].commits[1].sha` is the `commits` cell of the fourth deployment's line,
    /// about its second commit.
    pub fn locate(&self, field: &str, message: &str) -> Option<Located> {
        let origin = self.origin(field)?;
        let rest = field.split_once("].").map(|(_, rest)| rest);
        let column = rest.map(|rest| rest.split(['.', '[']).next().unwrap_or(rest));
        let message = match rest.and_then(commit_number) {
            Some(n) => format!("commit {n}: {message}"),
            None => message.to_string(),
        };
        Some(Located {
            file: origin.file,
            problem: Problem::at(origin.line, column, message),
        })
    }

    /// The origin of the row a field path starts with (`deployments[3]…`).
    fn origin(&self, field: &str) -> Option<Origin> {
        let (list, rest) = field.split_once('[')?;
        let (index, _) = rest.split_once(']')?;
        let index: usize = index.parse().ok()?;
        match list {
            "deployments" => self.deployments.get(index).copied(),
            "incidents" => self.incidents.get(index).copied(),
            _ => None,
        }
    }
}

/// Appends a file's rows to the request's list and their origins to `origins`, which stays
/// parallel to it.
fn append<T>(
    file: usize,
    rows: Vec<parse::Located<T>>,
    origins: &mut Vec<Origin>,
    list: &mut Vec<T>,
) {
    for row in rows {
        origins.push(Origin {
            file,
            line: row.line,
        });
        list.push(row.row);
    }
}

/// `commits[1].sha` → 2: the commit's number as the cell counts them.
fn commit_number(rest: &str) -> Option<usize> {
    let index = rest.strip_prefix("commits[")?.split_once(']')?.0;
    index.parse::<usize>().ok().map(|i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::parse::parse;

    fn batch(files: &[&str]) -> Batch {
        let mut batch = Batch::default();
        for (file, text) in files.iter().enumerate() {
            let parsed = parse(text.as_bytes());
            assert_eq!(parsed.problems, [], "{text}");
            batch.add(file, &format!("f{file}.csv"), parsed.rows.expect("rows"));
        }
        batch
    }

    fn brief(found: &[Located]) -> Vec<String> {
        found
            .iter()
            .map(|l| {
                format!(
                    "{}:{} {}: {}",
                    l.file,
                    l.problem.line.unwrap_or(0),
                    l.problem.column.as_deref().unwrap_or("-"),
                    l.problem.message
                )
            })
            .collect()
    }

    const DEPLOYMENTS: &str = "id,service,finished_at,started_at,outcome,commits\n\
        d1,shop,2026-11-03T10:00:00Z,,success,\n\
        d2,shop,2026-11-04T10:00:00Z,\"2026-11-05T10:00:00Z\",success,\n\
        d3,shop!,2026-11-04T10:00:00Z,,success,\n";

    #[test]
    fn the_servers_checks_point_at_lines_and_columns() {
        let incidents = "service,title,started_at,resolved_at\n\
                         shop,down,2026-11-04T10:00:00Z,2026-11-04T09:00:00Z\n";
        let found = batch(&[DEPLOYMENTS, incidents]).check();
        assert_eq!(
            brief(&found),
            [
                "0:3 started_at: started_at is after finished_at",
                "0:4 service: a service name is letters, digits, `.`, `_` and `-`, e.g. shop",
                "1:2 resolved_at: resolved_at is before started_at",
            ]
        );
    }

    #[test]
    fn rows_stored_under_one_id_are_refused() {
        let given = "id,service,finished_at,outcome\n\
                     d1,shop,2026-11-03T10:00:00Z,success\n\
                     d1,shop,2026-11-04T10:00:00Z,success\n";
        let derived = "service,finished_at,outcome,id\n\
                       shop,2026-11-03T10:00:00Z,success,\n\
                       shop,2026-11-03T11:00:00+01:00,failed,\n\
                       shop,2026-11-04T10:00:00Z,failed,d1\n";
        let found = batch(&[given, derived]).check();
        assert_eq!(
            brief(&found),
            [
                "0:3 id: the same id (`d1`) as the row on line 2",
                "1:3 id: none given, and the same service and finished_at as the row on line 2",
                "1:4 id: the same id (`d1`) as line 2 of f0.csv",
            ]
        );
        assert!(
            found[1]
                .problem
                .hint
                .as_deref()
                .unwrap_or("")
                .contains("derives"),
            "{found:?}"
        );
    }

    #[test]
    fn a_servers_field_path_names_the_line_and_column() {
        let b = batch(&[DEPLOYMENTS]);
        let at = |field: &str| b.locate(field, "bad").map(|l| brief(&[l]).remove(0));
        assert_eq!(
            at("deployments[1].finished_at").as_deref(),
            Some("0:3 finished_at: bad")
        );
        assert_eq!(
            at("deployments[2].commits[1].sha").as_deref(),
            Some("0:4 commits: commit 2: bad")
        );
        assert_eq!(at("deployments[0]").as_deref(), Some("0:2 -: bad"));
        assert_eq!(at("deployments[3].id"), None);
        assert_eq!(at("incidents[0].caused_by"), None);
        assert_eq!(at("deployments"), None);
    }
}
