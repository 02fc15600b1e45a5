//! The integration tests: one binary, one module per area, every server on loopback.

mod errors;
mod hostile;
mod operations;
mod pagination;
mod retries;
mod secrets;
mod spec;
mod support;
mod uploads;

use test_support::{leak, scripted};
