//! The alembic command line, parsed the way Alembic's argparse setup
//! (`alembic/config.py`, `CommandLine`) parses it.
//!
//! Invariants:
//! - Options may come before or after positionals; long options accept
//!   `--opt=value` and unambiguous prefixes (`--auto`), short options accept
//!   `-mvalue`; `-1` is a positional (argparse treats negative numbers as
//!   positionals when no option looks like one).
//! - Errors are argparse's: a usage line and `alembic <verb>: error: ...` on
//!   stderr, exit status 2.

/// The alembic verbs, with their options, as Alembic registers them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    Branches,
    Check,
    Current,
    Downgrade,
    Edit,
    EnsureVersion,
    Heads,
    History,
    Init,
    ListTemplates,
    Merge,
    Revision,
    Show,
    Stamp,
    Upgrade,
}

const VERBS: &[(&str, Verb)] = &[
    ("branches", Verb::Branches),
    ("check", Verb::Check),
    ("current", Verb::Current),
    ("downgrade", Verb::Downgrade),
    ("edit", Verb::Edit),
    ("ensure_version", Verb::EnsureVersion),
    ("heads", Verb::Heads),
    ("history", Verb::History),
    ("init", Verb::Init),
    ("list_templates", Verb::ListTemplates),
    ("merge", Verb::Merge),
    ("revision", Verb::Revision),
    ("show", Verb::Show),
    ("stamp", Verb::Stamp),
    ("upgrade", Verb::Upgrade),
];

impl Verb {
    pub fn name(self) -> &'static str {
        VERBS.iter().find(|(_, v)| *v == self).map(|(n, _)| *n).unwrap_or("?")
    }
}

/// A parsed command line.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Invocation {
    pub verb: Option<Verb>,
    /// `-q` / `--quiet`: no `msg` / `print_stdout` output (log lines stay).
    pub quiet: bool,
    /// `--raiseerr`: a `CommandError` is raised (traceback, exit 1) instead
    /// of printed as `FAILED: ...`.
    pub raiseerr: bool,
    // options, by Alembic's dest names
    pub message: Option<String>,
    pub autogenerate: bool,
    pub sql: bool,
    pub head: Option<String>,
    pub splice: bool,
    pub branch_label: Option<String>,
    pub version_path: Option<String>,
    pub rev_id: Option<String>,
    pub depends_on: Vec<String>,
    pub tag: Option<String>,
    /// `-x` (repeatable, before the verb): `EnvironmentContext.get_x_argument()`.
    pub x: Vec<String>,
    pub verbose: bool,
    pub resolve_dependencies: bool,
    pub rev_range: Option<String>,
    pub indicate_current: bool,
    pub purge: bool,
    pub check_heads: bool,
    pub template: Option<String>,
    pub package: bool,
    /// Positional arguments (`revision`, `revisions`, `rev`, `directory`).
    pub positionals: Vec<String>,
}

/// A command-line error, reported as argparse does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArgsError {
    /// `alembic` or `alembic upgrade`.
    pub prog: String,
    pub usage: String,
    pub message: String,
    /// `--version` / `-h` are not errors: they print to stdout and exit 0.
    pub informational: Option<String>,
}

impl ArgsError {
    pub fn exit_code(&self) -> i32 {
        if self.informational.is_some() {
            0
        } else {
            2
        }
    }
    pub fn stdout(&self) -> String {
        self.informational.clone().unwrap_or_default()
    }
    pub fn stderr(&self) -> String {
        if self.informational.is_some() {
            String::new()
        } else {
            format!("{}\n{}: error: {}\n", self.usage, self.prog, self.message)
        }
    }
}

#[derive(Clone, Copy)]
enum Kind {
    Flag,
    Value,
    Append,
}

struct OptSpec {
    short: Option<&'static str>,
    long: &'static str,
    kind: Kind,
    metavar: &'static str,
}

const fn opt(short: Option<&'static str>, long: &'static str, kind: Kind, metavar: &'static str) -> OptSpec {
    OptSpec { short, long, kind, metavar }
}

