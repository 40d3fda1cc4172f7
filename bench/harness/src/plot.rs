//! SVG charts (plotters' SVG backend): grouped bars, stacked bars and lines.
//! Categories are labelled under the plot area, one label per group.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::path::Path;

const COLORS: [RGBColor; 8] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
];

fn color(i: usize) -> RGBColor {
    COLORS[i % COLORS.len()]
}

type Res = Result<(), String>;

fn err<E: std::fmt::Debug>(e: E) -> String {
    format!("plot: {e:?}")
}

/// One bar group per category, one bar per series; `None` leaves a gap.
/// With `log_y` the y axis is logarithmic.
pub fn grouped_bars(
    path: &Path,
    title: &str,
    y_label: &str,
    categories: &[String],
    series: &[(String, Vec<Option<f64>>)],
    log_y: bool,
) -> Res {
    let values: Vec<f64> = series
        .iter()
        .flat_map(|(_, v)| v.iter().flatten().copied())
        .filter(|v| *v > 0.0)
        .collect();
    let hi = values.iter().copied().fold(0.0, f64::max).max(1e-9);
    let lo = values.iter().copied().fold(hi, f64::min);
    let width = (160 + 90 * categories.len() * series.len().max(1) / 2).clamp(640, 1400) as u32;
    let root = SVGBackend::new(path, (width, 480)).into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
    let n = categories.len().max(1) as f64;
    let k = series.len().max(1) as f64;
    let bar = 0.8 / k;
    let x_of = |c: usize, s: usize| c as f64 - 0.4 + bar * s as f64;
    if log_y {
        let (lo, hi) = (lo / 1.5, hi * 4.0);
        let mut chart = builder(&root, title)
            .build_cartesian_2d(-0.5..n - 0.5, (lo..hi).log_scale())
            .map_err(err)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(0)
            .y_desc(y_label)
            .draw()
            .map_err(err)?;
        for (s, (name, vals)) in series.iter().enumerate() {
            let c = color(s);
            let rects = vals.iter().enumerate().filter_map(|(i, v)| {
                v.filter(|v| *v > 0.0)
                    .map(|v| Rectangle::new([(x_of(i, s), lo), (x_of(i, s) + bar, v)], c.filled()))
            });
            chart
                .draw_series(rects)
                .map_err(err)?
                .label(name.as_str())
                .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 10, y + 5)], c.filled()));
        }
        legend(&mut chart)?;
        let coords: Vec<(i32, i32)> = (0..categories.len())
            .map(|i| chart.backend_coord(&(i as f64, lo)))
            .collect();
        category_labels(&root, categories, &coords)?;
    } else {
        let hi = hi * 1.3;
        let mut chart = builder(&root, title)
            .build_cartesian_2d(-0.5..n - 0.5, 0.0..hi)
            .map_err(err)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(0)
            .y_desc(y_label)
            .draw()
            .map_err(err)?;
        for (s, (name, vals)) in series.iter().enumerate() {
            let c = color(s);
            let rects = vals.iter().enumerate().filter_map(|(i, v)| {
                v.map(|v| {
                    Rectangle::new(
                        [(x_of(i, s), 0.0), (x_of(i, s) + bar, v.max(0.0))],
                        c.filled(),
                    )
                })
            });
            chart
                .draw_series(rects)
                .map_err(err)?
                .label(name.as_str())
                .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 10, y + 5)], c.filled()));
        }
        legend(&mut chart)?;
        let coords: Vec<(i32, i32)> = (0..categories.len())
            .map(|i| chart.backend_coord(&(i as f64, 0.0)))
            .collect();
        category_labels(&root, categories, &coords)?;
    }
    root.present().map_err(err)
}

/// One stacked bar per category; `stacks[j].1[i]` is part j of category i.
pub fn stacked_bars(
    path: &Path,
    title: &str,
    y_label: &str,
    categories: &[String],
    stacks: &[(String, Vec<f64>)],
) -> Res {
    let totals: Vec<f64> = (0..categories.len())
        .map(|i| {
            stacks
                .iter()
                .map(|(_, v)| v.get(i).copied().unwrap_or(0.0))
                .sum()
        })
        .collect();
    let hi = totals.iter().copied().fold(0.0, f64::max).max(1e-9) * 1.3;
    let width = (160 + 80 * categories.len()).clamp(640, 1400) as u32;
    let root = SVGBackend::new(path, (width, 480)).into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
    let n = categories.len().max(1) as f64;
    let mut chart = builder(&root, title)
        .build_cartesian_2d(-0.5..n - 0.5, 0.0..hi)
        .map_err(err)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(0)
        .y_desc(y_label)
        .draw()
        .map_err(err)?;
    let mut base = vec![0.0; categories.len()];
    for (j, (name, vals)) in stacks.iter().enumerate() {
        let c = color(j);
        let rects: Vec<_> = (0..categories.len())
            .map(|i| {
                let v = vals.get(i).copied().unwrap_or(0.0).max(0.0);
                let r = Rectangle::new(
                    [(i as f64 - 0.35, base[i]), (i as f64 + 0.35, base[i] + v)],
                    c.filled(),
                );
                base[i] += v;
                r
            })
            .collect();
        chart
            .draw_series(rects)
            .map_err(err)?
            .label(name.as_str())
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 10, y + 5)], c.filled()));
    }
    legend(&mut chart)?;
    let coords: Vec<(i32, i32)> = (0..categories.len())
        .map(|i| chart.backend_coord(&(i as f64, 0.0)))
        .collect();
    category_labels(&root, categories, &coords)?;
    root.present().map_err(err)
}

