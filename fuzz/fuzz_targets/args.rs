#![no_main]
//! `cargo +nightly fuzz run args`: see `alembic_playground_fuzz::args`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| alembic_playground_fuzz::args(data));
