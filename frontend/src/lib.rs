//! Wasm entry point: hydrates the server-rendered [`app::App`].

// The wall's view types nest deeply (leptos); hydrating them needs more than the default 128.
#![recursion_limit = "256"]

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
