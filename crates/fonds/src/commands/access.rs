//! `fonds grant`, `fonds grants`, `fonds revoke` and `fonds department …`: roles, data scopes
//! and the department tree, at the console of the server's machine. The console is where the
//! three officers are appointed (actor `cli`); the separation rules hold here too.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context as _;
use fonds_core::access::{Authority, GrantRequest, ScopeSpec, default_scope, parse_expiry};
use fonds_core::{Actor, Archive, CoreError, Settings};
use fonds_domain::access::{BuiltinRole, DataScope, Grant, Selection};

use crate::cli::{DepartmentCommand, GrantArgs, ReviewArgs, ScopeArgs};

/// A core error as one line for the console, with every field problem.
fn explain(error: CoreError) -> anyhow::Error {
    let mut text = format!("{} ({})", error.detail, error.code);
    for problem in &error.errors {
        text.push_str(&format!("\n  {}: {}", problem.pointer, problem.detail));
    }
    anyhow::anyhow!(text)
}

/// The scope the options describe, `default` filling what they leave out.
pub fn scope_of(args: &ScopeArgs, default: &DataScope) -> anyhow::Result<DataScope> {
    let spec = ScopeSpec {
        fonds: args.fonds.clone(),
        departments: args.departments.clone(),
        kinds: args.kinds.clone(),
        years: args.years.clone(),
        secrecy: args.secrecy.clone(),
    };
    spec.parse("--scope", default.highest_secrecy)
        .map_err(explain)
}

/// The expiry option, if given.
pub fn expiry_of(expires: Option<&str>) -> anyhow::Result<Option<time::OffsetDateTime>> {
    expires
        .map(|text| parse_expiry(text, "--expires").map_err(explain))
        .transpose()
}

/// Grants `role` to `login` at the console, printing the grant.
pub async fn grant_at_console(
    archive: &Archive,
    login: &str,
    role: BuiltinRole,
    scope: DataScope,
    expires_at: Option<time::OffsetDateTime>,
) -> anyhow::Result<Grant> {
    let request = GrantRequest {
        login: login.to_owned(),
        role,
        scope,
        expires_at,
    };
    let grant = archive
        .grant(&request, Authority::Console, &Actor::cli())
        .await
        .map_err(explain)?;
    println!(
        "Granted {} ({}) to {login}: grant {}",
        role.name_zh(),
        role.code(),
        grant.id
    );
    Ok(grant)
}

/// `fonds grant`.
pub async fn grant(data: &Path, args: GrantArgs) -> anyhow::Result<ExitCode> {
    let archive = super::open(data, Settings::default()).await?;
    let role: BuiltinRole = args.role.parse().context("--role")?;
    let scope = scope_of(&args.scope, &default_scope(role))?;
    let expires_at = expiry_of(args.expires.as_deref())?;
    grant_at_console(&archive, &args.login, role, scope, expires_at).await?;
    Ok(ExitCode::SUCCESS)
}

fn describe_selection<T: Ord + std::fmt::Display>(selection: &Selection<T>) -> String {
    match selection.listed() {
        None => "all".to_owned(),
        Some(items) => items
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(","),
    }
}

/// A data scope in one line.
pub fn describe_scope(scope: &DataScope) -> String {
    let years = scope.fiscal_years.map_or_else(
        || "all".to_owned(),
        |y| format!("{}-{}", y.first().get(), y.last().get()),
    );
    format!(
        "fonds {} departments {} kinds {} years {years} up to {}",
        describe_selection(&scope.fonds),
        describe_selection(&scope.departments),
        describe_selection(&scope.kinds),
        scope.highest_secrecy.name_zh()
    )
}

