//! OFD packages: any bytes are read within the default limits or refused, without a panic; every
//! signed file a document that reads points to stays inside the package.

#![no_main]

use fonds_formats::ofd::{Limits, SignatureFile, read};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(document) = read(data, &Limits::default()) {
        let _ = document.facts();
        for signature in &document.signatures {
            if let SignatureFile::Present(detail) = &signature.file {
                for path in detail.references.iter().filter_map(|r| r.path.as_deref()) {
                    assert!(!path.starts_with('/') && !path.split('/').any(|s| s == ".."));
                }
            }
        }
    }
});
