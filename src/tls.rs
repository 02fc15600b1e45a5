//! TLS, chosen by the crate's features.
//!
//! | Feature | Backend | Builds |
//! |---|---|---|
//! | `rustls` (default) | rustls with the *ring* provider, the platform's certificate verifier | Rust and a little C and assembly (ring); no system library |
//! | `native-tls` | the platform's library: OpenSSL on Linux (needs its headers, e.g. `libssl-dev`), Secure Transport on macOS, SChannel on Windows | links the system library |
//!
//! To use the platform's TLS instead of rustls:
//!
//! ```toml
//! pinarkive = { version = "0.2", default-features = false, features = ["native-tls"] }
//! ```
//!
//! With neither feature the client speaks plain HTTP only (a loopback emulator, say).
//! With both, reqwest prefers rustls.
//!
//! rustls needs a *crypto provider*. Unless the program already installed one
//! (`rustls::crypto::CryptoProvider::install_default`, with aws-lc-rs for instance),
//! [`ClientBuilder::build`](crate::ClientBuilder::build) installs ring's as the process default,
//! which is what [`install_default_provider`] does; call that yourself before building a
//! `reqwest::Client` of your own in a program that has no provider.

/// Installs ring's rustls provider as the process default, unless one is installed already.
/// Does nothing without the `rustls` feature.
pub fn install_default_provider() {
    #[cfg(feature = "rustls")]
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Another thread may have installed one since the check; theirs is as good.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}
