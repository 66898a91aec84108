//! NICE CXone (`shared/vendor-apis/cxone.md`): OIDC discovery,
//! `POST /auth/token` (password and refresh-token grants, JWT-shaped id
//! token carrying `tenantId`), `/.well-known/cxone-configuration`,
//! `GET /inContactAPI/services/{version}/contacts/completed` and the admin
//! listings `agents`, `teams`, `skills`, `dispositions` beside it, and the
//! bulk agent state history.

mod activity;
mod admin;
mod api;
mod auth;
mod data;
mod directory;
mod pools;

use crate::simulator::core::records::Record;
use crate::simulator::core::{App, Endpoint, Incoming, RateWindow, Reply, VendorApi};
use crate::simulator::{ActivityTruth, SimConfig, TokenUse};
use axum::http::HeaderMap;
use std::sync::Mutex;

pub(crate) struct Cxone {
    records: Vec<Record>,
    directory: directory::Directory,
    activity: activity::Activity,
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
            directory: directory::build(
                &pools,
                cfg.seed,
                cfg.interval.start().timestamp_millis(),
                cfg.cxone_legacy_every,
            ),
            activity: activity::Activity::generate(
                &pools,
                cfg.seed,
                cfg.activity_periods_per_agent_day,
                cfg.interval.start().timestamp_millis(),
                cfg.interval.end().timestamp_millis(),
                cfg.cxone_legacy_every,
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
            Endpoint::Api => api::route(self, app, req),
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
        match api::resource(path) {
            Some(_) if api::is_completed_contacts(path) => Some(api::forbidden()),
            Some(activity::STATE_HISTORY) => Some(admin::forbidden()),
            Some(r) if admin::is_listing(r) => Some(admin::forbidden()),
            _ => None,
        }
    }

    fn records(&self) -> &[Record] {
        &self.records
    }

    fn refresh_tokens(&self) -> Vec<String> {
        self.auth.lock().expect("auth lock").refresh_tokens()
    }

    /// `agents`, `teams`, `skills`, `dispositions`.
    fn directory(&self, name: &str) -> Vec<serde_json::Value> {
        let d = &self.directory;
        match name {
            "agents" => d.agents.clone(),
            "teams" => d.teams.clone(),
            "skills" => d.skills.clone(),
            "dispositions" => d.dispositions.clone(),
            _ => Vec::new(),
        }
    }

    fn activity(&self, start_ms: i64, end_ms: i64, poll_ms: i64) -> ActivityTruth {
        self.activity.truth(start_ms, end_ms, poll_ms)
    }
}
