//! The registry of formats: which identified formats are kept for the long term, accepted for
//! conversion, or refused.
//!
//! The defaults follow DA/T 94 6.4 (OFD recommended; PDF or another layout format fit for long
//! keeping otherwise; XML alongside), GB/T 18894 8.3.2 (PDF and PDF/A for layout files; XML for
//! data; JPG and TIF for images) and DA/T 104 6.4.2 (structured data as XML). An installation
//! may change any format's policy through a table keyed by [`FileFormat::id`]; hazards
//! (executable code, script, macros, encryption) refuse a file whatever the table says.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::{Deserialize, Deserializer, Serialize};

use super::describe::FORMAT_IDS;
use super::format::{FileFormat, Hazard};

/// What the archive does with files of a format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FormatPolicy {
    /// 长期保存格式: kept as received for the whole retention period.
    LongTerm,
    /// 可接收，需转换: received, but converted to a long-term format for keeping; DA/T 94 6.3
    /// keeps both the original and the converted file.
    Accepted,
    /// 拒收: refused at ingest, with the reason sent back to the submitter.
    Refused,
}

impl FormatPolicy {
    /// The Chinese name, e.g. `长期保存格式`.
    #[must_use]
    pub const fn name_zh(self) -> &'static str {
        match self {
            Self::LongTerm => "长期保存格式",
            Self::Accepted => "可接收，需转换",
            Self::Refused => "拒收",
        }
    }

    /// An English phrase for reasons: "kept for the long term", …
    #[must_use]
    pub const fn description(self) -> &'static str {
        match self {
            Self::LongTerm => "kept for the long term",
            Self::Accepted => "accepted and converted to a long-term format",
            Self::Refused => "refused",
        }
    }
}

/// A format table that names a format id Fonds does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown format id `{id}` in the format table; use one of: {}", FORMAT_IDS.join(", "))]
pub struct UnknownFormatId {
    /// The id as written in the table.
    pub id: String,
}

/// The policy of every format id ([`FORMAT_IDS`]), with defaults from the standards.
///
/// Deserializes from a table of overrides merged over [`FormatRegistry::default`], e.g. in TOML
/// `pdf = "long_term"`, `png = "accepted"`; an unknown id is an error naming it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormatRegistry {
    /// One setting per id, in the order of [`FORMAT_IDS`].
    settings: [Setting; FORMAT_IDS.len()],
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Setting {
    policy: FormatPolicy,
    /// Set by the installation's table rather than by default.
    configured: bool,
}

impl Default for FormatRegistry {
    /// The defaults of DA/T 94 6.4, GB/T 18894 8.3.2 and DA/T 104 6.4.2; every reason
    /// [`FormatRegistry::policy`] gives names the rule it rests on.
    ///
    /// JPEG, TIFF and PNG are long-term formats because scanned paper originals (原始凭证
    /// scanned for mixed-media items) are kept as images: GB/T 18894 names JPG and TIF, and PNG
    /// is open and lossless, so it is kept alike. GIF and BMP are accepted for conversion only.
    fn default() -> Self {
        Self {
            settings: FORMAT_IDS.map(|id| Setting {
                policy: default_basis(id).0,
                configured: false,
            }),
        }
    }
}

impl FormatRegistry {
    /// Sets the policy of one format id.
    ///
    /// # Errors
    ///
    /// [`UnknownFormatId`] when `id` is not one of [`FORMAT_IDS`].
    pub fn set(&mut self, id: &str, policy: FormatPolicy) -> Result<(), UnknownFormatId> {
        let index = index_of(id).ok_or_else(|| UnknownFormatId { id: id.to_owned() })?;
        self.settings[index] = Setting {
            policy,
            configured: true,
        };
        Ok(())
    }

    /// The defaults with the given table of overrides applied.
    ///
    /// # Errors
    ///
    /// [`UnknownFormatId`] for the first id in the table that is not one of [`FORMAT_IDS`].
    pub fn with_overrides<'a>(
        table: impl IntoIterator<Item = (&'a str, FormatPolicy)>,
    ) -> Result<Self, UnknownFormatId> {
        let mut registry = Self::default();
        for (id, policy) in table {
            registry.set(id, policy)?;
        }
        Ok(registry)
    }

