//! The TLS certificate's expiry, read from its DER: just enough of X.509 to reach
//! `tbsCertificate.validity.notAfter` (RFC 5280 §4.1).

use std::path::Path;

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject as _;
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time};

use super::{Finding, Verdict};

/// Warn this many days before a certificate expires.
const WARN_DAYS: i64 = 30;

pub(super) fn expiry(cert: &Path) -> Finding {
    const CHECK: &str = "TLS certificate";
    let der = match CertificateDer::from_pem_file(cert) {
        Ok(der) => der,
        Err(e) => {
            return Finding::new(
                CHECK,
                Verdict::Fail,
                format!("{} holds no PEM certificate ({e})", cert.display()),
            );
        }
    };
    let Some(not_after) = not_after(der.as_ref()) else {
        return Finding::new(
            CHECK,
            Verdict::NotRun,
            format!("cannot read the expiry date of {}", cert.display()),
        );
    };
    let days = (not_after - OffsetDateTime::now_utc()).whole_days();
    let detail = format!("{} expires in {days} days ({not_after})", cert.display());
    if days < 0 {
        Finding::new(
            CHECK,
            Verdict::Fail,
            format!("{detail}: it has expired; install a new one and send SIGHUP to `fonds serve`"),
        )
    } else if days < WARN_DAYS {
        Finding::new(
            CHECK,
            Verdict::Warn,
            format!("{detail}: renew it, then send SIGHUP to `fonds serve`"),
        )
    } else {
        Finding::new(CHECK, Verdict::Ok, detail)
    }
}

/// One DER element: its tag, its content, and what follows it.
fn element(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (length, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let count = usize::from(first & 0x7f);
        if count == 0 || count > 4 || rest.len() < count {
            return None;
        }
        let length = rest[..count]
            .iter()
            .fold(0usize, |n, &b| (n << 8) | usize::from(b));
        (length, &rest[count..])
    };
    (rest.len() >= length).then(|| (tag, &rest[..length], &rest[length..]))
}

fn not_after(der: &[u8]) -> Option<OffsetDateTime> {
    const SEQUENCE: u8 = 0x30;
    let (SEQUENCE, certificate, _) = element(der)? else {
        return None;
    };
    let (SEQUENCE, mut tbs, _) = element(certificate)? else {
        return None;
    };
    // version [0] EXPLICIT, optional
    if tbs.first() == Some(&0xa0) {
        tbs = element(tbs)?.2;
    }
    // serialNumber, signature, issuer
    for _ in 0..3 {
        tbs = element(tbs)?.2;
    }
    let (SEQUENCE, validity, _) = element(tbs)? else {
        return None;
    };
    let (_, _, rest) = element(validity)?; // notBefore
    let (tag, text, _) = element(rest)?;
    parse_time(tag, std::str::from_utf8(text).ok()?)
}

/// UTCTime (`YYMMDDHHMMSSZ`, years 1950–2049) or GeneralizedTime (`YYYYMMDDHHMMSSZ`).
fn parse_time(tag: u8, text: &str) -> Option<OffsetDateTime> {
    let digits = text.strip_suffix('Z')?;
    let (year, rest) = match (tag, digits.len()) {
        (0x17, 12) => {
            let yy: i32 = digits[..2].parse().ok()?;
            (if yy >= 50 { 1900 + yy } else { 2000 + yy }, &digits[2..])
        }
        (0x18, 14) => (digits[..4].parse().ok()?, &digits[4..]),
        _ => return None,
    };
    let field = |i: usize| rest.get(i..i + 2)?.parse::<u8>().ok();
    let date = Date::from_calendar_date(year, Month::try_from(field(0)?).ok()?, field(2)?).ok()?;
    let time = Time::from_hms(field(4)?, field(6)?, field(8)?).ok()?;
    Some(PrimitiveDateTime::new(date, time).assume_utc())
}

#[cfg(test)]
mod tests {
    use super::{not_after, parse_time};

    #[test]
    fn reads_the_expiry_of_a_generated_certificate() {
        let generated = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()])
            .unwrap_or_else(|e| panic!("{e}"));
        let expiry = not_after(generated.cert.der()).unwrap_or_else(|| panic!("expiry"));
        // rcgen's default validity ends in 4096.
        assert_eq!(expiry.year(), 4096);
    }

    #[test]
    fn both_time_forms_parse_and_nonsense_does_not() {
        assert_eq!(
            parse_time(0x17, "491231235959Z").map(|t| t.year()),
            Some(2049)
        );
        assert_eq!(
            parse_time(0x17, "500101000000Z").map(|t| t.year()),
            Some(1950)
        );
        assert_eq!(
            parse_time(0x18, "20271204120000Z").map(|t| t.month() as u8),
            Some(12)
        );
        assert!(parse_time(0x17, "20271204120000Z").is_none());
        assert!(parse_time(0x18, "2027120412000Z").is_none());
        assert!(not_after(&[0x30, 0x82, 0xff]).is_none());
    }
}
