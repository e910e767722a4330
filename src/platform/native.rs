//! rusqlite `Database` + filesystem `Host` (not on wasm32).
