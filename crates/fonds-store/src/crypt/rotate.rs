//! Rewrapping a sealed file's data key under the current master key, in place, touching only
//! the header. Safe to interrupt at any point and to run again.

use std::fs::{File, OpenOptions};
use std::io::Read as _;
use std::os::unix::fs::{FileExt as _, PermissionsExt as _};
use std::path::Path;

use super::CryptError;
use super::envelope::{HEADER_LEN, Header, PREAMBLE_LEN, Preamble, SLOT_LEN, Slot, read_preamble};
use super::keys::KeyProvider;

/// What rewrapping did to one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rewrap {
    /// Its data key is now wrapped by the current master key only.
    Rewrapped,
    /// It was wrapped by the current master key already.
    AlreadyCurrent,
    /// It is not sealed (stored in the clear): nothing to do.
    NotSealed,
}

/// Rewraps the data key of the sealed file at `path` with `keys`' current master key.
///
/// The new wrap goes into the slot not in use and is made durable before the old slot is
/// cleared: a crash in between leaves both (the newer is preferred), and running again
/// finishes the job. The content is never read or rewritten.
///
/// # Errors
/// When the file cannot be read or written, or its key cannot be unwrapped with the loaded
/// master keys.
pub fn rewrap_file(path: &Path, keys: &dyn KeyProvider) -> Result<Rewrap, CryptError> {
    let mut head = [0u8; HEADER_LEN];
    {
        let mut file = File::open(path).map_err(|e| CryptError::io("open", path, e))?;
        let mut got = 0;
        while got < HEADER_LEN {
            match file
                .read(&mut head[got..])
                .map_err(|e| CryptError::io("read", path, e))?
            {
                0 => break,
                n => got += n,
            }
        }
        if !matches!(read_preamble(&head[..got])?, Preamble::Sealed(_)) {
            return Ok(Rewrap::NotSealed);
        }
        if got < HEADER_LEN {
            return Err(CryptError::Truncated);
        }
    }
    let mut header = Header::parse(&head)?;
    let data_key = header.data_key(keys)?;
    let current = keys.current();
    let newest = header.newest_first();
    let Some(&(newest_at, newest_slot)) = newest.first() else {
        return Err(CryptError::BadHeader("both key slots are empty".into()));
    };
    if newest_slot.wrapped.key_id == current {
        if newest.len() == 1 {
            return Ok(Rewrap::AlreadyCurrent);
        }
        // An earlier run stopped between writing the new wrap and clearing the old one.
        header.slots[1 - newest_at] = None;
        write_slot(path, &header, 1 - newest_at)?;
        return Ok(Rewrap::Rewrapped);
    }
    let generation = newest_slot.generation.checked_add(1).ok_or_else(|| {
        CryptError::BadHeader("the key slot generation cannot grow further".into())
    })?;
    let free = 1 - newest_at;
    header.slots[free] = Some(Slot::wrap(
        keys,
        header.cipher,
        &header.preamble,
        generation,
        &data_key,
    )?);
    write_slot(path, &header, free)?;
    header.slots[newest_at] = None;
    write_slot(path, &header, newest_at)?;
    Ok(Rewrap::Rewrapped)
}

/// Writes slot `index` of `header` in place and fsyncs, lifting the file's read-only mark for
/// the write and putting it back.
fn write_slot(path: &Path, header: &Header, index: usize) -> Result<(), CryptError> {
    let bytes = header.encode();
    let at = PREAMBLE_LEN + index * SLOT_LEN;
    let original = std::fs::metadata(path)
        .map_err(|e| CryptError::io("stat", path, e))?
        .permissions();
    let writable = std::fs::Permissions::from_mode(original.mode() | 0o200);
    std::fs::set_permissions(path, writable)
        .map_err(|e| CryptError::io("make writable", path, e))?;
    let written = OpenOptions::new()
        .write(true)
        .open(path)
        .and_then(|file| {
            file.write_all_at(&bytes[at..at + SLOT_LEN], at as u64)?;
            file.sync_all()
        })
        .map_err(|e| CryptError::io("rewrite key slot", path, e));
    let restored = std::fs::set_permissions(path, original)
        .map_err(|e| CryptError::io("restore permissions", path, e));
    written.and(restored)
}
