//! Line charts of monthly series (12-month trends, a member's index through the year).
//! Months without a value are gaps: the line breaks there instead of dropping to zero.

use domain::Unit;

use super::ChartData;
use super::theme::Rgb;

#[derive(Clone, Debug, PartialEq)]
pub struct LineData {
    /// Tick label of each point (`3月`).
    pub ticks: Vec<String>,
    /// What a click on each point's column opens (a month); empty when not clickable.
    pub keys: Vec<String>,
    pub values: Vec<Option<f64>>,
    /// Unit of the catalogue (a percentage fixes the axis at 0–100).
    pub unit: Unit,
    pub color: Rgb,
    /// A point drawn highlighted (the month whose details are shown beside the chart).
    pub selected: Option<usize>,
}

/// Runs of consecutive points with values, as (index, value): each becomes one line.
pub fn runs(values: &[Option<f64>]) -> Vec<Vec<(usize, f64)>> {
    let mut out: Vec<Vec<(usize, f64)>> = Vec::new();
    let mut current = Vec::new();
    for (i, v) in values.iter().enumerate() {
        match v {
            Some(v) if v.is_finite() => current.push((i, *v)),
            _ => {
                if !current.is_empty() {
                    out.push(std::mem::take(&mut current));
                }
            }
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// Every how many points a month is labelled, so that labels of `label_px` (`12月`, about
/// two characters) fit side by side across `width`; the newest point is always labelled.
pub fn tick_step(n: usize, width: f64, label_px: f64) -> usize {
    if n == 0 || width <= 0.0 {
        return 1;
    }
    ((n as f64 * 2.2 * label_px / width).ceil() as usize).max(1)
}

/// The value axis: 0–100 for percentages, else from zero (or the lowest value, if
/// negative) to a little above the highest, so the line never touches the top.
pub fn value_range(values: &[Option<f64>], unit: Unit) -> (f64, f64) {
    let present = values.iter().flatten().copied().filter(|v| v.is_finite());
    let (lo, hi) = present.fold((0.0f64, f64::MIN), |(lo, hi), v| (lo.min(v), hi.max(v)));
    if unit == Unit::Percent {
        return (lo.min(0.0), hi.max(100.0));
    }
    let hi = if hi <= 0.0 { 1.0 } else { hi * 1.18 };
    let lo = if lo < 0.0 { lo * 1.18 } else { 0.0 };
    (lo, hi)
}

impl ChartData for LineData {
    #[cfg(feature = "hydrate")]
    fn draw(&self, canvas: super::backend::WallCanvas) -> Result<super::hits::Hits, String> {
        draw::line(self, canvas)
    }
}

#[cfg(feature = "hydrate")]
mod draw {
    use plotters::coord::ranged1d::SegmentValue;
    use plotters::prelude::*;
    use plotters::style::text_anchor::{HPos, VPos};

    use super::{LineData, runs, tick_step, value_range};
    use crate::components::charts::backend::WallCanvas;
    use crate::components::charts::hits::{Hits, Shape};
    use crate::components::charts::paint::{anchored, err, rgb, wall_mesh};
    use crate::components::charts::theme::{self, LABEL_PX};
    use crate::format::{format_figure, format_in_unit};

    pub fn line(d: &LineData, canvas: WallCanvas) -> Result<Hits, String> {
        let n = d.values.len();
        if n == 0 || d.values.iter().all(Option::is_none) {
            return crate::components::charts::paint::empty(canvas, "暂无数据");
        }
        // the plot is the canvas less the value labels (120) and the margins (32)
        let step = tick_step(n, f64::from(canvas.get_size().0) - 152.0, LABEL_PX - 2.0);
        let area = canvas.into_drawing_area();
        let (lo, hi) = value_range(&d.values, d.unit);
        let suffix = d.unit.suffix();
        let ticks = &d.ticks;
        let x_fmt = |v: &SegmentValue<i32>| match v {
            SegmentValue::CenterOf(i) if (n - 1).saturating_sub(*i as usize).is_multiple_of(step) => ticks.get(*i as usize).cloned().unwrap_or_default(),
            _ => String::new(),
        };
        let y_fmt = |v: &f64| format!("{}{suffix}", format_figure(*v));

        let mut chart = ChartBuilder::on(&area)
            .margin_top(if d.selected.is_some() { 64 } else { 24 })
            .margin_right(24)
            .margin_left(8)
            .x_label_area_size(52)
            .y_label_area_size(120)
            .build_cartesian_2d((0..n as i32).into_segmented(), lo..hi)
            .map_err(err)?;
        wall_mesh(chart.configure_mesh().disable_x_mesh().x_labels(n).y_labels(5).x_label_formatter(&x_fmt).y_label_formatter(&y_fmt), LABEL_PX - 2.0)
            .draw()
            .map_err(err)?;

        let color = rgb(d.color);
        let at = |i: usize| SegmentValue::CenterOf(i as i32);
        for run in runs(&d.values) {
            // a soft fill under the line, then the line, then the points
            let mut outline: Vec<(SegmentValue<i32>, f64)> = Vec::with_capacity(run.len() + 2);
            outline.push((at(run[0].0), lo.max(0.0)));
            outline.extend(run.iter().map(|&(i, v)| (at(i), v)));
            outline.push((at(run[run.len() - 1].0), lo.max(0.0)));
            chart.draw_series(std::iter::once(Polygon::new(outline, color.mix(0.14).filled()))).map_err(err)?;
            chart.draw_series(LineSeries::new(run.iter().map(|&(i, v)| (at(i), v)), color.stroke_width(5))).map_err(err)?;
            chart.draw_series(run.iter().map(|&(i, v)| Circle::new((at(i), v), 8, color.filled()))).map_err(err)?;
        }

        if let Some((sel, v)) = d.selected.filter(|&s| s < n).and_then(|s| d.values[s].map(|v| (s, v))) {
            chart.draw_series(std::iter::once(Circle::new((at(sel), v), 16, rgb(theme::TEXT).stroke_width(4)))).map_err(err)?;
        }

        // The highlighted point's value, in words, above it.
        if let Some((i, v)) = d.selected.and_then(|s| d.values.get(s).copied().flatten().map(|v| (s, v))) {
            let (px, py) = chart.backend_coord(&(at(i), v));
            area.draw(&Text::new(format_in_unit(Some(v), d.unit), (px, py - 24), anchored(LABEL_PX + 4.0, d.color, HPos::Center, VPos::Bottom)))
                .map_err(err)?;
        }

        let mut hits = Hits::default();
        if d.keys.len() == n {
            let (_, top) = chart.backend_coord(&(at(0), hi));
            let (_, bottom) = chart.backend_coord(&(at(0), lo));
            for (i, key) in d.keys.iter().enumerate() {
                let (x0, _) = chart.backend_coord(&(SegmentValue::Exact(i as i32), hi));
                let (x1, _) = chart.backend_coord(&(SegmentValue::Exact(i as i32 + 1), hi));
                hits.push(Shape::Rect { x0: f64::from(x0), y0: f64::from(top), x1: f64::from(x1), y1: f64::from(bottom) }, key.clone());
            }
        }
        area.present().map_err(err)?;
        Ok(hits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gaps_split_the_line() {
        let v = [Some(1.0), Some(2.0), None, Some(4.0), None, None, Some(7.0), Some(f64::NAN)];
        assert_eq!(runs(&v), vec![vec![(0, 1.0), (1, 2.0)], vec![(3, 4.0)], vec![(6, 7.0)]]);
        assert!(runs(&[None, None]).is_empty());
    }

    #[test]
    fn ticks_thin_out_on_narrow_charts() {
        // the wall's trend (1124 wide) and month charts label every month
        assert_eq!(tick_step(12, 1124.0 - 152.0, 30.0), 1);
        assert_eq!(tick_step(12, 2272.0 - 152.0, 30.0), 1);
        // a briefing trend (532 wide): every third month
        assert_eq!(tick_step(12, 532.0 - 152.0, 30.0), 3);
        assert_eq!(tick_step(0, 100.0, 30.0), 1);
        assert_eq!(tick_step(5, -3.0, 30.0), 1);
    }

    #[test]
    fn ranges() {
        assert_eq!(value_range(&[Some(40.0), None, Some(90.0)], Unit::Percent), (0.0, 100.0));
        let (lo, hi) = value_range(&[Some(10.0), Some(20.0)], Unit::Points);
        assert_eq!(lo, 0.0);
        assert!(hi > 20.0);
        let (lo, _) = value_range(&[Some(-5.0), Some(2.0)], Unit::Points);
        assert!(lo < -5.0);
        assert_eq!(value_range(&[None], Unit::Count), (0.0, 1.0));
    }
}
