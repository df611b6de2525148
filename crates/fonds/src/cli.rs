//! The command-line interface, described with clap.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Fonds — 会计档案电子化管理系统, an electronic accounting archive.
#[derive(Debug, Parser)]
#[command(name = "fonds", version, about, propagate_version = true)]
pub struct Cli {
    /// The data directory: database and stored files.
    #[arg(
        long,
        global = true,
        env = "FONDS_DATA",
        default_value = "./fonds-data"
    )]
    pub data: PathBuf,
    /// The configuration file of `serve` (default: `fonds.toml` in the data directory, if there
    /// is one). See fonds.example.toml.
    #[arg(long, global = true, env = "FONDS_CONFIG")]
    pub config: Option<PathBuf>,
    /// Log format.
    #[arg(
        long,
        global = true,
        value_enum,
        env = "FONDS_LOG_FORMAT",
        default_value = "text"
    )]
    pub log_format: LogFormat,
    /// More detailed logs (`-v` debug, `-vv` trace).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// How logs are written.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LogFormat {
    /// For people.
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API (initialises an empty data directory first).
    Serve(ServeArgs),
    /// Initialise a data directory: create the fonds and print an admin API token once.
    Init(InitArgs),
    /// Issue a new API token for a script, with its permissions, data scope and expiry.
    Token(TokenArgs),
    /// Give a person a role over a data scope (officers' roles only here, at the console).
    Grant(GrantArgs),
    /// List grants, of one person or of all.
    Grants {
        /// Only this person's (login name).
        login: Option<String>,
    },
    /// The permission review (权限审核): every person's roles, scopes, last login and second
    /// factor; grants about to expire; dormant accounts; officers without a second factor.
    /// With `--done`, records the review as done at the console.
    Review(ReviewArgs),
    /// Revoke a grant by its id (see `fonds grants`).
    Revoke {
        /// The grant's id.
        id: String,
    },
    /// The department tree of each fonds.
    #[command(subcommand)]
    Department(DepartmentCommand),
    /// Manage client systems (接入系统) that submit signed requests.
    #[command(subcommand)]
    Client(ClientCommand),
    /// Manage people's accounts (the password is read from standard input, never the command line).
    #[command(subcommand)]
    User(UserCommand),
    /// Manage webhook endpoints and deliveries (dead letters, replay).
    #[command(subcommand)]
    Webhook(WebhookCommand),
    /// Import a folder laid out as DA/T 94 §16 describes (one folder per voucher + register CSV).
    Import(ImportArgs),
    /// Re-hash every stored file; exits 1 if any is missing or changed.
    Verify,
    /// Load the demo archive into an empty data directory, then serve it.
    Demo(DemoArgs),
    /// Measure performance and print the figures.
    Bench(BenchArgs),
    /// Back up the data directory into DEST (signed, files shared between backups), or check a
    /// backup with `fonds backup verify DEST`.
    Backup(BackupArgs),
    /// Restore a backup (a backup folder, or a destination for its newest backup) into --data.
    Restore(RestoreArgs),
    /// Check the configuration, data directory, keys, disk, clock and scanner; say what to fix.
    Doctor,
    /// Master keys of encryption at rest.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// The tamper-evident audit trail.
    #[command(subcommand)]
    Audit(AuditCommand),
}

/// The subcommands of `audit`.
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Recompute every event's hash and link; exits 1 naming the first broken event.
    Verify {
        /// A head recorded earlier (by a backup, or noted by hand) as `SEQUENCE:HASH`: the trail
        /// must still hold that event with that hash, which also catches events removed from
        /// its end.
        #[arg(long)]
        head: Option<String>,
    },
    /// Write the trail as JSON lines with a signed checkpoint as the last line; anyone can check
    /// it with the public key (`fonds audit public-key`) and docs/audit.md, without Fonds.
    Export {
        /// The file to write; it must not exist yet.
        #[arg(long)]
        out: PathBuf,
        /// The first event to export (an earlier export's last sequence + 1); the whole chain is
        /// verified either way.
        #[arg(long, default_value_t = 1)]
        from: i64,
    },
    /// Print the public key audit exports are signed with (64 hex digits), creating the key
    /// on first use.
    PublicKey,
    /// Check an export: its checkpoint's signature, every event's hash and link, and that the
    /// events are the ones the checkpoint vouches for; exits 1 naming the first fault.
    VerifyExport {
        /// The export file.
        file: PathBuf,
        /// The archive's public key: 64 hex digits, or a file holding them.
        #[arg(long)]
        public_key: String,
    },
}

