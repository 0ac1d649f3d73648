//! CPython's float semantics, exactly: true division of ints, float floor division and modulo,
//! float power, exact int/float comparison, rounding, and `repr`.

use std::cmp::Ordering;

use num_bigint::BigUint;
use num_integer::Integer as _;
use num_traits::{One, Pow, Zero};

use crate::error::{EngineError, Result};
use crate::num::{decompose_f64, pow2_f64, Integer, RoundMode};

/// `2**53`, the largest magnitude below which every integer is exactly a float.
const TWO_POW_53: i64 = 1 << 53;

/// Python `int / int`, correctly rounded for all sizes (also past 2**53 and for subnormal
/// results). `DivisionByZero("division by zero")`,
/// `Overflow("integer division result too large for a float")`.
pub fn int_true_div(a: &Integer, b: &Integer) -> Result<f64> {
    if b.is_zero() {
        return Err(EngineError::zero_div("division by zero"));
    }
    if let (Integer::Small(x), Integer::Small(y)) = (a, b) {
        if (-TWO_POW_53..=TWO_POW_53).contains(x) && (-TWO_POW_53..=TWO_POW_53).contains(y) {
            // Both exact as floats: one IEEE division is correctly rounded.
            return Ok(*x as f64 / *y as f64);
        }
    }
    let negative = a.is_negative() != b.is_negative();
    let magnitude = ratio_to_f64(a.to_bigint().magnitude(), b.to_bigint().magnitude())
        .ok_or_else(|| EngineError::Overflow("integer division result too large for a float".to_owned()))?;
    Ok(if negative { -magnitude } else { magnitude })
}

/// `num / den` (`den > 0`) correctly rounded half to even, or `None` when it overflows a float.
fn ratio_to_f64(num: &BigUint, den: &BigUint) -> Option<f64> {
    if num.is_zero() {
        return Some(0.0);
    }
    // 2**(k-1) < num/den < 2**(k+1) for k = bits(num) - bits(den); pin k to floor(log2(num/den)).
    let mut k = num.bits() as i64 - den.bits() as i64;
    let at_least_2k = if k >= 0 { *num >= den << (k as u64) } else { (num << k.unsigned_abs()) >= *den };
    if !at_least_2k {
        k -= 1;
    }
    if k >= 1024 {
        return None;
    }
    // Unit in the last place of the result: 53 significant bits, or the subnormal spacing.
    let u = (k - 52).max(-1074);
    let (q, r, d) = if u >= 0 {
        let d = den << (u as u64);
        let (q, r) = num.div_rem(&d);
        (q, r, d)
    } else {
        let (q, r) = (num << u.unsigned_abs()).div_rem(den);
        (q, r, den.clone())
    };
    let mut m = u64::try_from(q).ok()?;
    let twice: BigUint = r << 1u32;
    match twice.cmp(&d) {
        Ordering::Greater => m += 1,
        Ordering::Equal if m & 1 == 1 => m += 1,
        _ => {}
    }
    // m <= 2**53 is exact as a float, 2**u is exact, so the product is exact or infinite.
    let result = (m as f64) * pow2_f64(u);
    if result.is_infinite() {
        None
    } else {
        Some(result)
    }
}

/// Python `float / float`. `DivisionByZero("float division by zero")`.
pub fn float_true_div(a: f64, b: f64) -> Result<f64> {
    if b == 0.0 {
        return Err(EngineError::zero_div("float division by zero"));
    }
    Ok(a / b)
}

/// The remainder of `a / b` with the divisor's sign (`b != 0`), signed zeros as CPython.
fn py_fmod(a: f64, b: f64) -> f64 {
    // Rust's `%` on floats is C `fmod`: exact, with the dividend's sign.
    let m = a % b;
    if m != 0.0 {
        if (b < 0.0) != (m < 0.0) {
            m + b
        } else {
            m
        }
    } else {
        0.0f64.copysign(b)
    }
}

