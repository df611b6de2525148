//! Fixed signatures at the start of binary formats: executables, images, OLE compound files.

use super::format::{ExecutableKind, FileFormat};

/// The OLE compound file signature (legacy Office documents).
const OLE_MAGIC: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";

/// Recognises machine code and bytecode by their headers.
pub(super) fn executable(head: &[u8]) -> Option<ExecutableKind> {
    if is_mz_executable(head) {
        return Some(ExecutableKind::WindowsPe);
    }
    if head.starts_with(b"\x7FELF") {
        return Some(ExecutableKind::Elf);
    }
    let magic = head.get(..4)?;
    match magic {
        // 32- and 64-bit Mach-O, in either byte order.
        b"\xFE\xED\xFA\xCE" | b"\xCE\xFA\xED\xFE" | b"\xFE\xED\xFA\xCF" | b"\xCF\xFA\xED\xFE" => {
            Some(ExecutableKind::MachO)
        }
        b"\xCA\xFE\xBA\xBE" => Some(cafebabe(head)),
        _ => None,
    }
}

/// `CAFEBABE` starts both a Java class and a universal Mach-O binary. What follows is a class
/// file's minor and major version (major 45 or more) or a big-endian count of architectures
/// (a handful). Too short to tell counts as a class file: either way it is executable.
fn cafebabe(head: &[u8]) -> ExecutableKind {
    let after = head
        .get(4..8)
        .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]));
    match after {
        Some(count) if count < 45 => ExecutableKind::MachO,
        _ => ExecutableKind::JavaClass,
    }
}

/// `MZ` is only two bytes and could start a line of text, so the DOS header must also look like
/// one: either its `e_lfanew` points to a `PE\0\0` signature, or the 64-byte header holds the
/// zero bytes a real header always has and text never does.
fn is_mz_executable(head: &[u8]) -> bool {
    if !head.starts_with(b"MZ") {
        return false;
    }
    let Some(header) = head.get(..64) else {
        return false;
    };
    let e_lfanew = u32::from_le_bytes([header[60], header[61], header[62], header[63]]);
    let pe = usize::try_from(e_lfanew)
        .ok()
        .and_then(|at| head.get(at..at.checked_add(4)?));
    pe == Some(b"PE\0\0") || header.contains(&0)
}

/// Recognises the image formats by their signatures.
pub(super) fn image(head: &[u8]) -> Option<FileFormat> {
    if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(FileFormat::Png)
    } else if head.starts_with(b"\xFF\xD8\xFF") {
        Some(FileFormat::Jpeg)
    } else if [b"II*\0", b"MM\0*", b"II+\0", b"MM\0+"]
        .iter()
        .any(|magic| head.starts_with(*magic))
    {
        Some(FileFormat::Tiff)
    } else if head.starts_with(b"GIF87a") || head.starts_with(b"GIF89a") {
        Some(FileFormat::Gif)
    } else if is_bmp(head) {
        Some(FileFormat::Bmp)
    } else {
        None
    }
}

/// `BM`, then reserved bytes that are zero and a known DIB header size; `BM` alone is too short
/// a signature to trust.
fn is_bmp(head: &[u8]) -> bool {
    let (Some(reserved), Some(dib)) = (head.get(6..10), head.get(14..18)) else {
        return false;
    };
    let dib_size = u32::from_le_bytes([dib[0], dib[1], dib[2], dib[3]]);
    head.starts_with(b"BM")
        && reserved == [0, 0, 0, 0]
        && matches!(dib_size, 12 | 40 | 52 | 56 | 64 | 108 | 124)
}

/// Whether the content is an OLE compound file.
pub(super) fn is_ole(head: &[u8]) -> bool {
    head.starts_with(OLE_MAGIC)
}

/// Whether the examined bytes hold the directory entry name `EncryptedPackage` (UTF-16LE), which
/// Office writes when it encrypts an Office Open XML document with a password.
pub(super) fn ole_has_encrypted_package(head: &[u8]) -> bool {
    let name: Vec<u8> = "EncryptedPackage"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    super::bytes::find(head, &name).is_some()
}
