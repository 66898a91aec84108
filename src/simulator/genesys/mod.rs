//! Genesys Cloud (`shared/vendor-apis/genesys.md`): `POST /oauth/token`,
//! the synchronous conversation details query, the async details jobs and
//! the directory listings the conversations resolve against
//! (`directory-and-activity.md` §1), and the users' presence and routing
//! status through the user details query and jobs (§2.1–2.3).

mod activity;
mod api;
mod data;
mod directory;
mod jobs;
mod listing;
mod pools;
mod user_query;

use crate::simulator::core::records::Record;
use crate::simulator::core::{App, Endpoint, Incoming, RateWindow, Reply, VendorApi};
use crate::simulator::{ActivityTruth, SimConfig, TokenUse};
use api::{platform_error, throttled};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use std::sync::Mutex;

/// Advertised in `inin-ratelimit-allowed` when no limit is enforced: large,
/// so clients that pace on the headers are not slowed in benchmarks.
const UNLIMITED_ALLOWANCE: u32 = 100_000;
/// The default per-token limit (§5.1), named by throttle-burst 429s.
const DEFAULT_LIMIT: u32 = 300;
const BOTH_PERMISSIONS: &str =
    "[analytics:conversationDetail:view, analytics:agentConversationDetail:view]";

pub(crate) struct Genesys {
    data: data::Conversations,
    directory: directory::Directory,
    activity: activity::Activity,
    jobs: Mutex<jobs::Jobs>,
    /// Token texts and job ids: not guessable from the data seed.
    rng: Mutex<fastrand::Rng>,
}

impl Genesys {
    /// Generates the conversations `cfg` asks for.
    pub(crate) fn new(cfg: &SimConfig) -> Genesys {
        let pools = pools::Pools::new(cfg.seed);
        let directory = directory::build(&pools, cfg.seed, cfg.interval.start().timestamp_millis());
        Genesys {
            data: data::generate(
                &pools,
                cfg.seed,
                cfg.conversations,
                cfg.bad_records,
                cfg.interval.start().timestamp_millis(),
                cfg.interval.end().timestamp_millis(),
            ),
            activity: activity::Activity::generate(
                &pools,
                &directory.presence,
                cfg.seed,
                cfg.activity_periods_per_agent_day,
                cfg.interval.start().timestamp_millis(),
                cfg.interval.end().timestamp_millis(),
            ),
            directory,
            jobs: Mutex::new(jobs::Jobs::default()),
            rng: Mutex::new(fastrand::Rng::new()),
        }
    }
}

impl VendorApi for Genesys {
    fn endpoint(&self, path: &str) -> Endpoint {
        match path {
            "/oauth/token" => Endpoint::Token,
            _ => Endpoint::Api,
        }
    }

    fn respond(&self, app: &App, endpoint: Endpoint, req: &Incoming) -> Reply {
        match endpoint {
            Endpoint::Token => self.token(app, req),
            Endpoint::Discovery | Endpoint::Api => self.route(app, req),
        }
    }

    /// `inin-ratelimit-*` on API answers and `inin-correlation-id` on all
    /// (§5.2).
    fn stamp(&self, headers: &mut HeaderMap, rate: Option<&RateWindow>, request_id: &str) {
        if let Some(rate) = rate {
            let allowed = rate.limit.unwrap_or(UNLIMITED_ALLOWANCE);
            headers.insert("inin-ratelimit-allowed", HeaderValue::from(allowed));
            headers.insert("inin-ratelimit-count", HeaderValue::from(rate.count));
            headers.insert("inin-ratelimit-reset", HeaderValue::from(rate.reset_s));
        }
        headers.insert(
            "inin-correlation-id",
            HeaderValue::from_str(request_id).expect("hex id"),
        );
    }

    fn truncated_page(&self) -> &'static [u8] {
        b"{\"conversations\":[{\"conversationId\":\"4f1c"
    }

    fn gateway_errors(&self) -> &'static [u16] {
        &[503, 502, 504]
    }

    /// Which 401 code a revoked token gets is unconfirmed (§1.4); the
    /// simulator says `bad.credentials`, as for an unknown one.
    fn unauthorized(&self, token: TokenUse, request_id: &str) -> Reply {
        let (code, msg) = match token {
            TokenUse::Missing => (
                "authentication.required",
                "No authentication bearer token specified in authorization header.",
            ),
            TokenUse::Expired => (
                "credentials.expired",
                "The supplied credentials are expired and cannot be used.",
            ),
            _ => ("bad.credentials", "Invalid login credentials."),
        };
        platform_error(StatusCode::UNAUTHORIZED, code, msg, request_id)
    }

    fn throttled(&self, retry_after: Option<u32>, request_id: &str) -> Reply {
        throttled(DEFAULT_LIMIT, retry_after, request_id)
    }

    fn rate_limited(&self, limit: u32, reset_s: u32, request_id: &str) -> Reply {
        throttled(limit, Some(reset_s), request_id)
    }

    /// 403 `missing.any.permissions` naming what the endpoint needs (§1.4);
    /// directory listings name theirs (none for users and divisions).
    fn forbidden(&self, path: &str, request_id: &str) -> Option<Reply> {
        if !path.starts_with("/api/v2/analytics/") {
            return listing::forbidden(path, request_id);
        }
        let perms = if path.starts_with("/api/v2/analytics/users/") {
            "[analytics:userDetail:view]"
        } else if path.ends_with("/jobs/availability") {
            "[analytics:conversationDetail:view]"
        } else {
            BOTH_PERMISSIONS
        };
        let msg = format!(
            "Unable to perform the requested action. You must have at least one of the following permissions assigned: {perms}"
        );
        Some(platform_error(
            StatusCode::FORBIDDEN,
            "missing.any.permissions",
            &msg,
            request_id,
        ))
    }

    fn records(&self) -> &[Record] {
        &self.data.records
    }

    /// Client credentials grants come without refresh tokens (§1.2).
    fn refresh_tokens(&self) -> Vec<String> {
        Vec::new()
    }

    /// `users`, `queues`, `wrapupcodes`, `skills`, `divisions`,
    /// `presencedefinitions`.
    fn directory(&self, name: &str) -> Vec<serde_json::Value> {
        let d = &self.directory;
        let all = |v: &[directory::Entry]| v.iter().map(|e| e.json.clone()).collect();
        match name {
            "users" => d.users.clone(),
            "queues" => d.queues.clone(),
            "wrapupcodes" => all(&d.wrapups),
            "skills" => d.skills.clone(),
            "divisions" => all(&d.divisions),
            "presencedefinitions" => d.presence.clone(),
            _ => Vec::new(),
        }
    }

    fn activity(&self, start_ms: i64, end_ms: i64, _: i64) -> ActivityTruth {
        self.activity.truth(start_ms, end_ms)
    }
}