/// `fonds grants`.
pub async fn grants(data: &Path, login: Option<String>) -> anyhow::Result<ExitCode> {
    let archive = super::open(data, Settings::default()).await?;
    let now = time::OffsetDateTime::now_utc();
    for listed in archive.grants(login.as_deref()).await.map_err(explain)? {
        let g = &listed.grant;
        let standing = match (g.revoked_at, g.expires_at) {
            (Some(at), _) => format!("revoked {at}"),
            (None, Some(at)) if at <= now => format!("expired {at}"),
            (None, Some(at)) => format!("until {at}"),
            (None, None) => "no expiry".to_owned(),
        };
        println!(
            "{}  {:<16} {:<10} {}  [{}]  granted by {} at {}",
            g.id,
            listed.login,
            g.role.name_zh(),
            standing,
            describe_scope(&g.scope),
            g.granted_by,
            g.granted_at
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `fonds review`: prints the permission review's report; with `--done`, records the review.
pub async fn review(data: &Path, args: ReviewArgs) -> anyhow::Result<ExitCode> {
    let mut settings = super::settings(data)?;
    settings.people.review = super::config(data)?.review();
    let archive = super::open(data, settings).await?;
    let report = archive.permission_report().await.map_err(explain)?;
    print_report(&report);
    if args.done {
        let note = args.note.unwrap_or_default();
        let review = archive
            .record_permission_review(&note, &Actor::cli())
            .await
            .map_err(explain)?;
        println!(
            "\nReview {} recorded at {} by {}; the next is due {} days from now.",
            review.id,
            review.reviewed_at.date(),
            review.reviewed_by,
            report.settings.interval.as_secs() / (24 * 3600)
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn print_report(report: &fonds_core::access::PermissionReport) {
    let day = |at: time::OffsetDateTime| at.date().to_string();
    let moment = |at: time::OffsetDateTime| {
        at.replace_nanosecond(0)
            .unwrap_or(at)
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default()
    };
    println!(
        "权限审核 · permission review, {}",
        moment(report.generated_at)
    );
    for person in &report.people {
        let user = &person.user;
        let factor = match person.second_factor {
            fonds_core::people::SecondFactorStatus::Active { .. } => "2FA",
            fonds_core::people::SecondFactorStatus::Pending => "2FA pending",
            fonds_core::people::SecondFactorStatus::None => "no 2FA",
        };
        let mut flags = Vec::new();
        if person.dormant {
            flags.push("DORMANT");
        }
        if person.officer_without_second_factor() {
            flags.push("OFFICER WITHOUT 2FA");
        }
        let line = format!(
            "{} ({}) {}  last login {}  {factor}  {}",
            user.login,
            user.display_name,
            user.state,
            user.last_login_at.map_or_else(|| "never".to_owned(), day),
            flags.join(" ")
        );
        println!("\n{}", line.trim_end());
        for g in &person.live_grants {
            let until = g
                .expires_at
                .map_or_else(|| "no expiry".to_owned(), |at| format!("until {}", day(at)));
            println!(
                "  {} {}  {until}  [{}]",
                g.id,
                g.role.name_zh(),
                describe_scope(&g.scope)
            );
        }
        for g in &person.expired_grants {
            println!(
                "  {} {}  expired {}, not revoked",
                g.id,
                g.role.name_zh(),
                g.expires_at.map_or_else(String::new, day)
            );
        }
    }
    println!();
    for (login, g) in &report.expiring {
        println!(
            "expiring: {} {} of {login} on {}",
            g.id,
            g.role.name_zh(),
            g.expires_at.map_or_else(String::new, day)
        );
    }
    println!("dormant: {}", list(report.dormant()));
    println!(
        "officers without 2FA: {}",
        list(report.officers_without_second_factor())
    );
    match &report.last_review {
        Some(last) => println!(
            "last review: {} by {} ({})",
            day(last.reviewed_at),
            last.reviewed_by,
            last.note
        ),
        None => println!("last review: none"),
    }
    println!(
        "next review due: {}{}",
        day(report.next_review_due),
        if report.review_due() {
            " (DUE NOW)"
        } else {
            ""
        }
    );
}

fn list<'a>(names: impl Iterator<Item = &'a str>) -> String {
    let names: Vec<&str> = names.collect();
    if names.is_empty() {
        "none".to_owned()
    } else {
        names.join(", ")
    }
}

/// `fonds revoke`.
pub async fn revoke(data: &Path, id: &str) -> anyhow::Result<ExitCode> {
    let archive = super::open(data, Settings::default()).await?;
    let grant = archive
        .revoke_grant(id, Authority::Console, &Actor::cli())
        .await
        .map_err(explain)?;
    println!("Revoked grant {id} ({})", grant.role.name_zh());
    Ok(ExitCode::SUCCESS)
}

/// `fonds department …`.
pub async fn department(data: &Path, command: DepartmentCommand) -> anyhow::Result<ExitCode> {
    let archive = super::open(data, Settings::default()).await?;
    match command {
        DepartmentCommand::Add {
            fonds,
            code,
            name,
            parent,
        } => {
            let fonds = fonds.parse().context("FONDS")?;
            let code = code.parse().context("CODE")?;
            let parent = parent.map(|p| p.parse()).transpose().context("--parent")?;
            let added = archive
                .add_department(&fonds, code, &name, parent, &Actor::cli())
                .await
                .map_err(explain)?;
            println!(
                "Added department {}/{} ({}) at /{}",
                added.fonds,
                added.code,
                added.name,
                added
                    .path
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("/")
            );
        }
        DepartmentCommand::List { fonds } => {
            let fonds = fonds.map(|f| f.parse()).transpose().context("--fonds")?;
            for d in archive.departments(fonds.as_ref()).await.map_err(explain)? {
                let depth = d.path.len().saturating_sub(1);
                println!(
                    "{}/{:<24} {}{}",
                    d.fonds,
                    d.code.as_str(),
                    "  ".repeat(depth),
                    d.name
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
