//! The identity of an invoice or ticket across the whole installation, for duplicate-booking
//! prevention (财会〔2020〕6号 3(3), DA/T 95 8.2.2a; DOMAIN.md §6.6).
//!
//! One invoice may be booked once, in any fonds of the group. Its identity depends on its kind:
//! a 数电票 has a 20-digit number and no code; an older VAT e-invoice is known by its 12-digit
//! 发票代码 with its 8-digit 发票号码; a transport ticket by its ticket number and carrier.

use std::fmt;
use std::str::FromStr;

/// What identifies one invoice, in a canonical form that compares equal exactly when two
/// documents are the same invoice.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum InvoiceKey {
    /// 全面数字化的电子发票: the 20-digit number.
    FullyDigital {
        /// The 20 digits.
        number: String,
    },
    /// 增值税电子发票 (before 数电票): 发票代码 (10 or 12 digits) + 发票号码 (8 digits).
    Vat {
        /// 发票代码.
        code: String,
        /// 发票号码.
        number: String,
    },
    /// A transport ticket (电子客票, 行程单): the ticket number and the carrier that issued it.
    Ticket {
        /// The ticket number.
        number: String,
        /// The carrier, e.g. `CA` or `中国铁路`.
        carrier: String,
    },
}

/// An invoice identity that cannot be right.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvoiceKeyError {
    /// A 数电票 number that is not 20 digits.
    #[error("a 数电票 number has 20 digits; `{0}` does not")]
    FullyDigitalNumber(String),
    /// A VAT invoice code or number of the wrong form.
    #[error(
        "an older VAT e-invoice is 发票代码 (10 or 12 digits) plus 发票号码 (8 digits); \
         `{code}` + `{number}` is not"
    )]
    Vat {
        /// The code given.
        code: String,
        /// The number given.
        number: String,
    },
    /// A ticket number or carrier that is empty, too long or has spaces or control characters.
    #[error("a ticket is its number and carrier, each 1 to 64 characters without spaces")]
    Ticket,
    /// A canonical string that names no key kind.
    #[error(
        "`{0}` is not an invoice key: use sdp:<20 digits>, vat:<code>:<number> or \
         ticket:<carrier>:<number>"
    )]
    Unparsable(String),
}

fn digits(s: &str, lengths: &[usize]) -> bool {
    lengths.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
}

fn ticket_part(s: &str) -> bool {
    (1..=64).contains(&s.chars().count())
        && !s
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == ':')
}

impl InvoiceKey {
    /// A 数电票 by its 20-digit number.
    ///
    /// # Errors
    /// When the number is not 20 ASCII digits.
    pub fn fully_digital(number: &str) -> Result<Self, InvoiceKeyError> {
        let number = number.trim();
        if digits(number, &[20]) {
            Ok(Self::FullyDigital {
                number: number.to_owned(),
            })
        } else {
            Err(InvoiceKeyError::FullyDigitalNumber(
                number.chars().take(40).collect(),
            ))
        }
    }

    /// An older VAT e-invoice by 发票代码 and 发票号码.
    ///
    /// # Errors
    /// When the code is not 10 or 12 digits or the number not 8.
    pub fn vat(code: &str, number: &str) -> Result<Self, InvoiceKeyError> {
        let (code, number) = (code.trim(), number.trim());
        if digits(code, &[10, 12]) && digits(number, &[8]) {
            Ok(Self::Vat {
                code: code.to_owned(),
                number: number.to_owned(),
            })
        } else {
            Err(InvoiceKeyError::Vat {
                code: code.chars().take(20).collect(),
                number: number.chars().take(20).collect(),
            })
        }
    }

    /// A transport ticket by its number and carrier.
    ///
    /// # Errors
    /// When either part is empty, longer than 64 characters or has spaces.
    pub fn ticket(number: &str, carrier: &str) -> Result<Self, InvoiceKeyError> {
        let (number, carrier) = (number.trim(), carrier.trim());
        if ticket_part(number) && ticket_part(carrier) {
            Ok(Self::Ticket {
                number: number.to_owned(),
                carrier: carrier.to_owned(),
            })
        } else {
            Err(InvoiceKeyError::Ticket)
        }
    }

    /// Reads a key as an invoice business key is declared: 20 digits for a 数电票, or
    /// `<code>-<number>` / `<code><number>` (12 + 8 digits) for an older VAT e-invoice.
    ///
    /// # Errors
    /// When the value is neither form.
    pub fn from_declared(value: &str) -> Result<Self, InvoiceKeyError> {
        let value = value.trim();
        if let Some((code, number)) = value.split_once(['-', ':', ' ']) {
            return Self::vat(code, number);
        }
        // Without a separator the value must be a 数电票 number: a 12 + 8 digit VAT pair written
        // together would be a guess at where the code ends.
        Self::fully_digital(value)
    }

    /// The Chinese name of the kind.
    #[must_use]
    pub const fn kind_zh(&self) -> &'static str {
        match self {
            Self::FullyDigital { .. } => "数电票",
            Self::Vat { .. } => "增值税电子发票",
            Self::Ticket { .. } => "电子客票",
        }
    }
}

/// The canonical text: `sdp:<number>`, `vat:<code>:<number>` or `ticket:<carrier>:<number>`.
impl fmt::Display for InvoiceKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::FullyDigital { number } => write!(f, "sdp:{number}"),
            Self::Vat { code, number } => write!(f, "vat:{code}:{number}"),
            Self::Ticket { number, carrier } => write!(f, "ticket:{carrier}:{number}"),
        }
    }
}

impl FromStr for InvoiceKey {
    type Err = InvoiceKeyError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let unparsable = || InvoiceKeyError::Unparsable(s.chars().take(60).collect());
        let (kind, rest) = s.split_once(':').ok_or_else(unparsable)?;
        match kind {
            "sdp" => Self::fully_digital(rest),
            "vat" => {
                let (code, number) = rest.split_once(':').ok_or_else(unparsable)?;
                Self::vat(code, number)
            }
            "ticket" => {
                let (carrier, number) = rest.split_once(':').ok_or_else(unparsable)?;
                Self::ticket(number, carrier)
            }
            _ => Err(unparsable()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_through_their_canonical_text() {
        let keys = [
            InvoiceKey::fully_digital("24312000000012345678"),
            InvoiceKey::vat("031001900111", "12345678"),
            InvoiceKey::ticket("7812345678901", "CA"),
        ];
        for key in keys {
            let key = key.expect("valid");
            assert_eq!(key.to_string().parse::<InvoiceKey>(), Ok(key));
        }
    }

    #[test]
    fn malformed_identities_are_refused() {
        assert!(InvoiceKey::fully_digital("2431200000001234567").is_err());
        assert!(InvoiceKey::fully_digital("2431200000001234567X").is_err());
        assert!(InvoiceKey::vat("03100190011", "12345678").is_err());
        assert!(InvoiceKey::vat("031001900111", "1234567").is_err());
        assert!(InvoiceKey::ticket("", "CA").is_err());
        assert!(InvoiceKey::ticket("1 2", "CA").is_err());
        assert!("pdf:1".parse::<InvoiceKey>().is_err());
    }

    #[test]
    fn declared_keys_read_both_invoice_generations() {
        assert_eq!(
            InvoiceKey::from_declared("24312000000012345678"),
            InvoiceKey::fully_digital("24312000000012345678")
        );
        assert_eq!(
            InvoiceKey::from_declared("031001900111-12345678"),
            InvoiceKey::vat("031001900111", "12345678")
        );
        assert!(InvoiceKey::from_declared("INV-2023-1").is_err());
    }
}
