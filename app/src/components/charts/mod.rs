//! Charts drawn with `plotters` on `<canvas>` from wasm.
//!
//! A chart is a [`Chart`] component over a data signal: the server renders an empty canvas
//! of the chart's design size, and in the browser an Effect redraws that same canvas
//! whenever the data (or the data version) changes — no re-mount, no flash: clearing and
//! drawing happen in one task, before the browser paints. After each redraw the canvas
//! carries `data-version` (what it shows), `data-redraw-ms` (how long drawing took) and
//! `data-min-text` (its smallest label, in canvas pixels).
//!
//! The design size follows the layout in force ([`crate::layout::Presentation`]): each
//! canvas has one size on the 3:1 wall and another on the 16:9 briefing screen, where its
//! text is never smaller than [`theme::BRIEFING_MIN_TEXT_PX`] (issue 12: 14 px on a
//! 1366 × 768 screen).
//!
//! What a chart draws is its data type's [`ChartData::draw`]; the modules [`line`], [`bar`]
//! and [`pie`] hold the data types and their drawing.

pub mod bar;
pub mod hits;
pub mod line;
pub mod pie;
pub mod theme;

#[cfg(feature = "hydrate")]
pub mod backend;

use leptos::prelude::*;

use hits::Hits;

/// Data a chart can draw.
pub trait ChartData: Clone + PartialEq + Send + Sync + 'static {
    /// Draws the chart on the whole (cleared) canvas and returns where its clickable parts
    /// are.
    #[cfg(feature = "hydrate")]
    fn draw(&self, canvas: backend::WallCanvas) -> Result<Hits, String>;
}