    /// Every format id with its policy, in the order of [`FORMAT_IDS`], for documentation and
    /// reports.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, FormatPolicy)> + '_ {
        FORMAT_IDS
            .iter()
            .zip(&self.settings)
            .map(|(id, setting)| (*id, setting.policy))
    }

    /// What to do with a file of this format, and why, in words fit to send back to the
    /// submitter. A file with any [`Hazard`] is refused whatever its format's policy.
    #[must_use]
    pub fn policy(&self, format: &FileFormat) -> (FormatPolicy, String) {
        let id = format.id();
        let name = format.name_zh();
        let hazards = format.hazards();
        if !hazards.is_empty() {
            let mut reason = format!("{name} ({id}) is refused: it carries");
            for (i, hazard) in hazards.iter().enumerate() {
                let separator = if i == 0 { " " } else { ", and " };
                let _ = write!(reason, "{separator}{}", hazard.description());
            }
            for hazard in &hazards {
                let _ = write!(reason, "; {}", remedy(*hazard));
            }
            return (FormatPolicy::Refused, reason);
        }
        let Some(setting) = index_of(id).map(|index| self.settings[index]) else {
            // Unreachable while FORMAT_IDS lists every id; refusing is the safe answer anyway.
            return (
                FormatPolicy::Refused,
                format!("{name} ({id}) has no policy; resubmit as OFD or PDF"),
            );
        };
        let reason = if setting.configured {
            format!(
                "{name} ({id}) is {} by this installation's format table",
                setting.policy.description()
            )
        } else {
            format!(
                "{name} ({id}) is {}: {}",
                setting.policy.description(),
                default_basis(id).1
            )
        };
        (setting.policy, reason)
    }
}

impl<'de> Deserialize<'de> for FormatRegistry {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let table = BTreeMap::<String, FormatPolicy>::deserialize(deserializer)?;
        Self::with_overrides(table.iter().map(|(id, policy)| (id.as_str(), *policy)))
            .map_err(serde::de::Error::custom)
    }
}

fn index_of(id: &str) -> Option<usize> {
    FORMAT_IDS.iter().position(|known| *known == id)
}

/// What the submitter can do about a hazard.
const fn remedy(hazard: Hazard) -> &'static str {
    match hazard {
        Hazard::Executable => "programs are never archived; submit the document, not a program",
        Hazard::Script => "submit the document without scripts, as OFD, PDF/A or plain XML",
        Hazard::Macros => {
            "save the document without macros (e.g. .docx or .xlsx, not .docm, .xlsm or the \
             legacy .doc and .xls), or as OFD or PDF"
        }
        Hazard::Encrypted => "remove the password or encryption and resubmit",
    }
}

