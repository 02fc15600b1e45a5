//! `cargo xtask emulator`: serves the local Pinarkive (`pinarkive::emulator`) until Ctrl-C.
//!
//! ```text
//! cargo xtask emulator --port 8787 --key k1=files:read,files:write --key admin=*
//! ```
//!
//! It prints the base URL, the keys it accepts with their scopes (they are the caller's own
//! test keys, so showing them is the point), the built-in account for `/auth/login` and a curl
//! line to try. The emulator needs the `contract` feature, so a plain build rebuilds xtask with
//! it first (see `reexec.rs`).

use std::net::{IpAddr, Ipv4Addr};
use std::process::ExitCode;

/// Every scope a key can hold, from the spec's `x-scope`s (plus `*` for all of them).
#[cfg(feature = "contract")]
fn known_scopes() -> Vec<&'static str> {
    let mut scopes: Vec<&str> = pinarkive::spec::OPERATIONS
        .iter()
        .filter_map(|op| op.scope)
        .filter(|scope| *scope != "none-documented")
        .collect();
    scopes.sort_unstable();
    scopes.dedup();
    scopes
}

#[derive(clap::Args, Debug, Clone)]
#[cfg_attr(not(feature = "contract"), allow(dead_code))]
pub struct Args {
    /// The port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 8787)]
    port: u16,
    /// The address to listen on; anything but loopback exposes the emulator to the network.
    #[arg(long, value_name = "IP", default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    host: IpAddr,
    /// An API key and its scopes, `KEY=SCOPE,SCOPE` or `KEY=*` for every scope; repeatable.
    /// Without any, the key `dev` with every scope.
    #[arg(long = "key", value_name = "KEY=SCOPES", value_parser = parse_key)]
    keys: Vec<KeySpec>,
    /// Requests per key per second and per minute, `PER_SECOND/PER_MINUTE` (the backend's
    /// documented default is 10/100).
    #[arg(long, value_name = "N/M", default_value = "10/100", value_parser = parse_rate, conflicts_with = "no_rate_limit")]
    rate_limit: (u32, u32),
    /// Turn rate limiting off.
    #[arg(long)]
    no_rate_limit: bool,
    /// The plan of the built-in account.
    #[arg(long, value_enum, default_value_t = PlanArg::Premium)]
    plan: PlanArg,
    /// Largest upload accepted, in MiB (413 `FILE_TOO_LARGE` above it).
    #[arg(long, value_name = "MIB", default_value_t = 100)]
    max_upload_mib: u64,
}

#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
enum PlanArg {
    Free,
    Premium,
}

/// One `--key KEY=SCOPES`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct KeySpec {
    key: String,
    scopes: Vec<String>,
}

fn parse_key(arg: &str) -> Result<KeySpec, String> {
    let Some((key, scopes)) = arg.split_once('=') else {
        return Err("expected KEY=SCOPES, for example k1=files:read,files:write or admin=*".into());
    };
    if key.is_empty() || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(format!("the key {key:?} must be non-empty visible ASCII without spaces"));
    }
    let scopes: Vec<String> = scopes.split(',').map(|s| s.trim().to_string()).collect();
    if scopes.iter().any(String::is_empty) {
        return Err(format!("the key {key} has an empty scope (give at least one; * for every scope)"));
    }
    #[cfg(feature = "contract")]
    {
        let known = known_scopes();
        if let Some(unknown) = scopes.iter().find(|s| *s != "*" && !known.contains(&s.as_str())) {
            return Err(format!(
                "unknown scope {unknown:?} for the key {key}; known scopes: *, {}",
                known.join(", ")
            ));
        }
    }
    Ok(KeySpec { key: key.to_string(), scopes })
}

fn parse_rate(arg: &str) -> Result<(u32, u32), String> {
    let parsed =
        arg.split_once('/').and_then(|(s, m)| Some((s.trim().parse().ok()?, m.trim().parse().ok()?)));
    match parsed {
        Some((s, m)) if s > 0 && m > 0 => Ok((s, m)),
        _ => Err(format!("expected PER_SECOND/PER_MINUTE with both above 0, such as 10/100, not {arg:?}")),
    }
}

pub fn run(args: &Args) -> ExitCode {
    if !cfg!(feature = "contract") {
        return crate::reexec::with_features("emulator", &["contract"], false);
    }
    serve(args)
}

#[cfg(not(feature = "contract"))]
fn serve(_: &Args) -> ExitCode {
    unreachable!("run() re-executes a build with the contract feature")
}

