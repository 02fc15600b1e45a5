//! End-to-end tests of the `pinarkive` binary against an in-process emulator on loopback: each
//! test starts its own emulator and points HOME at a temporary directory.

mod account;
mod config;
mod errors;
mod files;
mod help;
mod hostile;
mod interrupt;
mod schema;
mod serve;
mod support;
mod terminal;
mod tokens;

use test_support::{leak, scripted};
