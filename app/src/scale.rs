//! The wall's fixed design canvases and how one is chosen and fitted to the screen.
//!
//! Everything on the wall is laid out in design pixels of a fixed canvas; charts draw at
//! that size too. There are two canvases (issue 12):
//!
//! - the **wall**, 5760 × 1920 (3:1): the 6 m × 2 m wall at 1 px ≈ 1 mm (DOMAIN.md §8);
//! - the **briefing**, 2560 × 1440 (16:9): the same panels re-arranged for a projector or a
//!   laptop, where the 3:1 canvas would fill a band of 59 % of the screen and its smallest
//!   text would be 8 px at 1920 × 1080.
//!
//! The canvas is chosen by the viewport's aspect ratio (`?layout=wall|briefing` forces one,
//! and `?print=1`, the print view, takes the briefing's), then scaled as a whole with a CSS
//! transform to the largest size that fits the viewport, centred and letterboxed.
//!
//! Both happen in a tiny inline script in the document head rather than in the wasm bundle:
//! it runs before the first paint, so the server-rendered page already has its arrangement
//! and size, and it keeps working while the bundle loads or if it never does. It marks the
//! root element `data-layout="wall|briefing"` (the stylesheet arranges the panels by it),
//! sets `--wall-scale`, and tells the app when the layout changes (`vg-layout` event).

/// One macro per number so the constants and the script text cannot drift apart.
macro_rules! wall_width {
    () => {
        5760
    };
}
macro_rules! wall_height {
    () => {
        1920
    };
}
macro_rules! briefing_width {
    () => {
        2560
    };
}
macro_rules! briefing_height {
    () => {
        1440
    };
}
/// Viewports wider than this (width / height) get the wall: the geometric mean of 3:1 and
/// 16:9, so each canvas serves the screens nearer its own shape.
macro_rules! wall_from_ratio {
    () => {
        2.31
    };
}

/// Width of the wall's design canvas in design pixels.
pub const DESIGN_WIDTH: u32 = wall_width!();
/// Height of the wall's design canvas in design pixels.
pub const DESIGN_HEIGHT: u32 = wall_height!();
/// Width of the briefing's design canvas.
pub const BRIEFING_WIDTH: u32 = briefing_width!();
/// Height of the briefing's design canvas.
pub const BRIEFING_HEIGHT: u32 = briefing_height!();
/// The aspect ratio from which on the wall's canvas is chosen.
pub const WALL_FROM_RATIO: f64 = wall_from_ratio!();

/// Which design canvas (and arrangement of the panels) is in force.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Layout {
    /// The 3:1 command-centre wall.
    #[default]
    Wall,
    /// The 16:9 briefing screen (projector, laptop); also what is printed.
    Briefing,
}

impl Layout {
    /// The word of `?layout=` and of the root element's `data-layout`.
    pub fn as_str(self) -> &'static str {
        match self {
            Layout::Wall => "wall",
            Layout::Briefing => "briefing",
        }
    }

    /// A `?layout=` value; anything else forces nothing.
    pub fn parse(raw: &str) -> Option<Layout> {
        match raw {
            "wall" => Some(Layout::Wall),
            "briefing" => Some(Layout::Briefing),
            _ => None,
        }
    }

    /// The design canvas, width × height in design pixels.
    pub fn size(self) -> (u32, u32) {
        match self {
            Layout::Wall => (DESIGN_WIDTH, DESIGN_HEIGHT),
            Layout::Briefing => (BRIEFING_WIDTH, BRIEFING_HEIGHT),
        }
    }

    /// `wall` on the wall, `briefing` on the briefing screen.
    pub fn pick<T>(self, wall: T, briefing: T) -> T {
        match self {
            Layout::Wall => wall,
            Layout::Briefing => briefing,
        }
    }
}

/// The layout the script chooses: the forced one, else by the viewport's shape.
pub fn choose(forced: Option<Layout>, width: f64, height: f64) -> Layout {
    forced.unwrap_or(if width >= height * WALL_FROM_RATIO { Layout::Wall } else { Layout::Briefing })
}

