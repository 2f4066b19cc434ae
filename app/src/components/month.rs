//! The month selector: any month with data; choosing one puts it in the URL (the rest of the
//! URL stays).

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use crate::format::month_zh;
use crate::urls::{use_here, with_param};

/// `current` is the month in view, `months` the months that can be chosen (any order).
#[component]
pub fn MonthSelect(#[prop(into)] current: Signal<String>, #[prop(into)] months: Signal<Vec<String>>) -> impl IntoView {
    let navigate = use_navigate();
    let here = use_here();
    // Newest first: the usual choice is the latest month or the one before.
    let options = Memo::new(move |_| {
        let mut m = months.get();
        m.sort_unstable_by(|a, b| b.cmp(a));
        m.dedup();
        m
    });
    let on_change = move |ev: leptos::ev::Event| {
        let month = event_target_value(&ev);
        // the same view at that month: rotation, layout and a pie's filter stay
        let href = here.with_untracked(|(path, pairs)| with_param(path, pairs, "month", Some(&month)));
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
