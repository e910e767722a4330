//! Native CLI over the engine:
//! `alembic-playground --models FILE --versions DIR --db FILE COMMAND [ARGS]`,
//! where COMMAND and ARGS are alembic's own (`upgrade head`, `revision --autogenerate -m msg`).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[cfg(not(target_arch = "wasm32"))]
use alembic_playground::platform::{fault::FaultPlan, fs_host::FsHost};

/// mimalloc (src/platform/allocator.rs): the engine makes many small, short-lived allocations (AST nodes,
/// Python values); with glibc's allocator they cost about a fifth of `upgrade
/// head`'s wall time in the benchmark, with mimalloc about half of that.
#[global_allocator]
static GLOBAL: alembic_playground::platform::allocator::Mimalloc = alembic_playground::platform::allocator::Mimalloc;

const USAGE: &str = "usage: alembic-playground --models FILE --versions DIR --db FILE [--path DIR]... COMMAND [ARGS...]

Runs an alembic command (upgrade, downgrade, revision --autogenerate, history, ...)
against models.py, a versions directory and a SQLite database file, as Alembic 1.20.1
with render_as_batch=True would.

  --path DIR   where scripts and models.py import the project's own modules from
               (repeatable, searched in order, like alembic.ini's prepend_sys_path;
               default: the folder holding models.py)";

struct CliArgs {
    models: PathBuf,
    versions: PathBuf,
    db: PathBuf,
    paths: Vec<PathBuf>,
    command: Vec<String>,
}

fn parse(args: &[String]) -> Result<CliArgs, String> {
    let (mut models, mut versions, mut db) = (None, None, None);
    let mut paths = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        let (name, inline) = match a.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n.to_string(), Some(v.to_string())),
            _ => (a.clone(), None),
        };
        if name == "--path" {
            let value = match inline {
                Some(v) => v,
                None => {
                    i += 1;
                    args.get(i).cloned().ok_or_else(|| "--path needs a value".to_string())?
                }
            };
            paths.push(PathBuf::from(value));
            i += 1;
            continue;
        }
        let slot = match name.as_str() {
            "--models" => &mut models,
            "--versions" => &mut versions,
            "--db" => &mut db,
            "-h" | "--help" if models.is_none() && versions.is_none() && db.is_none() => {
                return Err(String::new());
            }
            _ => break,
        };
        let value = match inline {
            Some(v) => v,
            None => {
                i += 1;
                args.get(i).cloned().ok_or_else(|| format!("{name} needs a value"))?
            }
        };
        *slot = Some(PathBuf::from(value));
        i += 1;
    }
    let command = args[i..].to_vec();
    if command.is_empty() {
        return Err("no alembic command given (for example: upgrade head)".into());
    }
    let models = models.unwrap_or_else(|| PathBuf::from("models.py"));
    if paths.is_empty() {
        let dir = models.parent().map(|p| p.to_path_buf()).filter(|p| !p.as_os_str().is_empty()).unwrap_or_else(|| PathBuf::from("."));
        paths.push(dir);
    }
    Ok(CliArgs {
        models,
        paths,
        versions: versions.unwrap_or_else(|| PathBuf::from("versions")),
        db: db.unwrap_or_else(|| PathBuf::from("app.db")),
        command,
    })
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let cli = match parse(&args) {
        Ok(cli) => cli,
        Err(message) => {
            if message.is_empty() {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            eprintln!("{USAGE}\n\nalembic-playground: error: {message}");
            return ExitCode::from(2);
        }
    };
    // Test-only: ALEMBIC_PLAYGROUND_FAIL_STATEMENT / _STATEMENT_LOG (platform::fault).
    let fault = match FaultPlan::from_env() {
        Ok(plan) => plan,
        Err(message) => {
            eprintln!("alembic-playground: error: {message}");
            return ExitCode::from(2);
        }
    };
    let mut host = match FsHost::open(&cli.models, &cli.versions, &cli.db) {
        Ok(h) => h.with_paths(cli.paths).with_fault_plan(fault),
        Err(message) => {
            eprintln!("alembic-playground: error: {message}");
            return ExitCode::from(1);
        }
    };
    let output = engine::command::run(&mut host, &cli.command);
    let _ = std::io::stderr().write_all(output.stderr.as_bytes());
    let _ = std::io::stdout().write_all(output.stdout.as_bytes());
    ExitCode::from(u8::try_from(output.exit_code & 0xff).unwrap_or(1))
}
