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
    if k > 1025 {
        // num/den > 2**(k-1) >= 2**1025.
        return None;
    }
    if k < -1076 {
        // num/den < 2**(k+1) <= 2**-1076, under half the smallest subnormal.
        return Some(0.0);
    }
    let at_least_2k = if k >= 0 {
        *num >= den << (k as u64)
    } else {
        (num << k.unsigned_abs()) >= *den
    };
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
        return Err(EngineError::Overflow(
            "(34, 'Numerical result out of range')".to_owned(),
        ));
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

/// True when the finite float `x >= 0` equals `mid * 10**q` exactly.
fn f64_equals_decimal(x: f64, mid: u64, q: i64) -> bool {
    let (_, mant, e) = decompose_f64(x);
    let mut lhs = BigUint::from(mant);
    let mut rhs = BigUint::from(mid);
    if e >= 0 {
        lhs <<= e.unsigned_abs();
    } else {
        rhs <<= e.unsigned_abs();
    }
    let p: BigUint = Pow::pow(BigUint::from(10u32), q.unsigned_abs());
    if q >= 0 {
        rhs *= p;
    } else {
        lhs *= p;
    }
    lhs == rhs
}

/// Rust's shortest digits round an exact tie between two shortest candidates up; Python picks
/// the candidate with the even last digit. `digits` (at most 17) times `10**(exp + 1 - len)` is
/// the shortest form of `x > 0`; returns the digits and exponent Python prints.
fn break_repr_tie(x: f64, digits: String, exp: i64) -> (String, i64) {
    let Ok(d) = digits.parse::<u64>() else {
        return (digits, exp);
    };
    if d % 2 == 0 || d >= 100_000_000_000_000_000 {
        return (digits, exp);
    }
    let q = exp - digits.len() as i64;
    for (mid, other) in [(d * 10 - 5, d - 1), (d * 10 + 5, d + 1)] {
        // Cheap filter first: an exact tie must at least parse back to x.
        let text = format!("{mid}e{q}");
        if text.parse::<f64>().ok() != Some(x) || !f64_equals_decimal(x, mid, q) {
            continue;
        }
        // The other candidate must round-trip too (not so next to a power of two, where the
        // gap below x is half the gap above).
        if format!("{other}e{}", q + 1).parse::<f64>().ok() != Some(x) {
            continue;
        }
        let mut new_digits = other.to_string();
        let new_exp = exp + new_digits.len() as i64 - digits.len() as i64;
        let kept = new_digits.trim_end_matches('0').len().max(1);
        new_digits.truncate(kept);
        return (new_digits, new_exp);
    }
    (digits, exp)
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
    let (digits, exp) = break_repr_tie(x.abs(), digits, exp);
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

#[cfg(test)]
mod tests {
    use super::*;

    const INF: f64 = f64::INFINITY;
    const NAN: f64 = f64::NAN;

    fn int(s: &str) -> Integer {
        Integer::parse_decimal(s).expect("test literal")
    }

    fn pow2(k: i64) -> Integer {
        Integer::ONE.shl(&Integer::from(k)).expect("small shift")
    }

    fn pow10(k: u64) -> Integer {
        Integer::from(10).pow(k).expect("small power")
    }

    /// A float result as Python's `repr`, an error as its `Debug`: `-0.0` and `nan` stay visible.
    fn show(r: Result<f64>) -> String {
        match r {
            Ok(v) => float_repr(v),
            Err(e) => format!("{e:?}"),
        }
    }

    fn zd(msg: &str) -> String {
        format!("{:?}", EngineError::DivisionByZero(msg.to_owned()))
    }

    fn overflow(msg: &str) -> String {
        format!("{:?}", EngineError::Overflow(msg.to_owned()))
    }

    #[test]
    fn int_true_div_cases() {
        let too_big = overflow("integer division result too large for a float");
        // (a, b, repr(a / b)) from CPython.
        let cases: Vec<(Integer, Integer, String)> = vec![
            (int("1"), int("3"), "0.3333333333333333".into()),
            (int("-1"), int("3"), "-0.3333333333333333".into()),
            (int("0"), int("-5"), "-0.0".into()),
            (int("0"), pow10(40), "0.0".into()),
            (int("9007199254740993"), int("1"), "9007199254740992.0".into()),
            (int("18014398509481987"), int("1"), "1.8014398509481988e+16".into()),
            (pow10(40), int("3"), "3.333333333333333e+39".into()),
            (pow2(100).neg(), int("3"), "-4.2255020007607644e+29".into()),
            (int("1"), pow2(1074), "5e-324".into()),
            (int("1"), pow2(1075), "0.0".into()),
            (int("3"), pow2(1076), "5e-324".into()),
            (int("1"), pow2(1073).mul(&int("3")), "5e-324".into()),
            (pow2(1024).sub(&pow2(970)), int("1"), too_big.clone()),
            (pow2(1024).sub(&pow2(971)), int("1"), "1.7976931348623157e+308".into()),
            (pow2(1024), int("1"), too_big.clone()),
            (pow2(1025).sub(&pow2(971)), int("2"), too_big.clone()),
            (pow10(400), pow10(100), "1e+300".into()),
            (pow10(400).neg(), pow10(93), "-1e+307".into()),
            (int("9223372036854775807"), int("9223372036854775808"), "1.0".into()),
            (int("1"), pow10(400), "0.0".into()),
            (int("-1"), pow10(400), "-0.0".into()),
            (int("-9223372036854775808"), int("-1"), "9.223372036854776e+18".into()),
            (int("7"), int("0"), zd("division by zero")),
            (pow10(40), int("0"), zd("division by zero")),
        ];
        for (a, b, want) in cases {
            assert_eq!(show(int_true_div(&a, &b)), want, "{a} / {b}");
        }
    }

    #[test]
    fn float_true_div_cases() {
        let cases = [
            (1.0, 0.0, zd("float division by zero")),
            (NAN, 0.0, zd("float division by zero")),
            (1.0, -0.0, zd("float division by zero")),
            (1.0, 3.0, "0.3333333333333333".to_owned()),
            (-1.0, INF, "-0.0".to_owned()),
            (INF, INF, "nan".to_owned()),
        ];
        for (a, b, want) in cases {
            assert_eq!(show(float_true_div(a, b)), want, "{a} / {b}");
        }
    }

    #[test]
    fn float_floordiv_and_mod_cases() {
        // (a, b, repr(a // b), repr(a % b)) from CPython.
        let cases = [
            (1.0, 0.1, "9.0", "0.09999999999999995"),
            (7.0, 2.0, "3.0", "1.0"),
            (-7.0, 2.0, "-4.0", "1.0"),
            (7.0, -2.0, "-4.0", "-1.0"),
            (-0.0, 1.0, "-0.0", "0.0"),
            (0.0, -1.0, "-0.0", "-0.0"),
            (6.0, -3.0, "-2.0", "-0.0"),
            (-6.0, 3.0, "-2.0", "0.0"),
            (-1.0, 3.0, "-1.0", "2.0"),
            (1.0, -3.0, "-1.0", "-2.0"),
            (INF, 1.0, "nan", "nan"),
            (1.0, INF, "0.0", "1.0"),
            (-1.0, INF, "-1.0", "inf"),
            (1.0, -INF, "-1.0", "-inf"),
            (-1.0, -INF, "0.0", "-1.0"),
            (-0.5, INF, "-1.0", "inf"),
            (NAN, 1.0, "nan", "nan"),
            (1.0, NAN, "nan", "nan"),
            (1e308, 1e-308, "inf", "3.498445546245627e-309"),
            (-1e-300, 1e300, "-1.0", "1e+300"),
            (5.5, 0.5, "11.0", "0.0"),
        ];
        for (a, b, fd, md) in cases {
            assert_eq!(show(float_floordiv(a, b)), fd, "{a} // {b}");
            assert_eq!(show(float_mod(a, b)), md, "{a} % {b}");
        }
        for a in [1.0, 0.0, -0.0, NAN, INF] {
            for b in [0.0, -0.0] {
                assert_eq!(show(float_floordiv(a, b)), zd("float floor division by zero"));
                assert_eq!(show(float_mod(a, b)), zd("float modulo"));
            }
        }
    }

    #[test]
    fn float_pow_cases() {
        let zero_neg = zd("0.0 cannot be raised to a negative power");
        let range = overflow("(34, 'Numerical result out of range')");
        let complex = format!(
            "{:?}",
            EngineError::InvalidValue(
                "negative number cannot be raised to a fractional power (complex result)".to_owned()
            )
        );
        // (a, b, repr(a ** b)) from CPython (a complex result is refused here).
        let cases = [
            (2.0, 10.0, "1024.0"),
            (2.0, 0.5, "1.4142135623730951"),
            (NAN, 0.0, "1.0"),
            (0.0, 0.0, "1.0"),
            (INF, -0.0, "1.0"),
            (NAN, 1.0, "nan"),
            (1.0, NAN, "1.0"),
            (NAN, 2.0, "nan"),
            (2.0, NAN, "nan"),
            (-1.0, INF, "1.0"),
            (-1.0, -INF, "1.0"),
            (1.0, INF, "1.0"),
            (0.5, INF, "0.0"),
            (0.5, -INF, "inf"),
            (2.0, INF, "inf"),
            (2.0, -INF, "0.0"),
            (0.0, -INF, "inf"),
            (-0.0, -INF, "inf"),
            (0.0, INF, "0.0"),
            (INF, 3.0, "inf"),
            (-INF, 3.0, "-inf"),
            (-INF, 2.0, "inf"),
            (-INF, -3.0, "-0.0"),
            (-INF, -2.0, "0.0"),
            (INF, -1.0, "0.0"),
            (INF, 0.5, "inf"),
            (0.0, -1.0, &zero_neg),
            (-0.0, -2.0, &zero_neg),
            (-0.0, -1.0, &zero_neg),
            (0.0, 3.0, "0.0"),
            (-0.0, 3.0, "-0.0"),
            (-0.0, 2.0, "0.0"),
            (-0.0, 0.5, "0.0"),
            (-8.0, 0.3333333333333333, &complex),
            (-2.0, 0.5, &complex),
            (-2.0, 3.0, "-8.0"),
            (-2.0, 2.0, "4.0"),
            (-1.0, 1e300, "1.0"),
            (-1.0, 3.0, "-1.0"),
            (2.0, 10000.0, &range),
            (-2.0, 10001.0, &range),
            (1e308, 2.0, &range),
            (2.0, -10000.0, "0.0"),
            (-2.0, -1075.0, "-0.0"),
            (10.0, 308.0, "1e+308"),
        ];
        for (a, b, want) in cases {
            assert_eq!(show(float_pow(a, b)), want, "{a} ** {b}");
        }
    }

    #[test]
    fn cmp_int_float_cases() {
        use Ordering::{Equal, Greater, Less};
        let huge = pow10(400);
        // Python: (i > f) - (i < f), None for NaN.
        let cases: Vec<(Integer, f64, Option<Ordering>)> = vec![
            (int("9007199254740993"), 9007199254740992.0, Some(Greater)),
            (int("9007199254740992"), 9007199254740992.0, Some(Equal)),
            (int("9007199254740991"), 9007199254740992.0, Some(Less)),
            (huge.clone(), 1e308, Some(Greater)),
            (huge.neg(), 1e308, Some(Less)),
            (huge.clone(), INF, Some(Less)),
            (huge.neg(), -INF, Some(Greater)),
            (huge.clone(), NAN, None),
            (int("1"), NAN, None),
            (int("3"), 2.5, Some(Greater)),
            (int("2"), 2.5, Some(Less)),
            (int("-3"), -2.5, Some(Less)),
            (int("-2"), -2.5, Some(Greater)),
            (int("0"), -0.0, Some(Equal)),
            (int("9223372036854775807"), 9.223372036854776e18, Some(Less)),
            (int("-9223372036854775808"), -9.223372036854776e18, Some(Equal)),
            (int("-9223372036854775807"), -9.223372036854776e18, Some(Greater)),
            (int("-9223372036854775809"), -9.223372036854776e18, Some(Less)),
            (int("5"), 1e300, Some(Less)),
            (int("5"), -1e300, Some(Greater)),
            (pow2(1024), f64::MAX, Some(Greater)),
            (pow10(40), 1e40, Some(Less)),
        ];
        for (i, f, want) in cases {
            assert_eq!(cmp_int_float(&i, f), want, "{i} vs {f}");
        }
    }

    #[test]
    fn round_float_ndigits_cases() {
        let too_big = overflow("rounded value too large to represent");
        // (x, ndigits, repr(round(x, ndigits))) from CPython.
        let cases: Vec<(f64, Integer, String)> = vec![
            (2.675, int("2"), "2.67".into()),
            (0.5, int("0"), "0.0".into()),
            (1.5, int("0"), "2.0".into()),
            (2.5, int("0"), "2.0".into()),
            (-0.5, int("0"), "-0.0".into()),
            (-0.4, int("0"), "-0.0".into()),
            (123.456, int("-1"), "120.0".into()),
            (123.456, int("-2"), "100.0".into()),
            (155.0, int("-1"), "160.0".into()),
            (165.0, int("-1"), "160.0".into()),
            (1e300, int("-400"), "0.0".into()),
            (-1e300, int("-400"), "-0.0".into()),
            (1e300, int("-300"), "1e+300".into()),
            (-1.5e300, int("-300"), "-2e+300".into()),
            (0.1, int("400"), "0.1".into()),
            (0.125, int("2"), "0.12".into()),
            (0.375, int("2"), "0.38".into()),
            (f64::MAX, int("-308"), too_big.clone()),
            (f64::MAX, int("-307"), too_big),
            (5e-324, int("323"), "0.0".into()),
            (5e-324, int("324"), "5e-324".into()),
            (1e-320, int("320"), "1e-320".into()),
            (INF, int("2"), "inf".into()),
            (-INF, int("-2"), "-inf".into()),
            (NAN, int("1"), "nan".into()),
            (-0.0, int("2"), "-0.0".into()),
            (7.25, pow10(30), "7.25".into()),
            (7.25, pow10(30).neg(), "0.0".into()),
            (-7.25, pow10(30).neg(), "-0.0".into()),
            (1.23456789e-5, int("7"), "1.23e-05".into()),
            (2.5e15, int("-15"), "2000000000000000.0".into()),
            (1e22, int("5"), "1e+22".into()),
            (0.30000000000000004, int("16"), "0.3".into()),
            (0.30000000000000004, int("15"), "0.3".into()),
        ];
        for (x, n, want) in cases {
            assert_eq!(show(round_float_ndigits(x, &n)), want, "round({x}, {n})");
        }
    }

    #[test]
    fn float_repr_cases() {
        // (x, repr(x)) from CPython.
        let cases = [
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (1.0, "1.0"),
            (-1.5, "-1.5"),
            (0.1, "0.1"),
            (1e16, "1e+16"),
            (1e15, "1000000000000000.0"),
            (123456789012345.6, "123456789012345.6"),
            (1e-5, "1e-05"),
            (1e-4, "0.0001"),
            (0.0001234, "0.0001234"),
            (1e22, "1e+22"),
            (1e100, "1e+100"),
            (1e300, "1e+300"),
            (1e-7, "1e-07"),
            (5e-324, "5e-324"),
            (f64::MAX, "1.7976931348623157e+308"),
            (INF, "inf"),
            (-INF, "-inf"),
            (NAN, "nan"),
            (5.960464477539063e-08, "5.960464477539063e-08"),
            (1185201688037426.0 + 0.25, "1185201688037426.2"),
            (675210465426501.0 + 0.75, "675210465426501.8"),
            (100.0, "100.0"),
            (1e-300, "1e-300"),
            (1.2345678901234567e19, "1.2345678901234567e+19"),
            (9007199254740992.0 + 1.0, "9007199254740992.0"),
            (1.0 / 3.0, "0.3333333333333333"),
            (-2.5e-10, "-2.5e-10"),
        ];
        for (x, want) in cases {
            assert_eq!(float_repr(x), want, "repr of {x:e}");
        }
    }
}
