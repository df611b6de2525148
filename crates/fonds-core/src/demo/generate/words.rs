//! Amounts as Chinese accounting documents print them: figures with thousands separators, and the
//! capital-numeral form (人民币大写) that vouchers, reimbursement forms and bank receipts carry
//! so that a figure cannot be altered.

use fonds_domain::Money;

const DIGITS: [char; 10] = ['零', '壹', '贰', '叁', '肆', '伍', '陆', '柒', '捌', '玖'];
const PLACES: [&str; 4] = ["", "拾", "佰", "仟"];
const GROUPS: [&str; 5] = ["", "万", "亿", "万亿", "亿亿"];

/// `1,234,567.80` from a number of fen.
pub(super) fn figures(fen: i64) -> String {
    let plain = Money::from_fen(fen).to_string();
    let (sign, digits) = match plain.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", plain.as_str()),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, "00"));
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{sign}{grouped}.{fraction}")
}

/// `¥1,234.50`.
pub(super) fn yuan(fen: i64) -> String {
    format!("¥{}", figures(fen))
}

/// The capital-numeral form of an amount, e.g. `壹拾万零伍佰元整` for 100 500.00.
///
/// Follows the rules of 《支付结算办法》 附件一: a run of zeros inside the number is written as one
/// 零, an amount that ends at 元 or 角 ends with 整, and one that has 分 does not.
pub(super) fn capital(fen: i64) -> String {
    let mut out = String::new();
    if fen < 0 {
        out.push('负');
    }
    let fen = fen.unsigned_abs();
    let yuan = fen / 100;
    let jiao = (fen / 10) % 10;
    let cents = fen % 10;
    if yuan > 0 {
        push_whole(&mut out, yuan);
        out.push('元');
    }
    match (jiao, cents) {
        (0, 0) => {
            if yuan == 0 {
                out.push_str("零元");
            }
            out.push('整');
        }
        (j, 0) => {
            out.push(digit(j));
            out.push_str("角整");
        }
        (0, c) => {
            if yuan > 0 {
                out.push('零');
            }
            out.push(digit(c));
            out.push('分');
        }
        (j, c) => {
            out.push(digit(j));
            out.push('角');
            out.push(digit(c));
            out.push('分');
        }
    }
    out
}

fn digit(d: u64) -> char {
    DIGITS[usize::try_from(d % 10).unwrap_or(0)]
}

/// Writes a whole number of yuan in groups of four digits (个, 万, 亿 …).
fn push_whole(out: &mut String, value: u64) {
    let mut groups = Vec::new();
    let mut rest = value;
    while rest > 0 {
        groups.push(rest % 10_000);
        rest /= 10_000;
    }
    let mut started = false;
    for (index, group) in groups.iter().enumerate().rev() {
        if *group == 0 {
            continue;
        }
        // A group below 1000 after a higher group leaves a gap that is read as 零.
        let mut zero = started && *group < 1000;
        for place in (0..4).rev() {
            let d = (group / 10_u64.pow(place)) % 10;
            if d == 0 {
                zero |= started;
                continue;
            }
            if zero {
                out.push('零');
                zero = false;
            }
            out.push(digit(d));
            out.push_str(PLACES[usize::try_from(place).unwrap_or(0)]);
            started = true;
        }
        out.push_str(GROUPS.get(index).copied().unwrap_or(""));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_group_thousands() {
        assert_eq!(figures(0), "0.00");
        assert_eq!(figures(123_456_789), "1,234,567.89");
        assert_eq!(figures(100_000), "1,000.00");
        assert_eq!(figures(-99_999), "-999.99");
        assert_eq!(yuan(5), "¥0.05");
    }

    #[test]
    fn capitals_follow_the_payment_settlement_rules() {
        let cases = [
            (0, "零元整"),
            (100, "壹元整"),
            (1_050, "壹拾元伍角整"),
            (10_005, "壹佰元零伍分"),
            (5, "伍分"),
            (10_050_000, "壹拾万零伍佰元整"),
            (10_000_000_100, "壹亿零壹元整"),
            (12_000_300_000, "壹亿贰仟万叁仟元整"),
            (123_456_789, "壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分"),
            (100_100, "壹仟零壹元整"),
            (101_000_000, "壹佰零壹万元整"),
            (-2_000, "负贰拾元整"),
        ];
        for (fen, words) in cases {
            assert_eq!(capital(fen), words, "{fen} fen");
        }
    }
}
