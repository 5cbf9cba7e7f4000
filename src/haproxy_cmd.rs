//! `gate haproxy-config`: writes the HAProxy config and versions map gate's HAProxy driver
//! expects for a service (a loopback or public frontend, a backend with two server slots,
//! cookie persistence, the admin socket, force-header rules), and prints the `router` line for
//! the service's `[[services]]` entry.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Args;
use gate_traffic::{Backend, HaproxyService};

use crate::exit;

#[derive(Debug, Args)]
pub struct HaproxyConfigArgs {
    /// The service's name (the backend is named after it).
    #[arg(long, default_value = "shop")]
    pub service: String,
    /// Where users connect, e.g. 0.0.0.0:80.
    #[arg(long, value_name = "ADDR:PORT")]
    pub listen: SocketAddr,
    /// The version serving now: NAME=URL, e.g. v1=http://10.0.0.5:8080.
    #[arg(long, value_name = "NAME=URL", value_parser = parse_stable)]
    pub stable: (String, String),
    /// Where the admin socket and the versions map live (the config is written here too).
    #[arg(long, value_name = "DIR")]
    pub dir: PathBuf,
}

fn parse_stable(s: &str) -> Result<(String, String), String> {
    let (name, url) = s
        .split_once('=')
        .ok_or("write NAME=URL, e.g. v1=http://127.0.0.1:8080")?;
    crate::url_arg::http_url("http://127.0.0.1:8080")(url)?;
    Ok((name.to_string(), url.to_string()))
}

pub fn haproxy_config(args: HaproxyConfigArgs) -> u8 {
    let (version, url) = args.stable;
    let service = HaproxyService::new(
        &args.service,
        args.listen,
        &args.dir,
        Backend::new(version, url),
    );
    let files = match service.files() {
        Ok(files) => files,
        Err(err) => {
            eprintln!("error: {err}");
            return exit::INVALID;
        }
    };
    let config = args.dir.join("haproxy.cfg");
    if let Err(err) = std::fs::create_dir_all(&args.dir).and_then(|()| files.write(&config)) {
        eprintln!("error: cannot write {}: {err}", config.display());
        return exit::INFRA;
    }
    println!(
        "wrote {} and {}",
        config.display(),
        files.versions_map_path.display()
    );
    println!("start it with: haproxy -f {}", config.display());
    println!("and name it in the service's [[services]] entry:");
    println!(
        "router = {{ kind = \"haproxy\", socket = \"{}\", backend = \"{}\", versions-map = \"{}\" }}",
        service.socket.display(),
        args.service,
        service.versions_map.display()
    );
    exit::PASSED
}
