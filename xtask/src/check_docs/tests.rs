//! Tests of check-docs on fixture pages and on the real docs.
