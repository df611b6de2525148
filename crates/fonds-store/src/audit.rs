//! The audit trail's vocabulary and its hash chain: who did what, the canonical bytes of an
//! event, and the hash that links each event to the one before (docs/audit.md).
//!
//! The canonical form is defined here once and used both when an event is appended and when the
//! chain is verified; docs/audit.md states it for anyone who recomputes hashes by hand, and a
//! test pins a worked example so that the two cannot drift apart.

use std::fmt;
use std::str::FromStr;

use sha2::Digest as _;

/// The `prev_hash` of the first event: 64 zeros.
pub const GENESIS_PREV_HASH: &str =
    "0000000000000000000000000000000000000000000000000000000000000000";

/// The tag that opens every event's canonical bytes; a new canonical form gets a new tag.
pub const CANONICAL_TAG: &str = "fonds.audit.v1";

/// The actions recorded, by their stable names.
pub mod actions {
    /// The chain was started (the first event of every chain).
    pub const AUDIT_STARTED: &str = "audit.started";
    /// A fonds was created.
    pub const FONDS_CREATED: &str = "fonds.created";
    /// An API token was issued.
    pub const TOKEN_ISSUED: &str = "token.issued";
    /// API tokens were revoked.
    pub const TOKENS_REVOKED: &str = "token.revoked";
    /// A client system was added.
    pub const CLIENT_CREATED: &str = "client.created";
    /// A client system got a new secret.
    pub const CLIENT_SECRET_ROTATED: &str = "client.secret_rotated";
    /// A client system was enabled.
    pub const CLIENT_ENABLED: &str = "client.enabled";
    /// A client system was disabled.
    pub const CLIENT_DISABLED: &str = "client.disabled";
    /// A certificate was pinned to a client system.
    pub const CLIENT_CERTIFICATE_PINNED: &str = "client.certificate_pinned";
    /// A client system's pinned certificate was removed.
    pub const CLIENT_CERTIFICATE_UNPINNED: &str = "client.certificate_unpinned";
    /// A webhook endpoint was registered.
    pub const WEBHOOK_ENDPOINT_ADDED: &str = "webhook.endpoint_added";
    /// A dead letter was put back to be delivered again.
    pub const WEBHOOK_REPLAYED: &str = "webhook.replayed";
    /// A check item was switched on or off for a fonds.
    pub const CHECK_ITEM_SWITCHED: &str = "check_item.switched";
    /// A single-use link opening one record for one OA user was issued to a client system.
    pub const DEEP_LINK_ISSUED: &str = "deep_link.issued";
    /// A submission's records entered the archive.
    pub const SUBMISSION_ACCEPTED: &str = "submission.accepted";
    /// A submission was refused by the pipeline.
    pub const SUBMISSION_REJECTED: &str = "submission.rejected";
    /// A record was archived (归档) under an archival code.
    pub const RECORD_ARCHIVED: &str = "record.archived";
    /// A record's description was corrected.
    pub const RECORD_CORRECTED: &str = "record.corrected";
    /// A backup was taken.
    pub const BACKUP_TAKEN: &str = "backup.taken";
    /// A backup was restored into this data directory and verified.
    pub const BACKUP_RESTORED: &str = "backup.restored";
    /// The master key of encryption at rest was rotated.
    pub const MASTER_KEY_ROTATED: &str = "master_key.rotated";
    /// A person's account was created.
    pub const USER_CREATED: &str = "user.created";
    /// A person's password was changed.
    pub const USER_PASSWORD_CHANGED: &str = "user.password_changed";
    /// Too many failed logins locked an account for a while.
    pub const USER_LOCKED_OUT: &str = "user.locked_out";
    /// A person logged in; the target is the new session.
    pub const LOGIN_SUCCEEDED: &str = "login.succeeded";
    /// A login was refused: unknown login name, wrong password, locked or disabled account.
    pub const LOGIN_FAILED: &str = "login.failed";
    /// A person logged out.
    pub const LOGGED_OUT: &str = "session.logged_out";
    /// A session was revoked.
    pub const SESSION_REVOKED: &str = "session.revoked";
    /// A password was right for an account with a second factor: the session waits for a code.
    pub const LOGIN_PASSWORD_VERIFIED: &str = "login.password_verified";
    /// A person started enrolling a TOTP authenticator (the secret is never in the event).
    pub const SECOND_FACTOR_ENROLMENT_STARTED: &str = "second_factor.enrolment_started";
    /// A first valid code confirmed a TOTP enrolment; recovery codes were issued.
    pub const SECOND_FACTOR_CONFIRMED: &str = "second_factor.confirmed";
    /// A TOTP or recovery code was accepted and the session opened fully.
    pub const SECOND_FACTOR_PASSED: &str = "second_factor.passed";
    /// A TOTP or recovery code was refused (wrong, replayed, or the account locked).
    pub const SECOND_FACTOR_FAILED: &str = "second_factor.failed";
    /// A one-time recovery code was used up.
    pub const RECOVERY_CODE_USED: &str = "second_factor.recovery_code_used";
    /// An administrator removed a person's second factor (a lost device).
    pub const SECOND_FACTOR_RESET: &str = "second_factor.reset";
    /// A department was added to a fonds' tree.
    pub const DEPARTMENT_ADDED: &str = "department.added";
    /// A role was granted to a person over a data scope.
    pub const GRANT_ADDED: &str = "grant.added";
    /// A grant was revoked.
    pub const GRANT_REVOKED: &str = "grant.revoked";
    /// A grant was refused (outcome `refused`): it would break the three-officer separation.
    pub const GRANT_REFUSED: &str = "grant.refused";
    /// A caller was refused an action its permissions do not include (outcome `refused`).
    pub const ACCESS_REFUSED: &str = "access.refused";
    /// Someone recorded a permission review (权限审核) as done.
    pub const PERMISSION_REVIEW_DONE: &str = "permission_review.done";
    /// A record's description was read (`GET /records/{id}`).
    pub const RECORD_VIEWED: &str = "record.viewed";
    /// A file of a record was downloaded, whole or a byte range of it.
    pub const FILE_DOWNLOADED: &str = "file.downloaded";
    /// A client registered that it printed a file of a record.
    pub const RECORD_PRINTED: &str = "record.printed";
    /// A check report (检测报告) was read, as JSON, HTML or PDF.
    pub const CHECK_REPORT_VIEWED: &str = "check_report.viewed";
    /// The audit trail was searched (the auditor's search, a record's use history).
    pub const AUDIT_SEARCHED: &str = "audit.searched";
    /// The audit trail was exported with a signed checkpoint.
    pub const AUDIT_EXPORTED: &str = "audit.exported";
}

