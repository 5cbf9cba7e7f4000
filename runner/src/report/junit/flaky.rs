//! Maven Surefire's flaky-pass elements, which junit-report cannot write: its XML is streamed
//! through quick-xml event by event, unchanged, and each flaky scenario's `<testcase>` gets, as
//! its first children, one element per attempt that did not pass:
//!
//! ```xml
//! <flakyFailure message="file:line: …" type="step">
//!   <stackTrace>step failed in step 3: …  at file:line …</stackTrace>
//!   <system-out>attempt 1 of 2: failed on worker 1 …</system-out>
//! </flakyFailure>
//! ```
//!
//! `<flakyError>` instead for an attempt that errored (browser crash). This module only adds
//! elements; what junit-report wrote stays byte for byte.

use std::collections::{HashMap, VecDeque};
use std::io::{self, Write};

use quick_xml::escape::{partial_escape, unescape};
use quick_xml::events::{BytesStart, BytesText, Event};
use quick_xml::{Reader, Writer};

use super::{attempt_problem, push_attempt, push_failure, xml_text};
use crate::result::{AttemptOutcome, FailureKind, Outcome, RunResult, ScenarioResult};

/// `xml` (junit-report's rendering of `result`) with the flaky elements inserted.
pub(super) fn insert_reruns(xml: &str, result: &RunResult) -> io::Result<String> {
    let mut scenarios = Testcases::of(result);
    let mut reader = Reader::from_str(xml);
    let mut writer = Writer::new(Vec::with_capacity(xml.len()));
    loop {
        let event = reader.read_event().map_err(invalid_data)?;
        let flaky = match &event {
            Event::Start(tag) | Event::Empty(tag) if tag.name().as_ref() == b"testcase" => {
                scenarios.take(tag)?.filter(|s| s.outcome == Outcome::Flaky)
            }
            _ => None,
        };
        match (event, flaky) {
            (Event::Eof, _) => break,
            (Event::Start(tag), Some(scenario)) => {
                writer.write_event(Event::Start(tag))?;
                write_reruns(&mut writer, scenario, &result.artifacts_dir)?;
            }
            // junit-report closes a testcase with no children in its start tag.
            (Event::Empty(tag), Some(scenario)) => {
                writer.write_event(Event::Start(tag.borrow()))?;
                write_reruns(&mut writer, scenario, &result.artifacts_dir)?;
                writer.write_event(Event::End(tag.to_end()))?;
            }
            (event, _) => writer.write_event(event)?,
        }
    }
    String::from_utf8(writer.into_inner()).map_err(invalid_data)
}

/// The scenarios of the run by the `name` and `classname` their testcase carries, in run order:
/// names alone are not unique across scenario files.
struct Testcases<'a>(HashMap<(String, String), VecDeque<&'a ScenarioResult>>);

impl<'a> Testcases<'a> {
    fn of(result: &'a RunResult) -> Self {
        let mut by_testcase: HashMap<_, VecDeque<_>> = HashMap::new();
        for scenario in &result.scenarios {
            // What `super::testcase` writes, so it compares equal once unescaped.
            let key = (xml_text(&scenario.name), xml_text(&scenario.path));
            by_testcase.entry(key).or_default().push_back(scenario);
        }
        Self(by_testcase)
    }

    /// The scenario of the `<testcase>` start tag `tag`; each is handed out once, so scenarios
    /// sharing a name and path are matched in order.
    fn take(&mut self, tag: &BytesStart<'_>) -> io::Result<Option<&'a ScenarioResult>> {
        let key = (attribute(tag, "name")?, attribute(tag, "classname")?);
        Ok(self.0.get_mut(&key).and_then(VecDeque::pop_front))
    }
}

/// The unescaped value of the attribute `name`, empty when it is missing. Unescaped only, not
/// normalised as a parser would (newlines to spaces): junit-report wrote `escape(value)`.
fn attribute(tag: &BytesStart<'_>, name: &str) -> io::Result<String> {
    for attribute in tag.attributes() {
        let attribute = attribute.map_err(invalid_data)?;
        if attribute.key.as_ref() == name.as_bytes() {
            let raw = std::str::from_utf8(&attribute.value).map_err(invalid_data)?;
            return Ok(unescape(raw).map_err(invalid_data)?.into_owned());
        }
    }
    Ok(String::new())
}

/// One `<flakyFailure>` or `<flakyError>` per attempt of `scenario` that did not pass.
fn write_reruns<W: Write>(
    writer: &mut Writer<W>,
    scenario: &ScenarioResult,
    artifacts_dir: &str,
) -> io::Result<()> {
    let of = scenario.attempts.len();
    for attempt in &scenario.attempts {
        let (element, default_kind) = match attempt.outcome {
            AttemptOutcome::Failed => ("flakyFailure", FailureKind::Assertion),
            AttemptOutcome::Error => ("flakyError", FailureKind::Infrastructure),
            AttemptOutcome::Passed | AttemptOutcome::Cancelled => continue,
        };
        let (type_, message) = attempt_problem(attempt, default_kind);
        writer
            .create_element(element)
            .with_attributes([("message", message.as_str()), ("type", type_.as_str())])
            .write_inner_content(|writer| {
                // The part CI UIs show: failing step, location, expected and actual.
                if let Some(failure) = &attempt.failure {
                    let mut trace = String::new();
                    push_failure(&mut trace, 0, failure);
                    write_text(writer, "stackTrace", &trace)?;
                }
                let mut log = String::new();
                push_attempt(&mut log, attempt, of, artifacts_dir);
                write_text(writer, "system-out", &log)
            })?;
    }
    Ok(())
}

/// `<element>text</element>`, without the characters XML forbids. Only `<`, `>` and `&` are
/// escaped: quotes need none in text, and scenario steps are full of them.
fn write_text<W: Write>(writer: &mut Writer<W>, element: &str, text: &str) -> io::Result<()> {
    let text = xml_text(text.trim_end());
    writer
        .create_element(element)
        .write_text_content(BytesText::from_escaped(partial_escape(text.as_str())))?;
    Ok(())
}

fn invalid_data(error: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, error)
}
