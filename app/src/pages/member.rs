//! The member view (`/member/:member_id`, `?month=`): index by dimension, ranks, lights,
//! the index through the year, the indicators and the events behind each point.

use domain::wire::MemberProfile;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::{BadMonth, LoadError, live_view};
use crate::components::header::WallHeader;
use crate::components::indicators::IndicatorsPanel;
use crate::components::print::PrintFooter;
use crate::components::profile::{DimensionsPanel, MonthlyPanel, ProfilePanel};
use crate::components::trace::TracePanel;
use crate::components::{Shown, version_of};
use crate::errors::AppError;
use crate::functions::wall::member_profile;
use crate::live::{Feed, Live};
use crate::urls::{UrlMonth, use_url_month};

type Key = (String, Option<String>);

async fn fetch((member, month): Key) -> Result<MemberProfile, AppError> {
    member_profile(member, month).await
}

#[component]
pub fn MemberPage() -> impl IntoView {
    let params = use_params_map();
    let member = Memo::new(move |_| params.with(|p| p.get("member_id").unwrap_or_default()));
    let month = use_url_month();
    let malformed = Memo::new(move |_| month.with(|m| m.malformed().map(str::to_string)));
    let key: Memo<Key> = Memo::new(move |_| (member.get(), month.with(UrlMonth::as_query)));
    // A malformed month says so instead of showing the newest month's figures.
    move || match malformed.get() {
        Some(raw) => view! { <BadMonth raw /> }.into_any(),
        None => live_view(key, fetch, |p: &MemberProfile| p.version, |feed| view! { <MemberWall feed /> }).into_any(),
    }
}

#[component]
fn MemberWall(feed: Feed<MemberProfile>) -> impl IntoView {
    let profile: Shown<MemberProfile> = feed.data.into();
    let read = move |f: fn(&MemberProfile) -> String| Signal::derive(move || profile.with(|p| p.as_deref().map(f).unwrap_or_default()));
    let crumbs = Signal::derive(move || profile.with(|p| p.as_deref().map(|p| p.path.clone()).unwrap_or_default()));
    let tail = Signal::derive(move || profile.with(|p| p.as_deref().map(|p| p.name.clone())));
    let month = read(|p| p.month.clone());
    // The month whose trace is shown: the profile's month until a month is picked, and
    // again whenever the profile's month changes.
    let selected = RwSignal::new(month.get_untracked());
    Effect::new(move |_| selected.set(month.get()));
    let pick = Callback::new(move |m: String| selected.set(m));
    let reset = Memo::new(move |_| profile.with(|p| p.as_deref().map(|p| p.member_id.clone()).unwrap_or_default()));
    let months = Signal::derive(move || profile.with(|p| p.as_deref().map(|p| p.available_months.clone()).unwrap_or_default()));
    // The profile carries its version but not when it was computed: the server announced that
    // with the version (the live stream), so the time is given once the two agree.
    let live = Live::get();
    let at = Signal::derive(move || {
        let shown = profile.with(|p| p.as_deref().map(|p| p.version));
        live.server.with(|e| e.as_ref().filter(|e| Some(e.version) == shown).map(|e| e.computed_at.clone())).unwrap_or_default()
    });

    view! {
        <WallHeader crumbs tail month months />
        <main class="wall-body member-wall">
            <ProfilePanel profile />
            <DimensionsPanel profile />
            <MonthlyPanel profile selected on_pick=pick />
            <IndicatorsPanel profile />
            <TracePanel profile selected reset />
            <LoadError error=feed.error />
        </main>
        <PrintFooter month at version=version_of(profile, |p| p.version) />
    }
}
