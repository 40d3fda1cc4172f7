//! The arithmetic of the reports: means, minima, ratios and geometric means.
//! Ratios are only ever formed from numbers of the same harness run.

pub fn mean(xs: &[f64]) -> Option<f64> {
    if xs.is_empty() {
        None
    } else {
        Some(xs.iter().sum::<f64>() / xs.len() as f64)
    }
}

pub fn min(xs: &[f64]) -> Option<f64> {
    xs.iter().copied().reduce(f64::min)
}

/// `a / b`, when both exist and b is positive.
pub fn ratio(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) if b > 0.0 && a.is_finite() && b.is_finite() => Some(a / b),
        _ => None,
    }
}

/// The geometric mean of the positive, finite values; None if there are none.
pub fn geomean(xs: &[f64]) -> Option<f64> {
    let logs: Vec<f64> = xs
        .iter()
        .filter(|x| x.is_finite() && **x > 0.0)
        .map(|x| x.ln())
        .collect();
    mean(&logs).map(f64::exp)
}

/// Formats an optional number, "-" when absent.
pub fn fmt(x: Option<f64>, decimals: usize) -> String {
    match x {
        Some(x) => format!("{x:.decimals$}"),
        None => "-".to_string(),
    }
}

pub const MIB: f64 = 1024.0 * 1024.0;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn geomean_of_ratios() {
        let g = geomean(&[2.0, 8.0]).unwrap();
        assert!((g - 4.0).abs() < 1e-12);
        assert!((geomean(&[0.5, 2.0]).unwrap() - 1.0).abs() < 1e-12);
        assert_eq!(geomean(&[]), None);
        // Non-positive values are not ratios and are left out.
        assert!((geomean(&[3.0, 0.0, -1.0]).unwrap() - 3.0).abs() < 1e-12);
    }

    #[test]
    fn mean_min_ratio() {
        assert_eq!(mean(&[1.0, 2.0, 3.0]), Some(2.0));
        assert_eq!(min(&[3.0, 1.5, 2.0]), Some(1.5));
        assert_eq!(ratio(Some(3.0), Some(2.0)), Some(1.5));
        assert_eq!(ratio(Some(3.0), Some(0.0)), None);
        assert_eq!(ratio(None, Some(2.0)), None);
        assert_eq!(fmt(Some(1.23456), 2), "1.23");
        assert_eq!(fmt(None, 2), "-");
    }
}
