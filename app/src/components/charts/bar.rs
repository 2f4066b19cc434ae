//! Bar charts.
//!
//! [`BarRows`]: horizontal bars, one per row of an HTML list drawn beside the canvas (the
//! child organisations, a branch's members). The canvas and the list share one geometry
//! ([`RowGeometry`]), so each bar sits level with its name, and a click on a bar opens the
//! same thing as a click on its row.
//!
//! [`Columns`]: vertical bars over a few named categories (a member's index by dimension).

use domain::Unit;

use super::ChartData;
use super::theme::Rgb;

/// Where the rows are on a row-aligned canvas, in design pixels. The rows share a fixed
/// area: a short list gets taller rows (down to `min_rows` rows' worth of height each), a
/// long one is paged `slots` rows at a time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RowGeometry {
    /// Empty space above the first row (level with the list's header).
    pub top: u32,
    /// Height of the area the rows share.
    pub area: u32,
    /// Height of the value axis under the rows.
    pub axis: u32,
    /// Rows on a page at most.
    pub slots: u32,
    /// The area is divided into at least this many rows (so few rows are not too tall).
    pub min_rows: u32,
}

impl RowGeometry {
    /// Canvas height for this geometry.
    pub fn height(&self) -> u32 {
        self.top + self.area + self.axis
    }

    /// Into how many rows the area is divided when `shown` rows are on the page.
    pub fn divisions(&self, shown: usize) -> u32 {
        let most = self.slots.max(1);
        (shown.min(most as usize) as u32).clamp(self.min_rows.clamp(1, most), most)
    }

