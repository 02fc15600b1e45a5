//! What the library's tests (`tests/it`) and the CLI's tests (`cli/tests/cli`) share: a loopback
//! server that plays a script, and the check that a secret shows nowhere in a text.

pub mod leak;
pub mod scripted;
