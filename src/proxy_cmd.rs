//! `gate proxy`: the command-line layer over the `gate-proxy` crate. Turns flags and the
//! token variable into a `ProxyConfig` (with errors naming the flag), prints the ready line,
//! and shuts the proxy down on SIGTERM or Ctrl-C. Routing itself is the crate's.

use gate_proxy::api::{Routes, VersionRoute};
use gate_proxy::{Drained, Proxy, ProxyConfig, StartError, TableOrigin};

use crate::cli::ProxyArgs;
use crate::exit;

pub async fn proxy(args: ProxyArgs) -> u8 {
    let token = match std::env::var(&args.admin_token_env) {
        Ok(t) if !t.trim().is_empty() => t,
        _ => {
            eprintln!(
                "error: no admin token: set {var} to the token the admin API must require, \
                 e.g. `export {var}=$(openssl rand -hex 32)` (--admin-token-env names another variable)",
                var = args.admin_token_env
            );
            return exit::INVALID;
        }
    };
    let routes = match routes_from_flags(&args) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::INVALID;
        }
    };
    if !args.admin.ip().is_loopback() {
        eprintln!(
            "warning: --admin {} is not a loopback address: the admin API is plain HTTP",
            args.admin
        );
    }
    let mut config = ProxyConfig::new(args.listen, args.admin, token);
    config.routes = routes;
    config.state_file = args.state.clone();
    config.sticky_cookie = args.sticky_cookie.clone();
    config.timeouts.connect = args.connect_timeout;
    config.timeouts.response_headers = args.response_timeout;
    config.timeouts.drain = args.drain_timeout;

    let proxy = match Proxy::start(config).await {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: cannot start the proxy: {}", explain(&e, &args));
            return match e {
                StartError::Bind { .. } => exit::INFRA,
                _ => exit::INVALID,
            };
        }
    };
    if let Some(file) = proxy.restored_from() {
        let ignored = if args.versions.is_empty() {
            ""
        } else {
            "; the --version and --weight flags were not used"
        };
        eprintln!(
            "gate proxy: routing table restored from {}{ignored}",
            file.display()
        );
    }
    println!(
        "gate proxy listening on http://{} (admin http://{})",
        proxy.proxy_addr(),
        proxy.admin_addr()
    );
    stop_signal().await;
    eprintln!(
        "gate proxy: stopping: finishing in-flight requests (up to {})",
        humantime::format_duration(args.drain_timeout)
    );
    if proxy.shutdown().await == Drained::Cut {
        eprintln!(
            "gate proxy: requests or tunnels still open after {} were cut",
            humantime::format_duration(args.drain_timeout)
        );
    }
    exit::PASSED
}

/// The table the flags describe (`None` without `--version`: the state file must have one).
/// Versions without `--weight` get 0, except stable, which gets what the others leave.
fn routes_from_flags(args: &ProxyArgs) -> Result<Option<Routes>, String> {
    let Some((first, _)) = args.versions.first() else {
        if args.weights.is_empty() && args.stable.is_none() {
            return Ok(None);
        }
        return Err(
            "--weight and --stable need the versions, given with --version NAME=URL".into(),
        );
    };
    for (i, (name, _)) in args.weights.iter().enumerate() {
        if !args.versions.iter().any(|(v, _)| v == name) {
            return Err(format!(
                "--weight {name}=…: there is no --version {name}=URL"
            ));
        }
        if args.weights[..i].iter().any(|(w, _)| w == name) {
            return Err(format!("--weight {name}=… is given twice"));
        }
    }
    let stable = args.stable.clone().unwrap_or_else(|| first.clone());
    let given = |name: &str| {
        args.weights
            .iter()
            .find(|(w, _)| w == name)
            .map(|(_, n)| *n)
    };
    let others: u32 = args
        .versions
        .iter()
        .filter(|(name, _)| *name != stable)
        .map(|(name, _)| given(name).unwrap_or(0))
        .sum();
    let versions = args
        .versions
        .iter()
        .map(|(name, url)| VersionRoute {
            name: name.clone(),
            url: url.clone(),
            weight: given(name).unwrap_or(if *name == stable {
                100_u32.saturating_sub(others)
            } else {
                0
            }),
        })
        .collect();
    Ok(Some(Routes { stable, versions }))
}

/// A start error, with a table field turned into the flag that set it.
fn explain(e: &StartError, args: &ProxyArgs) -> String {
    let StartError::Routes {
        origin: TableOrigin::Config,
        source,
    } = e
    else {
        return e.to_string();
    };
    let field = source.field.as_str();
    let flag = if field == "stable" {
        "--stable".to_string()
    } else if field.ends_with("].weight") {
        "--weight".to_string()
    } else if let Some(i) = field
        .strip_prefix("versions[")
        .and_then(|rest| rest.split(']').next())
        .and_then(|i| i.parse::<usize>().ok())
        .filter(|i| *i < args.versions.len())
    {
        format!("--version {}=…", args.versions[i].0)
    } else {
        "--version".to_string()
    };
    format!("{flag}: {}", source.message)
}

async fn stop_signal() {
    let term = async {
        #[cfg(unix)]
        {
            if let Ok(mut s) =
                tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            {
                s.recv().await;
                return;
            }
        }
        std::future::pending::<()>().await
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = term => {}
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;
    use crate::cli::{Cli, Command};

    fn args(line: &[&str]) -> ProxyArgs {
        let cli = Cli::try_parse_from([&["gate", "proxy"], line].concat()).expect("parses");
        match cli.command {
            Command::Proxy(a) => a,
            _ => unreachable!("a proxy command"),
        }
    }

    fn weights(line: &[&str]) -> Vec<(String, u32)> {
        routes_from_flags(&args(line))
            .expect("valid")
            .expect("a table")
            .versions
            .into_iter()
            .map(|v| (v.name, v.weight))
            .collect()
    }

    #[test]
    fn stable_gets_what_the_other_weights_leave() {
        let two = ["--version", "v1=http://a:1", "--version", "v2=http://b:1"];
        assert_eq!(weights(&two), [("v1".into(), 100), ("v2".into(), 0)]);
        assert_eq!(
            weights(&[&two[..], &["--weight", "v2=5"]].concat()),
            [("v1".into(), 95), ("v2".into(), 5)]
        );
        assert_eq!(
            weights(&[&two[..], &["--stable", "v2", "--weight", "v1=30"]].concat()),
            [("v1".into(), 30), ("v2".into(), 70)]
        );
    }

    #[test]
    fn weights_must_name_a_version_once() {
        let err = routes_from_flags(&args(&["--version", "v1=http://a:1", "--weight", "v9=5"]))
            .expect_err("unknown");
        assert!(err.contains("no --version v9=URL"), "{err}");
        assert!(routes_from_flags(&args(&[])).expect("fine").is_none());
    }
}
