//! The client progenitor generates from `openapi/pinarkive-v3.yaml` at build time.
//!
//! Nothing hand-written lives here. Read the generated source with
//! `cargo xtask codegen --out target/codegen/pinarkive.rs`.

#![allow(
    missing_docs,
    unused_imports,
    clippy::all,
    clippy::pedantic,
    rustdoc::bare_urls,
    rustdoc::broken_intra_doc_links,
    rustdoc::invalid_html_tags
)]

include!(concat!(env!("OUT_DIR"), "/generated_client.rs"));
