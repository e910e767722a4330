//! The browser front end.
//!
//! `store` (state + reducer), `examples`, `cmdline` and `inspect` are pure
//! and tested natively; everything that names Yew or the DOM is
//! wasm32-only: `bridge` (owns sql.js and the engine, runs effects),
//! `bindings` (every JS extern of the UI: CodeMirror, storage), `api` (the
//! JS API), `app` (the root component) and `components`.

pub mod cmdline;
pub mod examples;
pub mod inspect;
pub mod persist;
pub mod store;
pub mod views;

#[cfg(target_arch = "wasm32")]
pub mod api;
#[cfg(target_arch = "wasm32")]
pub mod app;
#[cfg(target_arch = "wasm32")]
pub mod bindings;
#[cfg(target_arch = "wasm32")]
pub mod bridge;
#[cfg(target_arch = "wasm32")]
pub mod components;
