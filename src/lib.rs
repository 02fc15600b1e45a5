#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

mod generated;

pub mod auth;
pub mod body;
mod cid;
mod config_error;
pub mod client;
mod decode;
#[cfg(feature = "emulator")]
pub mod emulator;
pub mod error;
pub mod gateway;
#[cfg(feature = "mock")]
pub mod mock;
pub mod pagination;
pub mod redact;
pub mod retry;
pub mod spec;
pub mod tls;
pub mod upload;

pub use crate::auth::{ApiKeyHeader, Credentials};
pub use crate::cid::validate_cid;
pub use crate::client::{ClientBuilder, DEFAULT_BASE_URL};
pub use crate::error::{ApiError, ConfigError, Error, ErrorCode, LocalFileError, RateLimit, Result};
pub use crate::retry::RetryPolicy;
pub use crate::spec::{OperationId, Scope};
pub use generated::{builder, types, Client, ResponseValue};
