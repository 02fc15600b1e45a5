//! The integration tests: one binary, one module per area, every server on loopback.

mod errors;
mod hostile;
#[cfg(feature = "schemars")]
mod json_schema;
mod operations;
mod pagination;
mod retries;
mod secrets;
mod spec;
mod support;
mod uploads;

use test_support::{leak, scripted};