const MESSAGE: OptSpec = opt(Some("-m"), "--message", Kind::Value, "MESSAGE");
const AUTOGENERATE: OptSpec = opt(None, "--autogenerate", Kind::Flag, "");
const SQL: OptSpec = opt(None, "--sql", Kind::Flag, "");
const HEAD: OptSpec = opt(None, "--head", Kind::Value, "HEAD");
const SPLICE: OptSpec = opt(None, "--splice", Kind::Flag, "");
const BRANCH_LABEL: OptSpec = opt(None, "--branch-label", Kind::Value, "BRANCH_LABEL");
const VERSION_PATH: OptSpec = opt(None, "--version-path", Kind::Value, "VERSION_PATH");
const REV_ID: OptSpec = opt(None, "--rev-id", Kind::Value, "REV_ID");
const DEPENDS_ON: OptSpec = opt(None, "--depends-on", Kind::Append, "DEPENDS_ON");
const TAG: OptSpec = opt(None, "--tag", Kind::Value, "TAG");
const VERBOSE: OptSpec = opt(Some("-v"), "--verbose", Kind::Flag, "");
const RESOLVE: OptSpec = opt(None, "--resolve-dependencies", Kind::Flag, "");
const REV_RANGE: OptSpec = opt(Some("-r"), "--rev-range", Kind::Value, "REV_RANGE");
const INDICATE: OptSpec = opt(Some("-i"), "--indicate-current", Kind::Flag, "");
const PURGE: OptSpec = opt(None, "--purge", Kind::Flag, "");
const CHECK_HEADS: OptSpec = opt(Some("-c"), "--check-heads", Kind::Flag, "");
const TEMPLATE: OptSpec = opt(Some("-t"), "--template", Kind::Value, "TEMPLATE");
const PACKAGE: OptSpec = opt(None, "--package", Kind::Flag, "");

/// How many positionals a verb takes: `(name, one_or_more)`.
struct Positional {
    name: &'static str,
    one_or_more: bool,
}

fn spec(verb: Verb) -> (Vec<&'static OptSpec>, Option<Positional>) {
    let p = |name| Some(Positional { name, one_or_more: false });
    let pp = |name| Some(Positional { name, one_or_more: true });
    match verb {
        Verb::Branches => (vec![&VERBOSE], None),
        Verb::Check => (vec![], None),
        Verb::Current => (vec![&VERBOSE, &CHECK_HEADS], None),
        Verb::Downgrade => (vec![&SQL, &TAG], p("revision")),
        Verb::Edit => (vec![], p("rev")),
        Verb::EnsureVersion => (vec![&SQL], None),
        Verb::Heads => (vec![&VERBOSE, &RESOLVE], None),
        Verb::History => (vec![&REV_RANGE, &VERBOSE, &INDICATE], None),
        Verb::Init => (vec![&TEMPLATE, &PACKAGE], p("directory")),
        Verb::ListTemplates => (vec![], None),
        Verb::Merge => (vec![&MESSAGE, &BRANCH_LABEL, &REV_ID, &SPLICE], pp("revisions")),
        Verb::Revision => (
            vec![&MESSAGE, &AUTOGENERATE, &SQL, &HEAD, &SPLICE, &BRANCH_LABEL, &VERSION_PATH, &REV_ID, &DEPENDS_ON],
            None,
        ),
        Verb::Show => (vec![], p("rev")),
        Verb::Stamp => (vec![&SQL, &TAG, &PURGE], pp("revisions")),
        Verb::Upgrade => (vec![&SQL, &TAG], p("revision")),
    }
}

fn usage_for(verb: Verb) -> String {
    let (opts, positional) = spec(verb);
    let mut opt_parts = vec!["[-h]".to_string()];
    for o in opts {
        let flag = o.short.unwrap_or(o.long);
        opt_parts.push(match o.kind {
            Kind::Flag => format!("[{flag}]"),
            Kind::Value | Kind::Append => format!("[{flag} {}]", o.metavar),
        });
    }
    let mut pos_parts = Vec::new();
    if let Some(p) = positional {
        pos_parts.push(p.name.to_string());
        if p.one_or_more {
            pos_parts.push(format!("[{} ...]", p.name));
        }
    }
    format_usage(&format!("alembic {}", verb.name()), &opt_parts, &pos_parts)
}

