//! Sealing content chunk by chunk as it arrives, and reading a stored file (sealed or not) back
//! as plaintext, whole or a range of it. Reading is blocking: call it from a blocking thread.

use std::fs::File;
use std::io::{Read as _, Seek as _, SeekFrom};
use std::path::{Path, PathBuf};

use super::cipher::{Keyed, TAG_LEN};
use super::envelope::{
    CHUNK_LEN, HEADER_LEN, Header, PREAMBLE_LEN, Preamble, Slot, chunk_nonce, plaintext_len,
    read_preamble, sealed_preamble,
};
use super::keys::{DataKey, KeyProvider};
use super::{CryptError, Encryption};

/// Seals one file's content as it arrives.
#[derive(Debug)]
pub struct Sealer {
    keyed: Keyed,
    preamble: [u8; PREAMBLE_LEN],
    index: u64,
    pending: Vec<u8>,
}

impl Sealer {
    /// A sealer with a fresh data key wrapped by the current master key, and the header that
    /// must precede its output.
    ///
    /// # Errors
    /// When no random data key can be made or the key provider cannot wrap it.
    pub fn new(encryption: &Encryption) -> Result<(Self, Vec<u8>), CryptError> {
        let data_key = DataKey::generate()?;
        let preamble = sealed_preamble(encryption.cipher);
        let slot = Slot::wrap(
            &*encryption.keys,
            encryption.cipher,
            &preamble,
            1,
            &data_key,
        )?;
        let header = Header {
            preamble,
            cipher: encryption.cipher,
            slots: [Some(slot), None],
        }
        .encode();
        let sealer = Self {
            keyed: encryption.cipher.keyed(data_key.bytes()),
            preamble,
            index: 0,
            pending: Vec::with_capacity(2 * CHUNK_LEN),
        };
        Ok((sealer, header.to_vec()))
    }

    /// Takes more plaintext; appends to `out` the chunks now known not to be the last.
    ///
    /// # Errors
    /// When the cipher refuses.
    pub fn push(&mut self, plaintext: &[u8], out: &mut Vec<u8>) -> Result<(), CryptError> {
        self.pending.extend_from_slice(plaintext);
        let mut start = 0;
        // A full chunk is sealed only once a byte beyond it has arrived: until then it may be
        // the last, which is sealed differently.
        while self.pending.len() - start > CHUNK_LEN {
            self.seal(start, CHUNK_LEN, false, out)?;
            start += CHUNK_LEN;
        }
        self.pending.drain(..start);
        Ok(())
    }

    /// Seals what remains as the final chunk (empty content gets an empty final chunk).
    ///
    /// # Errors
    /// When the cipher refuses.
    pub fn finish(mut self, out: &mut Vec<u8>) -> Result<(), CryptError> {
        let len = self.pending.len();
        self.seal(0, len, true, out)
    }

    fn seal(
        &mut self,
        start: usize,
        len: usize,
        last: bool,
        out: &mut Vec<u8>,
    ) -> Result<(), CryptError> {
        let at = out.len();
        out.extend_from_slice(&self.pending[start..start + len]);
        let tag = self.keyed.seal(
            chunk_nonce(self.index, last),
            &self.preamble,
            &mut out[at..],
        )?;
        out.extend_from_slice(&tag);
        self.index += 1;
        Ok(())
    }
}

/// How the bytes of a stored file map to its plaintext.
#[derive(Debug)]
enum Layout {
    /// Plaintext from this offset on.
    Clear { offset: u64 },
    /// Sealed chunks after the header.
    Sealed {
        keyed: Keyed,
        preamble: [u8; PREAMBLE_LEN],
        chunks: u64,
    },
}

/// A stored file opened for reading its plaintext.
#[derive(Debug)]
pub struct StoredContent {
    file: File,
    path: PathBuf,
    layout: Layout,
    len: u64,
}

impl StoredContent {
    /// Opens `path`, reading its header and unwrapping its data key when it is sealed.
    ///
    /// # Errors
    /// [`CryptError::Io`] (a missing file has kind `NotFound`), [`CryptError::NoKeys`] for a
    /// sealed file without keys, the header and key errors otherwise.
    pub fn open(path: &Path, keys: Option<&dyn KeyProvider>) -> Result<Self, CryptError> {
        let mut file = File::open(path).map_err(|e| CryptError::io("open", path, e))?;
        let stored_len = file
            .metadata()
            .map_err(|e| CryptError::io("stat", path, e))?
            .len();
        let mut head = [0u8; HEADER_LEN];
        let got = read_up_to(&mut file, &mut head).map_err(|e| CryptError::io("read", path, e))?;
        let (layout, len) = match read_preamble(&head[..got])? {
            Preamble::Bare => (Layout::Clear { offset: 0 }, stored_len),
            Preamble::Plain => (
                Layout::Clear {
                    offset: PREAMBLE_LEN as u64,
                },
                stored_len - PREAMBLE_LEN as u64,
            ),
            Preamble::Sealed(cipher) => {
                if got < HEADER_LEN {
                    return Err(CryptError::Truncated);
                }
                let header = Header::parse(&head)?;
                let keys = keys.ok_or(CryptError::NoKeys)?;
                let data_key = header.data_key(keys)?;
                let len = plaintext_len(stored_len)?;
                let sealed_chunk = (CHUNK_LEN + TAG_LEN) as u64;
                let chunks = (stored_len - HEADER_LEN as u64).div_ceil(sealed_chunk);
                let layout = Layout::Sealed {
                    keyed: cipher.keyed(data_key.bytes()),
                    preamble: header.preamble,
                    chunks,
                };
                (layout, len)
            }
        };
        Ok(Self {
            file,
            path: path.to_path_buf(),
            layout,
            len,
        })
    }

