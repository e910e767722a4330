//! The only sql.js bindings: `Database` over a sql.js `Database` object (wasm32 only).
