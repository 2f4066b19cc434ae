//! The wall's fixed design canvas and how it is fitted to the screen.
//!
//! Everything on the wall is laid out in design pixels of a 5760 × 1920 canvas (the 6 m × 2 m
//! wall at 1 px ≈ 1 mm); charts draw at that size too. The canvas is scaled as a whole with
//! a CSS transform to the largest size that fits the viewport, centred and letterboxed.
//!
//! The scale is computed by a tiny inline script in the document head rather than by the
//! wasm bundle: it runs before the first paint, so the server-rendered page is already the
//! right size, and it keeps working while the bundle loads or if it never does.

/// One macro per number so the constants and the script text cannot drift apart.
macro_rules! design_width {
    () => {
        5760
    };
}
macro_rules! design_height {
    () => {
        1920
    };
}

/// Width of the design canvas in design pixels.
pub const DESIGN_WIDTH: u32 = design_width!();
/// Height of the design canvas in design pixels.
pub const DESIGN_HEIGHT: u32 = design_height!();

/// Sets `--wall-scale` on the root element now and on every resize (read by `.wall` in
/// `style/main.css`). No `<`, `>` or `&` in it, so it survives any HTML escaping.
pub const FIT_SCRIPT: &str = concat!(
    "(function(){var d=document.documentElement;function f(){d.style.setProperty('--wall-scale',",
    "String(Math.min(innerWidth/",
    design_width!(),
    ",innerHeight/",
    design_height!(),
    ")))}f();addEventListener('resize',f)})()"
);

/// The scale the script computes, for a viewport of `width` × `height` CSS pixels.
pub fn fit_scale(width: f64, height: f64) -> f64 {
    (width / f64::from(DESIGN_WIDTH)).min(height / f64::from(DESIGN_HEIGHT))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scales() {
        assert_eq!(fit_scale(5760.0, 1920.0), 1.0);
        assert!((fit_scale(3840.0, 1280.0) - 2.0 / 3.0).abs() < 1e-12);
        // a 16:9 laptop is limited by its width and letterboxes top and bottom
        assert!((fit_scale(1920.0, 1080.0) - 1.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn script_uses_the_design_size_and_no_markup() {
        assert!(FIT_SCRIPT.contains("innerWidth/5760"));
        assert!(FIT_SCRIPT.contains("innerHeight/1920"));
        assert!(!FIT_SCRIPT.contains(['<', '>', '&']));
    }
}
