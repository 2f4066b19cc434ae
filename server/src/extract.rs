//! The API's own `Query` and `Path` extractors: axum's, with their rejection answered as the
//! API's JSON error (`{"error":"bad_query"|"bad_path","message":…}`, 400) rather than axum's
//! plain text (issue 11 item 2: "never a plain-text rejection"). A parameter out of its
//! type's range (`limit=-1`, `offset=99999999999999999999`) is such a rejection.

use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::api::ApiError;

/// `?…` parsed into `T`; 400 `bad_query` JSON when it does not parse.
pub struct Query<T>(pub T);

/// Path segments parsed into `T`; 400 `bad_path` JSON when they do not parse.
pub struct Path<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(Query(v)),
            Err(e) => Err(ApiError::new(StatusCode::BAD_REQUEST, "bad_query", &format!("查询参数无效：{}", e.body_text()))),
        }
    }
}

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for Path<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(Path(v)),
            Err(e) => Err(ApiError::new(StatusCode::BAD_REQUEST, "bad_path", &format!("路径参数无效：{}", e.body_text()))),
        }
    }
}
