//! `cargo run -p alembic-engine --example dump_models -- models.py`: prints the
//! canonical JSON of the MetaData `load_models` builds, then the diagnostics
//! on stderr (compare with `tests/differential/dump_metadata.py`).

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: dump_models MODELS.py");
        std::process::exit(2);
    };
    let source = match std::fs::read_to_string(&path) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(2);
        }
    };
    let result = alembic_engine::models::load_models(&source);
    println!("{}", alembic_engine::models::metadata_to_json(&result.metadata));
    for d in &result.diagnostics {
        eprintln!("{d}");
    }
}
