//! The tools that judge a server rather than serve a user: response conformance to the spec
//! (this library, shared by the contract suite and the emulator's tests), the contract suite
//! (`src/bin/contract`, run by `cargo xtask contract`) and the benchmarks (`src/bin/bench`, run
//! by `cargo xtask bench`).

pub mod conformance;