/// The hash of a new archive's audit trail.
#[derive(Debug, Clone, Copy, Default, ValueEnum)]
pub enum AuditHashArg {
    /// SHA-256.
    #[default]
    Sha256,
    /// SM3 (国密).
    Sm3,
}

impl From<AuditHashArg> for fonds_core::audit::AuditHash {
    fn from(arg: AuditHashArg) -> Self {
        match arg {
            AuditHashArg::Sha256 => Self::Sha256,
            AuditHashArg::Sm3 => Self::Sm3,
        }
    }
}

/// Options of `backup`: `fonds backup DEST [--keep N]` or `fonds backup verify DEST`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct BackupArgs {
    /// Check a backup instead of taking one.
    #[command(subcommand)]
    pub command: Option<BackupCommand>,
    /// The destination root; each backup is a folder in it, files are shared in `objects/`.
    pub dest: Option<PathBuf>,
    /// How many backups to keep in DEST; older ones, and files only they need, are removed.
    #[arg(long, default_value_t = 7)]
    pub keep: usize,
}

/// The subcommands of `backup`.
#[derive(Debug, Subcommand)]
pub enum BackupCommand {
    /// Check a backup's signature, database snapshot and every file; exits 1 on any problem.
    Verify {
        /// A backup folder, or a destination root (then its newest backup).
        dest: PathBuf,
    },
}

/// Options of `restore`.
#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// A backup folder, or a destination root (then its newest backup).
    pub src: PathBuf,
}

/// Options of `serve`. Each overrides the same key of `fonds.toml` and its `FONDS_*` variable
/// (see fonds.example.toml); what is not given here comes from those, or the defaults.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on [default: 127.0.0.1:8080].
    #[arg(long)]
    pub listen: Option<SocketAddr>,
    /// Serve plain HTTP on an address other machines can reach: only behind a proxy that
    /// terminates TLS.
    #[arg(long)]
    pub plain_http: bool,
    /// Serve HTTPS: with --tls-cert and --tls-key, or a self-signed certificate generated into
    /// the data directory (its fingerprint is printed). SIGHUP reloads the certificate files.
    #[arg(long)]
    pub tls: bool,
    /// The certificate chain (PEM) for --tls.
    #[arg(long, requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// The certificate's private key (PEM) for --tls.
    #[arg(long, requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// A host name for the self-signed certificate (repeat for several).
    #[arg(long = "tls-host")]
    pub tls_hosts: Vec<String>,
    /// CA certificates (PEM bundle) that issue client systems' certificates: the TLS listener
    /// then asks for a client certificate, optionally, and clients pinned to one must present
    /// it.
    #[arg(long)]
    pub tls_client_ca: Option<PathBuf>,
    /// Largest upload per submission, in MiB [default: 512].
    #[arg(long)]
    pub max_upload_mib: Option<u64>,
    /// An OA origin whose pages may embed Fonds' pages (repeat for several), e.g.
    /// `https://oa.example.com`.
    #[arg(long = "frame-ancestor")]
    pub frame_ancestors: Vec<String>,
    /// The ClamAV daemon that scans every file, e.g. `unix:/run/clamav/clamd.ctl` or
    /// `tcp:127.0.0.1:3310`. Without it the virus check reads "not run: no scanner configured";
    /// with it, submissions wait while it cannot be reached and are never accepted unscanned.
    #[arg(long)]
    pub clamd: Option<String>,
    /// What to do when an invoice booked before is booked again [default: reject].
    #[arg(long, value_enum)]
    pub duplicate_invoices: Option<crate::config::DuplicateInvoices>,
    /// Where scheduled backups go (see docs/backup.md).
    #[arg(long)]
    pub backup_dir: Option<PathBuf>,
}

