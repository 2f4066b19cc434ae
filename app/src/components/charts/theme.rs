//! Colours and type of the charts: the wall's palette (`style/main.css`) as RGB for plotters.

use domain::Light;

/// An sRGB colour; converted to plotters' `RGBColor` where drawn (the SSR build has no plotters).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

pub const GOLD: Rgb = Rgb(0xff, 0xd5, 0x6a);
pub const RED: Rgb = Rgb(0xe0, 0x16, 0x1e);
pub const CYAN: Rgb = Rgb(0x5f, 0xd6, 0xff);
pub const GREEN: Rgb = Rgb(0x2e, 0xd5, 0x73);
pub const YELLOW: Rgb = Rgb(0xff, 0xb8, 0x1f);
pub const ORANGE: Rgb = Rgb(0xff, 0x7a, 0x45);
pub const VIOLET: Rgb = Rgb(0xa7, 0x8b, 0xfa);
pub const TEAL: Rgb = Rgb(0x2d, 0xd4, 0xbf);
pub const TEXT: Rgb = Rgb(0xe8, 0xf1, 0xff);
pub const MUTED: Rgb = Rgb(0x8e, 0xa9, 0xcf);
pub const GRID: Rgb = Rgb(0x1f, 0x4a, 0x80);
pub const AXIS: Rgb = Rgb(0x3b, 0x74, 0xb8);
pub const PANEL: Rgb = Rgb(0x09, 0x20, 0x4a);

/// Font family of chart text: the CJK font the wall ships with first (Debian's
/// `fonts-wqy-zenhei`), then any CJK sans-serif.
pub const FONT: &str = "WenQuanYi Zen Hei, Noto Sans CJK SC, Microsoft YaHei, sans-serif";
/// Tick labels and value labels, in design pixels (legible from 10 m on the wall).
pub const LABEL_PX: f64 = 32.0;
/// Large figures inside charts (a donut's centre).
pub const FIGURE_PX: f64 = 52.0;
/// The smallest chart text on the briefing canvas (issue 12): 14 px on screen where the
/// 2560 × 1440 canvas is fitted to a 1366 × 768 screen (scale 0.533) needs 26.3 design px.
pub const BRIEFING_MIN_TEXT_PX: f64 = 28.0;

/// The smallest text a chart draws in `layout` (the wall's charts draw as designed).
pub fn min_text_px(layout: crate::scale::Layout) -> f64 {
    layout.pick(0.0, BRIEFING_MIN_TEXT_PX)
}

/// Colour of a light.
pub fn light(light: Light) -> Rgb {
    match light {
        Light::Red => RED,
        Light::Yellow => YELLOW,
        Light::Green => GREEN,
    }
}

/// Colours for slices and series without a meaning of their own, in order.
pub const PALETTE: [Rgb; 8] = [GOLD, CYAN, RED, GREEN, VIOLET, ORANGE, TEAL, YELLOW];

/// Colour of a pie slice: lights and grades keep their meaning, others take the palette.
pub fn slice(key: &str, index: usize) -> Rgb {
    if let Ok(l) = key.parse::<Light>() {
        return light(l);
    }
    match key {
        // evaluation grades 优秀 / 合格 / 基本合格 / 不合格
        "1" => GOLD,
        "2" => CYAN,
        "3" => ORANGE,
        "4" => RED,
        _ => PALETTE[index % PALETTE.len()],
    }
}

impl Rgb {
    /// `#rrggbb`, for the HTML legend chips beside a chart.
    pub fn css(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours() {
        assert_eq!(GOLD.css(), "#ffd56a");
        assert_eq!(slice("red", 5), RED);
        assert_eq!(slice("employed", 1), CYAN);
        assert_eq!(slice("x", 9), PALETTE[1]);
        assert_eq!(slice("yellow", 0), YELLOW);
        assert_eq!(light(Light::Green), GREEN);
    }
}
