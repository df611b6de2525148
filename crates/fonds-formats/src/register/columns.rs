//! The columns of the register and how a header row maps them to positions.

use super::RegisterError;

/// A column Fonds knows. The first nine are Table F.1 of DA/T 94 and required; the rest are
/// optional extras that let an import carry what the register alone cannot say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Column {
    Seq,
    ArchivalCode,
    Number,
    Title,
    Date,
    Retention,
    FileNames,
    FileCount,
    Remarks,
    Kind,
    Amount,
    Preparer,
    Reviewer,
    AttachmentCount,
}

impl Column {
    /// Every column, in the order Fonds writes them.
    pub(super) const ALL: [Self; 14] = [
        Self::Seq,
        Self::ArchivalCode,
        Self::Number,
        Self::Title,
        Self::Date,
        Self::Retention,
        Self::FileNames,
        Self::FileCount,
        Self::Remarks,
        Self::Kind,
        Self::Amount,
        Self::Preparer,
        Self::Reviewer,
        Self::AttachmentCount,
    ];

    /// The header name.
    pub(super) const fn name(self) -> &'static str {
        match self {
            Self::Seq => "序号",
            Self::ArchivalCode => "档号",
            Self::Number => "文件号",
            Self::Title => "题名",
            Self::Date => "形成日期",
            Self::Retention => "保管期限",
            Self::FileNames => "电子文件名",
            Self::FileCount => "数量",
            Self::Remarks => "备注",
            Self::Kind => "类型",
            Self::Amount => "金额",
            Self::Preparer => "制单人",
            Self::Reviewer => "审核人",
            Self::AttachmentCount => "附件数",
        }
    }

    /// Whether Table F.1 has the column, so that a register without it is refused.
    pub(super) const fn is_required(self) -> bool {
        !matches!(
            self,
            Self::Kind | Self::Amount | Self::Preparer | Self::Reviewer | Self::AttachmentCount
        )
    }

    const fn index(self) -> usize {
        self as usize
    }
}

/// Where each known column sits in the file.
#[derive(Debug)]
pub(super) struct Columns {
    /// Position of each column of [`Column::ALL`], if the header has it.
    position: [Option<usize>; Column::ALL.len()],
    /// The known column at each position; `None` for columns Fonds does not know.
    at: Vec<Option<Column>>,
}

impl Columns {
    /// Maps a header row. Names are trimmed and a UTF-8 byte-order mark before the first one is
    /// ignored, because spreadsheet programs add both. Columns Fonds does not know are ignored,
    /// so that a unit may keep its own working columns in the file.
    pub(super) fn from_header(header: &csv::ByteRecord) -> Result<Self, RegisterError> {
        let mut position = [None; Column::ALL.len()];
        let mut at = Vec::with_capacity(header.len());
        for (i, raw) in header.iter().enumerate() {
            let raw = if i == 0 {
                raw.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(raw)
            } else {
                raw
            };
            let name = std::str::from_utf8(raw).map_err(|_| {
                RegisterError::Csv(
                    "the header row is not UTF-8 text; save the register as “CSV UTF-8” \
                     (GBK or GB18030 files are not accepted)"
                        .to_owned(),
                )
            })?;
            let column = Column::ALL.into_iter().find(|c| c.name() == name.trim());
            if let Some(column) = column {
                if position[column.index()].is_some() {
                    return Err(RegisterError::Csv(format!(
                        "the header names the column {} twice; keep only one",
                        column.name()
                    )));
                }
                position[column.index()] = Some(i);
            }
            at.push(column);
        }
        let missing: Vec<&'static str> = Column::ALL
            .into_iter()
            .filter(|c| c.is_required() && position[c.index()].is_none())
            .map(Column::name)
            .collect();
        if missing.is_empty() {
            Ok(Self { position, at })
        } else {
            Err(RegisterError::MissingColumns(missing))
        }
    }

    /// Every column Fonds requires, for a file that has no header row at all.
    pub(super) fn all_required() -> Vec<&'static str> {
        Column::ALL
            .into_iter()
            .filter(|c| c.is_required())
            .map(Column::name)
            .collect()
    }

    /// The number of fields every row must have.
    pub(super) fn width(&self) -> usize {
        self.at.len()
    }

    /// The position of a column, if the header has it.
    pub(super) fn position(&self, column: Column) -> Option<usize> {
        self.position[column.index()]
    }

    /// The known column at a position.
    pub(super) fn column_at(&self, index: usize) -> Option<Column> {
        self.at.get(index).copied().flatten()
    }
}