/// Who acted, as the audit trail names them, and from where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditActor {
    /// `admin token <label>`, `client <id>`, `user <login>`, `cli` or `system`.
    pub name: String,
    /// The network address the request came from, for acts over the network.
    pub address: Option<String>,
}

impl AuditActor {
    /// The holder of an API token.
    #[must_use]
    pub fn admin_token(label: &str) -> Self {
        Self::named(format!("admin token {label}"))
    }

    /// A client system, by its id.
    #[must_use]
    pub fn client(id: &str) -> Self {
        Self::named(format!("client {id}"))
    }

    /// A person, by their login name.
    #[must_use]
    pub fn user(login: &str) -> Self {
        Self::named(format!("user {login}"))
    }

    /// Someone at the command line of the server's machine.
    #[must_use]
    pub fn cli() -> Self {
        Self::named("cli".to_owned())
    }

    /// Fonds itself: the pipeline, schedules, the demo loader.
    #[must_use]
    pub fn system() -> Self {
        Self::named("system".to_owned())
    }

    /// The same actor, acting from `address`.
    #[must_use]
    pub fn from_address(mut self, address: impl fmt::Display) -> Self {
        self.address = Some(address.to_string());
        self
    }

    fn named(name: String) -> Self {
        Self {
            name,
            address: None,
        }
    }
}

/// How an act ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditOutcome {
    /// Done.
    Success,
    /// Refused by a rule.
    Refused,
    /// Attempted and failed.
    Failed,
}

impl AuditOutcome {
    /// The stored name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::Refused => "refused",
            Self::Failed => "failed",
        }
    }
}

