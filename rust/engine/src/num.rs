//! Exact integers with Python's semantics: a 64-bit fast path and a big-integer fallback.
//!
//! Every operation first tries the `i64` fast path with checked arithmetic (no allocation when
//! both operands and the result fit) and falls back to [`BigInt`] on overflow.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::fmt;

use num_bigint::{BigInt, Sign};
use num_integer::Integer as _;
use num_traits::{One, Signed, ToPrimitive, Zero};

use crate::error::{EngineError, Result};

/// Largest integer the engine will build, in bits (about 1.26 million decimal digits). Past it an
/// operation fails with [`EngineError::TooLarge`] instead of eating memory.
pub const MAX_INT_BITS: u64 = 1 << 22;

/// An exact integer. Normalised: `Big` only holds values outside `i64`, so derived `Eq`/`Hash`
/// are value equality.
#[derive(Clone, PartialEq, Eq, Hash)]
pub enum Integer {
    /// A value that fits `i64`.
    Small(i64),
    /// A value outside `i64` (never one that fits).
    Big(Box<BigInt>),
}

/// How a float becomes an integer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RoundMode {
    /// Toward -inf (`math.floor`).
    Floor,
    /// Toward +inf (`math.ceil`).
    Ceil,
    /// Toward zero (`math.trunc`, `int()`).
    Trunc,
    /// To nearest, ties to even (`round()`).
    HalfEven,
}

/// The `TooLarge` error for a result of about `bits` bits.
fn too_large(bits: u64) -> EngineError {
    EngineError::TooLarge(format!(
        "integer result of about {bits} bits exceeds the limit of {MAX_INT_BITS} bits"
    ))
}

/// `2**k` as a float, for `-1074 <= k <= 1023` (exact, built from the bit pattern).
pub(crate) fn pow2_f64(k: i64) -> f64 {
    if k >= -1022 {
        // Normal: biased exponent k + 1023 in 1..=2046.
        let biased = (k.clamp(-1022, 1023) + 1023) as u64;
        f64::from_bits(biased << 52)
    } else {
        // Subnormal: a single mantissa bit.
        let shift = (k.clamp(-1074, -1023) + 1074) as u32;
        f64::from_bits(1u64 << shift)
    }
}

/// Splits a finite float into `(negative, mantissa, exponent)` with `|x| == mantissa * 2**exponent`.
pub(crate) fn decompose_f64(x: f64) -> (bool, u64, i64) {
    let bits = x.to_bits();
    let negative = bits >> 63 != 0;
    let biased = ((bits >> 52) & 0x7ff) as i64;
    let frac = bits & ((1u64 << 52) - 1);
    if biased == 0 {
        (negative, frac, -1074)
    } else {
        (negative, frac | (1u64 << 52), biased - 1075)
    }
}

/// Greatest common divisor of two unsigned 64-bit values (binary algorithm).
fn gcd_u64(mut a: u64, mut b: u64) -> u64 {
    if a == 0 {
        return b;
    }
    if b == 0 {
        return a;
    }
    let shift = (a | b).trailing_zeros();
    a >>= a.trailing_zeros();
    loop {
        b >>= b.trailing_zeros();
        if a > b {
            std::mem::swap(&mut a, &mut b);
        }
        b -= a;
        if b == 0 {
            return a << shift;
        }
    }
}

/// `base**exp mod m` for `0 <= base < m`, `m >= 2`, on 128-bit intermediates.
fn pow_mod_u64(base: u64, mut exp: u64, m: u64) -> u64 {
    let m128 = u128::from(m);
    let mut result: u128 = 1;
    let mut b = u128::from(base) % m128;
    while exp > 0 {
        if exp & 1 == 1 {
            result = result * b % m128;
        }
        b = b * b % m128;
        exp >>= 1;
    }
    // result < m <= u64::MAX
    result as u64
}

/// Inverse of `a` modulo `m` (`m >= 2`, `0 <= a < m`), if `gcd(a, m) == 1`; in `[0, m)`.
fn modinv_big(a: &BigInt, m: &BigInt) -> Option<BigInt> {
    let (mut old_r, mut r) = (a.clone(), m.clone());
    let (mut old_s, mut s) = (BigInt::one(), BigInt::zero());
    while !r.is_zero() {
        let (q, rem) = old_r.div_rem(&r);
        old_r = std::mem::replace(&mut r, rem);
        let next_s = &old_s - &q * &s;
        old_s = std::mem::replace(&mut s, next_s);
    }
    if !old_r.is_one() {
        return None;
    }
    Some(old_s.mod_floor(m))
}

impl Integer {
    /// Zero.
    pub const ZERO: Integer = Integer::Small(0);
    /// One.
    pub const ONE: Integer = Integer::Small(1);

    /// Normalising constructor from a big integer.
    pub fn from_bigint(v: BigInt) -> Integer {
        match v.to_i64() {
            Some(x) => Integer::Small(x),
            None => Integer::Big(Box::new(v)),
        }
    }

    /// Normalising constructor from a 128-bit value.
    fn from_i128(v: i128) -> Integer {
        match i64::try_from(v) {
            Ok(x) => Integer::Small(x),
            Err(_) => Integer::Big(Box::new(BigInt::from(v))),
        }
    }

    /// Normalising constructor from an unsigned 64-bit value.
    fn from_u64(v: u64) -> Integer {
        match i64::try_from(v) {
            Ok(x) => Integer::Small(x),
            Err(_) => Integer::Big(Box::new(BigInt::from(v))),
        }
    }

    /// The value as a big integer.
    pub fn to_bigint(&self) -> BigInt {
        match self {
            Integer::Small(x) => BigInt::from(*x),
            Integer::Big(b) => (**b).clone(),
        }
    }

