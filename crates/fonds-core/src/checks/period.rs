//! The voucher numbers of one accounting period as a check run sees them — the stored records'
//! and those of a submission being received — indexed once per run, so that the items looking
//! at the whole period (duplicate numbers, continuity) cost the same for every record whatever
//! the size of the period.

use std::collections::HashMap;

use fonds_domain::RecordId;

/// A voucher number split into its word and its sequence, e.g. `记-0057` → (`记-`, 57).
pub(crate) fn sequence(number: &str) -> Option<(&str, u64)> {
    let digits = number.len() - number.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    if digits == 0 || digits > 12 {
        return None;
    }
    let (word, n) = number.split_at(number.len() - digits);
    Some((word, n.parse().ok()?))
}

/// The sequence numbers one voucher word reaches in a period, and the ones it skips.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct WordSequence {
    /// The highest sequence number seen.
    pub highest: u64,
    /// The numbers from 1 to `highest` that no record holds, ascending.
    pub missing: Vec<u64>,
}

/// The voucher numbers of one period: who holds each number, and each word's sequence.
#[derive(Debug, Default)]
pub(crate) struct PeriodNumbers {
    holders: HashMap<String, Vec<RecordId>>,
    words: HashMap<String, WordSequence>,
}

impl PeriodNumbers {
    /// Indexes `(record, voucher number)` pairs; a record listed twice counts once.
    pub(crate) fn new(numbers: impl IntoIterator<Item = (RecordId, String)>) -> Self {
        let mut holders: HashMap<String, Vec<RecordId>> = HashMap::new();
        for (id, number) in numbers {
            holders.entry(number).or_default().push(id);
        }
        let mut sequences: HashMap<&str, Vec<u64>> = HashMap::new();
        for (number, ids) in &mut holders {
            ids.sort_unstable();
            ids.dedup();
            if let Some((word, n)) = sequence(number) {
                sequences.entry(word).or_default().push(n);
            }
        }
        let words = sequences
            .into_iter()
            .map(|(word, mut seen)| {
                seen.sort_unstable();
                seen.dedup();
                let highest = seen.last().copied().unwrap_or(0);
                let mut missing = Vec::new();
                let mut expected = 1;
                for n in seen.into_iter().filter(|n| *n >= 1) {
                    missing.extend(expected..n);
                    expected = n + 1;
                }
                (word.to_owned(), WordSequence { highest, missing })
            })
            .collect();
        Self { holders, words }
    }

    /// The records holding `number`, in id order.
    pub(crate) fn holders(&self, number: &str) -> &[RecordId] {
        self.holders.get(number).map_or(&[], Vec::as_slice)
    }

    /// The sequence of the voucher word `word`, if any record of the period uses it.
    pub(crate) fn word(&self, word: &str) -> Option<&WordSequence> {
        self.words.get(word)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn voucher_numbers_split_into_word_and_sequence() {
        assert_eq!(sequence("记-0057"), Some(("记-", 57)));
        assert_eq!(sequence("12"), Some(("", 12)));
        assert_eq!(sequence("记-A"), None);
    }

    #[test]
    fn gaps_and_holders_are_found_per_word() {
        let a = RecordId::new();
        let b = RecordId::new();
        let c = RecordId::new();
        let period = PeriodNumbers::new([
            (a, "记-0001".to_owned()),
            (b, "记-0004".to_owned()),
            (c, "记-0004".to_owned()),
            (b, "记-0004".to_owned()),
            (c, "收-2".to_owned()),
        ]);
        let ji = period.word("记-").expect("the word 记- is indexed");
        assert_eq!(ji.highest, 4);
        assert_eq!(ji.missing, vec![2, 3]);
        let shou = period.word("收-").expect("the word 收- is indexed");
        assert_eq!(shou.missing, vec![1]);
        let mut both = vec![b, c];
        both.sort_unstable();
        assert_eq!(period.holders("记-0004"), both.as_slice());
        assert!(period.holders("记-0009").is_empty());
        assert!(period.word("付-").is_none());
    }
}
