#![no_main]
//! `cargo +nightly fuzz run revspec`: see `alembic_playground_fuzz::revspec`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| alembic_playground_fuzz::revspec(data));
