//! What gate's fuzz targets assert, one module per entry point. Each `check` takes the fuzz
//! input's bytes and panics (naming the broken property) if the code under test does something
//! it must never do: panic, accept what it must refuse, refuse without saying where, or lose a
//! round trip. The cargo-fuzz targets in `fuzz/fuzz_targets/` are one line each over these; the
//! stable test `tests/replay.rs` runs every committed input (`fuzz/corpus/`, `fuzz/regressions/`)
//! through the same checks, so CI holds them without nightly.
//!
//! This crate owns the properties, not the code: when a target needs something that is not
//! public, the owning crate exposes the narrowest function for it.
//!
//! - [`scenario`]: scenario files through the parser and the suite checks.
//! - [`template`]: `{{…}}` placeholders: parsing, rendering, spans.
//! - [`diagnostics`]: what every located diagnostic must satisfy (shared by the TOML targets).
//! - `config`: `gate.toml`; `api_json`: the API's request bodies and their checks; `webhook`:
//!   the signature check and the event parser; `redaction`: secrets in rendered templates;
//!   `csv_import`: `gate import`'s CSV reading (feature `server`).
//! - `proxy_request`: raw bytes at a running proxy (feature `proxy`).

pub mod diagnostics;
pub mod scenario;
pub mod template;

#[cfg(feature = "server")]
pub mod api_json;
#[cfg(feature = "server")]
pub mod config;
#[cfg(feature = "server")]
pub mod csv_import;
#[cfg(feature = "server")]
pub mod redaction;
#[cfg(feature = "server")]
pub mod webhook;

#[cfg(feature = "proxy")]
pub mod proxy_request;

/// A target's checks: panics if the input breaks a property.
pub type Check = fn(&[u8]);

/// The checks by target name (the file name under `fuzz/fuzz_targets/`), for replaying inputs.
pub fn targets() -> Vec<(&'static str, Check)> {
    #[cfg_attr(
        not(any(feature = "server", feature = "proxy")),
        expect(unused_mut, reason = "only the light targets")
    )]
    let mut targets: Vec<(&'static str, Check)> =
        vec![("scenario", scenario::check), ("template", template::check)];
    #[cfg(feature = "server")]
    targets.extend([
        ("config", config::check as Check),
        ("api_json", api_json::check),
        ("webhook", webhook::check),
        ("redaction", redaction::check),
        ("csv_import", csv_import::check),
    ]);
    #[cfg(feature = "proxy")]
    targets.push(("proxy_request", proxy_request::check));
    targets
}
