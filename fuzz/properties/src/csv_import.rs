//! `gate import`'s CSV reading: arbitrary bytes through [`parse`], then, for what it reads, the
//! batch checks the server's rules run before anything is sent. Nothing panics; every
//! problem says what is wrong, at a line of the file (or the file as a whole); rows come in
//! file order below the header, and a field path of a row leads back to its line.

use gate::import::batch::Batch;
use gate::import::parse::{Kind, Problem, Rows, parse};

pub fn check(data: &[u8]) {
    // csv ends a line at `\n`, `\r` or both: this bounds any count of them.
    let lines = 1 + data.iter().filter(|&&b| b == b'\n' || b == b'\r').count() as u64;
    let parsed = parse(data);
    for problem in &parsed.problems {
        located(problem, lines);
    }
    let Some(rows) = parsed.rows else {
        assert!(!parsed.problems.is_empty(), "no rows and no problem");
        return;
    };
    let at: Vec<u64> = match &rows {
        Rows::Deployments(rows) => rows.iter().map(|r| r.line).collect(),
        Rows::Incidents(rows) => rows.iter().map(|r| r.line).collect(),
    };
    assert!(
        at.iter().all(|&line| (2..=lines).contains(&line)),
        "a row on a line outside 2..={lines}: {at:?}"
    );
    assert!(at.is_sorted(), "rows out of file order: {at:?}");
    if at.is_empty() {
        assert!(!parsed.problems.is_empty(), "no rows and no problem");
    }
    let list = match rows.kind() {
        Kind::Deployments => "deployments",
        Kind::Incidents => "incidents",
    };
    let mut batch = Batch::default();
    batch.add(0, "fuzz.csv", rows);
    for found in batch.check() {
        assert_eq!(found.file, 0, "a problem in a file not given");
        located(&found.problem, lines);
    }
    for (i, &line) in at.iter().enumerate() {
        let back = batch
            .locate(&format!("{list}[{i}].service"), "m")
            .expect("every row's field path leads back to it");
        assert_eq!(back.problem.line, Some(line), "row {i} is not on its line");
        assert_eq!(back.problem.column.as_deref(), Some("service"));
    }
}

/// A problem with a message, at a line of the file if at any.
fn located(problem: &Problem, lines: u64) {
    assert!(
        !problem.message.trim().is_empty(),
        "a problem with no message: {problem:?}"
    );
    if let Some(line) = problem.line {
        assert!(
            (1..=lines).contains(&line),
            "a problem on line {line} of a file of at most {lines}: {problem:?}"
        );
    }
    if let Some(column) = &problem.column {
        assert!(
            !column.is_empty(),
            "a problem names an empty column: {problem:?}"
        );
    }
}
