//! Donut charts of compositions (member categories, member lights, evaluation grades).
//! Names, counts and shares are in the HTML legend under the canvas, where they stay
//! legible at any slice size; the canvas carries the proportions and the total.

use super::ChartData;
use super::theme::Rgb;

#[derive(Clone, Debug, PartialEq)]
pub struct PieSlice {
    pub key: String,
    pub value: f64,
    pub color: Rgb,
}

#[derive(Clone, Debug, PartialEq)]
pub struct PieData {
    pub slices: Vec<PieSlice>,
    /// Under the total in the hole (`党员`).
    pub caption: String,
}

/// Start and end angle of each non-empty slice (radians, clockwise from 12 o'clock as
/// drawn), with its index; empty when the total is zero.
pub fn sweeps(values: &[f64]) -> Vec<(usize, f64, f64)> {
    let total: f64 = values.iter().filter(|v| **v > 0.0).sum();
    if total <= 0.0 {
        return Vec::new();
    }
    let mut at = -std::f64::consts::FRAC_PI_2;
    let mut out = Vec::with_capacity(values.len());
    for (i, v) in values.iter().enumerate() {
        if *v <= 0.0 {
            continue;
        }
        let sweep = v / total * std::f64::consts::TAU;
        out.push((i, at, at + sweep));
        at += sweep;
    }
    out
}

impl ChartData for PieData {
    #[cfg(feature = "hydrate")]
    fn draw(&self, canvas: super::backend::WallCanvas) -> Result<super::hits::Hits, String> {
        draw::donut(self, canvas)
    }
}

#[cfg(feature = "hydrate")]
mod draw {
    use plotters::prelude::*;
    use plotters::style::text_anchor::{HPos, VPos};

    use super::{PieData, sweeps};
    use crate::components::charts::backend::WallCanvas;
    use crate::components::charts::hits::{Hits, Shape};
    use crate::components::charts::paint::{anchored, empty, err, rgb};
    use crate::components::charts::theme::{self, FIGURE_PX, LABEL_PX};
    use crate::format::format_count;

    pub fn donut(d: &PieData, canvas: WallCanvas) -> Result<Hits, String> {
        let values: Vec<f64> = d.slices.iter().map(|s| s.value).collect();
        let parts = sweeps(&values);
        if parts.is_empty() {
            return empty(canvas, "暂无数据");
        }
        let (w, h) = canvas.get_size();
        let area = canvas.into_drawing_area();
        let center = (w as i32 / 2, h as i32 / 2);
        let outer = f64::from(w.min(h)) / 2.0 - 8.0;
        let inner = outer * 0.56;
        let total: f64 = parts.iter().map(|&(i, _, _)| values[i]).sum();

        // Only the non-empty slices are handed to plotters (an empty one would still draw
        // a sliver); its labels stay blank, the legend names the slices.
        let sizes: Vec<f64> = parts.iter().map(|&(i, _, _)| values[i]).collect();
        let colors: Vec<RGBColor> = parts.iter().map(|&(i, _, _)| rgb(d.slices[i].color)).collect();
        let labels: Vec<&str> = vec![""; parts.len()];
        let mut pie = Pie::new(&center, &outer, &sizes, &colors, &labels);
        pie.start_angle(-90.0);
        pie.donut_hole(inner);
        pie.label_style(anchored(LABEL_PX, theme::TEXT, HPos::Left, VPos::Top).color(&TRANSPARENT));
        area.draw(&pie).map_err(err)?;

        let mut hits = Hits::default();
        for &(i, start, end) in &parts {
            hits.push(Shape::Sector { cx: f64::from(center.0), cy: f64::from(center.1), inner, outer, start, end }, d.slices[i].key.clone());
        }
        // the total fills the hole: about five digits across its diameter
        let figure = (inner * 0.62).min(FIGURE_PX);
        area.draw(&Text::new(format_count(total.round() as i64), (center.0, center.1 + 4), anchored(figure, theme::GOLD, HPos::Center, VPos::Bottom)))
            .map_err(err)?;
        area.draw(&Text::new(
            d.caption.clone(),
            (center.0, center.1 + 8),
            anchored((figure * 0.55).max(LABEL_PX - 8.0), theme::MUTED, HPos::Center, VPos::Top),
        ))
        .map_err(err)?;
        area.present().map_err(err)?;
        Ok(hits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::{FRAC_PI_2, PI};

    #[test]
    fn sweeps_skip_empty_slices_and_close_the_circle() {
        let s = sweeps(&[1.0, 0.0, 1.0, 2.0]);
        assert_eq!(s.len(), 3);
        assert_eq!(s[0].0, 0);
        assert!((s[0].1 + FRAC_PI_2).abs() < 1e-12);
        assert!((s[0].2 - 0.0).abs() < 1e-12);
        assert_eq!(s[1].0, 2);
        assert!((s[2].2 - (1.5 * PI)).abs() < 1e-12);
        assert!(sweeps(&[0.0, 0.0]).is_empty());
    }
}
