#![no_main]
//! `cargo +nightly fuzz run script`: see `alembic_playground_fuzz::script`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| alembic_playground_fuzz::script(data));
