//! Platform bindings: the `Database` implementations and the hosts.
//! `native` (rusqlite + filesystem) off wasm32, `sqljs` on wasm32;
//! `memory_host` (a project in memory) for tests and fuzzing.

#[cfg(not(target_arch = "wasm32"))]
pub mod allocator;
pub mod host_format;
pub mod memory_host;
#[cfg(not(target_arch = "wasm32"))]
pub mod native;
#[cfg(not(target_arch = "wasm32"))]
pub mod fs_host;
#[cfg(not(target_arch = "wasm32"))]
pub mod fault;
#[cfg(target_arch = "wasm32")]
pub mod sqljs;
