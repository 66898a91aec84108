//! The fault schedule, authentication and rate limiting of API requests:
//! decided here for both vendors, answered in the vendor's shapes.

use super::tokens::Tokens;
use super::{App, Reply};
use crate::simulator::TokenUse;
use axum::http::StatusCode;
use bytes::Bytes;
use std::time::Instant;

/// Everything the schedule counts, behind one lock so that request N is
/// the same request for every fault and for its token's window.
pub(super) struct State {
    pub tokens: Tokens,
    api_requests: u64,
    burst_remaining: u32,
    server_errors: u64,
}

impl State {
    pub(super) fn new() -> State {
        State {
            tokens: Tokens::new(),
            api_requests: 0,
            burst_remaining: 0,
            server_errors: 0,
        }
    }
}

/// The presented token's rate-limit window after this request.
pub(crate) struct RateWindow {
    /// [`crate::simulator::Faults::rate_limit_per_minute`].
    pub limit: Option<u32>,
    /// Requests in the window so far, this one included (0 when the
    /// request was refused before it counted).
    pub count: u32,
    /// Whole seconds until the window resets.
    pub reset_s: u64,
}

pub(super) struct Decision {
    /// `Some` = answered here, never routed to the vendor.
    pub reply: Option<Reply>,
    pub token: TokenUse,
    pub token_id: Option<u64>,
    pub rate: RateWindow,
}

/// Counts an API request and decides whether a fault or the authentication
/// answers it. The order is [`crate::simulator::Faults`]'s: reset, server
/// error, authentication (including revocation), throttle burst, rate
/// limit, forbidden.
pub(super) fn decide(app: &App, presented: Option<&str>, path: &str, request_id: &str) -> Decision {
    let f = &app.cfg.faults;
    let vendor = app.vendor.as_ref();
    let now = Instant::now();
    let mut st = app.state.lock().expect("state lock");
    st.api_requests += 1;
    let n = st.api_requests;
    let hit = |every: Option<u32>| every.is_some_and(|k| k > 0 && n % u64::from(k) == 0);
    let mut d = Decision {
        reply: None,
        token: TokenUse::Missing,
        token_id: None,
        rate: RateWindow {
            limit: f.rate_limit_per_minute,
            count: 0,
            reset_s: 60,
        },
    };
    if let Some(t) = presented {
        (d.token, d.token_id) = st.tokens.judge(t, now);
    }

    if hit(f.reset_every) {
        d.reply = Some(Reply {
            reset: true,
            ..Reply::json(StatusCode::OK, Bytes::from_static(vendor.truncated_page()))
        });
        return d;
    }
    if hit(f.server_error_every) {
        let k = st.server_errors;
        st.server_errors += 1;
        let statuses = vendor.gateway_errors();
        d.reply = Some(Reply::gateway_error(
            statuses[(k % statuses.len() as u64) as usize],
        ));
        return d;
    }
    if hit(f.throttle_every) {
        st.burst_remaining = f.throttle_burst;
    }
    let Some(valid) = presented.filter(|_| d.token == TokenUse::Valid) else {
        d.reply = Some(vendor.unauthorized(d.token, request_id));
        return d;
    };
    if hit(f.revoke_every) {
        st.tokens.revoke(valid);
        d.token = TokenUse::Revoked;
        d.reply = Some(vendor.unauthorized(d.token, request_id));
        return d;
    }
    let (count, reset_s) = st.tokens.count(valid, now);
    d.rate.count = count;
    d.rate.reset_s = reset_s;
    if st.burst_remaining > 0 {
        st.burst_remaining -= 1;
        d.reply = Some(vendor.throttled(f.retry_after, request_id));
        return d;
    }
    if let Some(limit) = f.rate_limit_per_minute {
        if count > limit {
            d.reply = Some(vendor.rate_limited(limit, reset_s as u32, request_id));
            return d;
        }
    }
    let covered =
        f.forbidden_only.is_empty() || f.forbidden_only.iter().any(|p| path.contains(p.as_str()));
    if f.forbidden && covered {
        d.reply = vendor.forbidden(path, request_id);
    }
    d
}
