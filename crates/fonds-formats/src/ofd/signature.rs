//! The signatures of an OFD package (GB/T 33190 §18): `Signatures.xml` lists them, each
//! `Signature.xml` names what it covers, and every covered file's digest is recomputed here and
//! compared with the declared `CheckValue`.
//!
//! The seal's own SM2 signature (`SignedValue.dat`) is located and measured but not verified;
//! see [`SealSignatureCheck`].

use sha2::{Digest as _, Sha256};
use sm3::Sm3;

use super::error::OfdError;
use super::package::{Package, resolve};
use super::xml::{self, Element};
use super::{Limits, base64};

/// One signature listed in `Signatures.xml`, with what its `Signature.xml` says and what the
/// digest checks found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfdSignature {
    /// `ID`.
    pub id: String,
    /// `Type`: an electronic seal or a plain signature.
    pub kind: SignatureKind,
    /// `BaseLoc` as written.
    pub base_loc: String,
    /// The `Signature.xml` content, or that it is missing.
    pub file: SignatureFile,
}

/// `Seal` (签章, the default) or `Sign` (签名).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureKind {
    /// An electronic seal (电子签章).
    Seal,
    /// A signature without a seal image (电子签名).
    Sign,
}

/// What was found at a signature's `BaseLoc`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureFile {
    /// The file was read.
    Present(Box<SignatureDetail>),
    /// Nothing is at the location: the signature cannot be checked at all.
    Missing,
}

/// The content of one `Signature.xml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureDetail {
    /// The package path of this `Signature.xml`.
    pub path: String,
    /// `SignedInfo/Provider`: the software that signed.
    pub provider: Option<Provider>,
    /// `SignedInfo/SignatureMethod`, e.g. `1.2.156.10197.1.501` (SM2 with SM3).
    pub signature_method: Option<String>,
    /// `SignedInfo/SignatureDateTime` as written.
    pub signature_date_time: Option<String>,
    /// `References/@CheckMethod` as written; absent means MD5 by the standard's default.
    pub check_method: Option<String>,
    /// Every `Reference` with the outcome of its digest check.
    pub references: Vec<ReferenceCheck>,
    /// `StampAnnot` elements: where the seal appears.
    pub stamp_annots: Vec<StampAnnot>,
    /// `SignedValue`: the signature value file.
    pub signed_value: SignedValue,
    /// The verification of the signature value itself.
    pub seal_signature: SealSignatureCheck,
}

/// `Provider`: who made the signature software.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provider {
    /// `ProviderName`.
    pub name: String,
    /// `Company`.
    pub company: Option<String>,
    /// `Version`.
    pub version: Option<String>,
}

/// One `StampAnnot`: the seal's appearance on a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StampAnnot {
    /// `ID`.
    pub id: Option<String>,
    /// `PageRef`: the ID of the page (from `Document.xml`) the seal is on.
    pub page_ref: String,
    /// `Boundary` as written (`x y width height` in millimetres).
    pub boundary: Option<String>,
}

/// `SignedValue`: where the signature value is and whether it is there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedValue {
    /// The location as written.
    pub loc: String,
    /// The package path it resolves to, when it resolves to an existing entry.
    pub path: Option<String>,
    /// Its size in bytes, when present.
    pub size: Option<u64>,
}

/// The outcome of verifying the seal's signature value (GB/T 38540 SES_Signature).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SealSignatureCheck {
    /// The value was not verified; the reason says why, for a "not run" report.
    NotVerified {
        /// Why the check was not run.
        reason: String,
    },
    /// There is no signature value to verify: the signature is certainly not valid.
    SignedValueMissing,
}

/// One `Reference` and the recomputation of its digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferenceCheck {
    /// `FileRef` as written.
    pub file_ref: String,
    /// The package path `FileRef` names, when it names one inside the package.
    pub path: Option<String>,
    /// What the comparison found.
    pub outcome: DigestCheck,
}

