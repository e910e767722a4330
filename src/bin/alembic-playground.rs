//! Native CLI: `alembic-playground --models FILE --versions DIR --db FILE COMMAND [ARGS]`.
fn main() {
    eprintln!("not implemented yet");
    std::process::exit(2);
}