/// argparse's `HelpFormatter._format_usage` at its default width (80
/// columns less 2): one line when it fits, else the optionals wrapped after
/// the program name and the positionals on lines of their own, indented
/// under the first option.
fn format_usage(prog: &str, opt_parts: &[String], pos_parts: &[String]) -> String {
    const PREFIX: &str = "usage: ";
    const TEXT_WIDTH: usize = 78;
    let one_line: Vec<&str> =
        std::iter::once(prog).chain(opt_parts.iter().map(String::as_str)).chain(pos_parts.iter().map(String::as_str)).collect();
    let one_line = one_line.join(" ");
    if PREFIX.len() + one_line.len() <= TEXT_WIDTH {
        return format!("{PREFIX}{one_line}");
    }
    let indent = " ".repeat(PREFIX.len() + prog.len() + 1);
    // get_lines(parts, indent, prefix)
    let get_lines = |parts: &[&str], with_prefix: bool| -> Vec<String> {
        let mut lines = Vec::new();
        let mut line: Vec<&str> = Vec::new();
        let mut line_len = if with_prefix { PREFIX.len() - 1 } else { indent.len() - 1 };
        for part in parts {
            if line_len + 1 + part.len() > TEXT_WIDTH && !line.is_empty() {
                lines.push(format!("{indent}{}", line.join(" ")));
                line.clear();
                line_len = indent.len() - 1;
            }
            line.push(part);
            line_len += part.len() + 1;
        }
        if !line.is_empty() {
            lines.push(format!("{indent}{}", line.join(" ")));
        }
        if with_prefix {
            if let Some(first) = lines.first_mut() {
                *first = first[indent.len()..].to_string();
            }
        }
        lines
    };
    let first: Vec<&str> = std::iter::once(prog).chain(opt_parts.iter().map(String::as_str)).collect();
    let mut lines = get_lines(&first, true);
    let pos: Vec<&str> = pos_parts.iter().map(String::as_str).collect();
    lines.extend(get_lines(&pos, false));
    format!("{PREFIX}{}", lines.join("\n"))
}

const TOP_USAGE: &str = "usage: alembic [-h] [--version] [-c CONFIG] [-n NAME] [-x X] [--raiseerr] [-q]\n               {branches,check,current,downgrade,edit,ensure_version,heads,history,init,list_templates,merge,revision,show,stamp,upgrade}\n               ...";

fn top_error(message: String) -> ArgsError {
    ArgsError { prog: "alembic".into(), usage: TOP_USAGE.into(), message, informational: None }
}

fn verb_error(verb: Verb, message: String) -> ArgsError {
    ArgsError { prog: format!("alembic {}", verb.name()), usage: usage_for(verb), message, informational: None }
}

/// True for a token argparse would take as an option rather than a value:
/// it starts with `-` and is not a negative number
/// (`_negative_number_matcher`: `^-\d+$|^-\d*\.\d+$`, where `\d` is any
/// Unicode decimal digit, so `-١` is a number too).
fn looks_like_option(token: &str) -> bool {
    token.starts_with('-') && token.len() > 1 && !is_negative_number(token)
}

fn is_negative_number(token: &str) -> bool {
    let Some(rest) = token.strip_prefix('-') else { return false };
    let digit = |c: char| crate::revision::py_decimal(c).is_some();
    match rest.split_once('.') {
        None => !rest.is_empty() && rest.chars().all(digit),
        Some((int, frac)) => int.chars().all(digit) && !frac.is_empty() && frac.chars().all(digit),
    }
}

