//! The date spellings OFD files and the invoice data inside them use.

use time::{Date, Month};

/// Reads `2024-03-05`, `2024年03月05日` or `20240305`; a time after the date (`T09:30:00`,
/// ` 09:30:00`) is ignored. `None` for anything else or an impossible date.
pub(super) fn parse(text: &str) -> Option<Date> {
    let text = text.trim();
    let (year, month, day) = if let Some((year, rest)) = text.split_once('年') {
        let (month, rest) = rest.split_once('月')?;
        let (day, _) = rest.split_once('日')?;
        (year, month, day)
    } else if text.len() >= 10 && text.as_bytes().get(4) == Some(&b'-') {
        let date = text.get(..10)?;
        let rest = text.get(10..)?;
        if !(rest.is_empty() || rest.starts_with(['T', ' '])) {
            return None;
        }
        (date.get(..4)?, date.get(5..7)?, date.get(8..10)?)
    } else if text.len() == 8 {
        (text.get(..4)?, text.get(4..6)?, text.get(6..8)?)
    } else {
        return None;
    };
    let number = |s: &str, max_len: usize| -> Option<u32> {
        let s = s.trim();
        if s.is_empty() || s.len() > max_len || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        s.parse().ok()
    };
    let year = i32::try_from(number(year, 4)?).ok()?;
    let month = Month::try_from(u8::try_from(number(month, 2)?).ok()?).ok()?;
    let day = u8::try_from(number(day, 2)?).ok()?;
    Date::from_calendar_date(year, month, day).ok()
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    #[test]
    fn reads_the_spellings_invoices_use() {
        for text in [
            "2024-03-05",
            "2024年03月05日",
            "2024年3月5日",
            "20240305",
            "2024-03-05T09:30:00",
        ] {
            assert_eq!(parse(text), Some(date!(2024 - 03 - 05)), "{text}");
        }
        for bad in [
            "2024-02-30",
            "2024/03/05",
            "05.03.2024",
            "2024-03-05x",
            "",
            "２０２４0305",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }
}
