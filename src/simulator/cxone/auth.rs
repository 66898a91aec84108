//! CXone's `POST /auth/token` (§1.1): client authentication, the password
//! grant with an access key, single-use refresh tokens, and JWT-shaped
//! access and id tokens carrying `tenantId`.

use super::data::BUSINESS_UNIT_ID;
use super::{api::error, Cxone};
use crate::simulator::core::{random_text, App, Incoming, Reply};
use axum::http::{header, HeaderMap, Method, StatusCode};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use serde_json::json;
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// Refresh tokens not yet redeemed, and the randomness tokens are made of.
pub(super) struct Auth {
    refresh: HashMap<String, Refresh>,
    rng: fastrand::Rng,
}

impl Auth {
    pub(super) fn new() -> Auth {
        Auth {
            refresh: HashMap::new(),
            rng: fastrand::Rng::new(),
        }
    }

    pub(super) fn refresh_tokens(&self) -> Vec<String> {
        self.refresh.keys().cloned().collect()
    }
}

/// A refresh token: single use (rotated on every refresh grant), valid for
/// twice the access-token lifetime, as legacy CXone did (3600 s / 7200 s).
struct Refresh {
    issued: Instant,
    ttl: Duration,
}

fn token_headers(mut r: Reply) -> Reply {
    // Required on token answers (§1.1); harmless on errors.
    r.headers.push((
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    ));
    r.headers
        .push((header::PRAGMA, header::HeaderValue::from_static("no-cache")));
    r
}

/// `Authorization: Basic base64(enc(id):enc(secret))`, where enc is the
/// form encoding RFC 6749 §2.3.1 prescribes: a raw `+` in a secret therefore
/// decodes to a space and fails, as on a strict server.
fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, b64) = v.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let raw = String::from_utf8(STANDARD.decode(b64.trim()).ok()?).ok()?;
    let (id, secret) = raw.split_once(':')?;
    let dec = |s: &str| -> String {
        percent_encoding::percent_decode_str(&s.replace('+', " "))
            .decode_utf8_lossy()
            .into_owned()
    };
    Some((dec(id), dec(secret)))
}

impl Cxone {
    pub(super) fn token(&self, app: &App, req: &Incoming) -> Reply {
        token_headers(self.issue(app, req))
    }

    fn issue(&self, app: &App, req: &Incoming) -> Reply {
        if req.method != Method::POST {
            return error(
                StatusCode::METHOD_NOT_ALLOWED,
                "invalid_request",
                "method not allowed",
            );
        }
        let form = req.form();
        let cfg = &app.cfg;
        // client_secret_basic is advertised; client_secret_post is accepted too
        // (apps may be registered that way, §1.1).
        let (id, secret) = basic_credentials(&req.headers).unwrap_or_else(|| {
            (
                form.get("client_id").cloned().unwrap_or_default(),
                form.get("client_secret").cloned().unwrap_or_default(),
            )
        });
        if id != cfg.client_id || secret != cfg.client_secret {
            return error(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                "Client authentication failed: unknown client or wrong client secret",
            );
        }
        let field = |k: &str| form.get(k).map(String::as_str).filter(|v| !v.is_empty());
        match field("grant_type") {
            Some("password") => {
                let (Some(user), Some(pass)) = (field("username"), field("password")) else {
                    return error(
                        StatusCode::BAD_REQUEST,
                        "invalid_request",
                        "username and password are required",
                    );
                };
                if user != cfg.access_key_id || pass != cfg.access_key_secret {
                    return error(
                        StatusCode::UNAUTHORIZED,
                        "invalid_grant",
                        "Invalid access key id or access key secret",
                    );
                }
            }
            Some("refresh_token") => {
                let Some(presented) = field("refresh_token") else {
                    return error(
                        StatusCode::BAD_REQUEST,
                        "invalid_request",
                        "refresh_token is required",
                    );
                };
                if field("client_id").is_some_and(|c| c != cfg.client_id) {
                    return error(
                        StatusCode::UNAUTHORIZED,
                        "invalid_client",
                        "client_id does not match the authenticated client",
                    );
                }
                // Single use: removed whether or not it is still valid.
                let live = self
                    .auth
                    .lock()
                    .expect("auth lock")
                    .refresh
                    .remove(presented)
                    .is_some_and(|r| r.issued.elapsed() < r.ttl);
                if !live {
                    return error(
                        StatusCode::BAD_REQUEST,
                        "invalid_grant",
                        "The refresh token is invalid, expired or already used",
                    );
                }
            }
            Some(_) | None => {
                return error(
                    StatusCode::BAD_REQUEST,
                    "unsupported_grant_type",
                    "grant_type must be password or refresh_token",
                )
            }
        }

        let ttl = cfg.token_ttl;
        let expires_in = ttl.as_secs() + u64::from(ttl.subsec_nanos() > 0);
        let now_s = chrono::Utc::now().timestamp();
        let exp = now_s + expires_in as i64;
        let mut st = self.auth.lock().expect("auth lock");
        let nonce = random_text(&mut st.rng, 43);
        let refresh = random_text(&mut st.rng, 64);
        let sig = random_text(&mut st.rng, 86);
        let id_sig = random_text(&mut st.rng, 86);
        let iss = &app.base;
        let sub = format!("user:{}", cfg.access_key_id);
        let claims = json!({
            "iss": iss, "sub": sub, "aud": cfg.client_id, "tenantId": cfg.tenant_id,
            "tenant": "sim_tenant", "icBUId": BUSINESS_UNIT_ID, "icClusterId": "C32",
            "iat": now_s, "exp": exp, "jti": nonce,
        });
        let access = jwt(&claims, &sig);
        let id_claims = json!({
            "iss": iss, "sub": sub, "aud": cfg.client_id, "tenantId": cfg.tenant_id,
            "name": "Simulated API User", "iat": now_s, "exp": exp,
        });
        let id_token = jwt(&id_claims, &id_sig);
        let token_id = app.issue_token(access.clone(), ttl);
        st.refresh.insert(
            refresh.clone(),
            Refresh {
                issued: Instant::now(),
                ttl: ttl * 2,
            },
        );
        drop(st);
        let body = json!({
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": expires_in,
            "refresh_token": refresh,
            "id_token": id_token,
            "issued_token_type": "urn:ietf:params:oauth:token-type:access_token",
        });
        Reply {
            issued: Some(token_id),
            ..Reply::json(StatusCode::OK, serde_json::to_vec(&body).expect("json"))
        }
    }
}

/// `base64url(header).base64url(claims).sig`: JWT-shaped, unsigned in any
/// checkable way (clients decode it only to route, §1.5).
fn jwt(claims: &serde_json::Value, sig: &str) -> String {
    let head = json!({"alg": "RS256", "typ": "JWT", "kid": "sim-1"});
    format!(
        "{}.{}.{sig}",
        URL_SAFE_NO_PAD.encode(head.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_credentials_are_form_decoded() {
        let mut h = HeaderMap::new();
        let enc = STANDARD.encode("app%40vendor:s%2Fk%3Dx%2By");
        h.insert(
            header::AUTHORIZATION,
            format!("Basic {enc}").parse().unwrap(),
        );
        assert_eq!(
            basic_credentials(&h),
            Some(("app@vendor".into(), "s/k=x+y".into()))
        );
        let raw_plus = STANDARD.encode("app:x+y");
        h.insert(
            header::AUTHORIZATION,
            format!("Basic {raw_plus}").parse().unwrap(),
        );
        assert_eq!(basic_credentials(&h), Some(("app".into(), "x y".into())));
    }
}
