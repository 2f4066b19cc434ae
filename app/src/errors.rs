//! The one error type the web layer speaks.
//!
//! Server functions return `Result<T, AppError>`; the same enum travels to the
//! browser (JSON) so pages can show a Chinese message and the server can pick
//! an HTTP status with [`AppError::status_code`].

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum AppError {
    /// The requested organisation (or page) does not exist.
    #[error("not found: {0}")]
    NotFound(String),
    /// No credential, or one that no longer works (docs/RULES.md §10): log in again.
    #[error("unauthenticated")]
    Unauthenticated,
    /// Outside the caller's scope or role.
    #[error("forbidden")]
    Forbidden,
    /// The request names something malformed (a month that is not `YYYY-MM` …).
    #[error("bad request: {0}")]
    BadRequest(String),
    /// The data cannot be served now: the hub has not computed its first figures yet
    /// (just started, or still loading) or the engine failed on this request. Retrying later
    /// may work.
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// A fault of the server itself, not of the request or the data (the hub missing from
    /// the server functions' context: a wiring bug).
    #[error("internal error: {0}")]
    Internal(String),
    /// Transport and (de)serialisation errors raised by the server-function machinery.
    #[error(transparent)]
    ServerFn(#[from] ServerFnErrorErr),
}

impl AppError {
    /// A failure of the server (the store, the engine): logged with its detail, answered
    /// without it (no text from the store reaches a client).
    #[cfg(feature = "ssr")]
    pub fn internal(what: &str, e: impl std::fmt::Display) -> AppError {
        tracing::error!(error = %e, "{what}");
        AppError::Internal("服务内部错误".into())
    }

    /// HTTP status that this error maps to.
    pub fn status_code(&self) -> u16 {
        match self {
            AppError::NotFound(_) => 404,
            AppError::Unauthenticated => 401,
            AppError::Forbidden => 403,
            AppError::BadRequest(_) => 400,
            AppError::Unavailable(_) => 503,
            AppError::Internal(_) => 500,
            AppError::ServerFn(e) => match e {
                ServerFnErrorErr::Args(_) | ServerFnErrorErr::MissingArg(_) | ServerFnErrorErr::UnsupportedRequestMethod(_) => 400,
                _ => 500,
            },
        }
    }

    /// Short message for the wall (Chinese first).
    pub fn message_zh(&self) -> &'static str {
        match self {
            AppError::NotFound(_) => "未找到该组织或党员",
            AppError::Unauthenticated => "请先登录",
            AppError::Forbidden => "超出您的权限范围",
            AppError::BadRequest(_) => "请求参数有误",
            AppError::Unavailable(_) => "数据服务暂不可用",
            AppError::Internal(_) => "服务内部错误",
            AppError::ServerFn(_) => "网络或服务异常",
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::ServerFn(value)
    }
}

#[cfg(feature = "ssr")]
impl From<engine::hub::HubError> for AppError {
    fn from(e: engine::hub::HubError) -> Self {
        use engine::hub::HubError;
        match e {
            HubError::NotFound(what) => AppError::NotFound(what),
            HubError::BadRequest(why) => AppError::BadRequest(why),
            // The engine's and the store's words go to the log, not to the page (issue 11).
            HubError::Engine(e) => {
                tracing::error!(error = %e, "server function");
                AppError::Unavailable("服务暂时不可用，请稍后重试".into())
            }
            HubError::NotReady => AppError::Unavailable("数据正在加载".into()),
            HubError::Busy => AppError::Unavailable("服务繁忙，请稍后重试".into()),
        }
    }
}

#[cfg(feature = "ssr")]
impl From<crate::auth::Refused> for AppError {
    fn from(r: crate::auth::Refused) -> Self {
        match r {
            crate::auth::Refused::Unauthenticated => AppError::Unauthenticated,
            crate::auth::Refused::Forbidden => AppError::Forbidden,
            crate::auth::Refused::Hub(e) => e.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses() {
        assert_eq!(AppError::NotFound("x".into()).status_code(), 404);
        assert_eq!(AppError::Unavailable("loading".into()).status_code(), 503);
        assert_eq!(AppError::Internal("no hub".into()).status_code(), 500);
        assert_eq!(AppError::ServerFn(ServerFnErrorErr::Args("bad".into())).status_code(), 400);
    }

    #[test]
    fn json_round_trip() {
        let e = AppError::Unavailable("db".into());
        let back = AppError::de(e.ser());
        assert_eq!(back, e);
    }
}