/// Python `float // float` (CPython's `float_floor_div`: `1 // 0.1 == 9.0`).
/// `DivisionByZero("float floor division by zero")`.
pub fn float_floordiv(a: f64, b: f64) -> Result<f64> {
    if b == 0.0 {
        return Err(EngineError::zero_div("float floor division by zero"));
    }
    let m = a % b;
    // a - m is (nearly) an exact multiple of b.
    let mut div = (a - m) / b;
    if m != 0.0 && ((b < 0.0) != (m < 0.0)) {
        div -= 1.0;
    }
    if div != 0.0 {
        let mut floor = div.floor();
        if div - floor > 0.5 {
            floor += 1.0;
        }
        Ok(floor)
    } else {
        Ok(0.0f64.copysign(a / b))
    }
}

/// Python `float % float` (result has the divisor's sign, signed zeros as CPython).
/// `DivisionByZero("float modulo")`.
pub fn float_mod(a: f64, b: f64) -> Result<f64> {
    if b == 0.0 {
        return Err(EngineError::zero_div("float modulo"));
    }
    Ok(py_fmod(a, b))
}

/// True when `x` is an odd integer (finite).
fn is_odd_integer(x: f64) -> bool {
    (x % 2.0).abs() == 1.0
}

/// Python `float ** float` (CPython `float_pow`, all special cases).
/// `DivisionByZero("0.0 cannot be raised to a negative power")`,
/// `InvalidValue("negative number cannot be raised to a fractional power (complex result)")`,
/// `Overflow("(34, 'Numerical result out of range')")`.
pub fn float_pow(a: f64, b: f64) -> Result<f64> {
    if b == 0.0 {
        return Ok(1.0);
    }
    if a.is_nan() {
        return Ok(a);
    }
    if b.is_nan() {
        return Ok(if a == 1.0 { 1.0 } else { b });
    }
    if b.is_infinite() {
        let base = a.abs();
        return Ok(if base == 1.0 {
            1.0
        } else if (b > 0.0) == (base > 1.0) {
            f64::INFINITY
        } else {
            0.0
        });
    }
    // b is finite and nonzero from here on.
    let b_odd = is_odd_integer(b);
    if a.is_infinite() {
        return Ok(if b > 0.0 {
            if b_odd {
                a
            } else {
                a.abs()
            }
        } else if b_odd {
            0.0f64.copysign(a)
        } else {
            0.0
        });
    }
    if a == 0.0 {
        if b < 0.0 {
            return Err(EngineError::zero_div("0.0 cannot be raised to a negative power"));
        }
        return Ok(if b_odd { a } else { 0.0 });
    }
    let mut base = a;
    let mut negate = false;
    if base < 0.0 {
        if b != b.floor() {
            return Err(EngineError::InvalidValue(
                "negative number cannot be raised to a fractional power (complex result)".to_owned(),
            ));
        }
        base = -base;
        negate = b_odd;
    }
    if base == 1.0 {
        return Ok(if negate { -1.0 } else { 1.0 });
    }
    let r = base.powf(b);
    if r.is_infinite() {
        return Err(EngineError::Overflow("(34, 'Numerical result out of range')".to_owned()));
    }
    Ok(if negate { -r } else { r })
}

/// Exact comparison of an int with a float, as Python's `int < float` etc.
/// `None` when `f` is NaN (every ordering comparison is False, `!=` is True).
pub fn cmp_int_float(i: &Integer, f: f64) -> Option<Ordering> {
    if f.is_nan() {
        return None;
    }
    if f.is_infinite() {
        return Some(if f > 0.0 { Ordering::Less } else { Ordering::Greater });
    }
    if let Integer::Small(x) = i {
        if (-TWO_POW_53..=TWO_POW_53).contains(x) {
            // Exact as a float.
            return (*x as f64).partial_cmp(&f);
        }
        if f.abs() >= 9_223_372_036_854_775_808.0 {
            // |f| >= 2**63 > |x| unless f == -2**63; the sign of f decides except for that tie.
            if f > 0.0 {
                return Some(Ordering::Less);
            }
            if f < -9_223_372_036_854_775_808.0 {
                return Some(Ordering::Greater);
            }
        }
    }
    let whole = f.trunc();
    let frac = f - whole;
    let whole_int = Integer::from_f64(whole, RoundMode::Trunc).ok()?;
    match i.cmp(&whole_int) {
        Ordering::Equal => 0.0f64.partial_cmp(&frac),
        other => Some(other),
    }
}