    /// Height of one row when `shown` rows are on the page (whole pixels, shared by the
    /// HTML list and the canvas).
    pub fn row(&self, shown: usize) -> u32 {
        self.area / self.divisions(shown)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct BarRow {
    /// What a click on the row opens.
    pub key: String,
    /// Stacked parts of the bar, left to right (one for a plain bar).
    pub parts: Vec<f64>,
    /// Shown after the bar (`87.5%`, `红3 黄5`).
    pub label: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct BarRows {
    pub geometry: RowGeometry,
    pub rows: Vec<BarRow>,
    /// Colour of each part.
    pub colors: Vec<Rgb>,
    /// A fixed end of the value axis (100 for percentages); else it follows the data.
    pub max: Option<f64>,
    pub unit: Unit,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Columns {
    pub labels: Vec<String>,
    pub values: Vec<f64>,
    pub colors: Vec<Rgb>,
    pub unit: Unit,
}

/// How many value labels an axis of `width` pixels carries: one per three label heights,
/// two to five (the wall's 500-pixel charts keep five).
pub fn axis_labels(width: f64, label_px: f64) -> usize {
    ((width / (3.0 * label_px)).max(0.0) as usize).clamp(2, 5)
}

/// The axis end for bars of at most `largest`: `fixed` if given, else room for the value
/// labels after the longest bar.
pub fn axis_end(largest: f64, fixed: Option<f64>) -> f64 {
    match fixed {
        Some(m) => m.max(largest),
        None if largest <= 0.0 => 1.0,
        None => largest * 1.35,
    }
}

/// Left and right margins of a [`BarRows`] canvas around its plot, and the gap between a bar
/// and the value after it, in design pixels.
pub const ROW_MARGINS: (u32, u32) = (36, 40);
pub const LABEL_GAP: u32 = 12;

/// Room a value label wants after its bar before it goes inside the bar's end instead, in
/// design pixels (the wall's rule since it had charts).
pub const ROOM_AFTER: i32 = 130;

/// The axis end that keeps every value label whole, `widths[i]` wide as the canvas measures
/// it, on a plot `plot` pixels wide. On the wall's wide charts [`axis_end`] always does (a
/// label goes after its bar, or inside a bar long enough to hold it). On a narrow chart (the
/// briefing's four comparison columns) a short bar near the end of a short axis can hold its
/// label neither way, and the label was cut at the canvas's edge: for such a bar the axis
/// grows until the label fits after it (into the right margin), never shrinking a bar below
/// 40 % of the plot for it. A fixed end (100 %) stays.
pub fn axis_end_for_labels(values: &[f64], widths: &[f64], plot: f64, fixed: Option<f64>) -> f64 {
    let largest = values.iter().copied().fold(0.0, f64::max);
    let first = axis_end(largest, fixed);
    if fixed.is_some() {
        return first;
    }
    let mut end = first;
    for (v, w) in values.iter().zip(widths) {
        let bar = v / first * plot;
        let cut = bar + f64::from(ROOM_AFTER) > plot && bar - 10.0 < *w;
        // bar + gap + label + 2 ≤ plot + right margin
        let room = plot + f64::from(ROW_MARGINS.1) - f64::from(LABEL_GAP) - 2.0 - w;
        if cut && *v > 0.0 && room >= 0.4 * plot {
            end = end.max(v * plot / room);
        }
    }
    end
}

impl ChartData for BarRows {
    #[cfg(feature = "hydrate")]
    fn draw(&self, canvas: super::backend::WallCanvas) -> Result<super::hits::Hits, String> {
        draw::rows(self, canvas)
    }
}

impl ChartData for Columns {
    #[cfg(feature = "hydrate")]
    fn draw(&self, canvas: super::backend::WallCanvas) -> Result<super::hits::Hits, String> {
        draw::columns(self, canvas)
    }
}

#[cfg(feature = "hydrate")]
mod draw {
    use plotters::coord::ranged1d::SegmentValue;
    use plotters::prelude::*;
    use plotters::style::text_anchor::{HPos, VPos};

    use super::{BarRows, Columns, axis_labels};
    use crate::components::charts::backend::WallCanvas;
    use crate::components::charts::hits::{Hits, Shape};
    use crate::components::charts::paint::{anchored, empty, err, rgb, wall_mesh};
    use crate::components::charts::theme::{self, LABEL_PX};
    use crate::format::format_figure;
    use domain::Unit;

    pub fn rows(d: &BarRows, canvas: WallCanvas) -> Result<Hits, String> {
        if d.rows.is_empty() {
            return empty(canvas, "暂无数据");
        }
        let g = d.geometry;
        let (w, h) = canvas.get_size();
        let divisions = g.divisions(d.rows.len());
        let rows_height = g.row(d.rows.len()) * divisions;
        let area = canvas.into_drawing_area();
        let (left, right_margin) = super::ROW_MARGINS;
        let plot = f64::from(w) - f64::from(left + right_margin);
        let shown: Vec<&super::BarRow> = d.rows.iter().take(divisions as usize).collect();
        // the value labels as the canvas measures them (at the size it will draw them)
        let label_style = anchored(LABEL_PX - 2.0, theme::TEXT, HPos::Left, VPos::Center);
        let widths: Vec<f64> = shown.iter().map(|r| area.estimate_text_size(&r.label, &label_style).map_or(0.0, |(tw, _)| f64::from(tw))).collect();
        let totals: Vec<f64> = shown.iter().map(|r| r.parts.iter().sum::<f64>()).collect();
        let end = super::axis_end_for_labels(&totals, &widths, plot, d.max);
        let slots = f64::from(divisions);
        // only a percentage axis carries its unit (counts and points read bare)
        let suffix = if d.unit == Unit::Percent { d.unit.suffix() } else { "" };
        let x_fmt = |v: &f64| format!("{}{suffix}", format_figure(*v));

        // y runs bottom-up in plotters; row i (from the top) spans [slots-i-1, slots-i].
        // The axis takes whatever the whole-pixel rows leave of the area.
        let mut chart = ChartBuilder::on(&area)
            .margin_top(g.top)
            .margin_left(left)
            .margin_right(right_margin)
            .x_label_area_size(h.saturating_sub(g.top + rows_height))
            .build_cartesian_2d(0.0..end, 0.0..slots)
            .map_err(err)?;
        let labels = axis_labels(plot, LABEL_PX - 4.0);
        wall_mesh(chart.configure_mesh().disable_y_mesh().y_labels(0).x_labels(labels).x_label_formatter(&x_fmt), LABEL_PX - 4.0).draw().map_err(err)?;

        let mut hits = Hits::default();
        for (i, row) in shown.iter().enumerate() {
            let y1 = slots - i as f64;
            let y0 = y1 - 1.0;
            let mut x = 0.0;
            for (k, part) in row.parts.iter().enumerate() {
                if *part <= 0.0 {
                    continue;
                }
                let color = d.colors.get(k).copied().unwrap_or(theme::GOLD);
                chart.draw_series(std::iter::once(Rectangle::new([(x, y0 + 0.2), (x + part, y1 - 0.2)], rgb(color).filled()))).map_err(err)?;
                x += part;
            }
            // The value after the bar when there is room (ROOM_AFTER), else inside its end;
            // a label that does not fit inside goes after the bar when it fits there, else
            // against the canvas's right edge.
            let (px, py) = chart.backend_coord(&(x, y0 + 0.5));
            let (origin, _) = chart.backend_coord(&(0.0, y0));
            let (right, _) = chart.backend_coord(&(end, y0));
            let lw = widths[i].ceil() as i32;
            let gap = super::LABEL_GAP as i32;
            let after = (px + gap, label_style.clone());
            let (lx, style) = if px + super::ROOM_AFTER <= right {
                after
            } else if px - 10 - lw >= origin {
                (px - 10, anchored(LABEL_PX - 2.0, theme::PANEL, HPos::Right, VPos::Center))
            } else if px + gap + lw <= w as i32 - 2 {
                after
            } else {
                (w as i32 - 2, anchored(LABEL_PX - 2.0, theme::TEXT, HPos::Right, VPos::Center))
            };
            area.draw(&Text::new(row.label.clone(), (lx, py), style)).map_err(err)?;

            let (_, top) = chart.backend_coord(&(0.0, y1));
            let (_, bottom) = chart.backend_coord(&(0.0, y0));
            hits.push(Shape::Rect { x0: 0.0, y0: f64::from(top), x1: f64::from(w), y1: f64::from(bottom) }, row.key.clone());
        }
        area.present().map_err(err)?;
        Ok(hits)
    }

    pub fn columns(d: &Columns, canvas: WallCanvas) -> Result<Hits, String> {
        let n = d.values.len();
        if n == 0 {
            return empty(canvas, "暂无数据");
        }
        let area = canvas.into_drawing_area();
        let lo = d.values.iter().copied().fold(0.0, f64::min);
        let hi = d.values.iter().copied().fold(0.0, f64::max);
        let (lo, hi) = (if lo < 0.0 { lo * 1.25 } else { 0.0 }, if hi <= 0.0 { 1.0 } else { hi * 1.25 });
        let labels = &d.labels;
        let x_fmt = |v: &SegmentValue<i32>| match v {
            SegmentValue::CenterOf(i) => labels.get(*i as usize).cloned().unwrap_or_default(),
            _ => String::new(),
        };
        let suffix = d.unit.suffix();
        let y_fmt = |v: &f64| format!("{}{suffix}", format_figure(*v));
        let mut chart = ChartBuilder::on(&area)
            .margin_top(24)
            .margin_right(24)
            .x_label_area_size(60)
            .y_label_area_size(110)
            // one segment per column: plotters' integer ranges hold both ends (0..n would be
            // n + 1 segments, the last one empty)
            .build_cartesian_2d((0..n as i32 - 1).into_segmented(), lo..hi)
            .map_err(err)?;
        wall_mesh(chart.configure_mesh().disable_x_mesh().x_labels(n).y_labels(5).x_label_formatter(&x_fmt).y_label_formatter(&y_fmt), LABEL_PX)
            .draw()
            .map_err(err)?;
        for (i, v) in d.values.iter().enumerate() {
            let color = d.colors.get(i).copied().unwrap_or(theme::GOLD);
            let mut bar = Rectangle::new([(SegmentValue::Exact(i as i32), 0.0), (SegmentValue::Exact(i as i32 + 1), *v)], rgb(color).filled());
            bar.set_margin(0, 0, 36, 36);
            chart.draw_series(std::iter::once(bar)).map_err(err)?;
            let (px, py) = chart.backend_coord(&(SegmentValue::CenterOf(i as i32), *v));
            let (v_pos, dy) = if *v < 0.0 { (VPos::Top, 10) } else { (VPos::Bottom, -10) };
            area.draw(&Text::new(format!("{}{suffix}", format_figure(*v)), (px, py + dy), anchored(LABEL_PX + 4.0, theme::TEXT, HPos::Center, v_pos)))
                .map_err(err)?;
        }
        area.present().map_err(err)?;
        Ok(Hits::default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn geometry() {
        let g = RowGeometry { top: 10, area: 600, axis: 40, slots: 12, min_rows: 8 };
        assert_eq!(g.height(), 650);
        // a full page: twelve rows of 50
        assert_eq!((g.divisions(12), g.row(12)), (12, 50));
        assert_eq!(g.row(30), 50);
        // a short list: taller rows, but never taller than an eighth of the area
        assert_eq!((g.divisions(3), g.row(3)), (8, 75));
        assert_eq!((g.divisions(10), g.row(10)), (10, 60));
        let odd = RowGeometry { top: 0, area: 100, axis: 0, slots: 3, min_rows: 3 };
        assert_eq!(odd.row(3) * odd.divisions(3), 99);
    }

    #[test]
    fn value_labels() {
        // the wall's comparison charts (500 wide) keep their five labels
        assert_eq!(axis_labels(500.0 - 76.0, 28.0), 5);
        assert_eq!(axis_labels(1548.0 - 76.0, 28.0), 5);
        assert_eq!(axis_labels(217.0 - 76.0, 28.0), 2);
        assert_eq!(axis_labels(-10.0, 28.0), 2);
    }

    #[test]
    fn room_for_the_labels() {
        // a wide chart (the wall's): axis_end keeps every label whole
        assert_eq!(axis_end_for_labels(&[100.0, 50.0, 3.0], &[90.0, 90.0, 200.0], 1400.0, None), 135.0);
        assert_eq!(axis_end_for_labels(&[287.33, 254.06], &[100.0, 100.0], 424.0, None), 287.33 * 1.35);
        // the briefing's narrow chart: the longest bar's label fits after it, within the canvas
        let (plot, w) = (141.0, 100.0);
        let end = axis_end_for_labels(&[287.33, 254.06], &[w, w], plot, None);
        let room = plot + f64::from(ROW_MARGINS.1) - f64::from(LABEL_GAP) - 2.0 - w;
        assert!((287.33 / end * plot) <= room + 1e-9, "end {end}");
        assert!(end > 287.33 * 1.35);
        // a fixed end stays; a label too wide for the chart does not shrink the bars
        assert_eq!(axis_end_for_labels(&[50.0], &[60.0], 141.0, Some(100.0)), 100.0);
        assert_eq!(axis_end_for_labels(&[10.0], &[400.0], 141.0, None), 13.5);
    }

    #[test]
    fn axis() {
        assert_eq!(axis_end(80.0, Some(100.0)), 100.0);
        assert_eq!(axis_end(120.0, Some(100.0)), 120.0);
        assert_eq!(axis_end(0.0, None), 1.0);
        assert!(axis_end(10.0, None) > 10.0);
    }
}
