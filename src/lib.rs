//! Alembic Playground: platform bindings and front ends over `alembic-engine`.
//!
//! Dependencies point inward: `ui` → engine ← `platform`. The engine never
//! names rusqlite, wasm-bindgen or yew; this crate does.

pub mod platform;
pub mod ui;

/// The page's entry point: loads sql.js, mounts the Yew app and installs
/// `window.alembicPlayground` (see `ui::api`).
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen(start)]
pub fn start() {
    ui::app::start();
}