impl ServeArgs {
    /// The keys the command line sets, as configuration overrides.
    #[must_use]
    pub fn overrides(&self) -> serde_json::Map<String, serde_json::Value> {
        use serde_json::{Value, json};
        let mut map = serde_json::Map::new();
        let mut set = |key: &str, value: Value| {
            map.insert(key.to_owned(), value);
        };
        if let Some(listen) = self.listen {
            set("listen", json!(listen.to_string()));
        }
        if self.plain_http {
            set("plain_http", json!(true));
        }
        if self.tls {
            set("tls", json!(true));
        }
        if let Some(cert) = &self.tls_cert {
            set("tls_cert", json!(cert));
        }
        if let Some(key) = &self.tls_key {
            set("tls_key", json!(key));
        }
        if !self.tls_hosts.is_empty() {
            set("tls_hosts", json!(self.tls_hosts));
        }
        if let Some(ca) = &self.tls_client_ca {
            set("tls_client_ca", json!(ca));
        }
        if let Some(mib) = self.max_upload_mib {
            set("max_upload_mib", json!(mib));
        }
        if !self.frame_ancestors.is_empty() {
            set("frame_ancestors", json!(self.frame_ancestors));
        }
        if let Some(clamd) = &self.clamd {
            set("clamd", json!(clamd));
        }
        if let Some(policy) = self.duplicate_invoices {
            set("duplicate_invoices", json!(policy));
        }
        if let Some(dir) = &self.backup_dir {
            set("backup_dir", json!(dir));
        }
        map
    }
}

/// Options of `init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// The fonds code (全宗号).
    #[arg(long = "fonds", default_value = "Z001")]
    pub fonds_code: String,
    /// The organisation's name.
    #[arg(long, default_value = "本单位")]
    pub fonds_name: String,
    /// The retention table: enterprise (附表1) or public_institution (附表2).
    #[arg(long, default_value = "enterprise")]
    pub scheme: String,
    /// The hash that chains the audit trail; fixed for the life of the archive.
    #[arg(long, value_enum, default_value_t = AuditHashArg::Sha256)]
    pub audit_hash: AuditHashArg,
}

/// Options of `token`.
#[derive(Debug, Args)]
pub struct TokenArgs {
    /// A label for the token, e.g. the script that will use it.
    #[arg(long, default_value = "admin")]
    pub label: String,
    /// A permission the token carries (repeat), e.g. record.read; none gives the operational
    /// set of docs/people.md.
    #[arg(long = "permission")]
    pub permissions: Vec<String>,
    /// The records it reaches.
    #[command(flatten)]
    pub scope: ScopeArgs,
    /// When it stops working: a date (at 00:00 UTC of that day) or an RFC 3339 time.
    #[arg(long)]
    pub expires: Option<String>,
}

/// A data scope on the command line; each option left out means "all".
#[derive(Debug, Args)]
pub struct ScopeArgs {
    /// A fonds (repeat).
    #[arg(long = "fonds")]
    pub fonds: Vec<String>,
    /// A department subtree as FONDS/CODE (repeat).
    #[arg(long = "department")]
    pub departments: Vec<String>,
    /// A record kind (repeat), e.g. accounting_voucher or 记账凭证.
    #[arg(long = "kind")]
    pub kinds: Vec<String>,
    /// Fiscal years as FIRST-LAST or one year.
    #[arg(long)]
    pub years: Option<String>,
    /// The most secret level reached: public, internal (default for business roles),
    /// confidential or secret (or 公开, 内部, 秘密, 机密).
    #[arg(long)]
    pub secrecy: Option<String>,
}

/// Options of `review`.
#[derive(Debug, Args)]
pub struct ReviewArgs {
    /// Record the review as done (at the console), after reading the report.
    #[arg(long, requires = "note")]
    pub done: bool,
    /// What was decided: which grants were revoked, why the rest stay.
    #[arg(long)]
    pub note: Option<String>,
}

/// Options of `grant`.
#[derive(Debug, Args)]
pub struct GrantArgs {
    /// The person's login name.
    pub login: String,
    /// The role: system_administrator, security_officer, security_auditor, archivist,
    /// accountant, finance_head, reader, internal_auditor (or the Chinese names).
    #[arg(long)]
    pub role: String,
    /// The records it reaches.
    #[command(flatten)]
    pub scope: ScopeArgs,
    /// When it stops working: a date (at 00:00 UTC of that day) or an RFC 3339 time.
    #[arg(long)]
    pub expires: Option<String>,
}