    /// The value as a big integer, borrowed when it already is one.
    fn as_big(&self) -> Cow<'_, BigInt> {
        match self {
            Integer::Small(x) => Cow::Owned(BigInt::from(*x)),
            Integer::Big(b) => Cow::Borrowed(b),
        }
    }

    /// The value if it fits `i64`.
    pub fn to_i64(&self) -> Option<i64> {
        match self {
            Integer::Small(x) => Some(*x),
            Integer::Big(_) => None,
        }
    }

    /// True for 0.
    pub fn is_zero(&self) -> bool {
        match self {
            Integer::Small(x) => *x == 0,
            // Never true for a normalised value; checked anyway so a hand-built `Big(0)` cannot
            // reach a big-integer division by zero.
            Integer::Big(b) => b.is_zero(),
        }
    }

    /// True for 1.
    pub fn is_one(&self) -> bool {
        match self {
            Integer::Small(x) => *x == 1,
            Integer::Big(b) => b.is_one(),
        }
    }

    /// True for values < 0.
    pub fn is_negative(&self) -> bool {
        match self {
            Integer::Small(x) => *x < 0,
            Integer::Big(b) => b.sign() == Sign::Minus,
        }
    }

    /// True for values > 0.
    pub fn is_positive(&self) -> bool {
        match self {
            Integer::Small(x) => *x > 0,
            Integer::Big(b) => b.sign() == Sign::Plus,
        }
    }

    /// -1, 0 or 1.
    pub fn signum(&self) -> i32 {
        match self {
            Integer::Small(x) => x.signum() as i32,
            Integer::Big(b) => match b.sign() {
                Sign::Minus => -1,
                Sign::NoSign => 0,
                Sign::Plus => 1,
            },
        }
    }

    /// Python's `int.bit_length()`.
    pub fn bits(&self) -> u64 {
        match self {
            Integer::Small(x) => u64::from(64 - x.unsigned_abs().leading_zeros()),
            Integer::Big(b) => b.bits(),
        }
    }

    /// Sum.
    pub fn add(&self, other: &Integer) -> Integer {
        if let (Integer::Small(a), Integer::Small(b)) = (self, other) {
            return match a.checked_add(*b) {
                Some(r) => Integer::Small(r),
                None => Integer::from_i128(i128::from(*a) + i128::from(*b)),
            };
        }
        Integer::from_bigint(&*self.as_big() + &*other.as_big())
    }

    /// Difference.
    pub fn sub(&self, other: &Integer) -> Integer {
        if let (Integer::Small(a), Integer::Small(b)) = (self, other) {
            return match a.checked_sub(*b) {
                Some(r) => Integer::Small(r),
                None => Integer::from_i128(i128::from(*a) - i128::from(*b)),
            };
        }
        Integer::from_bigint(&*self.as_big() - &*other.as_big())
    }

    /// Product.
    pub fn mul(&self, other: &Integer) -> Integer {
        if let (Integer::Small(a), Integer::Small(b)) = (self, other) {
            return match a.checked_mul(*b) {
                Some(r) => Integer::Small(r),
                None => Integer::from_i128(i128::from(*a) * i128::from(*b)),
            };
        }
        if self.is_zero() || other.is_zero() {
            return Integer::ZERO;
        }
        Integer::from_bigint(&*self.as_big() * &*other.as_big())
    }

    /// Negation.
    pub fn neg(&self) -> Integer {
        match self {
            Integer::Small(x) => match x.checked_neg() {
                Some(r) => Integer::Small(r),
                None => Integer::from_i128(-i128::from(*x)),
            },
            Integer::Big(b) => Integer::from_bigint(-&**b),
        }
    }

    /// Absolute value.
    pub fn abs(&self) -> Integer {
        match self {
            Integer::Small(x) => Integer::from_u64(x.unsigned_abs()),
            Integer::Big(b) => Integer::from_bigint(b.abs()),
        }
    }

    /// Floor quotient and remainder of two small values (`b != 0`).
    fn small_divmod(a: i64, b: i64) -> (Integer, Integer) {
        match (a.checked_div(b), a.checked_rem(b)) {
            (Some(q), Some(r)) => {
                if r != 0 && ((r < 0) != (b < 0)) {
                    // q - 1 cannot overflow: q == i64::MIN only when b is 1 or -1 (r == 0).
                    (Integer::Small(q - 1), Integer::Small(r + b))
                } else {
                    (Integer::Small(q), Integer::Small(r))
                }
            }
            // Only i64::MIN / -1 overflows: quotient 2**63, remainder 0.
            _ => (Integer::from_i128(-i128::from(a)), Integer::ZERO),
        }
    }

    /// Python `//`: rounds toward -inf. `DivisionByZero("integer division or modulo by zero")`.
    pub fn floordiv(&self, other: &Integer) -> Result<Integer> {
        if other.is_zero() {
            return Err(EngineError::zero_div("integer division or modulo by zero"));
        }
        if let (Integer::Small(a), Integer::Small(b)) = (self, other) {
            return Ok(Integer::small_divmod(*a, *b).0);
        }
        Ok(Integer::from_bigint(self.as_big().div_floor(&other.as_big())))
    }

    /// Python `%`: the result has the divisor's sign. `DivisionByZero("integer modulo by zero")`.
    pub fn modulo(&self, other: &Integer) -> Result<Integer> {
        if other.is_zero() {
            return Err(EngineError::zero_div("integer modulo by zero"));
        }
        if let (Integer::Small(a), Integer::Small(b)) = (self, other) {
            return Ok(Integer::small_divmod(*a, *b).1);
        }
        Ok(Integer::from_bigint(self.as_big().mod_floor(&other.as_big())))
    }

    /// Python `divmod` for ints.
    pub fn divmod(&self, other: &Integer) -> Result<(Integer, Integer)> {
        if other.is_zero() {
            return Err(EngineError::zero_div("integer division or modulo by zero"));
        }
        if let (Integer::Small(a), Integer::Small(b)) = (self, other) {
            return Ok(Integer::small_divmod(*a, *b));
        }
        let (q, r) = self.as_big().div_mod_floor(&other.as_big());
        Ok((Integer::from_bigint(q), Integer::from_bigint(r)))
    }

    /// `self ** exp` for `exp >= 0`; `TooLarge` when the result would pass [`MAX_INT_BITS`].
    pub fn pow(&self, exp: u64) -> Result<Integer> {
        if exp == 0 {
            return Ok(Integer::ONE);
        }
        match self {
            Integer::Small(0) | Integer::Small(1) => return Ok(self.clone()),
            Integer::Small(-1) => return Ok(Integer::Small(if exp & 1 == 1 { -1 } else { 1 })),
            _ => {}
        }
        let estimate = self.bits().saturating_mul(exp);
        if estimate > MAX_INT_BITS {
            return Err(too_large(estimate));
        }
        // exp <= MAX_INT_BITS / 2 here (|self| >= 2 has at least 2 bits), so it fits u32.
        let exp32 = u32::try_from(exp).map_err(|_| too_large(estimate))?;
        if let Integer::Small(x) = self {
            if let Some(r) = x.checked_pow(exp32) {
                return Ok(Integer::Small(r));
            }
        }
        Ok(Integer::from_bigint(num_traits::Pow::pow(&*self.as_big(), exp32)))
    }

    /// Python 3-argument `pow(self, exp, modulus)`, including negative `exp` (modular inverse).
    /// `InvalidValue("pow() 3rd argument cannot be 0")`,
    /// `InvalidValue("base is not invertible for the given modulus")`.
    pub fn pow_mod(&self, exp: &Integer, modulus: &Integer) -> Result<Integer> {
        if modulus.is_zero() {
            return Err(EngineError::InvalidValue("pow() 3rd argument cannot be 0".to_owned()));
        }
        let negative_output = modulus.is_negative();
        let m = modulus.abs();
        if m.is_one() {
            return Ok(Integer::ZERO);
        }
        // Base reduced into [0, m).
        let mut base = self.modulo(&m)?;
        let exp_abs = exp.abs();
        if exp.is_negative() {
            let inv = modinv_big(&base.as_big(), &m.as_big())
                .ok_or_else(|| EngineError::InvalidValue("base is not invertible for the given modulus".to_owned()))?;
            base = Integer::from_bigint(inv);
        }
        let result = match (&base, &exp_abs, &m) {
            (Integer::Small(b), Integer::Small(e), Integer::Small(mm)) => {
                // All non-negative here; m >= 2.
                Integer::from_u64(pow_mod_u64(b.unsigned_abs(), e.unsigned_abs(), mm.unsigned_abs()))
            }
            _ => Integer::from_bigint(base.as_big().modpow(&exp_abs.as_big(), &m.as_big())),
        };
        if negative_output && !result.is_zero() {
            Ok(result.sub(&m))
        } else {
            Ok(result)
        }
    }

    /// Greatest common divisor, always >= 0 (`gcd(0, 0) == 0`).
    pub fn gcd(&self, other: &Integer) -> Integer {
        if let (Integer::Small(a), Integer::Small(b)) = (self, other) {
            return Integer::from_u64(gcd_u64(a.unsigned_abs(), b.unsigned_abs()));
        }
        Integer::from_bigint(self.as_big().gcd(&other.as_big()))
    }

    /// Python `<<`: `NegativeShift` for a negative count, `TooLarge` past [`MAX_INT_BITS`].
    pub fn shl(&self, count: &Integer) -> Result<Integer> {
        if count.is_negative() {
            return Err(EngineError::NegativeShift);
        }
        if self.is_zero() {
            return Ok(Integer::ZERO);
        }
        let c = match count {
            Integer::Small(c) => c.unsigned_abs(),
            Integer::Big(_) => return Err(too_large(u64::MAX)),
        };
        let estimate = self.bits().saturating_add(c);
        if estimate > MAX_INT_BITS {
            return Err(too_large(estimate));
        }
        if let Integer::Small(x) = self {
            if c < 64 {
                let r = x << c;
                if r >> c == *x {
                    return Ok(Integer::Small(r));
                }
            }
        }
        // c <= MAX_INT_BITS here, so it fits usize.
        let shift = usize::try_from(c).map_err(|_| too_large(estimate))?;
        Ok(Integer::from_bigint(&*self.as_big() << shift))
    }

    /// Python `>>` (rounds toward -inf): `NegativeShift` for a negative count; huge counts give 0 or -1.
    pub fn shr(&self, count: &Integer) -> Result<Integer> {
        if count.is_negative() {
            return Err(EngineError::NegativeShift);
        }
        let all_out = Integer::Small(if self.is_negative() { -1 } else { 0 });
        let c = match count {
            Integer::Small(c) => c.unsigned_abs(),
            Integer::Big(_) => return Ok(all_out),
        };
        if c >= self.bits() {
            return Ok(all_out);
        }
        match self {
            // c < bits <= 64
            Integer::Small(x) => Ok(Integer::Small(x >> c)),
            Integer::Big(b) => {
                let shift = usize::try_from(c).map_err(|_| too_large(c))?;
                Ok(Integer::from_bigint(&**b >> shift))
            }
        }
    }

    /// Python `&` (two's complement on negatives).
    pub fn bitand(&self, other: &Integer) -> Integer {
        if let (Integer::Small(a), Integer::Small(b)) = (self, other) {
            return Integer::Small(a & b);
        }
        Integer::from_bigint(&*self.as_big() & &*other.as_big())
    }

    /// Python `|`.
    pub fn bitor(&self, other: &Integer) -> Integer {
        if let (Integer::Small(a), Integer::Small(b)) = (self, other) {
            return Integer::Small(a | b);
        }
        Integer::from_bigint(&*self.as_big() | &*other.as_big())
    }

    /// Python `^`.
    pub fn bitxor(&self, other: &Integer) -> Integer {
        if let (Integer::Small(a), Integer::Small(b)) = (self, other) {
            return Integer::Small(a ^ b);
        }
        Integer::from_bigint(&*self.as_big() ^ &*other.as_big())
    }

    /// Python `float(int)`: correctly rounded (half to even);
    /// `Overflow("int too large to convert to float")`.
    pub fn to_f64(&self) -> Result<f64> {
        let overflow = || EngineError::Overflow("int too large to convert to float".to_owned());
        let b = match self {
            // Rust's integer-to-float cast rounds to nearest, ties to even.
            Integer::Small(x) => return Ok(*x as f64),
            Integer::Big(b) => b,
        };
        let n = b.bits();
        if n > 1024 {
            return Err(overflow());
        }
        if n <= 63 {
            // Only for a hand-built, unnormalised `Big`.
            return Ok(b.to_i64().map_or(0.0, |x| x as f64));
        }
        // n > 63 here. Keep the top 55 bits (53 + guard + one sticky position) and fold every
        // lower bit into the sticky bit; the u64 -> f64 cast then rounds half to even exactly once.
        let drop = n - 55;
        let mag = b.magnitude();
        let top = mag >> drop;
        let mut m = top.to_u64().ok_or_else(overflow)?;
        let low_zero = mag.trailing_zeros().is_some_and(|tz| tz >= drop);
        if !low_zero {
            m |= 1;
        }
        // drop <= 969, so 2**drop is a normal float; the product is exact or infinite.
        let r = (m as f64) * pow2_f64(drop as i64);
        if r.is_infinite() {
            return Err(overflow());
        }
        Ok(if b.sign() == Sign::Minus { -r } else { r })
    }

    /// The integer value of a float, rounded by `mode`.
    /// `InvalidValue("cannot convert float NaN to integer")`,
    /// `Overflow("cannot convert float infinity to integer")`.
    pub fn from_f64(v: f64, mode: RoundMode) -> Result<Integer> {
        if v.is_nan() {
            return Err(EngineError::InvalidValue(
                "cannot convert float NaN to integer".to_owned(),
            ));
        }
        if v.is_infinite() {
            return Err(EngineError::Overflow(
                "cannot convert float infinity to integer".to_owned(),
            ));
        }
        let r = match mode {
            RoundMode::Floor => v.floor(),
            RoundMode::Ceil => v.ceil(),
            RoundMode::Trunc => v.trunc(),
            RoundMode::HalfEven => v.round_ties_even(),
        };
        // The range check makes the cast exact (r is integral).
        if (-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&r) {
            return Ok(Integer::Small(r as i64));
        }
        // |r| >= 2**63: an integer mantissa times a non-negative power of two.
        let (negative, mant, exp) = decompose_f64(r);
        let shift = usize::try_from(exp.max(0)).unwrap_or(0);
        let mag = BigInt::from(mant) << shift;
        Ok(Integer::from_bigint(if negative { -mag } else { mag }))
    }

    /// Python `round(self, ndigits)` for an int: identity for `ndigits >= 0`, else round half to
    /// even to a multiple of `10 ** -ndigits`.
    pub fn round_ndigits(&self, ndigits: &Integer) -> Result<Integer> {
        if !ndigits.is_negative() || self.is_zero() {
            return Ok(self.clone());
        }
        // n = -ndigits > 0. If 10**n > 2 * |self| the result is 0 (a tie rounds to even 0);
        // 10**n > 2**(3 * n) >= 2**(bits + 2) > 2 * |self| once 3 * n > bits + 1.
        let n = match ndigits {
            Integer::Small(d) => d.unsigned_abs(),
            Integer::Big(_) => return Ok(Integer::ZERO),
        };
        if n.saturating_mul(3) > self.bits() + 1 {
            return Ok(Integer::ZERO);
        }
        if let Integer::Small(x) = self {
            if n <= 18 {
                let p = 10i128.pow(n as u32);
                let x = i128::from(*x);
                let (mut q, r) = (x.div_euclid(p), x.rem_euclid(p));
                let twice = 2 * r;
                if twice > p || (twice == p && q & 1 == 1) {
                    q += 1;
                }
                return Ok(Integer::from_i128(q * p));
            }
        }
        let exp = u32::try_from(n).map_err(|_| too_large(n))?;
        let p: BigInt = num_traits::Pow::pow(BigInt::from(10u32), exp);
        let (mut q, r) = self.as_big().div_mod_floor(&p);
        let twice: BigInt = r << 1usize;
        match twice.cmp(&p) {
            Ordering::Greater => q += 1,
            Ordering::Equal if q.is_odd() => q += 1,
            _ => {}
        }
        Ok(Integer::from_bigint(q * p))
    }

    /// Decimal digits, as Python's `str(int)`.
    pub fn parse_decimal(text: &str) -> Option<Integer> {
        let (negative, body) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let bytes = body.as_bytes();
        if bytes.is_empty() {
            return None;
        }
        // Underscores only singly and between digits.
        let mut prev_digit = false;
        let mut fast: Option<i64> = Some(0);
        let mut ndigits = 0usize;
        for &c in bytes {
            match c {
                b'0'..=b'9' => {
                    prev_digit = true;
                    ndigits += 1;
                    let d = i64::from(c - b'0');
                    fast = fast.and_then(|v| v.checked_mul(10)).and_then(|v| {
                        if negative {
                            v.checked_sub(d)
                        } else {
                            v.checked_add(d)
                        }
                    });
                }
                b'_' if prev_digit => prev_digit = false,
                _ => return None,
            }
        }
        if !prev_digit {
            return None;
        }
        if let Some(v) = fast {
            return Some(Integer::Small(v));
        }
        let mut digits = Vec::with_capacity(ndigits);
        digits.extend(bytes.iter().copied().filter(u8::is_ascii_digit));
        let mag = BigInt::parse_bytes(&digits, 10)?;
        Some(Integer::from_bigint(if negative { -mag } else { mag }))
    }
}

