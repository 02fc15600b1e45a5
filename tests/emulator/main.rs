//! Tests of `pinarkive::emulator`: a real server on loopback, driven by the crate's own client
//! and by raw reqwest where the raw shape of a response is the point.

mod support;

mod auth;
