//! Tests of `pinarkive::emulator`: a real server on loopback, driven by the crate's own client
//! and by raw reqwest where the raw shape of a response is the point. Raw responses are checked
//! against the spec (`pinarkive_contract::conformance`) as they are read.

mod support;

mod account;
mod auth;
mod express;
mod filters;
mod hostile;
mod limits;
mod operations;
mod property;
mod rate_limit;
mod routing;
mod tokens;
mod uploads;
