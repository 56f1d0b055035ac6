//! Helpers shared by the crate's unit tests.

/// xorshift64 (Marsaglia 2003): a tiny deterministic generator for the no-panic robustness
/// tests, so failures reproduce from the seed and no fuzzing crate is needed.
pub(crate) struct XorShift(pub u64);

impl XorShift {
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    /// A value in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    pub fn byte(&mut self) -> u8 {
        self.next() as u8
    }
}
