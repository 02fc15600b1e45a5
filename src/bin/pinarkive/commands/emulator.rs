//! `emulator`: the local Pinarkive in the foreground, until Ctrl-C.

use std::net::{Ipv4Addr, SocketAddr};

use pinarkive::emulator::Emulator;
use serde::Serialize;

use super::Context;
use crate::args::EmulatorArgs;
use crate::errors::CliError;
use crate::progress::Interrupt;

/// A key from `--key KEY=SCOPE,SCOPE`.
#[derive(Debug, Serialize)]
struct KeySpec {
    key: String,
    scopes: Vec<String>,
}

fn parse_key(spec: &str) -> Result<KeySpec, CliError> {
    let Some((key, scopes)) = spec.split_once('=') else {
        return Err(CliError::usage(format!(
            "--key {spec:?}: expected KEY=SCOPE,SCOPE (for example demo=files:read,files:write, or demo=*)"
        )));
    };
    let key = key.trim();
    if key.is_empty() || key.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(CliError::usage("--key: the key is empty or contains spaces"));
    }
    let scopes: Vec<String> =
        scopes.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect();
    if scopes.is_empty() {
        return Err(CliError::usage(format!("--key {key}=: give at least one scope, or * for every scope")));
    }
    Ok(KeySpec { key: key.to_string(), scopes })
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Started<'a> {
    base_url: &'a str,
    keys: &'a [KeySpec],
}

pub async fn run(ctx: &Context, args: EmulatorArgs) -> Result<(), CliError> {
    let mut keys = args.keys.iter().map(|spec| parse_key(spec)).collect::<Result<Vec<_>, _>>()?;
    if keys.is_empty() {
        // A fresh random key, so that a forgotten emulator accepts nothing guessable.
        let key = format!("emu_{:032x}", rand::random::<u128>());
        keys.push(KeySpec { key, scopes: vec!["*".to_string()] });
    }
    // Listening before the address is printed, so that an early Ctrl-C still stops it cleanly.
    let mut interrupt = Interrupt::listen();
    let mut builder = Emulator::builder().bind(SocketAddr::from((Ipv4Addr::LOCALHOST, args.port)));
    for spec in &keys {
        builder = builder.api_key(spec.key.clone(), spec.scopes.clone());
    }
    if args.no_rate_limit {
        builder = builder.no_rate_limit();
    }
    let emulator = builder
        .start()
        .await
        .map_err(|e| CliError::usage(format!("cannot start the emulator on 127.0.0.1:{}: {e}", args.port)))?;
    let base_url = emulator.base_url().to_string();
    if ctx.out.json {
        ctx.out.json(&Started { base_url: &base_url, keys: &keys });
    } else {
        ctx.out.line(format!("Pinarkive emulator at {base_url} (state in memory; Ctrl-C stops it)"));
        for spec in &keys {
            ctx.out.line(format!("  key {}  scopes {}", spec.key, spec.scopes.join(",")));
        }
        ctx.out.line("In another terminal:");
        ctx.out.line(format!("  export PINARKIVE_API_BASE_URL={base_url}"));
        ctx.out.line(format!("  export PINARKIVE_API_KEY={}", keys[0].key));
    }
    interrupt.wait().await;
    ctx.out.note("stopping the emulator");
    emulator.shutdown().await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_specs_need_a_key_and_scopes() {
        let spec = parse_key("k1=files:read, files:write").unwrap();
        assert_eq!((spec.key.as_str(), spec.scopes), ("k1", vec!["files:read".into(), "files:write".into()]));
        assert!(parse_key("k1").unwrap_err().message.contains("KEY=SCOPE"));
        assert!(parse_key("k1=").unwrap_err().message.contains("at least one scope"));
        assert!(parse_key("=*").is_err());
    }
}