    /// The plaintext's length.
    #[must_use]
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether the plaintext is empty.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether the file is sealed (as opposed to stored in the clear).
    #[must_use]
    pub fn is_sealed(&self) -> bool {
        matches!(self.layout, Layout::Sealed { .. })
    }

    /// Where the plaintext starts in the file when it is stored in the clear.
    #[must_use]
    pub fn clear_offset(&self) -> Option<u64> {
        match self.layout {
            Layout::Clear { offset } => Some(offset),
            Layout::Sealed { .. } => None,
        }
    }

    /// The open file, for reading a file in the clear directly.
    #[must_use]
    pub fn into_file(self) -> File {
        self.file
    }

    /// Feeds the plaintext bytes `start..end` to `sink`, in pieces, authenticating every chunk
    /// they touch (for a sealed empty file, its one empty chunk). `end` must not exceed
    /// [`StoredContent::len`].
    ///
    /// # Errors
    /// A failing disk, a chunk that does not authenticate, or the sink's own error.
    pub fn read_range(
        &mut self,
        start: u64,
        end: u64,
        mut sink: impl FnMut(&[u8]) -> Result<(), CryptError>,
    ) -> Result<(), CryptError> {
        let end = end.min(self.len);
        match &self.layout {
            Layout::Clear { offset } => {
                self.file
                    .seek(SeekFrom::Start(offset + start))
                    .map_err(|e| CryptError::io("seek", &self.path, e))?;
                let mut buffer = vec![0u8; 256 * 1024];
                let mut remaining = end.saturating_sub(start);
                while remaining > 0 {
                    let want =
                        usize::try_from(remaining.min(buffer.len() as u64)).unwrap_or(buffer.len());
                    let n = self
                        .file
                        .read(&mut buffer[..want])
                        .map_err(|e| CryptError::io("read", &self.path, e))?;
                    if n == 0 {
                        return Err(CryptError::io(
                            "read",
                            &self.path,
                            std::io::ErrorKind::UnexpectedEof.into(),
                        ));
                    }
                    sink(&buffer[..n])?;
                    remaining -= n as u64;
                }
                Ok(())
            }
            Layout::Sealed {
                keyed,
                preamble,
                chunks,
            } => {
                let chunk = CHUNK_LEN as u64;
                let first = (start / chunk).min(chunks - 1);
                let last = if end > start {
                    (end - 1) / chunk
                } else {
                    first
                };
                self.file
                    .seek(SeekFrom::Start(
                        HEADER_LEN as u64 + first * (chunk + TAG_LEN as u64),
                    ))
                    .map_err(|e| CryptError::io("seek", &self.path, e))?;
                let mut buffer = vec![0u8; CHUNK_LEN + TAG_LEN];
                for index in first..=last {
                    let plain =
                        usize::try_from((self.len - index * chunk).min(chunk)).unwrap_or(CHUNK_LEN);
                    let sealed = &mut buffer[..plain + TAG_LEN];
                    self.file.read_exact(sealed).map_err(|e| {
                        if e.kind() == std::io::ErrorKind::UnexpectedEof {
                            CryptError::Truncated
                        } else {
                            CryptError::io("read", &self.path, e)
                        }
                    })?;
                    let (body, tag) = sealed.split_at_mut(plain);
                    let mut tag_bytes = [0u8; TAG_LEN];
                    tag_bytes.copy_from_slice(tag);
                    let is_last = index + 1 == *chunks;
                    keyed
                        .open(chunk_nonce(index, is_last), preamble, body, &tag_bytes)
                        .map_err(|_| CryptError::ChunkInauthentic { chunk: index })?;
                    let chunk_start = index * chunk;
                    let from = usize::try_from(start.saturating_sub(chunk_start)).unwrap_or(0);
                    let to =
                        usize::try_from((end - chunk_start).min(plain as u64)).unwrap_or(plain);
                    if from < to {
                        sink(&body[from..to])?;
                    }
                }
                Ok(())
            }
        }
    }
}

/// The plaintext length of the stored file at `path`, from its preamble and size alone: no key
/// is unwrapped and nothing is decrypted, so it is cheap and works without keys. It says nothing
/// about whether the content is intact.
///
/// # Errors
/// [`CryptError::Io`] (a missing file has kind `NotFound`), or a damaged preamble or length.
pub fn plaintext_len_of(path: &Path) -> Result<u64, CryptError> {
    let mut file = File::open(path).map_err(|e| CryptError::io("open", path, e))?;
    let stored_len = file
        .metadata()
        .map_err(|e| CryptError::io("stat", path, e))?
        .len();
    let mut head = [0u8; PREAMBLE_LEN];
    let got = read_up_to(&mut file, &mut head).map_err(|e| CryptError::io("read", path, e))?;
    match read_preamble(&head[..got])? {
        Preamble::Bare => Ok(stored_len),
        Preamble::Plain => Ok(stored_len - PREAMBLE_LEN as u64),
        Preamble::Sealed(_) => plaintext_len(stored_len),
    }
}

/// Reads until `buffer` is full or the file ends; returns how many bytes were read.
fn read_up_to(file: &mut File, buffer: &mut [u8]) -> std::io::Result<usize> {
    let mut got = 0;
    while got < buffer.len() {
        match file.read(&mut buffer[got..])? {
            0 => break,
            n => got += n,
        }
    }
    Ok(got)
}
