//! Alembic Playground: platform bindings and front ends over `alembic-engine`.
//!
//! Dependencies point inward: `ui` → engine ← `platform`. The engine never
//! names rusqlite, wasm-bindgen or yew; this crate does.

pub mod platform;
