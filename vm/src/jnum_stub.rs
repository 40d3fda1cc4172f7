//! TEMPORARY stand-in for `jnum` (Java-exact number formatting and parsing, being
//! written on branch `jnum`). Same names and signatures; approximate results.
//! Replaced by the real module once it lands on main.

fn java_format(digits_exp: String, neg: bool) -> String {
    // `digits_exp` is Rust's `{:e}` form: `d.ddde-5`.
    let (mant, exp) = digits_exp.split_once('e').unwrap_or((&digits_exp, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mant.chars().filter(|c| c.is_ascii_digit()).collect();
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    if (-3..7).contains(&exp) {
        if exp < 0 {
            out.push_str("0.");
            for _ in 0..(-exp - 1) {
                out.push('0');
            }
            out.push_str(&digits);
        } else {
            let int_len = exp as usize + 1;
            let mut d = digits.clone();
            while d.len() < int_len {
                d.push('0');
            }
            out.push_str(&d[..int_len]);
            out.push('.');
            out.push_str(if d.len() > int_len {
                &d[int_len..]
            } else {
                "0"
            });
        }
    } else {
        out.push_str(&digits[..1]);
        out.push('.');
        out.push_str(if digits.len() > 1 { &digits[1..] } else { "0" });
        out.push('E');
        out.push_str(&exp.to_string());
    }
    out
}

pub fn fmt_double(d: f64) -> String {
    if d.is_nan() {
        return "NaN".into();
    }
    if d.is_infinite() {
        return if d > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    if d == 0.0 {
        return if d.is_sign_negative() { "-0.0" } else { "0.0" }.into();
    }
    java_format(format!("{:e}", d.abs()), d < 0.0)
}

pub fn fmt_float(f: f32) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    if f == 0.0 {
        return if f.is_sign_negative() { "-0.0" } else { "0.0" }.into();
    }
    java_format(format!("{:e}", f.abs()), f < 0.0)
}

fn trimmed(s: &str) -> &str {
    s.trim_matches(|c: char| c <= ' ')
}

fn float_text(s: &str) -> Option<&str> {
    let t = trimmed(s);
    let t = t.strip_suffix(['d', 'D', 'f', 'F']).unwrap_or(t);
    (!t.is_empty()).then_some(t)
}

pub fn parse_double_msg(s: &str) -> Result<f64, String> {
    float_text(s)
        .and_then(|t| t.parse::<f64>().ok())
        .ok_or_else(|| {
            if trimmed(s).is_empty() {
                "empty String".to_string()
            } else {
                format!("For input string: \"{}\"", trimmed(s))
            }
        })
}

pub fn parse_float_msg(s: &str) -> Result<f32, String> {
    parse_double_msg(s).map(|d| d as f32)
}

fn parse_radix(s: &str, radix: u32, min: i128, max: i128) -> Result<i128, String> {
    if radix < 2 {
        return Err(format!("radix {radix} less than Character.MIN_RADIX"));
    }
    if radix > 36 {
        return Err(format!("radix {radix} greater than Character.MAX_RADIX"));
    }
    let err = || {
        if radix == 10 {
            format!("For input string: \"{s}\"")
        } else {
            format!("For input string: \"{s}\" under radix {radix}")
        }
    };
    let (neg, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() {
        return Err(err());
    }
    let mut v: i128 = 0;
    for c in digits.chars() {
        let d = c.to_digit(radix).ok_or_else(err)? as i128;
        v = v * radix as i128 + d;
        if v > max + 1 {
            return Err(err());
        }
    }
    let v = if neg { -v } else { v };
    if v < min || v > max {
        return Err(err());
    }
    Ok(v)
}

pub fn parse_int(s: &str, radix: u32) -> Result<i32, String> {
    parse_radix(s, radix, i32::MIN as i128, i32::MAX as i128).map(|v| v as i32)
}

pub fn parse_long(s: &str, radix: u32) -> Result<i64, String> {
    parse_radix(s, radix, i64::MIN as i128, i64::MAX as i128).map(|v| v as i64)
}

pub fn int_to_string_radix(i: i64, radix: u32) -> String {
    let radix = if (2..=36).contains(&radix) { radix } else { 10 };
    let neg = i < 0;
    let mut v = (i as i128).unsigned_abs();
    let mut out = Vec::new();
    loop {
        out.push(std::char::from_digit((v % radix as u128) as u32, radix).unwrap_or('?'));
        v /= radix as u128;
        if v == 0 {
            break;
        }
    }
    if neg {
        out.push('-');
    }
    out.iter().rev().collect()
}

pub fn to_unsigned_string_radix(bits: u64, width_bits: u32, shift: u32) -> String {
    let bits = if width_bits < 64 {
        bits & ((1u64 << width_bits) - 1)
    } else {
        bits
    };
    match shift {
        1 => format!("{bits:b}"),
        3 => format!("{bits:o}"),
        _ => format!("{bits:x}"),
    }
}
