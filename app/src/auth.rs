//! The caller and its scope (docs/RULES.md §10), for every page, server function, API route and
//! SSE stream.
//!
//! The server's access layer (`server/src/auth.rs`) turns the request's credential — the
//! session cookie or `Authorization: Bearer` — into an [`access::Caller`] once per request
//! and puts a [`Who`] into the request's extensions; a request without one never reaches a
//! handler outside the few public routes. Handlers and server functions take [`Scope`] (or
//! [`Who`]) and ask it; none reads a header or decides access on its own.
//!
//! - Every role but `member` sees the subtree of its `org_id`; `X-Vanguard-Org` may narrow
//!   that to an organisation inside it, never widen it. A request that names no organisation
//!   is about the root of the scope.
//! - A `member` sees its own profile only.
//! - A `viewer` reads member names masked ([`domain::Masked`]).
//! - Outside the scope: 403, with the same answer for an unknown id and a forbidden one where
//!   telling them apart would leak (a member id).

use access::Caller;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use domain::Role;
use engine::hub::{HubError, State as HubState};
use std::sync::Arc;

/// The header that narrows a caller's scope to an organisation inside it.
pub const SCOPE_HEADER: &str = "x-vanguard-org";

/// The caller of this request, as the access layer resolved it.
#[derive(Debug, Clone)]
pub struct Who(pub Arc<Caller>);

impl Who {
    pub fn caller(&self) -> &Caller {
        &self.0
    }

    /// Whether names must be masked for this caller (a `viewer`).
    pub fn masked(&self) -> bool {
        self.0.masked
    }
}

/// Why a request is refused, or what it asked for that does not exist.
#[derive(Debug)]
pub enum Refused {
    /// No credential, or one that is no longer valid: 401.
    Unauthenticated,
    /// Outside the caller's scope or role: 403.
    Forbidden,
    /// The organisation or month asked for, as the hub answers it (404 / 400 / 503).
    Hub(HubError),
}

impl From<HubError> for Refused {
    fn from(e: HubError) -> Self {
        Refused::Hub(e)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Who {
    type Rejection = Refused;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<Who>().cloned().ok_or(Refused::Unauthenticated)
    }
}

impl<S: Send + Sync> axum::extract::OptionalFromRequestParts<S> for Who {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Option<Self>, Self::Rejection> {
        Ok(parts.extensions.get::<Who>().cloned())
    }
}

/// What the caller may see: the caller, and the organisation `X-Vanguard-Org` narrowed it to.
#[derive(Debug, Clone)]
pub struct Scope {
    pub who: Who,
    narrowed_to: Option<String>,
}

impl<S: Send + Sync> FromRequestParts<S> for Scope {
    type Rejection = Refused;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let who = Who::from_request_parts(parts, state).await?;
        let narrowed_to = match parts.headers.get(SCOPE_HEADER) {
            None => None,
            Some(v) => Some(v.to_str().map_err(|_| Refused::Hub(HubError::BadRequest(format!("{SCOPE_HEADER} is not text"))))?.to_string()),
        };
        Ok(Scope { who, narrowed_to })
    }
}

impl Scope {
    pub fn caller(&self) -> &Caller {
        self.who.caller()
    }

    pub fn masked(&self) -> bool {
        self.who.masked()
    }

    /// The root of the scope: the caller's organisation, or the one `X-Vanguard-Org` narrows
    /// it to (which must lie inside). A `member` has no organisation scope.
    pub fn root(&self, state: &HubState) -> Result<i64, Refused> {
        if self.caller().role == Role::Member {
            return Err(Refused::Forbidden);
        }
        // An account bound to an organisation the store no longer has sees nothing.
        let own = state.resolve_org(Some(&self.caller().org_id)).map_err(|_| Refused::Forbidden)?;
        match &self.narrowed_to {
            None => Ok(own),
            Some(org_id) => {
                let narrowed = state.resolve_org(Some(org_id))?;
                self.inside(state, own, narrowed)?;
                Ok(narrowed)
            }
        }
    }

    fn inside(&self, state: &HubState, root: i64, org: i64) -> Result<(), Refused> {
        if state.tree.is_within(root, org) { Ok(()) } else { Err(Refused::Forbidden) }
    }

    /// The organisation a request is about: the one it names, else the root of the scope.
    /// Outside the scope: 403. Unknown: 404 to a caller who sees a whole tree, 403 to one
    /// who sees a part of it (the answer must not tell what exists outside the scope).
    pub fn org(&self, state: &HubState, asked: Option<&str>) -> Result<i64, Refused> {
        let root = self.root(state)?;
        match asked.filter(|s| !s.is_empty()) {
            None => Ok(root),
            Some(org_id) => {
                let whole_tree = state.tree.roots.contains(&root);
                let org = state.resolve_org(Some(org_id)).map_err(|e| if whole_tree { Refused::Hub(e) } else { Refused::Forbidden })?;
                self.inside(state, root, org)?;
                Ok(org)
            }
        }
    }

