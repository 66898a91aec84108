//! NICE CXone (`shared/vendor-apis/cxone.md`): OIDC discovery,
//! `POST /auth/token` (password and refresh-token grants, JWT-shaped id
//! token carrying `tenantId`), `/.well-known/cxone-configuration` and
//! `GET /inContactAPI/services/{version}/contacts/completed`.

mod api;
mod auth;
mod data;
mod pools;

use crate::simulator::core::records::Record;
use crate::simulator::core::{App, Endpoint, Incoming, RateWindow, Reply, VendorApi};
use crate::simulator::{SimConfig, TokenUse};
use axum::http::HeaderMap;
use std::sync::Mutex;

pub(crate) struct Cxone {
    records: Vec<Record>,
    auth: Mutex<auth::Auth>,
}

impl Cxone {
    /// Generates the completed contacts `cfg` asks for.
    pub(crate) fn new(cfg: &SimConfig) -> Cxone {
        let pools = pools::Pools::new(cfg.seed);
        Cxone {
            records: data::generate(
                &pools,
                cfg.seed,
                cfg.conversations,
                cfg.bad_records,
                cfg.cxone_legacy_every,
                cfg.interval.start().timestamp_millis(),
                cfg.interval.end().timestamp_millis(),
            ),
            auth: Mutex::new(auth::Auth::new()),
        }
    }
}

impl VendorApi for Cxone {
    fn endpoint(&self, path: &str) -> Endpoint {
        api::classify(path)
    }

    fn respond(&self, app: &App, endpoint: Endpoint, req: &Incoming) -> Reply {
        match endpoint {
            Endpoint::Token => self.token(app, req),
            Endpoint::Discovery => api::discovery(app, req),
            Endpoint::Api => api::route(&self.records, app, req),
        }
    }

    /// CXone documents no headers beyond the ones each reply carries.
    fn stamp(&self, _: &mut HeaderMap, _: Option<&RateWindow>, _: &str) {}

    fn truncated_page(&self) -> &'static [u8] {
        b"{\"totalRecords\":1204,\"_links\":{\"self\":\"http"
    }

    /// CXone's 503 is its throttling answer (JSON, [`Self::throttled`]); the
    /// load balancer's HTML pages are the other gateway statuses.
    fn gateway_errors(&self) -> &'static [u16] {
        &[502, 504]
    }

    fn unauthorized(&self, token: TokenUse, _: &str) -> Reply {
        api::unauthorized(match token {
            TokenUse::Missing => "Authorization header with a bearer token is required",
            TokenUse::Expired => "The access token has expired",
            _ => "Invalid or revoked access token",
        })
    }

    fn throttled(&self, retry_after: Option<u32>, _: &str) -> Reply {
        api::throttled(retry_after)
    }

    fn rate_limited(&self, limit: u32, reset_s: u32, _: &str) -> Reply {
        api::rate_limited(limit, reset_s)
    }

    fn forbidden(&self, path: &str, _: &str) -> Option<Reply> {
        api::is_completed_contacts(path).then(api::forbidden)
    }

    fn records(&self) -> &[Record] {
        &self.records
    }

    fn refresh_tokens(&self) -> Vec<String> {
        self.auth.lock().expect("auth lock").refresh_tokens()
    }

    fn directory(&self, _: &str) -> Vec<serde_json::Value> {
        Vec::new()
    }
}
