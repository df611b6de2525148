//! `fonds user …`: people's accounts. The password is read from standard input (a pipe, or a
//! prompt that does not echo on a terminal), never from the command line, where other users of
//! the machine and the shell history would see it.

use std::io::{BufRead as _, IsTerminal as _, Write as _};
use std::path::Path;
use std::process::ExitCode;

use fonds_core::people::SecondFactorStatus;
use fonds_core::{Actor, ErrorCode, Settings};

use crate::cli::UserCommand;

/// Turns the terminal's echo off or on again (best effort: `stty` on the controlling tty).
// LIMITATION: echo is switched with `stty`, which every Unix has, instead of a terminal crate;
// where `stty` is missing the prompt still works but echoes.
fn echo(on: bool) {
    let _ = std::process::Command::new("stty")
        .arg(if on { "echo" } else { "-echo" })
        .stdin(std::process::Stdio::inherit())
        .status();
}

/// The password: the first line of standard input, or typed twice at a prompt.
fn read_password() -> anyhow::Result<String> {
    let stdin = std::io::stdin();
    let read_line = || -> anyhow::Result<String> {
        let mut line = String::new();
        stdin.lock().read_line(&mut line)?;
        Ok(line.trim_end_matches(['\n', '\r']).to_owned())
    };
    if !stdin.is_terminal() {
        let password = read_line()?;
        anyhow::ensure!(
            !password.is_empty(),
            "no password on standard input; pipe it in, e.g. `fonds user add … < password.txt`"
        );
        return Ok(password);
    }
    let prompt = |text: &str| -> anyhow::Result<String> {
        eprint!("{text}");
        std::io::stderr().flush()?;
        echo(false);
        let line = read_line();
        echo(true);
        eprintln!();
        line
    };
    let first = prompt("Password: ")?;
    let second = prompt("Password again: ")?;
    anyhow::ensure!(
        first == second,
        "the two passwords differ; nothing was changed"
    );
    Ok(first)
}

/// `fonds user`.
pub async fn run(data: &Path, command: UserCommand) -> anyhow::Result<ExitCode> {
    let archive = super::open(data, Settings::default()).await?;
    match command {
        UserCommand::Add { login, name, roles } => {
            let roles = roles
                .iter()
                .map(|r| r.parse::<fonds_domain::access::BuiltinRole>())
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| anyhow::anyhow!("--role: {e}"))?;
            let password = read_password()?;
            match archive
                .create_user(&login, &name, &password, &Actor::cli())
                .await
            {
                Ok(user) => {
                    println!(
                        "Added user `{}` ({}), id {}",
                        user.login, user.display_name, user.id
                    );
                    for role in roles {
                        super::access::grant_at_console(
                            &archive,
                            &user.login,
                            role,
                            fonds_core::access::default_scope(role),
                            None,
                        )
                        .await?;
                    }
                    println!("  they log in with POST /api/v1/session; see docs/people.md");
                }
                Err(error) if !error.errors.is_empty() => {
                    eprintln!("The account was not created:");
                    for problem in &error.errors {
                        eprintln!(
                            "  {} ({}): {}",
                            problem.pointer, problem.code, problem.detail
                        );
                    }
                    return Ok(ExitCode::from(2));
                }
                Err(error) if error.code == ErrorCode::LoginTaken => {
                    anyhow::bail!("{}", error.detail)
                }
                Err(error) => return Err(error.into()),
            }
        }
        UserCommand::List => {
            let now = time::OffsetDateTime::now_utc();
            let grants = archive.grants(None).await?;
            for user in archive.users().await? {
                let roles: Vec<&str> = grants
                    .iter()
                    .filter(|g| g.grant.user_id == user.id && g.grant.is_live(now))
                    .map(|g| g.grant.role.name_zh())
                    .collect();
                let locked = user
                    .locked_until
                    .filter(|until| *until > now)
                    .map_or_else(String::new, |until| format!("  locked until {until}"));
                let factor = match archive.second_factor_status(&user).await? {
                    SecondFactorStatus::None => "no 2FA".to_owned(),
                    SecondFactorStatus::Pending => "2FA pending".to_owned(),
                    SecondFactorStatus::Active {
                        recovery_codes_left,
                    } => format!("TOTP ({recovery_codes_left} recovery codes)"),
                };
                println!(
                    "{:<24} {:<20} {:<8} {factor:<28} last login {}{locked}  roles {}",
                    user.login,
                    user.display_name,
                    user.state,
                    user.last_login_at
                        .map_or_else(|| "never".to_owned(), |at| at.to_string()),
                    if roles.is_empty() {
                        "none".to_owned()
                    } else {
                        roles.join(",")
                    },
                );
            }
        }
        UserCommand::Sessions { login } => {
            let now = time::OffsetDateTime::now_utc();
            for session in archive.list_sessions(&login).await? {
                let standing = match session.revoked_at {
                    Some(at) => format!("ended {at}"),
                    None if now >= session.idle_expires_at
                        || now >= session.absolute_expires_at =>
                    {
                        "timed out".to_owned()
                    }
                    None => format!("live ({})", session.stage.as_str()),
                };
                println!(
                    "{}  started {}  last used {}  from {}  {standing}",
                    session.id,
                    session.created_at,
                    session.last_seen_at,
                    session.client_address.as_deref().unwrap_or("?"),
                );
            }
        }
        UserCommand::RevokeSession { id } => {
            archive.revoke_any_session(&id, &Actor::cli()).await?;
            println!("Revoked session {id}: its cookie opens nothing any more");
        }
        UserCommand::ResetSecondFactor { login } => {
            archive.reset_second_factor(&login, &Actor::cli()).await?;
            println!(
                "Removed the second factor of `{login}` and their recovery codes; they enrol a new \
                 authenticator at their next login"
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
