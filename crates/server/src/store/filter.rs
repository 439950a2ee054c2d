//! The host list's filters and order as SQL, for both stores: the values
//! are bound as parameters (`?N` in SQLite, `$N` in PostgreSQL), and the
//! only names written into the text are fixed columns.

use super::schema::action_column;
use super::{HostQuery, Sort};

/// A `WHERE` clause (or nothing), its values in order, and an `ORDER BY` list.
pub struct HostFilter {
    pub clause: String,
    pub values: Vec<String>,
    pub order: String,
    /// The query filters by verdict and release at most: its total can be
    /// read from the maintained counts.
    pub counted: bool,
}

/// How a store writes the parts that differ.
pub struct Dialect {
    /// Parameter `n` (1-based): `?1`, `$1`.
    pub param: fn(usize) -> String,
    /// Case-insensitive (ASCII at least) `LIKE`.
    pub like: &'static str,
}

pub const SQLITE: Dialect = Dialect {
    param: |n| format!("?{n}"),
    like: "LIKE",
};

pub const POSTGRES: Dialect = Dialect {
    param: |n| format!("${n}"),
    like: "ILIKE",
};

pub fn host_filter(query: &HostQuery, dialect: &Dialect) -> HostFilter {
    let mut clauses: Vec<String> = Vec::new();
    let mut values: Vec<String> = Vec::new();
    let mut bind = |template: &str, value: String| {
        values.push(value);
        clauses.push(template.replace("{p}", &(dialect.param)(values.len())));
    };
    if let Some(v) = query.verdict {
        bind("verdict = {p}", v.as_str().to_string());
    }
    if let Some(r) = &query.release {
        bind("release = {p}", r.clone());
    }
    let q = query.q.as_deref().filter(|q| !q.trim().is_empty());
    if let Some(q) = q {
        let like = dialect.like;
        bind(
            &format!("(host {like} {{p}} ESCAPE '\\' OR os_name {like} {{p}} ESCAPE '\\' OR codes {like} {{p}} ESCAPE '\\')"),
            contains_pattern(q.trim()),
        );
    }
    if let Some(a) = query.action {
        // A fixed column name per action: nothing of the query goes into the SQL text.
        clauses.push(format!("{} > 0", action_column(a)));
    }
    let clause = if clauses.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", clauses.join(" AND "))
    };
    let column = match query.sort {
        Sort::Host => "host",
        Sort::Verdict => "verdict",
        Sort::Release => "release",
        Sort::AssessedAt => "assessed_at",
    };
    let dir = if query.descending { "DESC" } else { "ASC" };
    let order = if column == "host" {
        format!("host {dir}")
    } else {
        format!("{column} {dir}, host {dir}")
    };
    HostFilter {
        clause,
        values,
        order,
        counted: q.is_none() && query.action.is_none(),
    }
}

/// `LIKE` pattern matching `text` anywhere, with `\` as escape.
pub fn contains_pattern(text: &str) -> String {
    format!("%{}%", like_escaped(text))
}

/// `text` as a `LIKE` pattern matching itself, with `\` as escape.
pub fn like_escaped(text: &str) -> String {
    let mut p = String::new();
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p
}