/// Department commands.
#[derive(Debug, Subcommand)]
pub enum DepartmentCommand {
    /// Add a department to a fonds' tree.
    Add {
        /// The fonds.
        fonds: String,
        /// Its code: letters, digits, `-`, `_`, e.g. FIN.
        code: String,
        /// Its name, e.g. 财务部.
        #[arg(long)]
        name: String,
        /// The department it sits under (a code of the same fonds); none for a root.
        #[arg(long)]
        parent: Option<String>,
    },
    /// List the departments.
    List {
        /// Only this fonds'.
        #[arg(long)]
        fonds: Option<String>,
    },
}

/// Options of `import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The folder to import.
    pub dir: PathBuf,
    /// The fonds the records belong to.
    #[arg(long = "fonds", default_value = "Z001")]
    pub fonds_code: String,
}

/// Options of `demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Address to listen on.
    #[arg(long, env = "FONDS_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Number of 记账凭证 to generate.
    #[arg(long, default_value_t = 1000)]
    pub vouchers: u32,
    /// Load the demo and exit instead of serving.
    #[arg(long)]
    pub no_serve: bool,
}

/// The subcommands of `keys`.
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Show which master key is current, which are retired, and how the files are stored.
    Status,
    /// Rewrap every stored file's data key under a new master key (contents are not rewritten).
    /// Run with the server stopped; an interrupted rotation resumes when run again.
    Rotate,
}

/// Options of `bench`.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Which benchmark.
    #[command(subcommand)]
    pub which: Bench,
}

/// The benchmarks.
#[derive(Debug, Subcommand)]
pub enum Bench {
    /// Vouchers with two files each, sent by concurrent clients over HTTP to a fresh server.
    Ingest {
        /// How many vouchers.
        #[arg(long, default_value_t = 10_000)]
        records: u32,
        /// How many concurrent clients.
        #[arg(long, default_value_t = 4)]
        clients: u32,
        /// Size of each file in bytes.
        #[arg(long, default_value_t = 30 * 1024)]
        file_size: usize,
    },
    /// The four-properties check end to end over a mixed corpus, beside SHA-256 over the same
    /// bytes; with `--clamd`, again with the virus scan.
    Checks {
        /// How many records (two files each).
        #[arg(long, default_value_t = 10_000)]
        records: usize,
        /// Every how many records one carries a scanned attachment (0: none).
        #[arg(long, default_value_t = 10)]
        scan_every: usize,
        /// The size of a scanned attachment in KiB.
        #[arg(long, default_value_t = 1024)]
        scan_kib: usize,
        /// A clamd to scan with in a second pass, e.g. `unix:/tmp/clamd/clamd.sock`.
        #[arg(long)]
        clamd: Option<String>,
    },
    /// A backup and a restore of a fresh archive, each beside `cp -a` + `sync` of the same data.
    Backup {
        /// How many records, each with a scanned attachment.
        #[arg(long, default_value_t = 2000)]
        records: usize,
        /// Size of each scanned attachment in KiB.
        #[arg(long, default_value_t = 512)]
        scan_kib: usize,
    },
    /// Storing and reading files with encryption at rest off, AES-256-GCM and SM4-GCM, beside
    /// SHA-256 over the same bytes.
    AtRest {
        /// How many files.
        #[arg(long, default_value_t = 2000)]
        files: usize,
        /// Size of each file in KiB.
        #[arg(long, default_value_t = 256)]
        file_kib: usize,
    },
    /// Reading records and files bare, authorised as a logged-in archivist's requests are, and
    /// authorised and audited (each read's event committed before the content is served), by
    /// one reader and by several at once.
    Reads {
        /// How many records of the mixed corpus of `bench checks`.
        #[arg(long, default_value_t = 500)]
        records: usize,
        /// How many concurrent readers in the second run.
        #[arg(long, default_value_t = 8)]
        readers: usize,
    },
    /// Signed submissions with idempotency keys against the same load with a bearer token, and
    /// the webhook deliveries they cause.
    Signed {
        /// How many vouchers per run.
        #[arg(long, default_value_t = 4000)]
        records: u32,
        /// How many concurrent client systems.
        #[arg(long, default_value_t = 8)]
        clients: u32,
        /// Size of each file in bytes.
        #[arg(long, default_value_t = 30 * 1024)]
        file_size: usize,
    },
}

