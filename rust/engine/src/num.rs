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
        matches!(self, Integer::Small(0))
    }

    /// True for 1.
    pub fn is_one(&self) -> bool {
        matches!(self, Integer::Small(1))
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
            return Err(EngineError::InvalidValue("cannot convert float NaN to integer".to_owned()));
        }
        if v.is_infinite() {
            return Err(EngineError::Overflow("cannot convert float infinity to integer".to_owned()));
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
        // 10**n > 2**n >= 2**(bits + 1) > 2 * |self| once n > bits.
        let n = match ndigits {
            Integer::Small(d) => d.unsigned_abs(),
            Integer::Big(_) => return Ok(Integer::ZERO),
        };
        if n > self.bits() {
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
