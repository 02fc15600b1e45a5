//! Tests of `pinarkive::pinning_service`: the bridge on loopback in front of the emulator, driven
//! over HTTP as kubo would drive it. Every answer is checked against the official Pinning Service
//! API document (`openapi/ipfs-pinning-service.yaml`) with the crate's conformance checker.

mod support;

mod errors;
mod hostile;
mod listing;
mod routes;
