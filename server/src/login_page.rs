//! `GET /login` (docs/RULES.md §10): the login form, phone first (390 px), in the wall's colours.
//!
//! A plain HTML form that posts to `POST /login` (server/src/auth.rs), so it works before any
//! script loads and on any phone; `?next=` is carried through, `?error=` says why the last
//! attempt failed.

use axum::extract::Query;
use axum::response::Html;
use serde::Deserialize;

use crate::html::escape;

#[derive(Debug, Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
    error: Option<String>,
}

fn reason(error: Option<&str>) -> Option<&'static str> {
    Some(match error? {
        "invalid" => "用户名或密码错误",
        "throttled" => "登录失败次数过多，请15分钟后再试",
        "token" => "大屏令牌无效或已撤销，请联系管理员",
        _ => "登录失败，请稍后再试",
    })
}

pub async fn page(Query(q): Query<LoginQuery>) -> Html<String> {
    let next = escape(q.next.as_deref().unwrap_or("/"));
    let error = reason(q.error.as_deref()).map(|r| format!(r#"<p class="error" role="alert" data-testid="login-error">{r}</p>"#)).unwrap_or_default();
    Html(format!(
        r#"<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="dark">
<link rel="icon" type="image/svg+xml" href="/favicon.svg">
<title>登录 · 锋领指数 · 智慧党建指挥中心</title>
<style>
  * {{ box-sizing: border-box; }}
  body {{ margin: 0; min-height: 100vh; display: grid; place-items: center; padding: 24px;
    background: linear-gradient(180deg, #041233 0%, #0a2152 100%); color: #e8f1ff;
    font-family: "WenQuanYi Zen Hei", "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; }}
  main {{ width: 100%; max-width: 380px; padding: 28px 24px; border: 1px solid #1f62b0;
    border-top: 4px solid #e0161e; border-radius: 10px; background: rgba(8, 30, 72, 0.78); }}
  .mark {{ display: inline-grid; place-items: center; width: 44px; height: 44px; border-radius: 50%;
    background: #e0161e; color: #ffd56a; font-size: 24px; font-weight: bold; }}
  h1 {{ margin: 12px 0 4px; font-size: 22px; }}
  p.sub {{ margin: 0 0 20px; color: #8ea9cf; font-size: 14px; }}
  label {{ display: block; margin: 14px 0 6px; font-size: 15px; color: #8ea9cf; }}
  input {{ width: 100%; padding: 12px; border: 1px solid #1f62b0; border-radius: 6px;
    background: #01050f; color: #e8f1ff; font-size: 17px; }}
  button {{ width: 100%; margin-top: 22px; padding: 13px; border: 0; border-radius: 6px;
    background: #e0161e; color: #fff; font-size: 18px; cursor: pointer; }}
  .error {{ margin: 0 0 8px; padding: 10px 12px; border-radius: 6px; background: rgba(224, 22, 30, 0.2);
    color: #ffb0b3; font-size: 15px; }}
</style>
</head>
<body>
<main>
  <div class="mark" aria-hidden="true">党</div>
  <h1>锋领指数 · 智慧党建指挥中心</h1>
  <p class="sub">请使用组织部门分配的账号登录</p>
  {error}
  <form method="post" action="/login" data-testid="login-form">
    <input type="hidden" name="next" value="{next}">
    <label for="login">用户名</label>
    <input id="login" name="login" autocomplete="username" required autofocus>
    <label for="password">密码</label>
    <input id="password" name="password" type="password" autocomplete="current-password" required>
    <button type="submit" data-testid="login-submit">登录</button>
  </form>
</main>
</body>
</html>"#
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_is_escaped() {
        assert_eq!(escape(r#"/org/x"><script>"#), "/org/x&quot;&gt;&lt;script&gt;");
    }
}
