//! `fonds`: the command line of the Fonds electronic accounting archive.
//!
//! Every command works on one data directory (`--data`, default `./fonds-data`) and calls the
//! same application services as the HTTP API. Exit codes: 0 success; 1 the command ran and found
//! problems (e.g. `verify` found a changed file); 2 the command could not run (bad input,
//! unreadable data directory) — the message on stderr says what to do.

mod cli;
mod commands;
mod config;
mod logging;
mod peer_certificate;
mod tls;

use std::process::ExitCode;

use clap::Parser as _;

use crate::cli::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    fonds_core::install_tls_provider();
    logging::init(cli.log_format, cli.verbose);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    commands::set_config_file(cli.config.as_deref());
    let outcome = runtime.block_on(async {
        match cli.command {
            Command::Serve(args) => {
                commands::serve::run(&cli.data, cli.config.as_deref(), args).await
            }
            Command::Init(args) => commands::init::run(&cli.data, args).await,
            Command::Token(args) => commands::init::token(&cli.data, args).await,
            Command::Grant(args) => commands::access::grant(&cli.data, args).await,
            Command::Grants { login } => commands::access::grants(&cli.data, login).await,
            Command::Review(args) => commands::access::review(&cli.data, args).await,
            Command::Revoke { id } => commands::access::revoke(&cli.data, &id).await,
            Command::Department(command) => commands::access::department(&cli.data, command).await,
            Command::Client(command) => commands::client::run(&cli.data, command).await,
            Command::User(command) => commands::user::run(&cli.data, command).await,
            Command::Webhook(command) => commands::webhook::run(&cli.data, command).await,
            Command::Import(args) => commands::import::run(&cli.data, args).await,
            Command::Verify => commands::verify::run(&cli.data).await,
            Command::Demo(args) => commands::demo::run(&cli.data, args).await,
            Command::Bench(args) => commands::bench::run(args).await,
            Command::Backup(args) => commands::backup::run(&cli.data, args).await,
            Command::Restore(args) => commands::backup::restore(&cli.data, args).await,
            Command::Doctor => commands::doctor::run(&cli.data, cli.config.as_deref()).await,
            Command::Keys(command) => commands::keys::run(&cli.data, command).await,
            Command::Audit(command) => commands::audit::run(&cli.data, command).await,
        }
    });
    match outcome {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