/// Parses an alembic command line (without the word `alembic`).
pub fn parse_args(args: &[String]) -> Result<Invocation, ArgsError> {
    let mut inv = Invocation::default();
    let mut i = 0;
    // global options, before the verb
    while i < args.len() {
        let a = args[i].as_str();
        match a {
            "-h" | "--help" => {
                return Err(ArgsError {
                    prog: "alembic".into(),
                    usage: TOP_USAGE.into(),
                    message: String::new(),
                    informational: Some(format!("{TOP_USAGE}\n")),
                })
            }
            "--version" => {
                return Err(ArgsError {
                    prog: "alembic".into(),
                    usage: TOP_USAGE.into(),
                    message: String::new(),
                    informational: Some("alembic 1.20.1\n".into()),
                })
            }
            "-q" | "--quiet" => {
                inv.quiet = true;
                i += 1;
            }
            "--raiseerr" => {
                inv.raiseerr = true;
                i += 1;
            }
            "-c" | "--config" | "-n" | "--name" | "-x" => {
                if i + 1 >= args.len() {
                    return Err(top_error(format!("argument {a}: expected one argument")));
                }
                if a == "-x" {
                    inv.x.push(args[i + 1].clone());
                }
                i += 2;
            }
            _ if a.starts_with("--config=") || a.starts_with("--name=") => i += 1,
            _ if a.starts_with("-x") && a.len() > 2 => {
                // argparse: `-x=v` and `-xv` both give `v`
                let value = a.strip_prefix("-x=").unwrap_or(&a[2..]);
                inv.x.push(value.to_string());
                i += 1;
            }
            _ => break,
        }
    }
    let Some(verb_word) = args.get(i) else {
        return Err(top_error("too few arguments".into()));
    };
    let Some(verb) = VERBS.iter().find(|(n, _)| *n == verb_word).map(|(_, v)| *v) else {
        let choices: Vec<String> = VERBS.iter().map(|(n, _)| format!("'{n}'")).collect();
        return Err(top_error(format!(
            "argument {{branches,check,current,downgrade,edit,ensure_version,heads,history,init,list_templates,merge,revision,show,stamp,upgrade}}: invalid choice: '{verb_word}' (choose from {})",
            choices.join(", ")
        )));
    };
    inv.verb = Some(verb);
    i += 1;
    let (opts, positional) = spec(verb);
    let mut unrecognized: Vec<String> = Vec::new();
    let mut only_positionals = false;
    let mut queue: std::collections::VecDeque<String> = args[i..].iter().cloned().collect();
    while let Some(a) = queue.pop_front() {
        if only_positionals || !looks_like_option(&a) {
            inv.positionals.push(a);
            continue;
        }
        if a == "--" {
            only_positionals = true;
            continue;
        }
        if a == "-h" || a == "--help" {
            return Err(ArgsError {
                prog: format!("alembic {}", verb.name()),
                usage: usage_for(verb),
                message: String::new(),
                informational: Some(format!("{}\n", usage_for(verb))),
            });
        }
        // the option: `--long`, `--long=value`, an unambiguous `--prefix`, `-s`, `-svalue`, `-abc` (flags)
        let (found, attached): (Option<&OptSpec>, Option<String>) = if let Some(body) = a.strip_prefix("--") {
            let (name, value) = match body.split_once('=') {
                Some((n, v)) => (format!("--{n}"), Some(v.to_string())),
                None => (a.clone(), None),
            };
            let matches: Vec<&OptSpec> = match opts.iter().find(|o| o.long == name) {
                Some(o) => vec![*o],
                None => opts.iter().filter(|o| o.long.starts_with(&name)).copied().collect(),
            };
            if matches.len() > 1 {
                let names: Vec<&str> = matches.iter().map(|o| o.long).collect();
                return Err(verb_error(verb, format!("ambiguous option: {name} could match {}", names.join(", "))));
            }
            (matches.first().copied(), value)
        } else {
            let split = a.char_indices().nth(2).map(|(k, _)| k).unwrap_or(a.len());
            let (short, rest) = a.split_at(split);
            (opts.iter().find(|o| o.short == Some(short)).copied(), (!rest.is_empty()).then(|| rest.to_string()))
        };
        let Some(o) = found else {
            unrecognized.push(a);
            continue;
        };
        let display = o.short.map(|s| format!("{s}/{}", o.long)).unwrap_or_else(|| o.long.to_string());
        match o.kind {
            Kind::Flag => {
                set_flag(&mut inv, o.long);
                if let Some(rest) = attached {
                    if a.starts_with("--") {
                        return Err(verb_error(verb, format!("argument {display}: ignored explicit argument '{rest}'")));
                    }
                    // `-vi`: the remaining characters are more short options
                    queue.push_front(format!("-{rest}"));
                }
            }
            Kind::Value | Kind::Append => {
                let value = match attached {
                    Some(v) => v,
                    None => match queue.front() {
                        Some(next) if !looks_like_option(next) => queue.pop_front().unwrap_or_default(),
                        _ => return Err(verb_error(verb, format!("argument {display}: expected one argument"))),
                    },
                };
                set_value(&mut inv, o.long, value);
            }
        }
    }
    if !unrecognized.is_empty() {
        return Err(top_error(format!("unrecognized arguments: {}", unrecognized.join(" "))));
    }
    match positional {
        None => {
            if !inv.positionals.is_empty() {
                return Err(top_error(format!("unrecognized arguments: {}", inv.positionals.join(" "))));
            }
        }
        Some(p) => {
            if inv.positionals.is_empty() {
                return Err(verb_error(verb, format!("the following arguments are required: {}", p.name)));
            }
            if !p.one_or_more && inv.positionals.len() > 1 {
                return Err(top_error(format!("unrecognized arguments: {}", inv.positionals[1..].join(" "))));
            }
        }
    }
    Ok(inv)
}