    /// A member the caller may read: its own (a `member`), or one of the scope. An unknown
    /// member and a forbidden one get the same 403, so member ids cannot be probed.
    pub fn member(&self, state: &HubState, member_id: &str) -> Result<i64, Refused> {
        if self.caller().role == Role::Member {
            return if self.caller().member_id.as_deref() == Some(member_id) { Ok(state.member_and_org(member_id)?.0) } else { Err(Refused::Forbidden) };
        }
        let root = self.root(state)?;
        let (member, org) = state.member_and_org(member_id).map_err(|_| Refused::Forbidden)?;
        self.inside(state, root, org)?;
        Ok(member)
    }

    /// The warnings this caller may read (docs/RULES.md §11): a member its own; everyone else
    /// those of the subtree of `asked` (the root of the scope when `None`).
    pub fn warnings(&self, state: &HubState, asked: Option<&str>) -> Result<WarningScope, Refused> {
        if self.caller().role == Role::Member {
            return self.caller().member_id.clone().map(WarningScope::Own).ok_or(Refused::Forbidden);
        }
        Ok(WarningScope::Subtree(self.org(state, asked)?))
    }

    /// Refuses callers whose role is not one of `roles` (a write the role may not make).
    pub fn require(&self, roles: &[Role]) -> Result<(), Refused> {
        if roles.contains(&self.caller().role) { Ok(()) } else { Err(Refused::Forbidden) }
    }
}

/// Which warnings a caller reads ([`Scope::warnings`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WarningScope {
    /// A member's own (its `member_id`).
    Own(String),
    /// Those about the subtree of an organisation (surrogate id).
    Subtree(i64),
}

impl WarningScope {
    /// Whether a warning about `subject_id` (`member` or `org`) of organisation `org_id` is
    /// inside.
    pub fn sees(&self, state: &HubState, subject_kind: &str, subject_id: &str, org_id: &str) -> bool {
        match self {
            WarningScope::Own(member) => subject_kind == "member" && subject_id == member,
            WarningScope::Subtree(root) => state.tree.by_org_id.get(org_id).is_some_and(|&o| state.tree.is_within(*root, o)),
        }
    }
}

/// The roles that may record that a branch used a resource (§10: secretaries; admins may do
/// everything below them).
pub const RECORD_RESOURCE_USE: &[Role] = &[Role::Admin, Role::Secretary];

impl axum::response::IntoResponse for Refused {
    fn into_response(self) -> axum::response::Response {
        use axum::http::StatusCode;
        let (status, error, message) = match self {
            Refused::Unauthenticated => (StatusCode::UNAUTHORIZED, "unauthenticated", "请先登录".to_string()),
            Refused::Forbidden => (StatusCode::FORBIDDEN, "forbidden", "超出您的权限范围".to_string()),
            Refused::Hub(HubError::BadRequest(m)) => (StatusCode::BAD_REQUEST, "bad_request", m),
            Refused::Hub(HubError::NotFound(m)) => (StatusCode::NOT_FOUND, "not_found", m),
            Refused::Hub(HubError::NotReady) => (StatusCode::SERVICE_UNAVAILABLE, "not_ready", "数据正在计算".to_string()),
            Refused::Hub(e) => {
                tracing::error!(error = %e, "scope");
                (StatusCode::INTERNAL_SERVER_ERROR, "internal", "服务内部错误".to_string())
            }
        };
        (status, axum::Json(domain::wire::ErrorBody { error: error.into(), message })).into_response()
    }
}

/// Records a member profile opened by a person (not a `viewer`): §10's `member_view`.
pub async fn member_viewed(hub: &engine::hub::Hub, who: &Who, ip: Option<&str>, member_id: &str) {
    if who.masked() {
        return;
    }
    if let Err(e) = access::audit(hub.store(), &access::AuditEntry::ok(who.caller(), ip, access::Action::MemberView, member_id)).await {
        tracing::error!(error = %e, "writing member_view to the audit log failed");
    }
}

/// The scope of the request a server function serves (the same extractor as the API's).
pub async fn request_scope() -> Result<(Scope, Option<String>), Refused> {
    let mut parts = leptos::prelude::use_context::<Parts>().ok_or(Refused::Unauthenticated)?;
    let ip = parts.extensions.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|c| c.0.ip().to_string());
    Ok((Scope::from_request_parts(&mut parts, &()).await?, ip))
}
