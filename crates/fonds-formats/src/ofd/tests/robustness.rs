//! Damaged copies of a valid package never make the reader panic.

use super::*;

/// A small deterministic generator (64-bit LCG), enough to spread mutations over the package.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next()).unwrap_or(0) % n.max(1)
    }
}

#[test]
fn five_hundred_mutations_never_panic() {
    let valid = render_invoice(&vat_spec());
    let mut rng = Lcg(0x0FD0_2016);
    let mut readable = 0;
    for round in 0..500 {
        let mut bytes = valid.clone();
        match round % 5 {
            0 => bytes.truncate(rng.below(valid.len())),
            1 | 2 => {
                for _ in 0..=rng.below(8) {
                    let at = rng.below(bytes.len());
                    bytes[at] ^= 1 << rng.below(8);
                }
            }
            3 => {
                let at = rng.below(bytes.len());
                bytes[at] = u8::try_from(rng.next() & 0xFF).unwrap_or(0);
            }
            _ => {
                let from = rng.below(bytes.len());
                let to = (from + rng.below(64)).min(bytes.len());
                bytes.drain(from..to);
            }
        }
        if read_default(&bytes).is_ok() {
            readable += 1;
        }
    }
    // Many flips land in stored file data and are then caught by CRC or digest checks, so most
    // mutants are refused; the count only shows the loop ran the reader to the end on some.
    assert!(readable < 500);
}

#[test]
fn every_truncation_of_a_package_is_an_error_not_a_panic() {
    let valid = render_invoice(&fully_digital_spec());
    for len in (0..valid.len()).step_by(7) {
        assert!(
            read_default(&valid[..len]).is_err(),
            "truncated to {len} was accepted"
        );
    }
}