impl FromStr for AuditOutcome {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "success" => Ok(Self::Success),
            "refused" => Ok(Self::Refused),
            "failed" => Ok(Self::Failed),
            other => Err(format!(
                "`{other}` is not an outcome; use success, refused or failed"
            )),
        }
    }
}

/// The hash that chains the events; one per chain, chosen when the chain starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AuditHash {
    /// SHA-256 (FIPS 180-4).
    #[default]
    Sha256,
    /// SM3 (GB/T 32905-2016).
    Sm3,
}

impl AuditHash {
    /// The stored name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Sha256 => "sha256",
            Self::Sm3 => "sm3",
        }
    }

    /// The digest of `bytes`, as 64 lower-case hex digits.
    #[must_use]
    pub fn hex_digest(self, bytes: &[u8]) -> String {
        match self {
            Self::Sha256 => hex::encode(sha2::Sha256::digest(bytes)),
            Self::Sm3 => hex::encode(sm3::Sm3::digest(bytes)),
        }
    }
}

impl FromStr for AuditHash {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "sha256" => Ok(Self::Sha256),
            "sm3" => Ok(Self::Sm3),
            other => Err(format!("`{other}` is not an audit hash; use sha256 or sm3")),
        }
    }
}

impl fmt::Display for AuditHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An event to append; the store gives it its sequence number, `prev_hash` and hash.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAuditEvent {
    /// When the act happened (RFC 3339, UTC, as stored).
    pub occurred_at: time::OffsetDateTime,
    /// Who acted, and from where.
    pub actor: AuditActor,
    /// What was done, one of [`actions`].
    pub action: String,
    /// The kind of thing acted on: `fonds`, `record`, `submission`, `client`, …
    pub target_kind: Option<String>,
    /// Its id.
    pub target_id: Option<String>,
    /// The archival code of the record acted on, when it has one.
    pub archival_code: Option<String>,
    /// How it ended.
    pub outcome: AuditOutcome,
    /// Anything else worth keeping, as a JSON object.
    pub detail: serde_json::Value,
}

impl NewAuditEvent {
    /// A successful act of `actor` on `target_kind` `target_id`, at this moment.
    #[must_use]
    pub fn success(
        actor: &AuditActor,
        action: &str,
        target: Option<(&str, String)>,
        detail: serde_json::Value,
    ) -> Self {
        let (target_kind, target_id) =
            target.map_or((None, None), |(k, id)| (Some(k.to_owned()), Some(id)));
        Self {
            occurred_at: time::OffsetDateTime::now_utc(),
            actor: actor.clone(),
            action: action.to_owned(),
            target_kind,
            target_id,
            archival_code: None,
            outcome: AuditOutcome::Success,
            detail,
        }
    }

    /// The same event, at `at`.
    #[must_use]
    pub fn at(mut self, at: time::OffsetDateTime) -> Self {
        self.occurred_at = at;
        self
    }

    /// The same event, naming the archival code of the record acted on.
    #[must_use]
    pub fn with_archival_code(mut self, code: impl Into<String>) -> Self {
        self.archival_code = Some(code.into());
        self
    }
}

/// An event exactly as stored: every field as text, so that verification hashes what is there,
/// not what a parser made of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEventRow {
    /// Position in the chain, from 1.
    pub sequence: i64,
    /// When (RFC 3339, UTC).
    pub occurred_at: String,
    /// Who.
    pub actor: String,
    /// From where.
    pub client_address: Option<String>,
    /// What.
    pub action: String,
    /// The kind of thing acted on.
    pub target_kind: Option<String>,
    /// Its id.
    pub target_id: Option<String>,
    /// Its archival code.
    pub archival_code: Option<String>,
    /// `success`, `refused` or `failed`.
    pub outcome: String,
    /// JSON text.
    pub detail: String,
    /// The hash of the event before (64 zeros for the first); `None` only if the database was
    /// changed outside Fonds.
    pub prev_hash: Option<String>,
    /// This event's hash; `None` only if the database was changed outside Fonds.
    pub hash: Option<String>,
}

