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
    /// The pages of the caller's role beside the wall, as (href, label): 预警 (the workbench)
    /// and 签到 for the roles that handle warnings and open check-in, 我的 for members, 管理 for
    /// admins (docs/RULES.md §10). Empty for viewers and kiosks.
    pub links: Vec<(String, String)>,
}

/// The header links of a role; kept beside the roles each page itself requires.
pub fn links_of(role: domain::Role) -> Vec<(String, String)> {
    use domain::Role;
    let mut links = Vec::new();
    if matches!(role, Role::Admin | Role::Officer | Role::Secretary) {
        links.push(("/work".to_string(), "预警".to_string()));
        links.push(("/checkin".to_string(), "签到".to_string()));
    }
    if role == Role::Member {
        links.push(("/me".to_string(), "我的".to_string()));
    }
    if role == Role::Admin {
        links.push(("/admin".to_string(), "管理".to_string()));
    }
    links
}

/// The caller of this request.
#[server(name = GetSignedIn)]
pub async fn signed_in() -> Result<SignedIn, AppError> {
    let (scope, _) = crate::auth::request_scope().await?;
    let c = scope.caller();
    let kiosk = matches!(c.principal, access::Principal::Token(_));
    let links = if kiosk { Vec::new() } else { links_of(c.role) };
    Ok(SignedIn { login: c.login.clone(), role_zh: c.role.zh().into(), kiosk, links })
}
