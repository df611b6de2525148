//! Identifiers of the demo's parties, derived from their names so that every party keeps the same
//! ones in every demo: unified social credit codes with valid check characters (GB 32100-2015,
//! with the GB 11714 check inside the organisation code, so that a validator accepts them), and
//! bank account and card numbers.

use super::parties::Party;
use super::rng::Rng;

/// The characters of a unified social credit code (GB 32100-2015): digits and the letters that
/// cannot be mistaken for digits.
const CODE_CHARS: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const CODE_WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];
/// The weights of the organisation code's check character (GB 11714-1997).
const ORG_WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];

impl Party {
    /// The two-digit province code (e.g. 31, Shanghai), which leads 数电票 numbers.
    pub(super) fn province(&self) -> &'static str {
        self.region.get(..2).unwrap_or("31")
    }

    /// The 18-character unified social credit code (统一社会信用代码), stable for the name.
    pub(super) fn credit_code(&self) -> String {
        let mut rng = Rng::new(name_hash(self.name));
        // Organisations registered since 2015 have codes beginning MA; older ones kept their
        // numeric organisation codes.
        let body: Vec<u8> = if rng.chance(60) {
            let mut body = b"MA".to_vec();
            body.push(*rng.pick(b"123456789"));
            body.extend((0..5).map(|_| *rng.pick(CODE_CHARS)));
            body
        } else {
            (0..8).map(|_| *rng.pick(b"0123456789")).collect()
        };
        let mut code = format!("91{}", self.region).into_bytes();
        code.extend_from_slice(&body);
        code.push(org_check(&body));
        code.push(credit_check(&code));
        String::from_utf8_lossy(&code).into_owned()
    }

    /// A 16-digit settlement account number, stable for the name.
    pub(super) fn account(&self) -> String {
        digits(self.name, "account", 16)
    }
}

/// A staff member's 19-digit salary card, to which reimbursements are paid.
pub(super) fn salary_card(name: &str) -> String {
    format!("621483{}", digits(name, "card", 13))
}

fn digits(name: &str, purpose: &str, len: usize) -> String {
    let mut rng = Rng::new(name_hash(name) ^ name_hash(purpose));
    let mut out = String::with_capacity(len);
    out.push(char::from(*rng.pick(b"123456789")));
    while out.len() < len {
        out.push(char::from(*rng.pick(b"0123456789")));
    }
    out
}

/// FNV-1a over the name's bytes: a fixed function, so identifiers never change.
fn name_hash(name: &str) -> u64 {
    name.bytes().fold(0xCBF2_9CE4_8422_2325, |hash, b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01B3)
    })
}

/// The value of a code character: digits as themselves, letters A–Z as 10–35.
fn char_value(c: u8) -> u32 {
    match c {
        b'0'..=b'9' => u32::from(c - b'0'),
        b'A'..=b'Z' => u32::from(c - b'A') + 10,
        _ => 0,
    }
}

/// The check character of an 8-character organisation code body (GB 11714).
fn org_check(body: &[u8]) -> u8 {
    let sum: u32 = body
        .iter()
        .zip(ORG_WEIGHTS)
        .map(|(c, w)| char_value(*c) * w)
        .sum();
    match 11 - sum % 11 {
        10 => b'X',
        11 => b'0',
        n => b'0' + u8::try_from(n).unwrap_or(0),
    }
}

/// The 18th character of a unified social credit code, from its first 17.
fn credit_check(code: &[u8]) -> u8 {
    let position = |c: &u8| {
        CODE_CHARS
            .iter()
            .position(|x| x == c)
            .and_then(|p| u32::try_from(p).ok())
            .unwrap_or(0)
    };
    let sum: u32 = code
        .iter()
        .zip(CODE_WEIGHTS)
        .map(|(c, w)| position(c) * w)
        .sum();
    let check = (31 - sum % 31) % 31;
    CODE_CHARS[usize::try_from(check).unwrap_or(0)]
}

#[cfg(test)]
mod tests {
    use super::super::parties::{CUSTOMERS, LANDLORD, RESTAURANTS, US, VENDORS};
    use super::*;

    #[test]
    fn check_characters_match_a_published_credit_code() {
        // 91350100M000100Y43 is the example code of public validators.
        assert_eq!(org_check(b"M000100Y"), b'4');
        assert_eq!(credit_check(b"91350100M000100Y4"), b'3');
    }

    #[test]
    fn every_party_has_a_valid_stable_credit_code_and_account() {
        let all = CUSTOMERS.iter().chain(&VENDORS).chain(&RESTAURANTS);
        for party in all.chain([&US, &LANDLORD]) {
            let code = party.credit_code();
            assert_eq!(code.len(), 18, "{code}");
            assert!(code.starts_with(&format!("91{}", party.region)));
            let bytes = code.as_bytes();
            assert_eq!(org_check(&bytes[8..16]), bytes[16], "{code}");
            assert_eq!(credit_check(&bytes[..17]), bytes[17], "{code}");
            assert_eq!(code, party.credit_code());
            assert_eq!(party.account().len(), 16);
        }
        assert_eq!(salary_card("张伟").len(), 19);
    }
}