impl AuditEventRow {
    /// The canonical bytes of the event: every field but `hash`, in the order below, each
    /// written as `0x00` when absent, or `0x01`, its length in bytes as an unsigned 64-bit
    /// big-endian integer, and its UTF-8 bytes:
    ///
    /// [`CANONICAL_TAG`], sequence (decimal), occurred_at, actor, client_address, action,
    /// target_kind, target_id, archival_code, outcome, detail (the stored JSON text), prev_hash.
    #[must_use]
    pub fn canonical_bytes(&self) -> Vec<u8> {
        let sequence = self.sequence.to_string();
        let fields: [Option<&str>; 12] = [
            Some(CANONICAL_TAG),
            Some(&sequence),
            Some(&self.occurred_at),
            Some(&self.actor),
            self.client_address.as_deref(),
            Some(&self.action),
            self.target_kind.as_deref(),
            self.target_id.as_deref(),
            self.archival_code.as_deref(),
            Some(&self.outcome),
            Some(&self.detail),
            self.prev_hash.as_deref(),
        ];
        encode_fields(&fields)
    }

    /// The hash the event should carry under `algorithm`.
    #[must_use]
    pub fn computed_hash(&self, algorithm: AuditHash) -> String {
        algorithm.hex_digest(&self.canonical_bytes())
    }
}

/// The length-prefixed encoding of a list of optional text fields that both the events' canonical
/// bytes and the signed checkpoints of exports use (docs/audit.md): each field is `0x00` when
/// absent, or `0x01`, its length in bytes as an unsigned 64-bit big-endian integer, and its
/// UTF-8 bytes.
#[must_use]
pub fn encode_fields(fields: &[Option<&str>]) -> Vec<u8> {
    let size = fields.iter().map(|f| 9 + f.map_or(0, str::len)).sum();
    let mut out = Vec::with_capacity(size);
    for field in fields {
        match field {
            None => out.push(0),
            Some(text) => {
                out.push(1);
                out.extend_from_slice(&(text.len() as u64).to_be_bytes());
                out.extend_from_slice(text.as_bytes());
            }
        }
    }
    out
}

/// The last event of the chain (also as a backup manifest records it).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditHead {
    /// Its sequence number: the number of events.
    pub sequence: i64,
    /// Its hash.
    pub hash: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example() -> AuditEventRow {
        AuditEventRow {
            sequence: 1,
            occurred_at: "2025-01-02T03:04:05Z".to_owned(),
            actor: "system".to_owned(),
            client_address: None,
            action: "audit.started".to_owned(),
            target_kind: None,
            target_id: None,
            archival_code: None,
            outcome: "success".to_owned(),
            detail: r#"{"hash_algorithm":"sha256"}"#.to_owned(),
            prev_hash: Some(GENESIS_PREV_HASH.to_owned()),
            hash: None,
        }
    }

    /// The worked example of docs/audit.md: if this changes, the documented form changed.
    #[test]
    fn the_documented_example_hashes_as_documented() {
        let event = example();
        let bytes = event.canonical_bytes();
        assert_eq!(&bytes[..9], b"\x01\0\0\0\0\0\0\0\x0e");
        assert_eq!(
            event.computed_hash(AuditHash::Sha256),
            "1fb8c9f4f7eef063f58ae51be30aa2fcd89e1bf5dace827d1e8ff7b4dc9f9dc4"
        );
        assert_eq!(
            event.computed_hash(AuditHash::Sm3),
            "7617d44d2a03a219d5daeca112788afb04e21bd9d2f47fafa7a854495b1f6012"
        );
    }

    #[test]
    fn an_absent_field_differs_from_an_empty_one() {
        let absent = example();
        let mut empty = example();
        empty.client_address = Some(String::new());
        assert_ne!(
            absent.computed_hash(AuditHash::Sha256),
            empty.computed_hash(AuditHash::Sha256)
        );
    }

    #[test]
    fn text_cannot_move_between_fields() {
        let mut a = example();
        a.target_kind = Some("ab".to_owned());
        a.target_id = Some("c".to_owned());
        let mut b = example();
        b.target_kind = Some("a".to_owned());
        b.target_id = Some("bc".to_owned());
        assert_ne!(a.canonical_bytes(), b.canonical_bytes());
    }
}
