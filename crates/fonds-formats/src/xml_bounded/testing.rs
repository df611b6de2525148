//! Test helpers shared by the readers built on this module: a deterministic generator of varied
//! values and a loop of mutations that a reader must survive without panicking.

/// A small deterministic generator (xorshift64*), so generated cases are the same on every run.
#[derive(Debug)]
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) const fn new(seed: u64) -> Self {
        Self(seed | 1)
    }

    pub(crate) const fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n`.
    pub(crate) const fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    pub(crate) fn pick<'a>(&mut self, choices: &[&'a str]) -> &'a str {
        let i = usize::try_from(self.below(choices.len() as u64)).unwrap_or(0);
        choices[i]
    }

    /// `len` ASCII digits.
    pub(crate) fn digits(&mut self, len: usize) -> String {
        (0..len)
            .map(|_| char::from(b'0' + u8::try_from(self.below(10)).unwrap_or(0)))
            .collect()
    }

    /// An amount in fen between `-max` and `max`, zero included.
    pub(crate) fn fen(&mut self, max: i64) -> i64 {
        let magnitude = i64::try_from(self.below(max.unsigned_abs() + 1)).unwrap_or(0);
        if self.below(2) == 0 {
            magnitude
        } else {
            -magnitude
        }
    }
}

/// Texts that exercise escaping and the characters a name or remark may hold. None contains a
/// character the writer drops, so each survives a round trip unchanged.
pub(crate) const AWKWARD_TEXTS: &[&str] = &[
    "广州某某信息技术有限公司",
    "A&B <Co> \"Ltd\" 'x'",
    "  leading and trailing spaces  ",
    "",
    "first line\r\nsecond line\rthird\n",
    "tab\there",
    "]]> and <![CDATA[ and &amp; as text",
    "emoji 🧾 and U+2028\u{2028}here",
    "*信息技术服务*软件维护",
];

/// Feeds `read` every truncation of `document` and every position flipped to a few hostile
/// bytes; any result is fine, a panic is not. Returns how many truncations were accepted, which
/// the caller can bound (a truncated document should be refused).
pub(crate) fn mutate<T, E>(document: &[u8], read: impl Fn(&[u8]) -> Result<T, E>) -> usize {
    let mut accepted_truncations = 0;
    for len in 0..document.len() {
        if read(&document[..len]).is_ok() {
            accepted_truncations += 1;
        }
    }
    let mut copy = document.to_vec();
    for i in 0..copy.len() {
        let original = copy[i];
        for byte in [original ^ 0x20, b'<', b'&', b'>', 0xFF, b'"'] {
            copy[i] = byte;
            let _ = read(&copy);
        }
        copy[i] = original;
    }
    accepted_truncations
}
