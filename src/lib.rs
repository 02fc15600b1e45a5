#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

mod generated;

pub mod auth;
pub mod body;
mod cid;
pub mod client;
#[cfg(any(feature = "emulator", feature = "pinning-service"))]
mod cors;
mod decode;
#[cfg(feature = "emulator")]
pub mod emulator;
pub mod error;
pub mod gateway;
#[cfg(feature = "mock")]
pub mod mock;
pub mod pagination;
#[cfg(feature = "pinning-service")]
pub mod pinning_service;
pub mod redact;
pub mod retry;
#[cfg(any(feature = "emulator", feature = "pinning-service"))]
mod serve;
pub mod spec;
pub mod upload;

pub use crate::auth::{ApiKeyHeader, Credentials};
pub use crate::cid::validate_cid;
pub use crate::client::{ClientBuilder, DEFAULT_BASE_URL};
pub use crate::error::{ApiError, Error, ErrorCode, LocalFileError, RateLimit, Result};
pub use crate::retry::RetryPolicy;
pub use crate::spec::{OperationId, Scope};
pub use generated::{builder, types, Client, ResponseValue};