/// The outcome of recomputing one reference's digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DigestCheck {
    /// The file's digest is the declared one.
    Matches,
    /// The file changed since it was signed (or the declared value is wrong). Both values are
    /// base64, as `CheckValue` is written.
    Differs {
        /// `CheckValue` as declared.
        declared: String,
        /// The digest of the file as it is now.
        computed: String,
    },
    /// The referenced file is not in the package.
    FileMissing,
    /// The digest algorithm is not one Fonds computes (SM3, SHA-256); holds the method as
    /// written.
    MethodUnsupported(String),
    /// `CheckValue` is absent or not strict base64.
    CheckValueMalformed,
}

/// A digest algorithm OFD references may name in `CheckMethod`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckMethod {
    /// SM3 (GB/T 32905), OID 1.2.156.10197.1.401.
    Sm3,
    /// SHA-256, OID 2.16.840.1.101.3.4.2.1.
    Sha256,
}

impl CheckMethod {
    /// The OID written for SM3.
    pub const SM3_OID: &'static str = "1.2.156.10197.1.401";
    /// The OID written for SHA-256.
    pub const SHA256_OID: &'static str = "2.16.840.1.101.3.4.2.1";

    /// Reads `CheckMethod` as producers write it: an OID or a name.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim() {
            Self::SM3_OID => Some(Self::Sm3),
            Self::SHA256_OID => Some(Self::Sha256),
            name if name.eq_ignore_ascii_case("SM3") => Some(Self::Sm3),
            name if name.eq_ignore_ascii_case("SHA256") || name.eq_ignore_ascii_case("SHA-256") => {
                Some(Self::Sha256)
            }
            _ => None,
        }
    }

    /// The digest of `bytes`.
    #[must_use]
    pub fn digest(self, bytes: &[u8]) -> Vec<u8> {
        match self {
            Self::Sm3 => Sm3::digest(bytes).to_vec(),
            Self::Sha256 => Sha256::digest(bytes).to_vec(),
        }
    }
}

/// What GB/T 33190 says `CheckMethod` means when it is absent.
const DEFAULT_CHECK_METHOD: &str = "MD5";

/// Reads `Signatures.xml` at `path` and every signature it lists.
pub(super) fn read_signatures(
    package: &Package,
    path: &str,
    limits: &Limits,
) -> Result<Vec<OfdSignature>, OfdError> {
    let bytes = package.get(path).ok_or_else(|| OfdError::MissingPart {
        path: path.to_owned(),
        what: "the signature list named by OFD.xml",
    })?;
    let list = xml::parse(path, bytes, limits)?;
    let mut signatures = Vec::new();
    for entry in list.children_named("Signature") {
        let base_loc = entry.attr("BaseLoc").unwrap_or_default().to_owned();
        let kind = match entry.attr("Type") {
            Some("Sign") => SignatureKind::Sign,
            _ => SignatureKind::Seal,
        };
        let file = match package.locate(path, &base_loc) {
            Some(found) => {
                SignatureFile::Present(Box::new(read_signature(package, &found, limits)?))
            }
            None => SignatureFile::Missing,
        };
        signatures.push(OfdSignature {
            id: entry.attr("ID").unwrap_or_default().to_owned(),
            kind,
            base_loc,
            file,
        });
    }
    Ok(signatures)
}

