//! Verifying the audit chain: every event is read in sequence order, its link to the event
//! before and its own hash are recomputed, and the first event that breaks the chain is named.
//!
//! What each break means: a sequence number that is missing is a deleted event (or the numbers
//! were rewritten); an event whose `prev_hash` is not the hash of the event before was inserted,
//! reordered, or follows an event whose hash was recomputed after an edit; an event whose hash
//! does not match its content was edited; an event without a well-formed hash is a failure,
//! never a pass, and so is a trail with no events at all (every archive starts its trail with
//! `audit.started` when it is first opened).

use std::fmt;

use fonds_store::audit::GENESIS_PREV_HASH;
use fonds_store::{AuditEventRow, AuditHash, AuditHead};

use crate::Archive;
use crate::error::CoreError;

/// Events read per page while verifying.
pub(super) const PAGE: u32 = 1000;

/// What verifying the chain found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditReport {
    /// The hash the chain is verified with.
    pub algorithm: AuditHash,
    /// How many events were read.
    pub events: u64,
    /// The last event read.
    pub head: Option<AuditHead>,
    /// The first event that breaks the chain; `None` when the chain is whole.
    pub broken: Option<ChainBreak>,
}

impl AuditReport {
    /// Whether the chain is whole.
    #[must_use]
    pub fn is_ok(&self) -> bool {
        self.broken.is_none()
    }
}

/// The first place the chain breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainBreak {
    /// The sequence number of the first event that is missing or wrong.
    pub sequence: i64,
    /// Why.
    pub reason: BreakReason,
}

impl fmt::Display for ChainBreak {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "event {}: {}", self.sequence, self.reason)
    }
}

/// Why an event breaks the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BreakReason {
    /// The trail has no events at all.
    Empty,
    /// The event is missing: the next event stored has this later number, or none.
    Missing {
        /// The next sequence number present, if any.
        next_present: Option<i64>,
    },
    /// Its `prev_hash` is not the hash of the event before it.
    NotLinked {
        /// The hash of the event before (64 zeros for the first).
        expected: String,
        /// What it carries.
        found: Option<String>,
    },
    /// It carries no well-formed hash.
    NoHash,
    /// Its hash does not match its content.
    HashMismatch {
        /// The hash stored with it.
        stored: String,
        /// The hash of its canonical bytes.
        computed: String,
    },
    /// Its hash differs from the one recorded for it earlier (by a backup or an export).
    AnchorMismatch {
        /// The hash recorded earlier.
        recorded: String,
        /// The hash it carries now.
        found: String,
    },
}

impl fmt::Display for BreakReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str(
                "the audit trail has no events, but every archive starts it when first opened: \
                 its events were removed",
            ),
            Self::Missing {
                next_present: Some(next),
            } => write!(
                f,
                "missing (deleted, or the numbers were rewritten): the next event stored is {next}"
            ),
            Self::Missing { next_present: None } => f.write_str(
                "missing: the trail ends before it, so events were removed from its end",
            ),
            Self::NotLinked { expected, found } => write!(
                f,
                "prev_hash {} is not the hash of the event before ({expected}): an event was \
                 inserted or reordered here, or the event before was edited and rehashed",
                found.as_deref().unwrap_or("(none)")
            ),
            Self::NoHash => f.write_str("it carries no well-formed hash"),
            Self::HashMismatch { stored, computed } => write!(
                f,
                "its content was changed: it hashes to {computed}, not to its stored hash {stored}"
            ),
            Self::AnchorMismatch { recorded, found } => write!(
                f,
                "its hash {found} is not the {recorded} recorded for it earlier: the trail was \
                 rewritten from here on"
            ),
        }
    }
}

