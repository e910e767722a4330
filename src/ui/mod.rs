//! The browser front end.
//!
//! `state` (the reducer), `cmdline` and `inspect` are pure and tested
//! natively; everything that names Yew or the DOM is wasm32-only.

pub mod cmdline;
pub mod inspect;
pub mod state;
pub mod views;

#[cfg(target_arch = "wasm32")]
pub mod api;
#[cfg(target_arch = "wasm32")]
pub mod app;
#[cfg(target_arch = "wasm32")]
pub mod components;
#[cfg(target_arch = "wasm32")]
pub mod hooks;
#[cfg(target_arch = "wasm32")]
pub mod session;