fn read_signature(
    package: &Package,
    path: &str,
    limits: &Limits,
) -> Result<SignatureDetail, OfdError> {
    let bytes = package.get(path).unwrap_or_default();
    let root = xml::parse(path, bytes, limits)?;
    let signed_info = root
        .child("SignedInfo")
        .ok_or_else(|| OfdError::MissingElement {
            path: path.to_owned(),
            element: "SignedInfo",
        })?;
    let provider = signed_info.child("Provider").map(|p| Provider {
        name: p.attr("ProviderName").unwrap_or_default().to_owned(),
        company: p.attr("Company").map(str::to_owned),
        version: p.attr("Version").map(str::to_owned),
    });
    let references_element = signed_info.child("References");
    let check_method = references_element
        .and_then(|r| r.attr("CheckMethod"))
        .map(str::to_owned);
    let references = references_element
        .map(|r| {
            r.children_named("Reference")
                .map(|reference| check_reference(package, check_method.as_deref(), reference))
                .collect()
        })
        .unwrap_or_default();
    let stamp_annots = signed_info
        .children_named("StampAnnot")
        .map(|s| StampAnnot {
            id: s.attr("ID").map(str::to_owned),
            page_ref: s.attr("PageRef").unwrap_or_default().to_owned(),
            boundary: s.attr("Boundary").map(str::to_owned),
        })
        .collect();
    let loc = root
        .child_text("SignedValue")
        .unwrap_or_default()
        .to_owned();
    let value_path = package.locate(path, &loc);
    let size = value_path
        .as_deref()
        .and_then(|p| package.get(p))
        .map(|b| u64::try_from(b.len()).unwrap_or(u64::MAX));
    let seal_signature = if size.is_some() {
        // LIMITATION: the SM2 signature in SignedValue.dat is not verified. It is a GB/T 38540
        // SES_Signature (ASN.1 DER holding the seal, its certificate chain and the signature
        // over the SignedInfo digest); no well-kept Rust crate parses that structure or
        // validates the issuing chain against the national seal authorities. The `sm2` crate
        // could check a raw signature, but without the SES structure and the certificate path
        // that would prove nothing about who sealed the document.
        SealSignatureCheck::NotVerified {
            reason: "the SM2 seal signature (GB/T 38540 SES_Signature) is not verified: Fonds \
                     cannot yet parse the seal structure and its certificate chain"
                .into(),
        }
    } else {
        SealSignatureCheck::SignedValueMissing
    };
    Ok(SignatureDetail {
        path: path.to_owned(),
        provider,
        signature_method: signed_info.child_text("SignatureMethod").map(str::to_owned),
        signature_date_time: signed_info
            .child_text("SignatureDateTime")
            .map(str::to_owned),
        check_method,
        references,
        stamp_annots,
        signed_value: SignedValue {
            loc,
            path: value_path,
            size,
        },
        seal_signature,
    })
}

/// Recomputes one reference. `FileRef` names a package entry from the package root, with or
/// without a leading `/` (GB/T 33190 writes it absolute).
fn check_reference(
    package: &Package,
    check_method: Option<&str>,
    reference: &Element,
) -> ReferenceCheck {
    let file_ref = reference.attr("FileRef").unwrap_or_default().to_owned();
    let path = resolve("", &file_ref);
    let outcome = digest_outcome(package, check_method, path.as_deref(), reference);
    ReferenceCheck {
        file_ref,
        path,
        outcome,
    }
}

fn digest_outcome(
    package: &Package,
    check_method: Option<&str>,
    path: Option<&str>,
    reference: &Element,
) -> DigestCheck {
    let method_text = check_method.unwrap_or(DEFAULT_CHECK_METHOD);
    let Some(method) = CheckMethod::parse(method_text) else {
        return DigestCheck::MethodUnsupported(method_text.chars().take(64).collect());
    };
    let Some(content) = path.and_then(|p| package.get(p)) else {
        return DigestCheck::FileMissing;
    };
    let Some(declared_text) = reference.child_text("CheckValue") else {
        return DigestCheck::CheckValueMalformed;
    };
    let Some(declared) = base64::decode(declared_text) else {
        return DigestCheck::CheckValueMalformed;
    };
    let computed = method.digest(content);
    if computed == declared {
        DigestCheck::Matches
    } else {
        DigestCheck::Differs {
            declared: declared_text.to_owned(),
            computed: base64::encode(&computed),
        }
    }
}
