//! The demo's pseudo-random numbers: SplitMix64, written out here so that a seed yields the same
//! demo archive, byte for byte, for as long as this file is unchanged. A crate's generator may
//! change its algorithm between versions; these dozen lines never will.

/// A SplitMix64 generator. Not for anything secret: it only varies demonstration data.
#[derive(Debug, Clone)]
pub(super) struct Rng {
    state: u64,
}

impl Rng {
    /// A generator started from `seed`.
    pub(super) const fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    /// An independent stream for one part of the demo (a month, a voucher), so that what is
    /// drawn for one part does not shift the numbers of every part after it.
    pub(super) fn stream(seed: u64, stream: u64) -> Self {
        let mut mixer = Self::new(seed ^ stream.wrapping_mul(0xD1B5_4A32_D192_ED03));
        Self::new(mixer.next_u64())
    }

    /// The next 64 random bits.
    pub(super) fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0), by the multiply-and-shift reduction: its bias is
    /// below 2⁻³² for the small ranges the demo uses, which no reader of demo data can notice.
    pub(super) fn below(&mut self, n: u64) -> u64 {
        let wide = u128::from(self.next_u64()) * u128::from(n);
        u64::try_from(wide >> 64).unwrap_or(0)
    }

    /// A number in `low..=high` (`low` when the range is empty).
    pub(super) fn between(&mut self, low: i64, high: i64) -> i64 {
        if high <= low {
            return low;
        }
        let span = high.abs_diff(low).saturating_add(1);
        low.wrapping_add_unsigned(self.below(span))
    }

    /// True with the given chance in percent.
    pub(super) fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// An index into a collection of `len` items (0 when it is empty).
    pub(super) fn index(&mut self, len: usize) -> usize {
        let len = u64::try_from(len).unwrap_or(u64::MAX);
        usize::try_from(self.below(len)).unwrap_or(0)
    }

    /// One item of a fixed, non-empty table; an empty table does not compile.
    pub(super) fn pick<'a, T, const N: usize>(&mut self, items: &'a [T; N]) -> &'a T {
        const { assert!(N > 0, "a table to pick from is never empty") };
        &items[self.index(N)]
    }

    /// One item of a fixed, non-empty table, each as likely as its weight.
    pub(super) fn weighted<T: Copy, const N: usize>(&mut self, items: &[(T, u32); N]) -> T {
        const { assert!(N > 0, "a table to pick from is never empty") };
        let total: u64 = items.iter().map(|(_, w)| u64::from(*w)).sum();
        let mut roll = self.below(total);
        for (item, weight) in items {
            if roll < u64::from(*weight) {
                return *item;
            }
            roll -= u64::from(*weight);
        }
        items[N - 1].0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix64_gives_its_published_sequence() {
        // The reference implementation started from 0 yields these first.
        let mut rng = Rng::new(0);
        assert_eq!(rng.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(rng.next_u64(), 0x6E78_9E6A_A1B9_65F4);
    }

    #[test]
    fn ranges_stay_inside_their_bounds() {
        let mut rng = Rng::new(7);
        for _ in 0..1000 {
            assert!((3..=9).contains(&rng.between(3, 9)));
            assert!(rng.below(5) < 5);
            assert!(rng.index(4) < 4);
        }
        assert_eq!(rng.between(5, 5), 5);
        assert_eq!(rng.below(0), 0);
        assert_eq!(rng.weighted(&[("only", 1)]), "only");
    }
}
