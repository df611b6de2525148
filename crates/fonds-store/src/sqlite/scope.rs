//! Data scope as SQL: the condition that limits a query on `records` to what a caller reaches.
//! It is the SQL form of `DataScope::covers` in fonds-domain; the store tests hold the two
//! together. Every value is bound, never spliced into the text.

use fonds_domain::access::{DataScope, RecordScope};
use sqlx::{QueryBuilder, Sqlite};

/// Pushes a parenthesised condition that is true for a row of `records` (named `alias` in the
/// query) that `scope` reaches: `(1)` for every record, `(0)` for none.
pub(super) fn push_condition(q: &mut QueryBuilder<Sqlite>, scope: &RecordScope, alias: &str) {
    if scope.is_everything() {
        q.push("(1)");
        return;
    }
    let scopes = scope.scopes();
    if scopes.is_empty() {
        q.push("(0)");
        return;
    }
    q.push("(");
    for (i, one) in scopes.iter().enumerate() {
        if i > 0 {
            q.push(" OR ");
        }
        push_one(q, one, alias);
    }
    q.push(")");
}

fn json_list<'a>(items: impl Iterator<Item = &'a str>) -> String {
    serde_json::Value::Array(
        items
            .map(|s| serde_json::Value::String(s.to_owned()))
            .collect(),
    )
    .to_string()
}

fn push_one(q: &mut QueryBuilder<Sqlite>, scope: &DataScope, alias: &str) {
    q.push("(").push(alias).push(".secrecy <= ");
    q.push_bind(i64::from(scope.highest_secrecy.rank()));
    if let Some(fonds) = scope.fonds.listed() {
        q.push(" AND ")
            .push(alias)
            .push(".fonds_code IN (SELECT value FROM json_each(");
        q.push_bind(json_list(fonds.iter().map(|f| f.as_str())));
        q.push("))");
    }
    if let Some(kinds) = scope.kinds.listed() {
        q.push(" AND ")
            .push(alias)
            .push(".kind IN (SELECT value FROM json_each(");
        q.push_bind(json_list(kinds.iter().map(|k| k.as_str())));
        q.push("))");
    }
    if let Some(years) = scope.fiscal_years {
        q.push(" AND ").push(alias).push(".fiscal_year BETWEEN ");
        q.push_bind(i64::from(years.first().get()));
        q.push(" AND ");
        q.push_bind(i64::from(years.last().get()));
    }
    if let Some(roots) = scope.departments.listed() {
        // The record's department lies in the subtree of one of the roots: the root's path is a
        // prefix of the department's path. A record of no department is not reached.
        let roots: Vec<String> = roots.iter().map(ToString::to_string).collect();
        q.push(" AND EXISTS (SELECT 1 FROM departments d JOIN departments root")
            .push(" ON root.fonds_code = d.fonds_code")
            .push(" AND substr(d.path, 1, length(root.path)) = root.path")
            .push(" WHERE d.fonds_code = ")
            .push(alias)
            .push(".fonds_code AND d.code = ")
            .push(alias)
            .push(".department AND root.fonds_code || '/' || root.code IN")
            .push(" (SELECT value FROM json_each(");
        q.push_bind(json_list(roots.iter().map(String::as_str)));
        q.push(")))");
    }
    q.push(")");
}
