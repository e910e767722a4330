#![no_main]
//! `cargo +nightly fuzz run session`: see `alembic_playground_fuzz::session`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| alembic_playground_fuzz::session(data));
