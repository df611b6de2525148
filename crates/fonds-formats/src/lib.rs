//! Bounded readers and renderers of the formats Fonds receives or generates.
//!
//! Everything here is pure: no file system, no network, no async, only `std::io::Read` and
//! `std::io::Write` on values the caller passes in. Untrusted input (submission manifests, import
//! registers, uploaded files) enters the system only through these readers, which bound what they
//! accept, say in their errors what the sender has to fix, and are fuzzed (`fuzz/` at the
//! repository's root). The renderers produce the documents Fonds generates itself (PDF forms and
//! reports, 数电票 XML for demonstration data) byte for byte deterministically, so the same input
//! always yields the same digest.

pub mod bank;
pub mod einvoice;
pub mod identify;
pub mod invoice;
pub mod manifest;
pub mod ofd;
pub mod pdf;
pub mod register;
pub mod sniff;
mod xml_bounded;
