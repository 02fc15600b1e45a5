//! The integration tests: one binary, one module per area, every server on loopback.

mod errors;
mod hostile;
#[path = "../common/leak.rs"]
mod leak;
mod operations;
mod pagination;
mod retries;
#[path = "../common/scripted.rs"]
mod scripted;
mod secrets;
mod spec;
mod support;
mod uploads;
