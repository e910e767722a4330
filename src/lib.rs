//! Alembic Playground: platform bindings and front ends over `alembic-engine`.
//!
//! Dependencies point inward: `ui` → engine ← `platform`. The engine never
//! names rusqlite, wasm-bindgen or yew; this crate does.

pub mod platform;
pub mod ui;

/// The page's allocator: talc instead of Rust's default dlmalloc, whose
/// `free` (coalescing) was the largest single cost of the engine's own
/// share of `upgrade head` in the page. Single-threaded wasm32 (no atomics).
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static TALC: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

/// The page's entry point: loads sql.js, mounts the Yew app and installs
/// `window.alembicPlayground` (see `ui::api`).
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen(start)]
pub fn start() {
    ui::app::start();
}
