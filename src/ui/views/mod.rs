//! The playground's views (placeholder header; rewritten below).

pub mod chain_model;