/// People's accounts (docs/people.md).
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a person; the password is read from standard input (piped, or typed at a prompt
    /// that does not echo) and must meet the password policy.
    Add {
        /// The login name: lower-case letters, digits, `.`, `_`, `-`.
        login: String,
        /// The name shown to people, e.g. 张三.
        #[arg(long)]
        name: String,
        /// A role to grant at once over every record (up to 内部 for business roles), e.g. to
        /// appoint the three officers when setting up (repeat for several business roles).
        #[arg(long = "role")]
        roles: Vec<String>,
    },
    /// List the accounts (never their password hashes), with their second factor.
    List,
    /// List a person's sessions, newest first, ended ones too.
    Sessions {
        /// The login name.
        login: String,
    },
    /// Revoke a session by its id (from `fonds user sessions`): its cookie opens nothing more.
    RevokeSession {
        /// The session's id: 64 hex digits.
        id: String,
    },
    /// Remove a person's TOTP second factor and recovery codes, when they lost the device;
    /// they enrol again (at their next login, where the policy requires a second factor).
    ResetSecondFactor {
        /// The login name.
        login: String,
    },
}

/// Client-system commands.
#[derive(Debug, Subcommand)]
pub enum ClientCommand {
    /// Add a client and print its id and secret (shown once).
    Add {
        /// A unique name, e.g. oa-weaver.
        name: String,
        /// A fonds it may submit to (repeat for several).
        #[arg(long = "fonds", required = true)]
        fonds: Vec<String>,
        /// A record kind it may submit (repeat; none means every kind).
        #[arg(long = "kind")]
        kinds: Vec<String>,
        /// An address or CIDR block it may call from (repeat; none means any).
        #[arg(long = "allow-ip")]
        allowed_ips: Vec<String>,
        /// hmac-sha256 (default) or hmac-sm3.
        #[arg(long, default_value = "hmac-sha256")]
        algorithm: String,
        /// The client's certificate (PEM, leaf first): the client must then also present it
        /// over TLS (`tls_client_ca`), a second factor beside its signature.
        #[arg(long)]
        certificate: Option<PathBuf>,
    },
    /// List the clients (never their secrets).
    List,
    /// Pin the certificate a client must present over TLS besides signing, or unpin it.
    Certificate {
        /// The client id.
        id: String,
        /// The client's certificate (PEM, leaf first); its SHA-256 fingerprint is pinned.
        #[arg(required_unless_present = "clear", conflicts_with = "clear")]
        certificate: Option<PathBuf>,
        /// Unpin: the client signs without a certificate again.
        #[arg(long)]
        clear: bool,
    },
    /// Issue a new secret; the old ones keep working for the overlap window.
    Rotate {
        /// The client id.
        id: String,
        /// Hours the old secrets keep working.
        #[arg(long, default_value_t = 24)]
        overlap_hours: u32,
    },
    /// Stop accepting the client's requests.
    Disable {
        /// The client id.
        id: String,
    },
    /// Accept the client's requests again.
    Enable {
        /// The client id.
        id: String,
    },
}

/// Webhook commands.
#[derive(Debug, Subcommand)]
pub enum WebhookCommand {
    /// Register an endpoint of a client for some events.
    Add {
        /// The client id (deliveries are signed with its secret).
        client: String,
        /// The URL events are POSTed to.
        url: String,
        /// An event (repeat): submission.accepted, submission.rejected, record.archived,
        /// fixity.mismatch.
        #[arg(long = "event", required = true)]
        events: Vec<String>,
    },
    /// List the endpoints.
    List,
    /// List deliveries, newest first.
    Deliveries {
        /// Only those in this state: pending, delivered or dead.
        #[arg(long)]
        state: Option<String>,
        /// At most this many.
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// Deliver a dead letter again, with a fresh retry window.
    Replay {
        /// The delivery id.
        id: String,
    },
}
