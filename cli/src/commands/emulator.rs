//! `emulator`: the local Pinarkive in the foreground, until Ctrl-C. Its flags, what it prints
//! and how it waits for Ctrl-C are the library's (`pinarkive::emulator::EmulatorOptions`),
//! shared with `cargo xtask emulator`.

use super::Context;
use crate::args::EmulatorArgs;
use crate::errors::CliError;
use crate::json::emulator::{Started, StartedKey, StartedLogin};

pub async fn run(ctx: &Context, args: EmulatorArgs) -> Result<(), CliError> {
    let options = args.options.resolve();
    let started = |emulator: &pinarkive::emulator::Emulator| {
        let base_url = emulator.base_url();
        if ctx.out.json {
            let keys = options.keys.iter().map(|k| StartedKey { key: k.key(), scopes: k.scopes() }).collect();
            let login =
                options.login.as_ref().map(|l| StartedLogin { email: l.email(), password: l.password() });
            ctx.out.json(&Started { base_url, keys, login });
        } else {
            for line in options.banner(base_url).lines() {
                ctx.out.line(line);
            }
        }
    };
    let emulator = options.start_until_ctrl_c(started).await.map_err(|e| {
        CliError::usage(format!("cannot start the emulator on {}:{}: {e}", options.host, options.port))
    })?;
    ctx.out.note("stopping the emulator");
    emulator.shutdown().await;
    Ok(())
}
