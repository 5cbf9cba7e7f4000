//! `gate demo` and `gate demo-shop`: the demo shop on a loopback port, and the bundled scenarios
//! run against it.

use std::path::PathBuf;

use crate::cli::{DemoArgs, DemoShopArgs, ScenarioInput};
use crate::load::Sources;
use crate::{exit, run_cmd};

/// The bundled scenarios, compiled in so `gate demo` works from any directory.
pub(crate) const BUNDLED: &[(&str, &str)] = &[
    (
        "scenarios/examples/login.toml",
        include_str!("../scenarios/examples/login.toml"),
    ),
    (
        "scenarios/examples/checkout.toml",
        include_str!("../scenarios/examples/checkout.toml"),
    ),
    (
        "scenarios/examples/api.toml",
        include_str!("../scenarios/examples/api.toml"),
    ),
];

pub async fn demo(mut args: DemoArgs) -> u8 {
    let mut config = demo_shop::ShopConfig {
        faults: args.fault.clone(),
        ..demo_shop::ShopConfig::default()
    };
    if let Ok(password) = std::env::var("SHOP_PASSWORD") {
        config.password = password;
    }
    let password = config.password.clone();
    let extra_password = password.clone();
    let listener = match tokio::net::TcpListener::bind("127.0.0.1:0").await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("error: cannot open a loopback port for the demo shop: {e}");
            return exit::INFRA;
        }
    };
    let base_url = match listener.local_addr() {
        Ok(addr) => format!("http://{addr}"),
        Err(e) => {
            eprintln!("error: {e}");
            return exit::INFRA;
        }
    };
    let stop = tokio_util::sync::CancellationToken::new();
    let shop_stop = stop.clone();
    let shop = tokio::spawn(async move {
        demo_shop::serve(listener, config, async move { shop_stop.cancelled().await }).await
    });
    let faults = if args.fault.is_empty() {
        String::new()
    } else {
        format!(
            " with faults: {}",
            args.fault
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    eprintln!("demo shop running at {base_url}{faults}");

    let options = &mut args.options;
    if options.report.is_none() {
        options.report = Some(PathBuf::from("gate-report"));
    }
    if options.junit.is_none() {
        options.junit = Some(PathBuf::from("gate-report/junit.xml"));
    }
    if options.json.is_none() {
        options.json = Some(PathBuf::from("gate-report/result.json"));
    }
    let sources = Sources {
        files: BUNDLED
            .iter()
            .map(|(p, t)| (p.to_string(), t.to_string()))
            .collect(),
    };
    let input = ScenarioInput {
        paths: Vec::new(),
        vars: Vec::new(),
        secrets: None,
    };
    // The scenarios log in with `{{secret.SHOP_PASSWORD}}`: the shop's password.
    let extra = std::collections::BTreeMap::from([("SHOP_PASSWORD".to_string(), extra_password)]);
    let mut code = match run_cmd::prepare_sources(sources, &input, options, extra) {
        Ok(prepared) => run_cmd::execute(prepared, base_url.clone(), options).await,
        Err(code) => code,
    };
    if code == exit::PASSED && !args.no_deploy {
        let report = options
            .report
            .clone()
            .unwrap_or_else(|| PathBuf::from("gate-report"));
        code = crate::demo_deploy::deploy(crate::demo_deploy::Stable {
            url: &base_url,
            password: &password,
            report: &report,
            keep_serving: args.keep_serving,
        })
        .await;
    } else if code != exit::PASSED {
        eprintln!(
            "\nthe gate is red: nothing is deployed (the canary half of the demo runs after a green gate)"
        );
    }
    stop.cancel();
    let _ = shop.await;
    code
}

pub async fn demo_shop(args: DemoShopArgs) -> u8 {
    let listener = match tokio::net::TcpListener::bind((args.host, args.port)).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("error: cannot listen on {}:{}: {e}", args.host, args.port);
            return exit::INFRA;
        }
    };
    let addr = match listener.local_addr() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::INFRA;
        }
    };
    let config = demo_shop::ShopConfig {
        version: args.version,
        faults: args.fault,
        password: args.password,
        slow: args.slow,
        late: args.late,
        log_requests: args.log_requests,
        fail_rate: args.fail_rate,
    };
    println!("demo shop listening on http://{addr}");
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    match demo_shop::serve(listener, config, shutdown).await {
        Ok(()) => exit::PASSED,
        Err(e) => {
            eprintln!("error: demo shop stopped: {e}");
            exit::INFRA
        }
    }
}
