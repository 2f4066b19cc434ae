//! Who is logged in, for the header of every page (docs/RULES.md §10).

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::errors::AppError;

/// The caller as the header shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignedIn {
    /// The login, or `token:LABEL` for a kiosk display.
    pub login: String,
    /// The role's label (管理员, 支部书记, 大屏 …).
    pub role_zh: String,
    /// A kiosk display: no logout button (it has no password to come back with).
    pub kiosk: bool,
}

/// The caller of this request.
#[server(name = GetSignedIn)]
pub async fn signed_in() -> Result<SignedIn, AppError> {
    let (scope, _) = crate::auth::request_scope().await?;
    let c = scope.caller();
    Ok(SignedIn { login: c.login.clone(), role_zh: c.role.zh().into(), kiosk: matches!(c.principal, access::Principal::Token(_)) })
}
