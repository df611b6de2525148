use std::path::Path;
use std::sync::Arc;

use super::envelope::{CHUNK_LEN, HEADER_LEN, PREAMBLE_LEN, SLOT_LEN};
use super::*;

fn keyring(seed: u8) -> Arc<Keyring> {
    Arc::new(Keyring::new(MasterKey::from_bytes([seed; 32]), Vec::new()))
}

fn encryption(cipher: Cipher, keys: Arc<Keyring>) -> Encryption {
    Encryption { cipher, keys }
}

/// Seals `content` into `path`, feeding it in uneven pieces as an upload arrives.
fn seal_to(path: &Path, content: &[u8], encryption: &Encryption) {
    let (mut sealer, header) = Sealer::new(encryption).expect("sealer");
    let mut out = header;
    for piece in content.chunks(7919) {
        sealer.push(piece, &mut out).expect("push");
    }
    sealer.finish(&mut out).expect("finish");
    std::fs::write(path, out).expect("write");
}

fn read(path: &Path, keys: &dyn KeyProvider, start: u64, end: u64) -> Result<Vec<u8>, CryptError> {
    let mut content = StoredContent::open(path, Some(keys))?;
    let mut out = Vec::new();
    content.read_range(start, end, |piece| {
        out.extend_from_slice(piece);
        Ok(())
    })?;
    Ok(out)
}

fn sample(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 31 % 251) as u8).collect()
}

#[test]
fn sealed_files_read_back_whole_and_in_ranges_with_both_ciphers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let keys = keyring(1);
    for cipher in [Cipher::Aes256Gcm, Cipher::Sm4Gcm] {
        let encryption = encryption(cipher, keys.clone());
        for len in [
            0,
            1,
            CHUNK_LEN - 1,
            CHUNK_LEN,
            CHUNK_LEN + 1,
            3 * CHUNK_LEN + 5,
        ] {
            let content = sample(len);
            let path = dir.path().join(format!("{cipher}-{len}"));
            seal_to(&path, &content, &encryption);
            let opened = StoredContent::open(&path, Some(&*keys)).expect("open");
            assert_eq!(opened.len(), len as u64, "{cipher} {len}");
            assert_eq!(
                plaintext_len_of(&path).expect("len"),
                len as u64,
                "no key needed"
            );
            assert!(opened.is_sealed());
            assert_eq!(read(&path, &*keys, 0, len as u64).expect("read"), content);
            if len > 10 {
                let (start, end) = (len as u64 / 3, len as u64 - 3);
                assert_eq!(
                    read(&path, &*keys, start, end).expect("range"),
                    &content[start as usize..end as usize],
                    "{cipher} {len} range"
                );
            }
            let stored = std::fs::read(&path).expect("stored");
            if len >= 64 {
                let probe = &content[..64];
                assert!(
                    !stored.windows(64).any(|w| w == probe),
                    "plaintext must not appear in the sealed file"
                );
            }
        }
    }
}

#[test]
fn altered_truncated_or_reordered_content_does_not_authenticate() {
    let dir = tempfile::tempdir().expect("tempdir");
    let keys = keyring(2);
    let encryption = encryption(Cipher::Aes256Gcm, keys.clone());
    let content = sample(3 * CHUNK_LEN);
    let path = dir.path().join("file");
    seal_to(&path, &content, &encryption);
    let good = std::fs::read(&path).expect("read");
    let sealed_chunk = CHUNK_LEN + 16;

    let mut flipped = good.clone();
    flipped[HEADER_LEN + sealed_chunk + 10] ^= 1;
    std::fs::write(&path, &flipped).expect("write");
    assert!(matches!(
        read(&path, &*keys, 0, content.len() as u64),
        Err(CryptError::ChunkInauthentic { chunk: 1 })
    ));

    // Cut at a chunk boundary: the new last chunk was not sealed as the last one.
    std::fs::write(&path, &good[..HEADER_LEN + 2 * sealed_chunk]).expect("write");
    let cut = read(&path, &*keys, 0, 2 * CHUNK_LEN as u64).expect_err("cut");
    assert!(cut.is_content_damage(), "{cut}");

    let mut swapped = good.clone();
    let (a, b) = (HEADER_LEN, HEADER_LEN + sealed_chunk);
    let first = good[a..b].to_vec();
    swapped.copy_within(b..b + sealed_chunk, a);
    swapped[b..b + sealed_chunk].copy_from_slice(&first);
    std::fs::write(&path, &swapped).expect("write");
    assert!(matches!(
        read(&path, &*keys, 0, content.len() as u64),
        Err(CryptError::ChunkInauthentic { chunk: 0 })
    ));

    let mut slot = good.clone();
    slot[PREAMBLE_LEN + 30] ^= 1;
    std::fs::write(&path, &slot).expect("write");
    assert!(matches!(
        StoredContent::open(&path, Some(&*keys)),
        Err(CryptError::KeySlotInauthentic(_))
    ));

    // The cipher byte is bound to the key wrap: switching it does not open the file.
    let mut other_cipher = good;
    other_cipher[8] = Cipher::Sm4Gcm.code();
    std::fs::write(&path, &other_cipher).expect("write");
    assert!(StoredContent::open(&path, Some(&*keys)).is_err());
}