/// A canvas of `size` (width × height) design pixels showing `data`, tagged
/// `data-testid="chart-<name>"`. With `on_pick`, a click on a bar, slice or point calls it
/// with that part's key (an organisation, member or month).
#[component]
pub fn Chart<D: ChartData>(
    name: &'static str,
    /// Said by screen readers and shown as the tooltip.
    label: &'static str,
    #[prop(into)] size: Signal<(u32, u32)>,
    data: Signal<D>,
    /// Version of the data shown, written to `data-version` after each redraw.
    #[prop(into)]
    version: Signal<Option<u64>>,
    #[prop(optional)] on_pick: Option<Callback<String>>,
) -> impl IntoView {
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    let hits = StoredValue::new(Hits::default());
    let layout = crate::layout::Presentation::get().layout;
    // The server's size; the browser sets the size of the layout in force before drawing.
    let (width, height) = size.get_untracked();

    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        let version = version.get();
        let (w, h) = size.get();
        let min_text = theme::min_text_px(layout.get());
        let Some(el) = canvas.get() else { return };
        if (el.width(), el.height()) != (w, h) {
            el.set_width(w);
            el.set_height(h);
        }
        data.with(|d| paint::redraw(&el, d, version, hits, min_text));
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = (data, version, layout);

    let pick = move |ev: leptos::ev::MouseEvent| {
        #[cfg(feature = "hydrate")]
        if let (Some(on_pick), Some(el)) = (on_pick, canvas.get_untracked()) {
            // Map the click from the screen (the wall is scaled) to canvas pixels.
            let rect = el.get_bounding_client_rect();
            if rect.width() > 0.0 && rect.height() > 0.0 {
                let x = (f64::from(ev.client_x()) - rect.left()) * f64::from(el.width()) / rect.width();
                let y = (f64::from(ev.client_y()) - rect.top()) * f64::from(el.height()) / rect.height();
                if let Some(key) = hits.with_value(|h| h.find(x, y).map(str::to_string)) {
                    on_pick.run(key);
                }
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (ev, on_pick, hits);
    };

    view! {
        <canvas
            node_ref=canvas
            class="chart"
            class:pickable=on_pick.is_some()
            width=width
            height=height
            role="img"
            aria-label=label
            title=label
            data-testid=format!("chart-{name}")
            on:click=pick
        ></canvas>
    }
}

/// Shared drawing helpers (browser only).
#[cfg(feature = "hydrate")]
pub(crate) mod paint {
    use leptos::prelude::*;
    use plotters::chart::MeshStyle;
    use plotters::coord::ranged1d::Ranged;
    use plotters::prelude::*;
    use plotters::style::text_anchor::{HPos, Pos, VPos};
    use web_sys::HtmlCanvasElement;

    use super::ChartData;
    use super::backend::WallCanvas;
    use super::hits::Hits;
    use super::theme::{self, Rgb};

    pub fn rgb(c: Rgb) -> RGBColor {
        RGBColor(c.0, c.1, c.2)
    }

    /// Chart text of `size` design pixels in `color`.
    pub fn text(size: f64, color: Rgb) -> TextStyle<'static> {
        (theme::FONT, size).into_font().color(&rgb(color))
    }

    /// The same, anchored at `h`/`v` of the point it is drawn at.
    pub fn anchored(size: f64, color: Rgb, h: HPos, v: VPos) -> TextStyle<'static> {
        text(size, color).pos(Pos::new(h, v))
    }

    /// The wall's axes and grid: muted labels of `label_px`, a blue axis, faint lines at the
    /// labelled values only, no tick marks.
    pub fn wall_mesh<'m, 'a, 'b, X: Ranged, Y: Ranged>(
        mesh: &'m mut MeshStyle<'a, 'b, X, Y, WallCanvas>,
        label_px: f64,
    ) -> &'m mut MeshStyle<'a, 'b, X, Y, WallCanvas> {
        mesh.label_style(text(label_px, theme::MUTED))
            .axis_style(rgb(theme::AXIS).stroke_width(2))
            .bold_line_style(rgb(theme::GRID).stroke_width(1))
            .light_line_style(TRANSPARENT)
            .set_all_tick_mark_size(0)
    }

    pub fn err(e: impl std::fmt::Debug) -> String {
        format!("{e:?}")
    }

    /// "No data" in the middle of an empty chart, so a blank canvas is never mistaken for
    /// a broken one.
    pub fn empty(canvas: WallCanvas, message: &str) -> Result<Hits, String> {
        let (w, h) = canvas.get_size();
        let area = canvas.into_drawing_area();
        area.draw(&Text::new(message.to_string(), (w as i32 / 2, h as i32 / 2), anchored(theme::LABEL_PX, theme::MUTED, HPos::Center, VPos::Center)))
            .map_err(err)?;
        area.present().map_err(err)?;
        Ok(Hits::default())
    }

    fn now_ms() -> f64 {
        web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now())
    }

    /// Redraws `el` from `data` with no text under `min_text` design pixels, keeps the new
    /// click map and stamps the canvas.
    pub fn redraw<D: ChartData>(el: &HtmlCanvasElement, data: &D, version: Option<u64>, hits: StoredValue<Hits>, min_text: f64) {
        let started = now_ms();
        let smallest = std::rc::Rc::new(std::cell::Cell::new(f64::INFINITY));
        let Some(canvas) = WallCanvas::new(el, min_text, smallest.clone()) else {
            leptos::logging::error!("no 2D context on a chart canvas");
            return;
        };
        match data.draw(canvas) {
            Ok(new_hits) => hits.set_value(new_hits),
            Err(e) => leptos::logging::error!("chart drawing failed: {e}"),
        }
        let took = now_ms() - started;
        let _ = el.set_attribute("data-redraw-ms", &format!("{took:.2}"));
        // the smallest label drawn, in canvas pixels (the tests scale it to the screen)
        let px = smallest.get();
        let _ = if px.is_finite() { el.set_attribute("data-min-text", &px.to_string()) } else { el.remove_attribute("data-min-text") };
        if let Some(v) = version {
            let _ = el.set_attribute("data-version", &v.to_string());
        }
    }
}