#[cfg(feature = "contract")]
fn serve(args: &Args) -> ExitCode {
    use pinarkive::emulator::{Emulator, Plan};

    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("emulator: cannot start the tokio runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let keys = if args.keys.is_empty() {
        vec![KeySpec { key: "dev".into(), scopes: vec!["*".into()] }]
    } else {
        args.keys.clone()
    };
    runtime.block_on(async {
        let mut builder = Emulator::builder()
            .bind((args.host, args.port).into())
            .max_upload_bytes(args.max_upload_mib.saturating_mul(1024 * 1024))
            .plan(match args.plan {
                PlanArg::Free => Plan::Free,
                PlanArg::Premium => Plan::Premium,
            });
        builder = match args.no_rate_limit {
            true => builder.no_rate_limit(),
            false => builder.rate_limit(args.rate_limit.0, args.rate_limit.1),
        };
        for key in &keys {
            builder = builder.api_key(key.key.clone(), key.scopes.clone());
        }
        let emu = match builder.start().await {
            Ok(emu) => emu,
            Err(e) => {
                eprintln!("emulator: cannot listen on {}:{}: {e}", args.host, args.port);
                return ExitCode::FAILURE;
            }
        };
        if !args.host.is_loopback() {
            eprintln!(
                "emulator: listening on {}, not loopback: anyone who can reach it can use these keys",
                args.host
            );
        }
        println!("{}", banner(&emu, &keys, args));
        if let Err(e) = tokio::signal::ctrl_c().await {
            eprintln!("emulator: cannot wait for Ctrl-C: {e}");
            return ExitCode::FAILURE;
        }
        eprintln!("emulator: stopping");
        emu.shutdown().await;
        ExitCode::SUCCESS
    })
}

#[cfg(feature = "contract")]
fn banner(emu: &pinarkive::emulator::Emulator, keys: &[KeySpec], args: &Args) -> String {
    use std::fmt::Write;

    let mut out = String::new();
    let _ = writeln!(out, "Pinarkive emulator at {}", emu.base_url());
    let _ = writeln!(out, "API keys (send as X-API-Key: KEY or Authorization: Bearer KEY):");
    let width = keys.iter().map(|k| k.key.len()).max().unwrap_or(0);
    for key in keys {
        let scopes = match key.scopes.iter().any(|s| s == "*") {
            true => "* (every scope)".to_string(),
            false => key.scopes.join(", "),
        };
        let _ = writeln!(out, "  {:width$}  {scopes}", key.key);
    }
    let (email, password) = emu.user();
    let _ = writeln!(out, "Account for /auth/login: {email} / {password}");
    let limits = match args.no_rate_limit {
        true => "off".to_string(),
        false => format!("{}/s and {}/min per key", args.rate_limit.0, args.rate_limit.1),
    };
    let _ = writeln!(out, "Rate limit: {limits}; plan: {:?}", args.plan);
    let (key, path) = example(keys);
    let _ = writeln!(out, "Try:\n  curl -H 'X-API-Key: {key}' {}{path}", emu.base_url());
    let _ = write!(out, "Ctrl-C stops it; all state is lost.");
    out
}

/// A key and an authenticated GET route its scopes allow, for the curl line.
#[cfg(feature = "contract")]
fn example(keys: &[KeySpec]) -> (&str, &'static str) {
    let gets = || pinarkive::spec::OPERATIONS.iter().filter(|op| op.method == "GET" && op.authenticated);
    for key in keys {
        let allowed = |scope: Option<&str>| {
            scope.is_some_and(|scope| key.scopes.iter().any(|s| s == "*" || s == scope))
        };
        if let Some(op) = gets().filter(|op| !op.path.contains('{')).find(|op| allowed(op.scope)) {
            return (&key.key, op.path);
        }
    }
    (&keys[0].key, "/users/me")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_parsed_and_checked() {
        let key = parse_key("k1=files:read, files:write").unwrap();
        assert_eq!(
            key,
            KeySpec { key: "k1".into(), scopes: vec!["files:read".into(), "files:write".into()] }
        );
        assert_eq!(parse_key("admin=*").unwrap().scopes, ["*"]);
        assert!(parse_key("k1").unwrap_err().contains("KEY=SCOPES"));
        assert!(parse_key("=files:read").is_err());
        assert!(parse_key("k 1=files:read").is_err());
        assert!(parse_key("k1=").unwrap_err().contains("empty scope"));
        #[cfg(feature = "contract")]
        assert!(parse_key("k1=files:reed").unwrap_err().contains("unknown scope \"files:reed\""));
    }

    #[test]
    fn rates_are_parsed() {
        assert_eq!(parse_rate("10/100"), Ok((10, 100)));
        assert!(parse_rate("10").is_err());
        assert!(parse_rate("0/100").is_err());
    }

    #[cfg(feature = "contract")]
    #[test]
    fn the_curl_example_uses_a_route_the_key_may_call() {
        let keys = [KeySpec { key: "k1".into(), scopes: vec!["files:read".into()] }];
        let (key, path) = example(&keys);
        assert_eq!(key, "k1");
        let op = pinarkive::spec::OPERATIONS.iter().find(|op| op.path == path && op.method == "GET").unwrap();
        assert_eq!(op.scope, Some("files:read"));
    }
}
