//! `cargo xtask emulator`: serves the local Pinarkive (`pinarkive::emulator`) until Ctrl-C.
//!
//! ```text
//! cargo xtask emulator --port 8787 --key k1=files:read,files:write --key admin=*
//! ```
//!
//! Its flags, their parsing and what it prints are the library's
//! (`pinarkive::emulator::EmulatorOptions`), the same as `pinarkive emulator`'s. The library
//! needs the `contract` feature, so a plain build takes the arguments as they come and rebuilds
//! xtask with it (see `reexec.rs`), which parses them, `--help` included.

use std::process::ExitCode;

/// The emulator's flags, parsed by the library.
#[cfg(feature = "contract")]
#[derive(clap::Args, Debug, Clone)]
pub struct Args {
    #[command(flatten)]
    options: pinarkive::emulator::EmulatorOptions,
}

/// Without the `contract` feature: every argument, untouched, for the build that has it.
#[cfg(not(feature = "contract"))]
#[derive(clap::Args, Debug, Clone)]
pub struct Args {
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, hide = true)]
    passed_on: Vec<std::ffi::OsString>,
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
    let options = args.options.clone().resolve();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("emulator: cannot start the tokio runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async {
        let started = |emu: &pinarkive::emulator::Emulator| println!("{}", options.banner(emu.base_url()));
        match options.start_until_ctrl_c(started).await {
            Ok(emu) => {
                eprintln!("emulator: stopping");
                emu.shutdown().await;
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("emulator: cannot serve on {}:{}: {e}", options.host, options.port);
                ExitCode::FAILURE
            }
        }
    })
}

#[cfg(all(test, feature = "contract"))]
mod tests {
    use clap::{Args as _, CommandFactory};

    /// `cargo xtask emulator --help` lists every option of `pinarkive::emulator::EmulatorOptions`
    /// with its help, and nothing else; `pinarkive emulator --help` is checked against the same
    /// definition in tests/cli/serve.rs.
    #[test]
    fn the_help_lists_the_librarys_options() {
        let mut cli = crate::Cli::command();
        let help = cli.find_subcommand_mut("emulator").expect("the emulator subcommand").render_long_help();
        let help = help.to_string();
        let reference = pinarkive::emulator::EmulatorOptions::augment_args(clap::Command::new("emulator"));
        let mut listed: Vec<&str> = help
            .lines()
            .filter_map(|line| line.trim_start().strip_prefix("--"))
            .filter_map(|rest| rest.split([' ', '=']).next())
            .filter(|flag| *flag != "help")
            .collect();
        listed.sort_unstable();
        let mut expected: Vec<&str> = reference.get_arguments().filter_map(|arg| arg.get_long()).collect();
        expected.sort_unstable();
        assert_eq!(listed, expected, "{help}");
        for arg in reference.get_arguments() {
            let text = arg.get_help().map(ToString::to_string).unwrap_or_default();
            let first_line = text.lines().next().unwrap_or_default();
            assert!(help.contains(first_line), "--{:?}'s help is missing: {help}", arg.get_long());
        }
    }
}