fn set_flag(inv: &mut Invocation, long: &str) {
    match long {
        "--autogenerate" => inv.autogenerate = true,
        "--sql" => inv.sql = true,
        "--splice" => inv.splice = true,
        "--verbose" => inv.verbose = true,
        "--resolve-dependencies" => inv.resolve_dependencies = true,
        "--indicate-current" => inv.indicate_current = true,
        "--purge" => inv.purge = true,
        "--check-heads" => inv.check_heads = true,
        "--package" => inv.package = true,
        _ => {}
    }
}

fn set_value(inv: &mut Invocation, long: &str, value: String) {
    match long {
        "--message" => inv.message = Some(value),
        "--head" => inv.head = Some(value),
        "--branch-label" => inv.branch_label = Some(value),
        "--version-path" => inv.version_path = Some(value),
        "--rev-id" => inv.rev_id = Some(value),
        "--depends-on" => inv.depends_on.push(value),
        "--tag" => inv.tag = Some(value),
        "--rev-range" => inv.rev_range = Some(value),
        "--template" => inv.template = Some(value),
        _ => {}
    }
}

/// Splits a command line into words the way a POSIX shell would: single and
/// double quotes, backslash escapes, whitespace separation.
pub fn split_command_line(line: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(ch) => cur.push(ch),
                        None => return Err("unterminated single quote".into()),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(ch @ ('"' | '\\' | '$' | '`')) => cur.push(ch),
                            Some(ch) => {
                                cur.push('\\');
                                cur.push(ch);
                            }
                            None => return Err("unterminated double quote".into()),
                        },
                        Some(ch) => cur.push(ch),
                        None => return Err("unterminated double quote".into()),
                    }
                }
            }
            '\\' => {
                in_word = true;
                if let Some(ch) = chars.next() {
                    cur.push(ch);
                }
            }
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    if in_word {
        words.push(cur);
    }
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(line: &str) -> Result<Invocation, ArgsError> {
        parse_args(&split_command_line(line).unwrap())
    }

    #[test]
    fn splits_quotes() {
        assert_eq!(
            split_command_line(r#"revision --autogenerate -m "create tag" --rev-id 'a b'"#).unwrap(),
            vec!["revision", "--autogenerate", "-m", "create tag", "--rev-id", "a b"]
        );
        assert!(split_command_line("revision -m \"oops").is_err());
    }

    #[test]
    fn top_level_flags() {
        let inv = p("--raiseerr -q -x a=1 upgrade head").unwrap();
        assert_eq!(inv.verb, Some(Verb::Upgrade));
        assert!(inv.raiseerr && inv.quiet);
        assert_eq!(inv.positionals, vec!["head"]);
        assert!(!p("upgrade head").unwrap().raiseerr);
    }

    #[test]
    fn revision_options() {
        let inv = p("revision --autogenerate -m 'create tag' --rev-id r0001 --depends-on a --depends-on b").unwrap();
        assert_eq!(inv.verb, Some(Verb::Revision));
        assert!(inv.autogenerate);
        assert_eq!(inv.message.as_deref(), Some("create tag"));
        assert_eq!(inv.rev_id.as_deref(), Some("r0001"));
        assert_eq!(inv.depends_on, vec!["a", "b"]);
    }

    #[test]
    fn prefixes_and_attached_values() {
        let inv = p("revision --auto -mhello --rev-id=x").unwrap();
        assert!(inv.autogenerate);
        assert_eq!(inv.message.as_deref(), Some("hello"));
        assert_eq!(inv.rev_id.as_deref(), Some("x"));
    }

    #[test]
    fn negative_relative_target_is_positional() {
        let inv = p("downgrade -1").unwrap();
        assert_eq!(inv.positionals, vec!["-1"]);
        // argparse: `\d` takes any decimal digit; `-1e3` and `-inf` look like options
        let inv = p("downgrade -١").unwrap();
        assert_eq!(inv.positionals, vec!["-١"]);
        assert!(is_negative_number("-.5") && is_negative_number("-2.5"));
        assert!(!is_negative_number("-1e3") && !is_negative_number("-inf") && !is_negative_number("-1."));
    }

    #[test]
    fn combined_short_flags() {
        let inv = p("history -vi").unwrap();
        assert!(inv.verbose && inv.indicate_current);
    }

    #[test]
    fn missing_positional_is_usage_error() {
        let e = p("upgrade").unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert_eq!(
            e.stderr(),
            "usage: alembic upgrade [-h] [--sql] [--tag TAG] revision\nalembic upgrade: error: the following arguments are required: revision\n"
        );
    }

    #[test]
    fn unknown_verb_and_option() {
        assert_eq!(p("frobnicate").unwrap_err().exit_code(), 2);
        let e = p("upgrade head --bogus").unwrap_err();
        assert!(e.stderr().contains("unrecognized arguments: --bogus"), "{}", e.stderr());
        assert_eq!(p("").unwrap_err().message, "too few arguments");
    }

    #[test]
    fn long_usage_wraps_as_argparse_does() {
        // what Alembic 1.20.1 printed for `alembic revision -m` and `alembic merge`
        assert_eq!(
            p("revision -m").unwrap_err().stderr(),
            "usage: alembic revision [-h] [-m MESSAGE] [--autogenerate] [--sql]
                        [--head HEAD] [--splice] [--branch-label BRANCH_LABEL]
                        [--version-path VERSION_PATH] [--rev-id REV_ID]
                        [--depends-on DEPENDS_ON]
alembic revision: error: argument -m/--message: expected one argument
"
        );
        assert_eq!(
            p("merge").unwrap_err().stderr(),
            "usage: alembic merge [-h] [-m MESSAGE] [--branch-label BRANCH_LABEL]
                     [--rev-id REV_ID] [--splice]
                     revisions [revisions ...]
alembic merge: error: the following arguments are required: revisions
"
        );
        assert_eq!(
            p("stamp").unwrap_err().stderr(),
            "usage: alembic stamp [-h] [--sql] [--tag TAG] [--purge]
                     revisions [revisions ...]
alembic stamp: error: the following arguments are required: revisions
"
        );
        assert_eq!(
            p("history -r").unwrap_err().stderr(),
            "usage: alembic history [-h] [-r REV_RANGE] [-v] [-i]\nalembic history: error: argument -r/--rev-range: expected one argument\n"
        );
    }

    #[test]
    fn stamp_takes_several_revisions() {
        let inv = p("stamp --purge a b").unwrap();
        assert!(inv.purge);
        assert_eq!(inv.positionals, vec!["a", "b"]);
    }
}
