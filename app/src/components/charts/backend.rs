//! The plotters backend the wall draws with: `plotters-canvas`'s [`CanvasBackend`] with
//! text measured by the canvas itself.
//!
//! Why not `CanvasBackend` alone: plotters' wasm font code measures every label by adding
//! a `<span>` to the document and reading its size, which forces a layout of the whole
//! wall per label (tens per chart) — far over the 16 ms a redraw may take. The 2D
//! context's `measureText` needs no layout.
//!
//! It also sets a floor under the size of every text drawn or measured: on the briefing
//! canvas no chart label may be smaller than the layout allows (issue 12), whatever size
//! the chart's code asks for, and plotters lays the labels out at the size they are drawn.

use std::cell::Cell;
use std::rc::Rc;

use plotters::prelude::*;
use plotters_backend::text_anchor::Pos;
use plotters_backend::{BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind, FontFamily, FontStyle, FontTransform};
use plotters_canvas::CanvasBackend;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

type CanvasError = <CanvasBackend as DrawingBackend>::ErrorType;

pub struct WallCanvas {
    inner: CanvasBackend,
    context: CanvasRenderingContext2d,
    /// No text smaller than this (design pixels).
    min_text: f64,
    /// The smallest text drawn so far (shared with whoever made the canvas: the chart stamps
    /// it on the canvas for the tests that measure the text on screen).
    smallest: Rc<Cell<f64>>,
}

impl WallCanvas {
    /// A backend on `canvas`, cleared to transparent (the panel shows through), drawing no
    /// text under `min_text` design pixels; `smallest` learns the smallest text drawn.
    pub fn new(canvas: &HtmlCanvasElement, min_text: f64, smallest: Rc<Cell<f64>>) -> Option<Self> {
        let context: CanvasRenderingContext2d = canvas.get_context("2d").ok()??.dyn_into().ok()?;
        context.clear_rect(0.0, 0.0, f64::from(canvas.width()), f64::from(canvas.height()));
        let inner = CanvasBackend::with_canvas_object(canvas.clone())?;
        Some(WallCanvas { inner, context, min_text, smallest })
    }
}

/// A text style at no less than `floor` pixels, otherwise `inner` as it is.
struct Floored<'a, S> {
    inner: &'a S,
    floor: f64,
}

impl<S: BackendTextStyle> BackendTextStyle for Floored<'_, S> {
    type FontError = S::FontError;

    fn color(&self) -> BackendColor {
        self.inner.color()
    }

    fn size(&self) -> f64 {
        self.inner.size().max(self.floor)
    }

    fn transform(&self) -> FontTransform {
        self.inner.transform()
    }

    fn style(&self) -> FontStyle {
        self.inner.style()
    }

    fn anchor(&self) -> Pos {
        self.inner.anchor()
    }

    fn family(&self) -> FontFamily<'_> {
        self.inner.family()
    }

    fn layout_box(&self, text: &str) -> Result<((i32, i32), (i32, i32)), Self::FontError> {
        self.inner.layout_box(text)
    }

    fn draw<E, DrawFunc: FnMut(i32, i32, BackendColor) -> Result<(), E>>(
        &self,
        text: &str,
        pos: BackendCoord,
        draw: DrawFunc,
    ) -> Result<Result<(), E>, Self::FontError> {
        self.inner.draw(text, pos, draw)
    }
}

/// The CSS font shorthand `CanvasBackend::draw_text` sets, so measuring matches drawing.
fn css_font<S: BackendTextStyle>(style: &S) -> String {
    format!("{} {}px {}", style.style().as_str(), style.size(), style.family().as_str())
}

impl DrawingBackend for WallCanvas {
    type ErrorType = CanvasError;

    fn get_size(&self) -> (u32, u32) {
        self.inner.get_size()
    }

    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<CanvasError>> {
        self.inner.ensure_prepared()
    }

    fn present(&mut self) -> Result<(), DrawingErrorKind<CanvasError>> {
        self.inner.present()
    }

    fn draw_pixel(&mut self, point: BackendCoord, color: BackendColor) -> Result<(), DrawingErrorKind<CanvasError>> {
        self.inner.draw_pixel(point, color)
    }

    fn draw_line<S: BackendStyle>(&mut self, from: BackendCoord, to: BackendCoord, style: &S) -> Result<(), DrawingErrorKind<CanvasError>> {
        self.inner.draw_line(from, to, style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        self.inner.draw_rect(upper_left, bottom_right, style, fill)
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(&mut self, path: I, style: &S) -> Result<(), DrawingErrorKind<CanvasError>> {
        self.inner.draw_path(path, style)
    }

    fn draw_circle<S: BackendStyle>(&mut self, center: BackendCoord, radius: u32, style: &S, fill: bool) -> Result<(), DrawingErrorKind<CanvasError>> {
        self.inner.draw_circle(center, radius, style, fill)
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(&mut self, vert: I, style: &S) -> Result<(), DrawingErrorKind<CanvasError>> {
        self.inner.fill_polygon(vert, style)
    }

    fn draw_text<S: BackendTextStyle>(&mut self, text: &str, style: &S, pos: BackendCoord) -> Result<(), DrawingErrorKind<CanvasError>> {
        let style = Floored { inner: style, floor: self.min_text };
        if !text.trim().is_empty() && style.color().alpha > 0.0 {
            self.smallest.set(self.smallest.get().min(style.size()));
        }
        self.inner.draw_text(text, &style, pos)
    }

    fn estimate_text_size<S: BackendTextStyle>(&self, text: &str, style: &S) -> Result<(u32, u32), DrawingErrorKind<CanvasError>> {
        let style = &Floored { inner: style, floor: self.min_text };
        self.context.set_font(&css_font(style));
        let width = self.context.measure_text(text).map(|m| m.width()).unwrap_or(0.0);
        Ok((width.ceil() as u32, style.size().ceil() as u32))
    }
}