/// Lines through (x, y) points, one per series, with a marker at each point.
pub fn lines(
    path: &Path,
    title: &str,
    x_label: &str,
    y_label: &str,
    series: &[(String, Vec<(f64, f64)>)],
) -> Res {
    let pts: Vec<(f64, f64)> = series.iter().flat_map(|(_, p)| p.iter().copied()).collect();
    let (x_lo, x_hi) = pts
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.0), b.max(p.0)));
    let (x_lo, x_hi) = if pts.is_empty() {
        (0.0, 1.0)
    } else {
        (x_lo, x_hi)
    };
    let pad = ((x_hi - x_lo) * 0.05).max(1.0);
    let y_hi = pts.iter().map(|p| p.1).fold(1.0, f64::max) * 1.3;
    let root = SVGBackend::new(path, (760, 480)).into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
    let mut chart = builder(&root, title)
        .build_cartesian_2d(x_lo - pad..x_hi + pad, 0.0..y_hi)
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_desc(x_label)
        .y_desc(y_label)
        .draw()
        .map_err(err)?;
    for (s, (name, points)) in series.iter().enumerate() {
        let c = color(s);
        let mut points = points.clone();
        points.sort_by(|a, b| a.0.total_cmp(&b.0));
        chart
            .draw_series(LineSeries::new(points.clone(), c.stroke_width(2)))
            .map_err(err)?
            .label(name.as_str())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], c.stroke_width(2)));
        chart
            .draw_series(points.iter().map(|&p| Circle::new(p, 4, c.filled())))
            .map_err(err)?;
    }
    legend(&mut chart)?;
    root.present().map_err(err)
}

fn builder<'a, 'b>(
    root: &'a DrawingArea<SVGBackend<'b>, Shift>,
    title: &str,
) -> ChartBuilder<'a, 'b, SVGBackend<'b>> {
    let mut b = ChartBuilder::on(root);
    b.caption(title, ("sans-serif", 18))
        .margin(12)
        .x_label_area_size(56)
        .y_label_area_size(70);
    b
}

fn legend<'a, X: Ranged, Y: Ranged>(
    chart: &mut ChartContext<'a, SVGBackend<'a>, Cartesian2d<X, Y>>,
) -> Res {
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()
        .map_err(err)
}

fn category_labels(
    root: &DrawingArea<SVGBackend<'_>, Shift>,
    names: &[String],
    at: &[(i32, i32)],
) -> Res {
    let style = TextStyle::from(("sans-serif", 13))
        .color(&BLACK)
        .pos(Pos::new(HPos::Center, VPos::Top));
    for (name, &(x, y)) in names.iter().zip(at) {
        root.draw(&Text::new(name.clone(), (x, y + 6), style.clone()))
            .map_err(err)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmp(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("semeru-bench-plot-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir.join(name)
    }

    fn is_svg(p: &Path) -> bool {
        std::fs::read_to_string(p).is_ok_and(|s| s.contains("<svg"))
    }

    #[test]
    fn writes_svg_files() {
        let cats = vec!["fib 32".to_string(), "nbody 1000".to_string()];
        let series = vec![
            ("semeru".to_string(), vec![Some(0.3), Some(2.0)]),
            ("java".to_string(), vec![None, Some(0.1)]),
        ];
        let p = tmp("bars.svg");
        grouped_bars(&p, "t", "s", &cats, &series, true).unwrap();
        assert!(is_svg(&p));
        let p = tmp("bars-lin.svg");
        grouped_bars(&p, "t", "s", &cats, &series, false).unwrap();
        assert!(is_svg(&p));
        let p = tmp("stack.svg");
        stacked_bars(
            &p,
            "t",
            "MiB",
            &cats,
            &[("a".into(), vec![1.0, 2.0]), ("b".into(), vec![3.0, 0.0])],
        )
        .unwrap();
        assert!(is_svg(&p));
        let p = tmp("lines.svg");
        lines(
            &p,
            "t",
            "cache %",
            "x",
            &[("offload".into(), vec![(100.0, 1.1), (25.0, 1.4)])],
        )
        .unwrap();
        assert!(is_svg(&p));
        let _ = std::fs::remove_dir_all(p.parent().unwrap());
    }
}