/// The default policy of a format id and the rule it rests on.
fn default_basis(id: &str) -> (FormatPolicy, &'static str) {
    use FormatPolicy::{Accepted, LongTerm, Refused};
    match id {
        "ofd" => (
            LongTerm,
            "DA/T 94 6.4 recommends OFD for electronic accounting archives",
        ),
        "pdf_a" => (
            LongTerm,
            "GB/T 18894 8.3.2 names PDF/A for layout files (the conformance is claimed in the \
             file's metadata, not verified here)",
        ),
        "pdf" => (LongTerm, "DA/T 94 6.4 allows PDF where OFD cannot be used"),
        "xml" => (
            LongTerm,
            "DA/T 94 6.4 and DA/T 104 6.4.2 keep XML as the structured description of a record",
        ),
        "jpeg" | "tiff" | "png" => (
            LongTerm,
            "GB/T 18894 keeps images of scanned originals as JPG or TIF; PNG, open and lossless, \
             is kept alike",
        ),
        "ooxml_word" | "ooxml_excel" | "ooxml_powerpoint" | "ooxml_other" | "opendocument"
        | "rtf" => (
            Accepted,
            "office documents are converted to a layout format (OFD or PDF) for keeping, and \
             DA/T 94 6.3 keeps the original beside it",
        ),
        "csv" | "text" => (
            Accepted,
            "data and plain text are converted to XML or a layout format for keeping",
        ),
        "html" => (
            Accepted,
            "GB/T 18894 keeps web pages as HTML, but accounting records are converted to a \
             layout format",
        ),
        "gif" | "bmp" => (
            Accepted,
            "images other than JPG, TIF and PNG are converted to one of them",
        ),
        "zip" => (
            Accepted,
            "an archive is unpacked and its files are identified and handled one by one",
        ),
        // LIMITATION: OLE files always carry the possible-macros hazard, so setting `ole` in the
        // table has no effect: legacy .xls, which GB/T 18894 and DA/T 104 6.4.2 list for data,
        // stays refused until the compound file's directory is walked for a VBA storage.
        "ole" => (
            Refused,
            "legacy Office files may carry macros that cannot be ruled out; resubmit as .docx, \
             .xlsx, OFD or PDF",
        ),
        "executable" | "script" => (Refused, "programs and scripts are never archived"),
        _ => (
            Refused,
            "the format was not recognised (text must be UTF-8); resubmit as OFD, PDF or XML",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identify::{OfficeApplication, PdfAClaim};

    fn pdf(pdfa: Option<PdfAClaim>) -> FileFormat {
        FileFormat::Pdf {
            version: Some("1.7".into()),
            pdfa,
            encrypted: false,
            active_content: false,
        }
    }

    fn docx(macros: bool, encrypted: bool) -> FileFormat {
        FileFormat::Ooxml {
            application: OfficeApplication::Word,
            macros,
            encrypted,
        }
    }

    #[test]
    fn defaults_follow_the_standards() {
        let registry = FormatRegistry::default();
        let policy_of = |id: &str| registry.iter().find(|(i, _)| *i == id).map(|(_, p)| p);
        for id in ["ofd", "pdf_a", "pdf", "xml", "jpeg", "tiff", "png"] {
            assert_eq!(policy_of(id), Some(FormatPolicy::LongTerm), "{id}");
        }
        for id in [
            "csv",
            "text",
            "ooxml_word",
            "opendocument",
            "rtf",
            "gif",
            "bmp",
            "zip",
        ] {
            assert_eq!(policy_of(id), Some(FormatPolicy::Accepted), "{id}");
        }
        for id in ["executable", "script", "ole", "unknown"] {
            assert_eq!(policy_of(id), Some(FormatPolicy::Refused), "{id}");
        }
        assert_eq!(registry.iter().count(), FORMAT_IDS.len());
        let (policy, reason) = registry.policy(&FileFormat::Ofd { encrypted: false });
        assert_eq!(policy, FormatPolicy::LongTerm);
        assert!(reason.contains("DA/T 94 6.4"), "{reason}");
    }

    #[test]
    fn a_table_overrides_the_defaults_it_names() {
        let registry: FormatRegistry =
            serde_json::from_str(r#"{ "pdf": "accepted", "png": "refused" }"#).expect("valid");
        assert_eq!(registry.policy(&pdf(None)).0, FormatPolicy::Accepted);
        assert_eq!(registry.policy(&FileFormat::Png).0, FormatPolicy::Refused);
        let claim = Some(PdfAClaim {
            part: 2,
            conformance: Some('B'),
        });
        assert_eq!(registry.policy(&pdf(claim)).0, FormatPolicy::LongTerm);
        let (_, reason) = registry.policy(&FileFormat::Png);
        assert!(reason.contains("format table"), "{reason}");
    }

    #[test]
    fn unknown_ids_and_policies_are_refused_by_name() {
        let error = serde_json::from_str::<FormatRegistry>(r#"{ "docx": "accepted" }"#)
            .expect_err("docx is not an id");
        assert!(
            error.to_string().contains("unknown format id `docx`"),
            "{error}"
        );
        assert!(error.to_string().contains("ooxml_word"), "{error}");
        let error = serde_json::from_str::<FormatRegistry>(r#"{ "pdf": "forever" }"#)
            .expect_err("forever is not a policy");
        assert!(error.to_string().contains("long_term"), "{error}");
        let mut registry = FormatRegistry::default();
        assert_eq!(
            registry.set("PDF", FormatPolicy::LongTerm),
            Err(UnknownFormatId { id: "PDF".into() })
        );
    }

    #[test]
    fn hazards_refuse_whatever_the_table_says() {
        let registry =
            FormatRegistry::with_overrides([("ooxml_word", FormatPolicy::LongTerm)]).expect("ok");
        assert_eq!(
            registry.policy(&docx(false, false)).0,
            FormatPolicy::LongTerm
        );
        let (policy, reason) = registry.policy(&docx(true, true));
        assert_eq!(policy, FormatPolicy::Refused);
        assert!(
            reason.contains("macros") && reason.contains("encrypt"),
            "{reason}"
        );
        let encrypted = FileFormat::Ofd { encrypted: true };
        assert_eq!(registry.policy(&encrypted).0, FormatPolicy::Refused);
        let registry =
            FormatRegistry::with_overrides([("executable", FormatPolicy::LongTerm)]).expect("ok");
        let exe = FileFormat::Executable(crate::identify::ExecutableKind::Elf);
        assert_eq!(registry.policy(&exe).0, FormatPolicy::Refused);
    }
}
