#![no_main]
//! `cargo +nightly fuzz run models`: see `alembic_playground_fuzz::models`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| alembic_playground_fuzz::models(data));