#[test]
fn a_file_needs_the_master_key_that_wrapped_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("file");
    seal_to(&path, b"voucher", &encryption(Cipher::Sm4Gcm, keyring(3)));
    let stranger = keyring(4);
    assert!(matches!(
        StoredContent::open(&path, Some(&*stranger)),
        Err(CryptError::KeyNotLoaded(id)) if id == MasterKey::from_bytes([3; 32]).id()
    ));
    assert!(matches!(
        StoredContent::open(&path, None),
        Err(CryptError::NoKeys)
    ));
}

#[test]
fn rotation_rewraps_only_the_header_and_can_be_resumed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("file");
    let content = sample(2 * CHUNK_LEN + 9);
    seal_to(&path, &content, &encryption(Cipher::Aes256Gcm, keyring(5)));
    let mut readonly = std::fs::metadata(&path).expect("stat").permissions();
    readonly.set_readonly(true);
    std::fs::set_permissions(&path, readonly).expect("chmod");
    let before = std::fs::read(&path).expect("read");

    let rotated = Keyring::new(
        MasterKey::from_bytes([6; 32]),
        vec![MasterKey::from_bytes([5; 32])],
    );
    assert_eq!(
        rewrap_file(&path, &rotated).expect("rewrap"),
        Rewrap::Rewrapped
    );
    let after = std::fs::read(&path).expect("read");
    assert_eq!(
        before[HEADER_LEN..],
        after[HEADER_LEN..],
        "content untouched"
    );
    assert!(
        std::fs::metadata(&path)
            .expect("stat")
            .permissions()
            .readonly()
    );
    assert_eq!(
        rewrap_file(&path, &rotated).expect("again"),
        Rewrap::AlreadyCurrent
    );

    // Only the new key opens it now: the old wrap was cleared.
    let new_only = Keyring::new(MasterKey::from_bytes([6; 32]), Vec::new());
    assert_eq!(
        read(&path, &new_only, 0, content.len() as u64).expect("read"),
        content
    );
    assert!(matches!(
        StoredContent::open(&path, Some(&*keyring(5))),
        Err(CryptError::KeyNotLoaded(_))
    ));

    // A rotation interrupted after writing the new slot but before clearing the old one.
    let third = Keyring::new(
        MasterKey::from_bytes([7; 32]),
        vec![MasterKey::from_bytes([6; 32])],
    );
    let mut head = [0u8; HEADER_LEN];
    head.copy_from_slice(&after[..HEADER_LEN]);
    let mut header = super::envelope::Header::parse(&head).expect("parse");
    let key = header.data_key(&third).expect("unwrap");
    let (at, generation) = {
        let newest = header.newest_first();
        (newest[0].0, newest[0].1.generation)
    };
    header.slots[1 - at] = Some(
        super::envelope::Slot::wrap(
            &third,
            header.cipher,
            &header.preamble,
            generation + 1,
            &key,
        )
        .expect("wrap"),
    );
    let mut half = after.clone();
    half[..HEADER_LEN].copy_from_slice(&header.encode());
    std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o600))
        .expect("chmod");
    std::fs::write(&path, &half).expect("write");
    assert_eq!(read(&path, &third, 0, 5).expect("read"), &content[..5]);
    assert_eq!(
        rewrap_file(&path, &third).expect("finish"),
        Rewrap::Rewrapped
    );
    let finished = std::fs::read(&path).expect("read");
    let slot_bytes = &finished[PREAMBLE_LEN + at * SLOT_LEN..PREAMBLE_LEN + (at + 1) * SLOT_LEN];
    assert!(
        slot_bytes.iter().all(|b| *b == 0),
        "the old slot is cleared"
    );
}

#[test]
fn master_key_files_must_be_private_and_well_formed() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("keys/master.key");
    let key = MasterKey::generate().expect("generate");
    key.save_new(&path).expect("save");
    assert_eq!(
        std::fs::metadata(&path).expect("stat").permissions().mode() & 0o777,
        0o600
    );
    assert_eq!(MasterKey::load(&path).expect("load").id(), key.id());
    assert!(key.save_new(&path).is_err(), "never overwrites a key");

    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let open = MasterKey::load(&path).expect_err("world-readable");
    assert!(open.to_string().contains("chmod 600"), "{open}");

    assert!(MasterKey::from_hex("abc", "FONDS_MASTER_KEY").is_err());
    assert!(format!("{key:?}").contains(&key.id().to_string()));
}
