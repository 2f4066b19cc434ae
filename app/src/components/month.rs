//! The month selector: any month with data; choosing one puts it in the URL.

use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_navigate};

use crate::format::month_zh;
use crate::urls::{month_href, use_url_rotate};

/// `current` is the month in view, `months` the months that can be chosen (any order).
#[component]
pub fn MonthSelect(#[prop(into)] current: Signal<String>, #[prop(into)] months: Signal<Vec<String>>) -> impl IntoView {
    let location = use_location();
    let navigate = use_navigate();
    let rotate = use_url_rotate();
    // Newest first: the usual choice is the latest month or the one before.
    let options = Memo::new(move |_| {
        let mut m = months.get();
        m.sort_unstable_by(|a, b| b.cmp(a));
        m.dedup();
        m
    });
    let on_change = move |ev: leptos::ev::Event| {
        let month = event_target_value(&ev);
        let href = month_href(&location.pathname.get_untracked(), &month, rotate.get_untracked());
        navigate(&href, Default::default());
    };
    view! {
        <label class="month-select" class:empty=move || options.with(Vec::is_empty)>
            <span class="month-label">"统计月份"</span>
            <select data-testid="month-select" aria-label="统计月份" on:change=on_change>
                <For each=move || options.get() key=|m| m.clone() let:m>
                    {
                        let value = m.clone();
                        let is_current = Memo::new(move |_| current.with(|c| *c == value));
                        view! {
                            <option value=m.clone() selected=move || is_current.get() prop:selected=move || is_current.get()>
                                {month_zh(&m)}
                            </option>
                        }
                    }
                </For>
            </select>
        </label>
    }
}
