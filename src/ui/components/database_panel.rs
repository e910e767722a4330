//! The live SQLite schema (PRAGMA table_info, index_list, foreign_key_list),
//! row counts, and the `alembic_version` rows.

use std::rc::Rc;

use yew::prelude::*;

use crate::ui::inspect::TableView;
use crate::ui::store::DbView;
use crate::ui::views::VERSION_TABLE;

#[derive(Properties, PartialEq)]
pub struct DatabasePanelProps {
    pub db: Rc<DbView>,
}

#[function_component(DatabasePanel)]
pub fn database_panel(props: &DatabasePanelProps) -> Html {
    let version = if props.db.versions.is_empty() {
        html! { <span class="muted">{ "no revision applied" }</span> }
    } else {
        html! { { for props.db.versions.iter().map(|h| html! { <code class="rev">{ h }</code> }) } }
    };
    html! {
        <section class="panel database" aria-label="Database">
            <header class="panel-head">
                <h2>{ "Database" }</h2>
                <span class="hint">{ "SQLite (sql.js), in memory" }</span>
            </header>
            <p id="alembic-version" class="current">{ "alembic_version: " }{ version }</p>
            { match &props.db.schema {
                Err(message) => html! { <p class="error">{ message }</p> },
                // The version table is the line above, not a table of the schema.
                Ok(schema) if !schema.tables.iter().any(|t| t.name != VERSION_TABLE) => {
                    html! { <p class="empty">{ "No tables yet: Upgrade creates them." }</p> }
                }
                Ok(schema) => html! {
                    <div id="tables" class="tables">{ for schema.tables.iter().filter(|t| t.name != VERSION_TABLE).map(table) }</div>
                },
            } }
        </section>
    }
}

fn table(t: &TableView) -> Html {
    let details: Vec<String> = t
        .indexes
        .iter()
        .map(|i| {
            let cols: Vec<&str> = i.column_names.iter().map(|c| c.as_deref().unwrap_or("<expr>")).collect();
            format!("{}INDEX {} ({})", if i.unique { "UNIQUE " } else { "" }, i.name, cols.join(", "))
        })
        .chain(t.unique_constraints.iter().map(|u| match &u.name {
            Some(name) => format!("CONSTRAINT {name} UNIQUE ({})", u.column_names.join(", ")),
            None => format!("UNIQUE ({})", u.column_names.join(", ")),
        }))
        .chain(t.foreign_keys.iter().map(|f| {
            let mut s = format!(
                "FOREIGN KEY ({}) REFERENCES {} ({})",
                f.constrained_columns.join(", "),
                f.referred_table,
                f.referred_columns.join(", ")
            );
            if let Some(a) = &f.ondelete {
                s.push_str(&format!(" ON DELETE {a}"));
            }
            if let Some(a) = &f.onupdate {
                s.push_str(&format!(" ON UPDATE {a}"));
            }
            s
        }))
        .collect();
    html! {
        <article class="table" key={t.name.clone()} data-table={t.name.clone()}>
            <header>
                <code class="table-name">{ &t.name }</code>
                <span class="rows">{ format!("{} row{}", t.row_count, if t.row_count == 1 { "" } else { "s" }) }</span>
            </header>
            <table>
                <thead><tr><th>{ "column" }</th><th>{ "type" }</th><th>{ "null" }</th><th>{ "default" }</th></tr></thead>
                <tbody>
                    { for t.columns.iter().map(|c| html! {
                        <tr key={c.name.clone()}>
                            <td><code>{ &c.name }</code>{ if c.primary_key { html! { <span class="pk" title="primary key">{ "PK" }</span> } } else { html! {} } }</td>
                            <td><code>{ &c.type_ }</code></td>
                            <td>{ if c.nullable { "yes" } else { "no" } }</td>
                            <td><code>{ c.default.clone().unwrap_or_default() }</code></td>
                        </tr>
                    }) }
                </tbody>
            </table>
            if !details.is_empty() {
                <ul class="constraints">{ for details.iter().map(|d| html! { <li><code>{ d }</code></li> }) }</ul>
            }
        </article>
    }
}
