//! The server's layers only reach down: the store never sees the HTTP contract or the layers
//! above it, pages never call the API's handlers, and nothing but the service (and the
//! durable status feed it drives) writes through the store. Checked on the source text, so a
//! new `use` that breaks a layer fails here.

#![expect(
    clippy::unwrap_used,
    reason = "a failed unwrap is a clear test failure"
)]

use std::path::{Path, PathBuf};

fn sources(under: &str) -> Vec<(PathBuf, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out = Vec::new();
    let mut stack = vec![root.join(under)];
    let file = root.join(format!("{under}.rs"));
    if file.is_file() {
        stack.push(file);
    }
    while let Some(path) = stack.pop() {
        if path.is_dir() {
            for entry in std::fs::read_dir(&path).unwrap() {
                stack.push(entry.unwrap().path());
            }
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push((path.clone(), std::fs::read_to_string(&path).unwrap()));
        }
    }
    assert!(!out.is_empty(), "no sources under {under}");
    out
}

fn refuse(layer: &str, forbidden: &[&str]) {
    for (path, text) in sources(layer) {
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            for needle in forbidden {
                assert!(
                    !code.contains(needle),
                    "{}:{}: `{layer}` must not use `{needle}`: {line}",
                    path.display(),
                    n + 1
                );
            }
        }
    }
}

#[test]
fn the_store_knows_nothing_above_it() {
    refuse(
        "store",
        &[
            "gate_wire",
            "crate::app",
            "crate::pages",
            "crate::service",
            "crate::views",
            "crate::verdict",
            "crate::events",
            "axum",
        ],
    );
}

#[test]
fn pages_and_the_api_use_the_service_not_each_other_or_the_store() {
    refuse("pages", &["crate::app", "state.service.store()", ".store."]);
    refuse("app", &["state.service.store()", ".store."]);
}

#[test]
fn the_pure_layers_do_no_io() {
    for layer in ["verdict", "views", "model"] {
        refuse(
            layer,
            &["crate::store::Store", "sqlx", "tokio", "reqwest", "axum"],
        );
    }
}