/// The scale the script computes for `layout` in a viewport of `width` × `height` CSS pixels.
pub fn fit_scale(layout: Layout, width: f64, height: f64) -> f64 {
    let (w, h) = layout.size();
    (width / f64::from(w)).min(height / f64::from(h))
}

/// Sets `data-layout` and `--wall-scale` on the root element now, on every resize and
/// whenever the app calls `vgFit()` (after a navigation); fires `vg-layout` on `window` when
/// the layout changes. No `<`, `>` or `&` in it, so it survives any HTML escaping (hence
/// `Math.floor(w/(h*r))==0` for `w/h < r`).
pub const FIT_SCRIPT: &str = concat!(
    "(function(){var d=document.documentElement;function f(){",
    "var q=new URLSearchParams(location.search),l=q.get('layout'),w=innerWidth,h=innerHeight,",
    "b=l=='briefing'||q.get('print')=='1'||(l=='wall'?false:Math.floor(w/(h*",
    wall_from_ratio!(),
    "))==0),W=b?",
    briefing_width!(),
    ":",
    wall_width!(),
    ",H=b?",
    briefing_height!(),
    ":",
    wall_height!(),
    ",n=b?'briefing':'wall';",
    "d.style.setProperty('--wall-scale',String(Math.min(w/W,h/H)));",
    "if(d.dataset.layout!=n){d.dataset.layout=n;dispatchEvent(new Event('vg-layout'))}}",
    "f();addEventListener('resize',f);window.vgFit=f})()"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scales() {
        assert_eq!(fit_scale(Layout::Wall, 5760.0, 1920.0), 1.0);
        assert!((fit_scale(Layout::Wall, 3840.0, 1280.0) - 2.0 / 3.0).abs() < 1e-12);
        // the wall on a 16:9 laptop is limited by its width and letterboxes top and bottom
        assert!((fit_scale(Layout::Wall, 1920.0, 1080.0) - 1.0 / 3.0).abs() < 1e-12);
        // the briefing canvas fills it
        assert!((fit_scale(Layout::Briefing, 1920.0, 1080.0) - 0.75).abs() < 1e-12);
        assert!((fit_scale(Layout::Briefing, 2560.0, 1440.0) - 1.0).abs() < 1e-12);
        // 1366 × 768 is a hair wider than 16:9: limited by its height
        assert!((fit_scale(Layout::Briefing, 1366.0, 768.0) - 768.0 / 1440.0).abs() < 1e-12);
    }

    #[test]
    fn chooses_by_shape_unless_forced() {
        assert_eq!(choose(None, 5760.0, 1920.0), Layout::Wall);
        assert_eq!(choose(None, 3840.0, 1280.0), Layout::Wall);
        assert_eq!(choose(None, 2880.0, 960.0), Layout::Wall);
        assert_eq!(choose(None, 1920.0, 1080.0), Layout::Briefing);
        assert_eq!(choose(None, 1366.0, 768.0), Layout::Briefing);
        assert_eq!(choose(None, 390.0, 844.0), Layout::Briefing);
        assert_eq!(choose(Some(Layout::Wall), 1920.0, 1080.0), Layout::Wall);
        assert_eq!(choose(Some(Layout::Briefing), 5760.0, 1920.0), Layout::Briefing);
        assert_eq!(Layout::parse("briefing"), Some(Layout::Briefing));
        assert_eq!(Layout::parse("Wall"), None);
        assert_eq!(Layout::Briefing.as_str(), "briefing");
    }

    #[test]
    fn script_uses_the_design_sizes_and_no_markup() {
        assert!(FIT_SCRIPT.contains("5760"));
        assert!(FIT_SCRIPT.contains("1920"));
        assert!(FIT_SCRIPT.contains("2560"));
        assert!(FIT_SCRIPT.contains("1440"));
        assert!(FIT_SCRIPT.contains("h*2.31"));
        assert!(FIT_SCRIPT.contains("'vg-layout'"));
        assert!(!FIT_SCRIPT.contains(['<', '>', '&']));
    }
}
