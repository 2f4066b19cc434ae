//! The wall clock in the header (date and time, local).

use leptos::prelude::*;

/// Ticks every second in the browser. The server renders a placeholder of the same shape,
/// so hydration finds the same text node.
#[component]
pub fn Clock() -> impl IntoView {
    let now = RwSignal::new(String::from("----年--月--日 --:--:--"));
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        {
            let tick = move || {
                let d = js_sys::Date::new_0();
                now.set(format!(
                    "{}年{:02}月{:02}日 {:02}:{:02}:{:02}",
                    d.get_full_year(),
                    d.get_month() + 1,
                    d.get_date(),
                    d.get_hours(),
                    d.get_minutes(),
                    d.get_seconds()
                ));
            };
            tick();
            match set_interval_with_handle(tick, std::time::Duration::from_secs(1)) {
                Ok(handle) => on_cleanup(move || handle.clear()),
                Err(e) => leptos::logging::error!("cannot start the clock: {e:?}"),
            }
        }
    });
    view! { <div class="clock" data-testid="clock">{move || now.get()}</div> }
}
