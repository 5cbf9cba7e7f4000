//! The API's request bodies: arbitrary bytes through the decoder every JSON route uses
//! ([`decode`]), as each body type the routes take, then through the pure checks the server runs
//! on them before storing anything. Decoding never panics; a refusal is a 400 with a message
//! (the field it names may be any key the body holds, `""` and `"."` included); what decodes
//! survives encoding and decoding again unchanged; the checks name a field under the row they
//! were given.
//!
//! Input: the body type's name on the first line (`history_import`), the JSON after it. Any
//! other first line picks a type from its bytes, so every mutation still lands somewhere.

use std::fmt::Debug;

use gate_server::app::extract::decode;
use gate_server::service::ServiceError;
use gate_server::service::history::{external_deployment, incident};
use gate_server::service::submit::commit_id;
use gate_wire as wire;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

const BODIES: &[&str] = &[
    "submit_run",
    "lease_request",
    "heartbeat",
    "job_result",
    "deploy_request",
    "action_request",
    "rollback_request",
    "stage_done",
    "history_import",
    "external_deployment",
    "incident",
];

pub fn check(data: &[u8]) {
    let (name, body) = match data.iter().position(|&b| b == b'\n') {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (&b""[..], data),
    };
    let index = BODIES
        .iter()
        .position(|known| known.as_bytes() == name)
        .unwrap_or_else(|| name.iter().map(|&b| usize::from(b)).sum::<usize>() % BODIES.len());
    match BODIES[index] {
        "submit_run" => {
            if let Some(run) = round_trip::<wire::SubmitRun>(body) {
                field_under("commit", commit_id("commit", &run.commit));
            }
        }
        "lease_request" => drop(round_trip::<wire::LeaseRequest>(body)),
        "heartbeat" => drop(round_trip::<wire::Heartbeat>(body)),
        "job_result" => drop(round_trip::<wire::JobResult>(body)),
        "deploy_request" => drop(round_trip::<wire::DeployRequest>(body)),
        "action_request" => drop(round_trip::<wire::ActionRequest>(body)),
        "rollback_request" => drop(round_trip::<wire::RollbackRequest>(body)),
        "stage_done" => drop(round_trip::<wire::StageDone>(body)),
        "history_import" => {
            if let Some(import) = round_trip::<wire::HistoryImport>(body) {
                for (i, d) in import.deployments.iter().enumerate() {
                    let at = format!("deployments[{i}]");
                    field_under(&at, external_deployment(&at, d));
                }
                for (i, row) in import.incidents.iter().enumerate() {
                    let at = format!("incidents[{i}]");
                    field_under(&at, incident(&at, row));
                }
            }
        }
        "external_deployment" => {
            if let Some(d) = round_trip::<wire::ExternalDeployment>(body) {
                field_under("deployment", external_deployment("deployment", &d));
            }
        }
        _ => {
            if let Some(row) = round_trip::<wire::Incident>(body) {
                field_under("incident", incident("incident", &row));
            }
        }
    }
}

/// Decodes `body` as `T`; what decodes must encode and decode back to itself.
fn round_trip<T>(body: &[u8]) -> Option<T>
where
    T: DeserializeOwned + Serialize + PartialEq + Debug,
{
    let value = match decode::<T>(body) {
        Ok(value) => value,
        Err(err) => {
            assert_eq!(err.status.as_u16(), 400, "a body refused with {err:?}");
            assert!(!err.message.trim().is_empty(), "a refusal with no message");
            return None;
        }
    };
    let encoded = serde_json::to_vec(&value).expect("a decoded body encodes");
    let again = decode::<T>(&encoded).unwrap_or_else(|err| {
        panic!(
            "{} does not decode again: {err:?}",
            String::from_utf8_lossy(&encoded)
        )
    });
    if again != value {
        // serde_json reads floats to within one unit in the last place, not exactly.
        let json = |v: &T| serde_json::to_value(v).expect("a decoded body encodes");
        assert!(
            same(&json(&again), &json(&value)),
            "the body changed on the way round: {value:?} became {again:?}"
        );
    }
    Some(value)
}

/// Equal JSON, numbers compared as floats to 12 significant digits.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_f64(), y.as_f64()) {
            (Some(x), Some(y)) => x == y || (x - y).abs() <= 1e-12 * x.abs().max(y.abs()),
            _ => x == y,
        },
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

/// A check's refusal names a field under `at`, with a message.
fn field_under<T>(at: &str, checked: Result<T, ServiceError>) {
    match checked {
        Ok(_) => {}
        Err(ServiceError::Invalid { field, message }) => {
            assert!(!message.trim().is_empty(), "a refusal with no message");
            let field = field.unwrap_or_default();
            assert!(
                field == at || field.starts_with(&format!("{at}.")),
                "the refusal names `{field}`, not a field of `{at}`: {message}"
            );
        }
        Err(other) => panic!("a pure check answered {other:?}"),
    }
}
