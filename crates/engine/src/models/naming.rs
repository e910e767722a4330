//! SQLAlchemy's naming conventions: `MetaData(naming_convention=...)`
//! templates applied to constraint and index names
//! (`sqlalchemy.sql.naming._constraint_name_for_table`).
//!
//! Invariants:
//! - A name given as `conv(...)` is final; a name given plainly is kept
//!   unless the template uses `%(constraint_name)s`; an unnamed constraint
//!   takes the template's name, marked `Name::conv`.
//! - A template this module cannot fill is an error naming the token, never
//!   a silently wrong name.

use std::collections::BTreeMap;

use crate::schema::{MetaData, Name, Table};

/// Finishes every constraint and index name of `md` with its naming
/// convention (see `final_name`); the errors of conventions that do not
/// apply. Check constraints count no columns.
pub(super) fn finish_metadata_names(md: &mut MetaData) -> Vec<String> {
    let nc = md.naming_convention.clone();
    let mut errs = Vec::new();
    for t in md.tables.values_mut() {
        finish_table_names(t, &nc, &mut errs);
    }
    errs
}

/// What batch mode's `naming_convention=` does to a reflected table
/// (`_conv_constraint_names`, then `to_metadata(MetaData(naming_convention=nc))`):
/// every name the database gave is final, every unnamed constraint takes
/// its template's name. A template that cannot be filled is the error.
pub(crate) fn name_reflected_constraints(t: &mut Table, nc: &BTreeMap<String, String>) -> Result<(), NamingError> {
    let mark = |n: &mut Option<Name>| {
        if let Some(n) = n {
            n.conv = true;
        }
    };
    if let Some(p) = t.primary_key.as_mut() {
        mark(&mut p.name);
    }
    t.foreign_keys.iter_mut().for_each(|c| mark(&mut c.name));
    t.unique_constraints.iter_mut().for_each(|c| mark(&mut c.name));
    t.check_constraints.iter_mut().for_each(|c| mark(&mut c.name));
    t.indexes.iter_mut().for_each(|c| mark(&mut c.name));
    name_table_constraints(t, nc)
}

/// Every constraint of a table an op builds in
/// `MetaData(naming_convention=nc)` (`SchemaObjects.metadata()`) named as
/// SQLAlchemy names it there.
pub(crate) fn name_table_constraints(t: &mut Table, nc: &BTreeMap<String, String>) -> Result<(), NamingError> {
    let mut errs = Vec::new();
    finish_table_names(t, nc, &mut errs);
    first_naming_error(errs)
}

/// The name of one constraint of kind `kind` (`"fk"`, `"pk"`, `"uq"`,
/// `"ck"`) that an op builds on table `table` under `nc`.
pub(crate) fn convention_name(
    nc: &BTreeMap<String, String>,
    kind: &str,
    raw: Option<Name>,
    table: &str,
    cols: &[String],
    referred: Option<(String, Vec<String>)>,
) -> Result<Option<Name>, NamingError> {
    let mut errs = Vec::new();
    let name = final_name(nc, kind, raw, &Table::new(table), cols, referred, &mut errs);
    first_naming_error(errs).map(|()| name)
}

fn first_naming_error(errs: Vec<String>) -> Result<(), NamingError> {
    match errs.into_iter().next() {
        None => Ok(()),
        Some(e) if e.ends_with(CONSTRAINT_NAME_REQUIRED) => Err(NamingError::NameRequired),
        Some(e) => Err(NamingError::Unsupported(e)),
    }
}

/// Why a naming convention could not name a constraint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum NamingError {
    /// SQLAlchemy's `InvalidRequestError`: the template uses
    /// `%(constraint_name)s` and the constraint has no name.
    NameRequired,
    /// A template or token the playground does not fill.
    Unsupported(String),
}

/// The reason [`token_value`] gives for `%(constraint_name)s` without a name.
const CONSTRAINT_NAME_REQUIRED: &str = "the %(constraint_name)s token requires that the constraint is explicitly named";

