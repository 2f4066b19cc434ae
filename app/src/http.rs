//! The browser's writes to `/api/v1` (check in, open a check-in code, create an activity, add
//! an account, create or revoke a token): one `fetch` with JSON, carrying the session cookie
//! and the page's own `Origin` (the access layer's same-origin check for cookie writes).
//!
//! Pages read through server functions (rendered on the server first); writes go to the JSON
//! API so that each write has one way in, with its checks, limits and audit row.

//!
//! Browser only (`hydrate`): the server renders these pages without writing anything.

/// What the API answered: the status and the JSON body (`null` when there is none).
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub status: u16,
    pub body: serde_json::Value,
}

impl Answer {
    /// The API's Chinese message of an error answer (`{"error","message"}`), else `fallback`.
    pub fn message(&self, fallback: &str) -> String {
        self.body.get("message").and_then(|m| m.as_str()).unwrap_or(fallback).to_owned()
    }

    /// A text field of the body.
    pub fn text(&self, field: &str) -> String {
        self.body.get(field).and_then(|m| m.as_str()).unwrap_or_default().to_owned()
    }
}

/// Sends `method url` with `body` as JSON; `Err` when the server could not be reached.
pub async fn send(method: &str, url: &str, body: Option<String>) -> Result<Answer, String> {
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;
    let unreachable = |_| "无法连接服务器，请检查网络".to_owned();
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    init.set_credentials(web_sys::RequestCredentials::SameOrigin);
    let headers = web_sys::Headers::new().map_err(unreachable)?;
    headers.set("Accept", "application/json").map_err(unreachable)?;
    if let Some(b) = &body {
        headers.set("Content-Type", "application/json").map_err(unreachable)?;
        init.set_body(&wasm_bindgen::JsValue::from_str(b));
    }
    init.set_headers(&headers);
    let request = web_sys::Request::new_with_str_and_init(url, &init).map_err(unreachable)?;
    let window = web_sys::window().ok_or("no window")?;
    let response: web_sys::Response = JsFuture::from(window.fetch_with_request(&request)).await.map_err(unreachable)?.dyn_into().map_err(unreachable)?;
    let status = response.status();
    let text = JsFuture::from(response.text().map_err(unreachable)?).await.map_err(unreachable)?.as_string().unwrap_or_default();
    let body = serde_json::from_str(&text).unwrap_or(serde_json::Value::Null);
    Ok(Answer { status, body })
}

/// Goes to `path` with a full page load (after a write whose result the next page shows).
pub fn go(path: &str) {
    if let Some(w) = web_sys::window() {
        let _ = w.location().set_href(path);
    }
}
