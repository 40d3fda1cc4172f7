//! Java number conversions, byte-identical to OpenJDK 17.
//!
//! * [`fmt_double`] / [`fmt_float`]: `Double.toString` / `Float.toString`.
//!   JDK 17 still uses the historical `FloatingDecimal` digit generator,
//!   which is *not* always the shortest representation (for instance
//!   `(double) (1L << 60)` prints as `1.15292150460684698E18`); see
//!   [`dtoa`] for the details that are reproduced.
//! * [`parse_double`] / [`parse_float`]: `Double.parseDouble` /
//!   `Float.parseFloat`, including hexadecimal literals, with optional
//!   exception messages ([`parse_double_msg`], [`FloatParseError`]).
//! * [`parse_int`] / [`parse_long`]: `Integer.parseInt` / `Long.parseLong`
//!   with Java's exact `NumberFormatException` messages.
//! * [`int_to_string_radix`] / [`to_unsigned_string_radix`]:
//!   `Integer.toString(i, radix)`, `Long.toString`, `toHexString`,
//!   `toOctalString`, `toBinaryString`.
//!
//! * [`JavaDecimal`]: the raw digits and decimal exponent behind
//!   `Double.toString`, or (with `compatible_format == false`) the digits
//!   `java.util.Formatter` starts from.
//!
//! Every function is total: no input string or value makes it panic.
//! UTF-16 variants (`*_utf16`) accept Java `char` sequences directly, and
//! `*_into` variants append to an existing `String`.
//!
//! Conformance is checked by `vm/tests/jnum_java.rs` against outputs
//! recorded from OpenJDK 17 (`vm/tests/data/GenDoubles.java`).

mod bignum;
pub mod dtoa;
pub mod int;
pub mod parse;

pub use dtoa::{fmt_double, fmt_double_into, fmt_float, fmt_float_into, JavaDecimal};
pub use int::{
    char_digit, int_to_string_radix, int_to_string_radix_into, parse_int, parse_int_utf16,
    parse_long, parse_long_utf16, to_unsigned_string_radix, to_unsigned_string_radix_into,
    IntParseError,
};
pub use parse::{
    java_trim, parse_double, parse_double_msg, parse_double_utf16, parse_float, parse_float_msg,
    parse_float_utf16, FloatParseError,
};