pub(super) fn well_formed(hash: &str) -> bool {
    hash.len() == 64 && hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// The state of a walk along the chain from its first event.
pub(super) struct Walk {
    algorithm: AuditHash,
    anchor: Option<AuditHead>,
    expected: i64,
    prev_hash: String,
    events: u64,
    head: Option<AuditHead>,
}

impl Walk {
    /// A walk from event 1, which must also pass `anchor` if given.
    pub(super) fn new(algorithm: AuditHash, anchor: Option<AuditHead>) -> Self {
        Self {
            algorithm,
            anchor,
            expected: 1,
            prev_hash: GENESIS_PREV_HASH.to_owned(),
            events: 0,
            head: None,
        }
    }

    /// Checks the next stored event; the first break ends the walk.
    pub(super) fn step(&mut self, event: &AuditEventRow) -> Result<(), ChainBreak> {
        let broken = |sequence, reason| ChainBreak { sequence, reason };
        if event.sequence != self.expected {
            return Err(broken(
                self.expected,
                BreakReason::Missing {
                    next_present: Some(event.sequence),
                },
            ));
        }
        if event.prev_hash.as_deref() != Some(self.prev_hash.as_str()) {
            return Err(broken(
                event.sequence,
                BreakReason::NotLinked {
                    expected: self.prev_hash.clone(),
                    found: event.prev_hash.clone(),
                },
            ));
        }
        let Some(stored) = event.hash.as_deref().filter(|h| well_formed(h)) else {
            return Err(broken(event.sequence, BreakReason::NoHash));
        };
        let computed = event.computed_hash(self.algorithm);
        if computed != stored {
            return Err(broken(
                event.sequence,
                BreakReason::HashMismatch {
                    stored: stored.to_owned(),
                    computed,
                },
            ));
        }
        if let Some(anchor) = &self.anchor
            && anchor.sequence == event.sequence
            && anchor.hash != stored
        {
            return Err(broken(
                event.sequence,
                BreakReason::AnchorMismatch {
                    recorded: anchor.hash.clone(),
                    found: stored.to_owned(),
                },
            ));
        }
        self.prev_hash = stored.to_owned();
        self.expected += 1;
        self.events += 1;
        self.head = Some(AuditHead {
            sequence: event.sequence,
            hash: stored.to_owned(),
        });
        Ok(())
    }

    /// Checks what can only be judged at the end: an empty trail, a trail shorter than the
    /// anchor.
    fn finish(&self) -> Result<(), ChainBreak> {
        if self.events == 0 {
            return Err(ChainBreak {
                sequence: 1,
                reason: BreakReason::Empty,
            });
        }
        if let Some(anchor) = &self.anchor
            && anchor.sequence >= self.expected
        {
            return Err(ChainBreak {
                sequence: self.expected,
                reason: BreakReason::Missing { next_present: None },
            });
        }
        Ok(())
    }
}

impl Archive {
    /// Verifies the whole audit chain; see [`Archive::verify_audit_chain_from`].
    ///
    /// # Errors
    /// When the store fails (a broken chain is a report, not an error).
    pub async fn verify_audit_chain(&self) -> Result<AuditReport, CoreError> {
        self.verify_audit_chain_from(None).await
    }

    /// Verifies the whole audit chain, page by page: sequence numbers from 1 without gaps, each
    /// event linked to the hash of the one before (64 zeros for the first), each hash matching
    /// its event's canonical bytes. With `anchor` (a head recorded earlier, by a backup or an
    /// export), the chain must also still hold that event with that hash, which catches events
    /// removed from the end and a trail rewritten after the anchor was taken.
    ///
    /// # Errors
    /// When the store fails (a broken chain is a report, not an error).
    // LIMITATION: without an anchor, events removed from the end of the trail, or a trail
    // rewritten from some event on with every hash recomputed, cannot be told from a shorter
    // honest trail; pass the head of a signed export's checkpoint or a backup's manifest,
    // kept where the archive cannot rewrite it.
    pub async fn verify_audit_chain_from(
        &self,
        anchor: Option<AuditHead>,
    ) -> Result<AuditReport, CoreError> {
        let mut walk = Walk::new(self.metadata.audit_hash().await?, anchor);
        let mut after = 0;
        let broken = 'walk: loop {
            let page = self.metadata.audit_events_after(after, PAGE).await?;
            let Some(last) = page.last() else {
                break walk.finish().err();
            };
            after = last.sequence;
            for event in &page {
                if let Err(broken) = walk.step(event) {
                    break 'walk Some(broken);
                }
            }
        };
        Ok(AuditReport {
            algorithm: walk.algorithm,
            events: walk.events,
            head: walk.head,
            broken,
        })
    }
}