/// `num / den` (`den > 0`) rounded to an integer, half to even.
fn round_half_even_ratio(num: &BigUint, den: &BigUint) -> BigUint {
    let (mut q, r) = num.div_rem(den);
    let twice: BigUint = r << 1u32;
    match twice.cmp(den) {
        Ordering::Greater => q += 1u32,
        Ordering::Equal if q.is_odd() => q += 1u32,
        _ => {}
    }
    q
}

/// Python `round(x, ndigits)` for a float (correctly rounded, half to even on the exact binary
/// value, as CPython). Returns `x` unchanged for NaN and infinities.
pub fn round_float_ndigits(x: f64, ndigits: &Integer) -> Result<f64> {
    // Past these bounds CPython returns x itself / a zero of x's sign; inside them the exact
    // computation below agrees with CPython's decimal rounding.
    const NDIGITS_MAX: i64 = 323;
    const NDIGITS_MIN: i64 = -308;
    if !x.is_finite() || x == 0.0 {
        return Ok(x);
    }
    let n = match ndigits.to_i64() {
        Some(n) => n,
        None if ndigits.is_negative() => NDIGITS_MIN - 1,
        None => NDIGITS_MAX + 1,
    };
    if n > NDIGITS_MAX {
        return Ok(x);
    }
    if n < NDIGITS_MIN {
        return Ok(0.0f64.copysign(x));
    }
    let (_, mant, exp) = decompose_f64(x);
    let mant = BigUint::from(mant);
    let p: BigUint = Pow::pow(BigUint::from(10u32), n.unsigned_abs());
    let magnitude = if n >= 0 {
        if exp >= 0 {
            // x is an integer: rounding to n >= 0 decimals changes nothing.
            return Ok(x);
        }
        // round(|x| * 10**n) / 10**n, the division correctly rounded.
        let scaled = round_half_even_ratio(&(mant * &p), &(BigUint::one() << exp.unsigned_abs()));
        ratio_to_f64(&scaled, &p)
    } else {
        // round(|x| / 10**-n) * 10**-n.
        let q = if exp >= 0 {
            round_half_even_ratio(&(mant << exp.unsigned_abs()), &p)
        } else {
            round_half_even_ratio(&mant, &(p.clone() << exp.unsigned_abs()))
        };
        ratio_to_f64(&(q * p), &BigUint::one())
    }
    .ok_or_else(|| EngineError::Overflow("rounded value too large to represent".to_owned()))?;
    Ok(magnitude.copysign(x))
}

/// Python `repr(float)`: shortest round-trip digits, `1e+300`, `1e-07`, `inf`, `nan`, `-0.0`.
pub fn float_repr(x: f64) -> String {
    if x.is_nan() {
        return "nan".to_owned();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf".to_owned() } else { "-inf".to_owned() };
    }
    // Rust's `{:e}` gives the shortest round-trip digits as `d.ddde<exp>`.
    let sci = format!("{:e}", x.abs());
    let (mantissa, exp_text) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    let exp: i64 = exp_text.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let mut out = String::with_capacity(digits.len() + 8);
    if x.is_sign_negative() {
        out.push('-');
    }
    if x == 0.0 {
        out.push_str("0.0");
        return out;
    }
    if !(-4..16).contains(&exp) {
        let (first, rest) = digits.split_at(1);
        out.push_str(first);
        if !rest.is_empty() {
            out.push('.');
            out.push_str(rest);
        }
        out.push('e');
        out.push(if exp < 0 { '-' } else { '+' });
        out.push_str(&format!("{:02}", exp.unsigned_abs()));
    } else if exp >= 0 {
        // exp + 1 digits before the point.
        let int_len = (exp + 1) as usize;
        if digits.len() <= int_len {
            out.push_str(&digits);
            out.extend(std::iter::repeat_n('0', int_len - digits.len()));
            out.push_str(".0");
        } else {
            let (int_part, frac_part) = digits.split_at(int_len);
            out.push_str(int_part);
            out.push('.');
            out.push_str(frac_part);
        }
    } else {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', (-exp - 1) as usize));
        out.push_str(&digits);
    }
    out
}