/// Every constraint and index name of one table under `nc`.
fn finish_table_names(t: &mut Table, nc: &BTreeMap<String, String>, errs: &mut Vec<String>) {
    // Every name is worked out from the table as it stands, then set.
    let table: &Table = t;
    let pk = table.primary_key.as_ref().map(|pk| final_name(nc, "pk", pk.name.clone(), table, &pk.columns, None, errs));
    let fks: Vec<Option<Name>> = table
        .foreign_keys
        .iter()
        .map(|fk| {
            let refd = Some((fk.referred_table.clone(), fk.referred_columns.clone()));
            final_name(nc, "fk", fk.name.clone(), table, &fk.columns, refd, errs)
        })
        .collect();
    let uqs: Vec<Option<Name>> =
        table.unique_constraints.iter().map(|uq| final_name(nc, "uq", uq.name.clone(), table, &uq.columns, None, errs)).collect();
    let cks: Vec<Option<Name>> =
        table.check_constraints.iter().map(|ck| final_name(nc, "ck", ck.name.clone(), table, &[], None, errs)).collect();
    let ixs: Vec<Option<Name>> = table
        .indexes
        .iter()
        .map(|ix| {
            let cols: Vec<String> = ix.columns.iter().map(|c| c.as_str().to_string()).collect();
            final_name(nc, "ix", ix.name.clone(), table, &cols, None, errs)
        })
        .collect();
    if let (Some(p), Some(name)) = (t.primary_key.as_mut(), pk) {
        p.name = name;
    }
    for (fk, name) in t.foreign_keys.iter_mut().zip(fks) {
        fk.name = name;
    }
    for (uq, name) in t.unique_constraints.iter_mut().zip(uqs) {
        uq.name = name;
    }
    for (ck, name) in t.check_constraints.iter_mut().zip(cks) {
        ck.name = name;
    }
    for (ix, name) in t.indexes.iter_mut().zip(ixs) {
        ix.name = name;
    }
}

/// SQLAlchemy's `_constraint_name_for_table`.
fn final_name(
    nc: &BTreeMap<String, String>,
    kind: &str,
    raw: Option<Name>,
    table: &Table,
    cols: &[String],
    referred: Option<(String, Vec<String>)>,
    errors: &mut Vec<String>,
) -> Option<Name> {
    if let Some(n) = &raw {
        if n.conv {
            return raw;
        }
    }
    let Some(tpl) = nc.get(kind) else { return raw };
    if raw.is_some() && !tpl.contains("%(constraint_name)s") {
        return raw;
    }
    match format_convention(tpl, table, cols, referred.as_ref(), raw.as_ref().map(|n| n.value.as_str())) {
        Ok(s) => Some(Name::conv(s)),
        Err(e) => {
            errors.push(format!("naming convention for `{kind}` on table `{}`: {e}", table.name));
            raw
        }
    }
}

pub(crate) fn format_convention(
    tpl: &str,
    table: &Table,
    cols: &[String],
    referred: Option<&(String, Vec<String>)>,
    constraint_name: Option<&str>,
) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = tpl;
    while let Some(pos) = rest.find('%') {
        out.push_str(&rest[..pos]);
        let after = &rest[pos + 1..];
        if let Some(stripped) = after.strip_prefix('%') {
            out.push('%');
            rest = stripped;
            continue;
        }
        let Some(inner) = after.strip_prefix('(') else {
            return Err(format!("unsupported template `{tpl}`"));
        };
        let Some(close) = inner.find(")s") else {
            return Err(format!("unsupported template `{tpl}`"));
        };
        let token = &inner[..close];
        out.push_str(&token_value(token, table, cols, referred, constraint_name)?);
        rest = &inner[close + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

fn token_value(
    token: &str,
    table: &Table,
    cols: &[String],
    referred: Option<&(String, Vec<String>)>,
    constraint_name: Option<&str>,
) -> Result<String, String> {
    match token {
        "table_name" => return Ok(table.name.clone()),
        "constraint_name" => {
            return constraint_name.map(|s| s.to_string()).ok_or_else(|| CONSTRAINT_NAME_REQUIRED.to_string())
        }
        "referred_table_name" => return Ok(referred.map(|r| r.0.clone()).unwrap_or_default()),
        _ => {}
    }
    // [referred_]column_<idx>[N|_N]_<attr>
    let (is_ref, body) = match token.strip_prefix("referred_") {
        Some(b) => (true, b),
        None => (false, token),
    };
    let Some(body) = body.strip_prefix("column_0") else {
        return Err(format!("unknown token `{token}`"));
    };
    let (multi, sep, attr) = if let Some(a) = body.strip_prefix("_N_") {
        (true, "_", a)
    } else if let Some(a) = body.strip_prefix("N_") {
        (true, "", a)
    } else if let Some(a) = body.strip_prefix('_') {
        (false, "", a)
    } else {
        return Err(format!("unknown token `{token}`"));
    };
    let list: Vec<String> = if is_ref { referred.map(|r| r.1.clone()).unwrap_or_default() } else { cols.to_vec() };
    let render = |c: &String| -> Result<String, String> {
        match attr {
            "name" | "key" => Ok(c.clone()),
            "label" if !is_ref => Ok(format!("{}_{}", table.name, c)),
            _ => Err(format!("unknown token `{token}`")),
        }
    };
    if multi {
        let parts: Result<Vec<String>, String> = list.iter().map(render).collect();
        Ok(parts?.join(sep))
    } else {
        match list.first() {
            Some(c) => render(c),
            None => Ok(String::new()),
        }
    }
}