impl From<i64> for Integer {
    fn from(v: i64) -> Self {
        Integer::Small(v)
    }
}

impl Ord for Integer {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Integer::Small(a), Integer::Small(b)) => a.cmp(b),
            // A big value is outside i64, so its sign decides.
            (Integer::Small(_), Integer::Big(b)) => {
                if b.sign() == Sign::Minus {
                    Ordering::Greater
                } else {
                    Ordering::Less
                }
            }
            (Integer::Big(a), Integer::Small(_)) => {
                if a.sign() == Sign::Minus {
                    Ordering::Less
                } else {
                    Ordering::Greater
                }
            }
            (Integer::Big(a), Integer::Big(b)) => a.cmp(b),
        }
    }
}

impl PartialOrd for Integer {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Integer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Integer::Small(x) => fmt::Display::fmt(x, f),
            Integer::Big(b) => fmt::Display::fmt(b, f),
        }
    }
}

impl fmt::Debug for Integer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: &str = "-9223372036854775808";
    const MAX: &str = "9223372036854775807";
    const TEN40: &str = "10000000000000000000000000000000000000000";
    const NEG2_100: &str = "-1267650600228229401496703205376";

    /// Parses a test literal, checking normalisation.
    fn int(s: &str) -> Integer {
        let v = Integer::parse_decimal(s).expect("test literal");
        check_norm(&v);
        v
    }

    /// `Big` must never hold a value that fits `i64`.
    fn check_norm(v: &Integer) {
        if let Integer::Big(b) = v {
            assert!(b.to_i64().is_none(), "unnormalised Big({b})");
        }
    }

    /// The printed value of a result, or the error's `Debug`.
    fn show(r: Result<Integer>) -> String {
        match r {
            Ok(v) => {
                check_norm(&v);
                v.to_string()
            }
            Err(e) => format!("{e:?}"),
        }
    }

    fn zd(msg: &str) -> String {
        format!("{:?}", EngineError::DivisionByZero(msg.to_owned()))
    }

    #[test]
    fn construction_and_predicates() {
        assert_eq!(Integer::from_bigint(BigInt::from(5)), Integer::Small(5));
        assert!(matches!(
            Integer::from_bigint(BigInt::from(1u64 << 63)),
            Integer::Big(_)
        ));
        assert_eq!(Integer::from_bigint(BigInt::from(i64::MIN)), Integer::Small(i64::MIN));
        assert_eq!(int(TEN40).to_bigint().to_string(), TEN40);
        assert_eq!(Integer::Small(-3).to_bigint(), BigInt::from(-3));
        assert_eq!(int(MAX).to_i64(), Some(i64::MAX));
        assert_eq!(int("9223372036854775808").to_i64(), None);
        assert!(Integer::ZERO.is_zero() && !Integer::ONE.is_zero());
        assert!(Integer::ONE.is_one() && !int(TEN40).is_one());
        assert!(int(NEG2_100).is_negative() && !int(NEG2_100).is_positive());
        assert!(int(TEN40).is_positive() && !int(TEN40).is_negative());
        assert!(!Integer::ZERO.is_positive() && !Integer::ZERO.is_negative());
        for (s, sign) in [("0", 0), ("7", 1), ("-7", -1), (TEN40, 1), (NEG2_100, -1), (MIN, -1)] {
            assert_eq!(int(s).signum(), sign, "{s}");
        }
        // Python int.bit_length()
        for (s, bits) in [
            ("0", 0),
            ("1", 1),
            ("-1", 1),
            ("255", 8),
            ("-256", 9),
            (MAX, 63),
            (MIN, 64),
            (TEN40, 133),
            (NEG2_100, 101),
        ] {
            assert_eq!(int(s).bits(), bits, "{s}");
        }
        assert_eq!(Integer::from(-4), Integer::Small(-4));
    }

    #[test]
    fn unnormalised_big_does_not_panic() {
        let zero = Integer::Big(Box::new(BigInt::zero()));
        let five = Integer::Big(Box::new(BigInt::from(5)));
        assert!(zero.is_zero() && Integer::Big(Box::new(BigInt::one())).is_one());
        assert_eq!(show(five.floordiv(&zero)), zd("integer division or modulo by zero"));
        assert_eq!(show(five.modulo(&zero)), zd("integer modulo by zero"));
        assert!(five.divmod(&zero).is_err() && five.pow_mod(&five, &zero).is_err());
        assert_eq!(five.to_f64(), Ok(5.0));
        assert_eq!(show(Ok(five.add(&Integer::ONE))), "6");
    }

    #[test]
    fn add_sub_mul_neg_abs() {
        let add = [
            (MAX, "1", "9223372036854775808"),
            (MIN, "-1", "-9223372036854775809"),
            (MIN, MAX, "-1"),
            (TEN40, "-10000000000000000000000000000000000000000", "0"),
            (NEG2_100, "1267650600228229401496703205381", "5"),
            ("9223372036854775808", "-1", MAX),
            ("2", "3", "5"),
        ];
        for (a, b, want) in add {
            assert_eq!(show(Ok(int(a).add(&int(b)))), want, "{a} + {b}");
            assert_eq!(show(Ok(int(b).add(&int(a)))), want, "{b} + {a}");
        }
        let sub = [
            (MIN, "1", "-9223372036854775809"),
            (MAX, "-1", "9223372036854775808"),
            ("0", MIN, "9223372036854775808"),
            ("9223372036854775808", "1", MAX),
            ("3", "10", "-7"),
        ];
        for (a, b, want) in sub {
            assert_eq!(show(Ok(int(a).sub(&int(b)))), want, "{a} - {b}");
        }
        let mul = [
            (MAX, "2", "18446744073709551614"),
            (MIN, "-1", "9223372036854775808"),
            (MIN, "1", MIN),
            ("4294967296", "2147483648", "9223372036854775808"),
            ("4294967296", "4294967296", "18446744073709551616"),
            (TEN40, "0", "0"),
            (
                TEN40,
                NEG2_100,
                "-12676506002282294014967032053760000000000000000000000000000000000000000",
            ),
            (
                NEG2_100,
                NEG2_100,
                "1606938044258990275541962092341162602522202993782792835301376",
            ),
            ("-6", "7", "-42"),
        ];
        for (a, b, want) in mul {
            assert_eq!(show(Ok(int(a).mul(&int(b)))), want, "{a} * {b}");
            assert_eq!(show(Ok(int(b).mul(&int(a)))), want, "{b} * {a}");
        }
        let neg_abs = [
            (MIN, "9223372036854775808", "9223372036854775808"),
            ("9223372036854775808", MIN, "9223372036854775808"),
            (MAX, "-9223372036854775807", MAX),
            ("-5", "5", "5"),
            ("0", "0", "0"),
            (
                NEG2_100,
                "1267650600228229401496703205376",
                "1267650600228229401496703205376",
            ),
        ];
        for (a, neg, abs) in neg_abs {
            assert_eq!(show(Ok(int(a).neg())), neg, "-{a}");
            assert_eq!(show(Ok(int(a).abs())), abs, "abs({a})");
        }
    }

    #[test]
    fn floordiv_modulo_divmod() {
        // (a, b, a // b, a % b) from CPython.
        let cases = [
            ("7", "2", "3", "1"),
            ("-7", "2", "-4", "1"),
            ("7", "-2", "-4", "-1"),
            ("-7", "-2", "3", "-1"),
            (MIN, "-1", "9223372036854775808", "0"),
            (MIN, "1", MIN, "0"),
            (MIN, "2", "-4611686018427387904", "0"),
            (MAX, "-1", "-9223372036854775807", "0"),
            (TEN40, "7", "1428571428571428571428571428571428571428", "4"),
            (
                "-10000000000000000000000000000000000000000",
                "7",
                "-1428571428571428571428571428571428571429",
                "3",
            ),
            (TEN40, NEG2_100, "-7888609053", "-1001294322807664655583231868928"),
            (NEG2_100, "9223372036854775808", "-137438953472", "0"),
            ("5", TEN40, "0", "5"),
            ("-5", TEN40, "-1", "9999999999999999999999999999999999999995"),
            (MIN, "9223372036854775808", "-1", "0"),
        ];
        for (a, b, q, r) in cases {
            let (a, b) = (int(a), int(b));
            assert_eq!(show(a.floordiv(&b)), q, "{a} // {b}");
            assert_eq!(show(a.modulo(&b)), r, "{a} % {b}");
            let (dq, dr) = a.divmod(&b).expect("divmod");
            assert_eq!(
                (dq.to_string(), dr.to_string()),
                (q.to_owned(), r.to_owned()),
                "divmod({a}, {b})"
            );
        }
        for a in ["0", "5", TEN40, MIN] {
            assert_eq!(
                show(int(a).floordiv(&Integer::ZERO)),
                zd("integer division or modulo by zero")
            );
            assert_eq!(show(int(a).modulo(&Integer::ZERO)), zd("integer modulo by zero"));
            assert_eq!(
                int(a).divmod(&Integer::ZERO).map(|_| ()),
                Err(EngineError::DivisionByZero(
                    "integer division or modulo by zero".to_owned()
                ))
            );
        }
    }

    #[test]
    fn floordiv_modulo_brute_force() {
        for a in -20i64..=20 {
            for b in -20i64..=20 {
                if b == 0 {
                    continue;
                }
                let (x, y) = (Integer::from(a), Integer::from(b));
                let q = x.floordiv(&y).expect("nonzero divisor");
                let r = x.modulo(&y).expect("nonzero divisor");
                assert_eq!(q.mul(&y).add(&r), x, "{a} == ({a}//{b})*{b} + {a}%{b}");
                let (rv, bv) = (r.to_i64().expect("small"), b);
                assert!(rv.abs() < bv.abs(), "|{a} % {b}| < |{b}|");
                assert!(rv == 0 || rv.signum() == bv.signum(), "sign of {a} % {b}");
                assert_eq!(x.divmod(&y), Ok((q, r)));
            }
        }
    }

    #[test]
    fn pow_cases() {
        let cases: [(&str, u64, &str); 12] = [
            ("2", 62, "4611686018427387904"),
            ("2", 63, "9223372036854775808"),
            ("-2", 63, MIN),
            ("-2", 64, "18446744073709551616"),
            ("3", 40, "12157665459056928801"),
            ("10", 40, TEN40),
            (
                NEG2_100,
                2,
                "1606938044258990275541962092341162602522202993782792835301376",
            ),
            ("7", 0, "1"),
            ("0", 0, "1"),
            (TEN40, 0, "1"),
            (TEN40, 1, TEN40),
            ("-3", 3, "-27"),
        ];
        for (a, e, want) in cases {
            assert_eq!(show(int(a).pow(e)), want, "{a} ** {e}");
        }
        // 0, 1 and -1 to any power, however large.
        for e in [u64::MAX, u64::MAX - 1, 1 << 40] {
            let odd = e % 2 == 1;
            assert_eq!(show(Integer::ZERO.pow(e)), "0");
            assert_eq!(show(Integer::ONE.pow(e)), "1");
            assert_eq!(show(Integer::from(-1).pow(e)), if odd { "-1" } else { "1" });
        }
        // Past the size limit.
        let big = Integer::from(2).pow(MAX_INT_BITS);
        assert!(matches!(big, Err(EngineError::TooLarge(_))), "{big:?}");
        assert_eq!(
            Integer::from(3).pow(u64::MAX),
            Err(EngineError::TooLarge(format!(
                "integer result of about {} bits exceeds the limit of {MAX_INT_BITS} bits",
                u64::MAX
            )))
        );
        assert!(matches!(int(TEN40).pow(1 << 20), Err(EngineError::TooLarge(_))));
        // At the limit: bits(2) * exp == MAX_INT_BITS is allowed.
        assert_eq!(
            Integer::from(2).pow(MAX_INT_BITS / 2).map(|v| v.bits()),
            Ok(MAX_INT_BITS / 2 + 1)
        );
    }

    #[test]
    fn pow_mod_cases() {
        // (base, exp, modulus, pow(base, exp, modulus)) from CPython.
        let cases = [
            ("2", "10", "1000", "24"),
            ("2", "-1", "7", "4"),
            ("3", "-1", "-7", "-2"),
            ("-3", "5", "-7", "-5"),
            ("1267650600228229401496703205376", TEN40, MAX, "2"),
            (MIN, "3", MAX, "9223372036854775806"),
            (
                "5",
                TEN40,
                "10000000000000000000000000000000000000001",
                "5033983756799177697861693044527067783449",
            ),
            ("0", "0", "5", "1"),
            ("0", "0", "1", "0"),
            ("2", "-1", "1", "0"),
            ("0", "-1", "-1", "0"),
            (
                "3",
                "1267650600228229401496703205376",
                NEG2_100,
                "-1267650600228229401496703205375",
            ),
            (MAX, MAX, "9223372036854775806", "1"),
            ("-1", "-1", TEN40, "9999999999999999999999999999999999999999"),
        ];
        for (b, e, m, want) in cases {
            assert_eq!(show(int(b).pow_mod(&int(e), &int(m))), want, "pow({b}, {e}, {m})");
        }
        assert_eq!(
            int("2").pow_mod(&int("3"), &Integer::ZERO),
            Err(EngineError::InvalidValue("pow() 3rd argument cannot be 0".to_owned()))
        );
        for (b, m) in [("0", "5"), ("6", "9"), (TEN40, "-10")] {
            assert_eq!(
                int(b).pow_mod(&int("-1"), &int(m)),
                Err(EngineError::InvalidValue(
                    "base is not invertible for the given modulus".to_owned()
                )),
                "pow({b}, -1, {m})"
            );
        }
    }

    #[test]
    fn gcd_cases() {
        let cases = [
            ("0", "0", "0"),
            ("12", "-18", "6"),
            (MIN, "0", "9223372036854775808"),
            (MIN, MIN, "9223372036854775808"),
            (MIN, "6", "2"),
            (TEN40, "1267650600228229401496703205376", "1099511627776"),
            (NEG2_100, "2503155504993241601315571986085849", "1"),
            ("0", "-5", "5"),
        ];
        for (a, b, want) in cases {
            assert_eq!(show(Ok(int(a).gcd(&int(b)))), want, "gcd({a}, {b})");
            assert_eq!(show(Ok(int(b).gcd(&int(a)))), want, "gcd({b}, {a})");
        }
    }

    #[test]
    fn shifts() {
        let shl = [
            ("1", "62", "4611686018427387904"),
            ("1", "63", "9223372036854775808"),
            ("-1", "63", MIN),
            ("-1", "64", "-18446744073709551616"),
            ("3", "61", "6917529027641081856"),
            ("-3", "62", "-13835058055282163712"),
            (TEN40, "3", "80000000000000000000000000000000000000000"),
            (NEG2_100, "1", "-2535301200456458802993406410752"),
            ("5", "0", "5"),
            ("0", "1180591620717411303424", "0"),
        ];
        for (a, c, want) in shl {
            assert_eq!(show(int(a).shl(&int(c))), want, "{a} << {c}");
        }
        let shr = [
            ("-1", "1", "-1"),
            ("-7", "1", "-4"),
            ("7", "1", "3"),
            (MIN, "63", "-1"),
            (MIN, "64", "-1"),
            (MAX, "62", "1"),
            (NEG2_100, "99", "-2"),
            (NEG2_100, "100", "-1"),
            (NEG2_100, "101", "-1"),
            ("-1267650600228229401496703205377", "100", "-2"),
            (TEN40, "1180591620717411303424", "0"),
            (
                "-10000000000000000000000000000000000000000",
                "1180591620717411303424",
                "-1",
            ),
            ("-5", "1000000000000000000000000000000", "-1"),
            ("5", "0", "5"),
        ];
        for (a, c, want) in shr {
            assert_eq!(show(int(a).shr(&int(c))), want, "{a} >> {c}");
        }
        for c in ["-1", NEG2_100] {
            assert_eq!(int("5").shl(&int(c)), Err(EngineError::NegativeShift));
            assert_eq!(int("5").shr(&int(c)), Err(EngineError::NegativeShift));
            assert_eq!(Integer::ZERO.shl(&int(c)), Err(EngineError::NegativeShift));
        }
        assert!(matches!(
            Integer::ONE.shl(&Integer::from(MAX_INT_BITS as i64)),
            Err(EngineError::TooLarge(_))
        ));
        assert!(matches!(Integer::ONE.shl(&int(TEN40)), Err(EngineError::TooLarge(_))));
        assert_eq!(
            Integer::ONE
                .shl(&Integer::from(MAX_INT_BITS as i64 - 1))
                .map(|v| v.bits()),
            Ok(MAX_INT_BITS)
        );
    }

    #[test]
    fn bit_ops() {
        // (a, b, a & b, a | b, a ^ b) from CPython.
        let cases = [
            ("-1", "5", "5", "-1", "-6"),
            (MIN, MAX, "0", "-1", "-1"),
            (NEG2_100, "1267650600228229401496703205375", "0", "-1", "-1"),
            (NEG2_100, "-1", NEG2_100, "-1", "1267650600228229401496703205375"),
            (
                TEN40,
                "-10000000000000000000000000000000000000000",
                "1099511627776",
                "-1099511627776",
                "-2199023255552",
            ),
            (
                "-1267650600228229401496703205377",
                "18446744073709551619",
                "18446744073709551619",
                "-1267650600228229401496703205377",
                "-1267650600246676145570412756996",
            ),
            (
                "-1180591620717411291079",
                "-36893488147419103309",
                "-1180591620717411291087",
                "-36893488147419103301",
                "1143698132569992187786",
            ),
            ("12", "10", "8", "14", "6"),
        ];
        for (a, b, and, or, xor) in cases {
            for (x, y) in [(int(a), int(b)), (int(b), int(a))] {
                assert_eq!(show(Ok(x.bitand(&y))), and, "{x} & {y}");
                assert_eq!(show(Ok(x.bitor(&y))), or, "{x} | {y}");
                assert_eq!(show(Ok(x.bitxor(&y))), xor, "{x} ^ {y}");
            }
        }
    }

    #[test]
    fn to_f64_cases() {
        let two_1024_minus_2_971 = Integer::ONE
            .shl(&Integer::from(1024))
            .map(|v| v.sub(&Integer::ONE.shl(&Integer::from(971)).unwrap_or(Integer::ZERO)));
        let cases: [(Integer, f64); 11] = [
            (int("9007199254740993"), 9007199254740992.0),
            (int("18014398509481987"), 1.8014398509481988e16),
            (two_1024_minus_2_971.clone().unwrap_or(Integer::ZERO), f64::MAX),
            (
                two_1024_minus_2_971.map(|v| v.neg()).unwrap_or(Integer::ZERO),
                -f64::MAX,
            ),
            (int(MAX), 9.223372036854776e18),
            (int(MIN), -9.223372036854776e18),
            (int(TEN40), 1e40),
            (int(NEG2_100), -1.2676506002282294e30),
            (int("9223372036854776832"), 9.223372036854776e18),
            (int("9223372036854776833"), 9.223372036854778e18),
            (int("18446744073709551615"), 1.8446744073709552e19),
        ];
        for (v, want) in cases {
            assert_eq!(v.to_f64().map(f64::to_bits), Ok(want.to_bits()), "float({v})");
        }
        let overflow = Err(EngineError::Overflow("int too large to convert to float".to_owned()));
        let p1024 = Integer::ONE.shl(&Integer::from(1024)).unwrap_or(Integer::ZERO);
        let p970 = Integer::ONE.shl(&Integer::from(970)).unwrap_or(Integer::ZERO);
        assert_eq!(p1024.sub(&p970).to_f64(), overflow);
        assert_eq!(p1024.sub(&p970).neg().to_f64(), overflow);
        assert_eq!(p1024.to_f64(), overflow);
        assert_eq!(int(TEN40).pow(10).and_then(|v| v.to_f64()), overflow);
    }

    #[test]
    fn from_f64_cases() {
        // (x, floor, ceil, trunc, round) from CPython.
        let cases = [
            (2.5, "2", "3", "2", "2"),
            (-2.5, "-3", "-2", "-2", "-2"),
            (-0.5, "-1", "0", "0", "0"),
            (0.5, "0", "1", "0", "0"),
            (1.5, "1", "2", "1", "2"),
            (-1.5, "-2", "-1", "-1", "-2"),
            (-0.0, "0", "0", "0", "0"),
            (
                9.223372036854776e18,
                "9223372036854775808",
                "9223372036854775808",
                "9223372036854775808",
                "9223372036854775808",
            ),
            (-9.223372036854776e18, MIN, MIN, MIN, MIN),
            (
                1e19,
                "10000000000000000000",
                "10000000000000000000",
                "10000000000000000000",
                "10000000000000000000",
            ),
            (
                9.223372036854775e18,
                "9223372036854774784",
                "9223372036854774784",
                "9223372036854774784",
                "9223372036854774784",
            ),
            (3.7, "3", "4", "3", "4"),
            (-3.7, "-4", "-3", "-3", "-4"),
            (5e-324, "0", "1", "0", "0"),
        ];
        for (x, floor, ceil, trunc, round) in cases {
            assert_eq!(show(Integer::from_f64(x, RoundMode::Floor)), floor, "floor({x})");
            assert_eq!(show(Integer::from_f64(x, RoundMode::Ceil)), ceil, "ceil({x})");
            assert_eq!(show(Integer::from_f64(x, RoundMode::Trunc)), trunc, "trunc({x})");
            assert_eq!(show(Integer::from_f64(x, RoundMode::HalfEven)), round, "round({x})");
        }
        let e300 = "1000000000000000052504760255204420248704468581108159154915854115511802457988908195786371375080447864043704443832883878176942523235360430575644792184786706982848387200926575803737830233794788090059368953234970799945081119038967640880074652742780142494579258788820056842838115669472196386865459400540160";
        for mode in [RoundMode::Floor, RoundMode::Ceil, RoundMode::Trunc, RoundMode::HalfEven] {
            assert_eq!(show(Integer::from_f64(1e300, mode)), e300);
            assert_eq!(show(Integer::from_f64(-1e300, mode)), format!("-{e300}"));
            assert_eq!(
                Integer::from_f64(f64::NAN, mode),
                Err(EngineError::InvalidValue(
                    "cannot convert float NaN to integer".to_owned()
                ))
            );
            for inf in [f64::INFINITY, f64::NEG_INFINITY] {
                assert_eq!(
                    Integer::from_f64(inf, mode),
                    Err(EngineError::Overflow(
                        "cannot convert float infinity to integer".to_owned()
                    ))
                );
            }
        }
    }

    #[test]
    fn round_ndigits_cases() {
        // (x, ndigits, round(x, ndigits)) from CPython.
        let cases = [
            ("15", "-1", "20"),
            ("25", "-1", "20"),
            ("-15", "-1", "-20"),
            ("-25", "-1", "-20"),
            ("5", "-1", "0"),
            ("14", "-1", "10"),
            ("123456", "-3", "123000"),
            ("123500", "-3", "124000"),
            ("124500", "-3", "124000"),
            (MAX, "-1", "9223372036854775810"),
            (MIN, "-1", "-9223372036854775810"),
            (MAX, "-18", "9000000000000000000"),
            (MAX, "-19", "10000000000000000000"),
            (MAX, "-20", "0"),
            (TEN40, "-40", TEN40),
            ("50000000000000000000000000000000000000000", "-41", "0"),
            (
                "150000000000000000000000000000000000000000",
                "-41",
                "200000000000000000000000000000000000000000",
            ),
            ("10000000000000000000500000000000000000000", "-21", TEN40),
            (NEG2_100, "-10", "-1267650600228229401500000000000"),
            ("7", "3", "7"),
            ("0", "-5", "0"),
            ("7", TEN40, "7"),
            ("7", "-10000000000000000000000000000000000000000", "0"),
            (NEG2_100, "-1000", "0"),
        ];
        for (x, n, want) in cases {
            assert_eq!(show(int(x).round_ndigits(&int(n))), want, "round({x}, {n})");
        }
    }

    #[test]
    fn parse_and_display() {
        let ok = [
            ("0", "0"),
            ("-0", "0"),
            ("123", "123"),
            ("-123", "-123"),
            ("1_000", "1000"),
            ("1_2_3", "123"),
            ("00012", "12"),
            (MAX, MAX),
            ("9223372036854775808", "9223372036854775808"),
            (MIN, MIN),
            ("-9223372036854775809", "-9223372036854775809"),
            ("12345678901234567890123456789", "12345678901234567890123456789"),
            ("-1_267_650_600_228_229_401_496_703_205_376", NEG2_100),
        ];
        for (text, want) in ok {
            let v = Integer::parse_decimal(text).expect("parses");
            check_norm(&v);
            assert_eq!(v.to_string(), want, "{text:?}");
            assert_eq!(format!("{v:?}"), want);
        }
        assert_eq!(Integer::parse_decimal(MAX), Some(Integer::Small(i64::MAX)));
        assert_eq!(Integer::parse_decimal(MIN), Some(Integer::Small(i64::MIN)));
        for bad in [
            "",
            "-",
            "+5",
            " 5",
            "5 ",
            "1__0",
            "_1",
            "1_",
            "-_1",
            "1e5",
            "0x10",
            "--1",
            "1.0",
            "\u{661}\u{662}",
        ] {
            assert_eq!(Integer::parse_decimal(bad), None, "{bad:?}");
        }
        assert_eq!(format!("{:>6}", Integer::from(-42)), "   -42");
    }

    #[test]
    fn ordering() {
        let sorted = [
            "-10000000000000000000000000000000000000000",
            NEG2_100,
            "-9223372036854775809",
            MIN,
            "-1",
            "0",
            "1",
            MAX,
            "9223372036854775808",
            TEN40,
        ];
        for (i, a) in sorted.iter().enumerate() {
            for (j, b) in sorted.iter().enumerate() {
                assert_eq!(int(a).cmp(&int(b)), i.cmp(&j), "{a} vs {b}");
                assert_eq!(int(a).partial_cmp(&int(b)), Some(i.cmp(&j)));
            }
        }
    }
}
