//! Vendor API simulator: the real endpoint shapes on loopback.
//!
//! With [`SimConfig::vendor`] = [`Vendor::Genesys`] (the default) it serves
//! `POST /oauth/token`, the synchronous conversation details query and the
//! async details jobs exactly as described in
//! `shared/vendor-apis/genesys.md`. With [`Vendor::Cxone`] the same server
//! speaks NICE CXone (`shared/vendor-apis/cxone.md`): OIDC discovery,
//! `POST /auth/token` (access-key password grant, refresh-token grant,
//! JWT-shaped id token with `tenantId`), `/.well-known/cxone-configuration`
//! and `GET /inContactAPI/services/{version}/contacts/completed`.
//!
//! Each also serves the directory listings its conversations resolve
//! against (`shared/vendor-apis/directory-and-activity.md` §1, §4):
//! Genesys users, queues, wrap-up codes, skills, divisions and presence
//! definitions; CXone agents, teams, skills and dispositions. See
//! [`Simulator::directory`]. And the agents' activity (§2.1–2.3, §4.5):
//! Genesys `POST /api/v2/analytics/users/details/query` and the user
//! details jobs, CXone `GET …/agents/state-history`; see
//! [`Simulator::activity`].
//!
//! Either way the data is deterministic, and a request log and a fault
//! schedule let tests prove how a client behaves (token refresh, retries,
//! pacing) rather than only what it outputs. Records are generated and
//! serialized once at start-up; pages are built by concatenating the stored
//! bytes, so the simulator keeps up with benchmark clients at a million
//! records.
//!
//! `core` is the vendor-neutral server (request log, fault schedule, token
//! store, data generator); `genesys` and `cxone` each plug their endpoints
//! and data in through `core::VendorApi`, and [`start`] picks one.

mod core;
mod cxone;
mod genesys;

use self::core::{App, VendorApi};

use crate::{Interval, Vendor};
use chrono::{DateTime, TimeZone, Utc};
use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

/// What the simulator serves and how it misbehaves.
///
/// Every field means the same for both vendors unless its doc says
/// otherwise; for CXone "conversation" reads "completed contact".
#[derive(Clone, Debug)]
pub struct SimConfig {
    /// Which vendor's API the server speaks (default Genesys).
    pub vendor: Vendor,
    /// Seed for all generated data: equal seeds give byte-identical pages.
    pub seed: u64,
    /// Number of well-formed conversations generated.
    pub conversations: usize,
    /// Conversation starts are spread over this interval.
    pub interval: Interval,
    /// Accepted client id (CXone: the registered application's).
    pub client_id: String,
    /// Accepted client secret (CXone: the registered application's).
    pub client_secret: String,
    /// CXone: accepted access key id (the password grant's `username`).
    pub access_key_id: String,
    /// CXone: accepted access key secret (the password grant's
    /// `password`). The default holds `/`, `=` and `+`, which only survive
    /// a correctly form-encoded request body.
    pub access_key_secret: String,
    /// CXone: the tenant named by the id token's `tenantId` claim; the only
    /// tenant `/.well-known/cxone-configuration` knows.
    pub tenant_id: String,
    /// CXone: the Reporting API version clients are expected to use (see
    /// [`Simulator::cxone_completed_url`]). The server answers any `vNN.0`
    /// with the same (v34) field names.
    pub api_version: String,
    /// CXone: every Nth record (1-based) uses legacy field spellings
    /// (`contactStart`, `fromAddr`/`toAddr`, `ACWSeconds`, `confSeconds`,
    /// `mediaType`) and string-typed numbers and booleans (`"187"`,
    /// `"True"`), with whole-second durations. `None` or 0: none.
    pub cxone_legacy_every: Option<u32>,
    /// Token lifetime: advertised as `expires_in` (rounded up to whole
    /// seconds) and enforced exactly. CXone refresh tokens live twice as
    /// long and are single use.
    pub token_ttl: Duration,
    /// Delay inside `/oauth/token` (CXone: `/auth/token`), so concurrent
    /// token requests overlap and
    /// show up in [`RequestRecord::concurrent_token_requests`].
    pub token_latency: Duration,
    /// `dataAvailabilityDate` served by the jobs endpoints (CXone: the
    /// pages' `lastPollTime`); `None` = the end of [`SimConfig::interval`].
    pub data_availability: Option<DateTime<Utc>>,
    /// Added to every API (non-token) response, faults included.
    pub page_latency: Duration,
    /// Genesys: how long an async job stays QUEUED/PENDING after its
    /// submission before it ends (it also always shows its first one or two
    /// polls as waiting). Zero: only those polls, no wall-clock wait.
    pub job_latency: Duration,
    /// Number of malformed conversations mixed in, in addition to
    /// [`SimConfig::conversations`]. Kinds cycle: missing `conversationId`,
    /// `conversationStart` "not-a-date", `participants` as a string, a
    /// numeric `segmentStart`. CXone: missing `contactId`,
    /// `contactStartDate` "not-a-date", `totalDurationSeconds` as an
    /// object, `contactId` as a non-numeric string.
    pub bad_records: usize,
    /// Agent activity: status periods per agent per UTC day, for each
    /// timeline (Genesys presence and routing status; CXone agent states).
    /// Periods average a day over this many and never last a whole day, so
    /// some span midnight. About `agents × days × this` periods per
    /// timeline (240 Genesys users, 120 CXone agents).
    pub activity_periods_per_agent_day: usize,
    /// Injected failures.
    pub faults: Faults,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            vendor: Vendor::Genesys,
            seed: 42,
            conversations: 2_000,
            interval: Interval::new(
                Utc.with_ymd_and_hms(2026, 11, 20, 0, 0, 0).unwrap(),
                Utc.with_ymd_and_hms(2026, 11, 23, 0, 0, 0).unwrap(),
            )
            .expect("static interval is ordered"),
            client_id: "sim-client".to_string(),
            client_secret: "sim-secret".to_string(),
            access_key_id: "AKSIM".to_string(),
            access_key_secret: "sim/key=secret+x".to_string(),
            tenant_id: "11eb8e2a-5c3d-4f10-9a7b-0242ac110002".to_string(),
            api_version: "v34.0".to_string(),
            cxone_legacy_every: Some(7),
            token_ttl: Duration::from_secs(3600),
            token_latency: Duration::ZERO,
            data_availability: None,
            page_latency: Duration::ZERO,
            job_latency: Duration::ZERO,
            bad_records: 0,
            activity_periods_per_agent_day: 6,
            faults: Faults::default(),
        }
    }
}

/// Fault schedule. "Every Nth" counts API requests (never token requests,
/// nor CXone's discovery documents) in arrival order, starting at 1, so
/// request N, 2N, 3N… are hit.
///
/// When several apply to one request the first wins, in this order: reset,
/// server error, authentication (including `revoke_every`), throttle burst,
/// rate limit, forbidden.
///
/// CXone answers in its own shapes: 401 `{"error":"invalid_token",
/// "error_description"}`; throttle bursts are **503** with that body (CXone's
/// documented throttling status); server errors cycle 502, 504 (HTML);
/// `forbidden` is a 403 on completed contacts and the admin listings;
/// `job_failures` does not apply.
#[derive(Clone, Debug)]
pub struct Faults {
    /// Revoke the presented (valid) token early: 401 `bad.credentials`
    /// (CXone: `invalid_token`) while
    /// `expires_in` still says it is valid; the token stays dead.
    pub revoke_every: Option<u32>,
    /// Every Nth API request starts a burst of 429 `too.many.requests`
    /// (CXone: 503 `{error, error_description}`)…
    pub throttle_every: Option<u32>,
    /// …of this many consecutive authenticated API requests (default 1).
    pub throttle_burst: u32,
    /// `Retry-After` seconds on injected 429s (CXone: 503s); `None` omits
    /// the header.
    pub retry_after: Option<u32>,
    /// Every Nth API request gets a load-balancer 5xx with an HTML body,
    /// cycling 503, 502, 504 (CXone: 502, 504).
    pub server_error_every: Option<u32>,
    /// Every Nth API request: headers and part of the body are sent, then the
    /// connection is dropped.
    pub reset_every: Option<u32>,
    /// Analytics endpoints answer 403 `missing.any.permissions`; directory
    /// listings 403 naming their permission (`missing.permissions` where
    /// they need all), except users and divisions, which "require no
    /// permissions".
    pub forbidden: bool,
    /// With `forbidden`: only paths containing one of these answer 403
    /// (empty: every path `forbidden` covers), so one stream can lack a
    /// permission while the others have theirs.
    pub forbidden_only: Vec<String>,
    /// The first N submitted jobs end `FAILED` with an `errorMessage`.
    pub job_failures: u32,
    /// Per-token budget in a fixed 60 s window (starting at the token's
    /// first request); beyond it 429 with `Retry-After` = seconds to reset.
    pub rate_limit_per_minute: Option<u32>,
}

impl Default for Faults {
    fn default() -> Self {
        Faults {
            revoke_every: None,
            throttle_every: None,
            throttle_burst: 1,
            retry_after: Some(1),
            server_error_every: None,
            reset_every: None,
            forbidden: false,
            forbidden_only: Vec::new(),
            job_failures: 0,
            rate_limit_per_minute: None,
        }
    }
}

/// What a correct run over an interval must produce.
///
/// For CXone: `ids` are `contactId`s as decimal text, `duration_ms_sum` is
/// Σ round(`totalDurationSeconds` × 1000), `ongoing` is 0 (completed
/// contacts have ended), ownership is by contact start.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct GroundTruth {
    /// Well-formed conversations whose `conversationStart` ∈ `[start, end)`.
    pub count: usize,
    /// Their `conversationId`s.
    pub ids: BTreeSet<String>,
    /// Sum of `conversationEnd - conversationStart` in ms over the ended ones.
    pub duration_ms_sum: i64,
    /// How many of them have no `conversationEnd`.
    pub ongoing: usize,
    /// Malformed records placed in the interval: what a run must quarantine.
    /// A record whose `conversationStart` is unreadable counts by the
    /// position the simulator served it at.
    pub bad_records: usize,
}

/// The agent activity a run over an interval must land, each period
/// exactly once: those it *owns*, whose start lies in `[start, end)`.
/// Sorted by agent, then start.
///
/// The endpoints serve more than that: Genesys returns every period
/// *overlapping* the interval, stored once on its start day and again on
/// its end day (both copies come back when both days are queried), and a
/// user in several rows; CXone returns the states starting in the interval.
/// Only one vendor's lists are filled; the other's are empty.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct ActivityTruth {
    /// Genesys `primaryPresence` periods.
    pub presence: Vec<PresencePeriod>,
    /// Genesys `routingStatus` periods.
    pub routing: Vec<RoutingPeriod>,
    /// CXone `agentStateHistory` rows.
    pub cxone_states: Vec<AgentState>,
}

/// One Genesys presence period. `end` is `None` while it lasts (the last
/// period of each user); such a period has no `endTime`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PresencePeriod {
    pub user_id: String,
    pub start: DateTime<Utc>,
    pub end: Option<DateTime<Utc>>,
    /// Analytics spelling, e.g. `ON_QUEUE`.
    pub system_presence: String,
    /// Joins `presencedefinitions` `id`.
    pub organization_presence_id: String,
}

/// One Genesys routing-status period; `end` as for [`PresencePeriod`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoutingPeriod {
    pub user_id: String,
    pub start: DateTime<Utc>,
    pub end: Option<DateTime<Utc>>,
    pub routing_status: String,
}

/// One CXone agent state. Ids are 0 where the row carries none (no skill
/// outside contact states, no out-state outside Unavailable).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AgentState {
    pub agent_id: i64,
    pub agent_session_id: i64,
    /// From 1 within each session.
    pub state_index: i64,
    pub start: DateTime<Utc>,
    pub agent_state_id: i64,
    pub agent_state_name: String,
    pub out_state_id: i64,
    pub skill_id: i64,
    pub media_type_id: i64,
    pub contact_id: i64,
    pub team_id: i64,
    /// The served `duration` in ms; for the last state of each agent (still
    /// going) the time up to `lastPollTime`.
    pub duration_ms: i64,
}

/// Which endpoint family a request hit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RequestKind {
    /// `/oauth/token` (CXone: `/auth/token`).
    Token,
    /// Everything else (`/api/v2/...`, including unknown paths).
    Api,
    /// CXone's unauthenticated `/.well-known/openid-configuration` and
    /// `/.well-known/cxone-configuration`: outside the fault schedule.
    Discovery,
}

/// The bearer token an API request presented, judged at arrival.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TokenUse {
    /// Issued, not revoked, within its ttl.
    Valid,
    /// Past the expiry the client was told.
    Expired,
    /// Revoked early by the `revoke_every` fault (now or before).
    Revoked,
    /// Never issued by this simulator.
    Unknown,
    /// No `Authorization: Bearer` header. Also used for token requests,
    /// which present client credentials instead.
    Missing,
}

/// One request as the simulator saw it.
#[derive(Clone, Debug)]
pub struct RequestRecord {
    /// Arrival order, from 1, over all requests.
    pub seq: u64,
    /// Milliseconds since the simulator started, at arrival.
    pub received_ms: f64,
    /// Milliseconds since start when the response headers were ready.
    pub responded_ms: f64,
    /// HTTP method, e.g. `POST`.
    pub method: String,
    /// Request path without the query string.
    pub path: String,
    /// Raw query string (without `?`), empty when none.
    pub query: String,
    /// `METHOD path?query #bodyhash`: equal for a re-sent request.
    pub key: String,
    /// Status sent; 0 when the connection was dropped by `reset_every`.
    pub status: u16,
    /// The `Retry-After` seconds the response carried.
    pub retry_after: Option<u32>,
    pub kind: RequestKind,
    pub token: TokenUse,
    /// Which issued token: the presented one for API requests, the issued
    /// one for successful token requests.
    pub token_id: Option<u64>,
    /// Token requests in flight when this request arrived; includes itself
    /// for token requests, so a well-behaved client always shows 1.
    pub concurrent_token_requests: usize,
}

/// A running simulator. Dropping it stops the server.
pub struct Simulator {
    addr: SocketAddr,
    app: Arc<App>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

/// Generates the data, binds `127.0.0.1:port` (0 = any free port) and
/// serves until the returned [`Simulator`] is dropped.
///
/// Must be called inside a Tokio runtime. Generation runs on the blocking
/// pool; the function returns once the listener is bound.
pub async fn start(config: SimConfig, port: u16) -> std::io::Result<Simulator> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    let addr = listener.local_addr()?;
    let cfg = config.clone();
    let vendor = tokio::task::spawn_blocking(move || -> Box<dyn VendorApi> {
        match cfg.vendor {
            Vendor::Genesys => Box::new(genesys::Genesys::new(&cfg)),
            Vendor::Cxone => Box::new(cxone::Cxone::new(&cfg)),
        }
    })
    .await
    .map_err(std::io::Error::other)?;
    let app = Arc::new(App::new(config, format!("http://{addr}"), vendor));
    let stop = core::serve(listener, app.clone());
    Ok(Simulator {
        addr,
        app,
        stop: Some(stop),
    })
}

impl Simulator {
    /// Base URL of the platform API, e.g. `http://127.0.0.1:PORT`. CXone:
    /// the tenant's `api_endpoint` (what cxone-configuration returns).
    pub fn api_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Base URL of the login host (`/oauth/token`); the same server. CXone:
    /// the OIDC issuer (`/.well-known/openid-configuration`,
    /// `/auth/token`).
    pub fn login_url(&self) -> String {
        self.api_url()
    }

    /// Which vendor this simulator speaks.
    pub fn vendor(&self) -> Vendor {
        self.app.cfg.vendor
    }

    /// CXone: `{api_url}/inContactAPI/services/{api_version}/contacts/completed`.
    pub fn cxone_completed_url(&self) -> String {
        format!(
            "{}/inContactAPI/services/{}/contacts/completed",
            self.api_url(),
            self.app.cfg.api_version
        )
    }

    /// The configuration being served.
    pub fn config(&self) -> &SimConfig {
        &self.app.cfg
    }

    /// The conversations a run over `interval` owns (start ∈ `[start, end)`).
    pub fn ground_truth(&self, interval: &Interval) -> GroundTruth {
        let recs = self.app.vendor.records();
        let lo = recs.partition_point(|r| r.start_ms < interval.start().timestamp_millis());
        let hi = recs.partition_point(|r| r.start_ms < interval.end().timestamp_millis());
        let mut gt = GroundTruth::default();
        for r in &recs[lo..hi] {
            if r.bad {
                gt.bad_records += 1;
                continue;
            }
            gt.count += 1;
            if let Some(id) = &r.id {
                gt.ids.insert(id.to_string());
            }
            match r.end_ms {
                Some(e) => gt.duration_ms_sum += e - r.start_ms,
                None => gt.ongoing += 1,
            }
        }
        gt
    }

    /// Every entity of the directory listing `name`, as the listings serve
    /// it, including the inactive, deleted and deactivated ones only some
    /// calls return: what a complete directory pull must end up with.
    ///
    /// Genesys: `users` (every `state`), `queues`, `wrapupcodes` (active and
    /// deleted), `skills`, `divisions` (active and deleted),
    /// `presencedefinitions` (both `deactivated` values). CXone: `agents`,
    /// `teams`, `skills`, `dispositions` (active and inactive). Every id the
    /// conversations (contacts) reference is among them; so are a few
    /// nobody references. Order is the listing's; an unknown name gives an
    /// empty list.
    pub fn directory(&self, name: &str) -> Vec<serde_json::Value> {
        self.app.vendor.directory(name)
    }

    /// The agent activity a run over `interval` owns (period start ∈
    /// `[start, end)`), each period once: see [`ActivityTruth`].
    pub fn activity(&self, interval: &Interval) -> ActivityTruth {
        self.app.vendor.activity(
            interval.start().timestamp_millis(),
            interval.end().timestamp_millis(),
            self.app.availability_ms(),
        )
    }

    /// Every request so far, in arrival order.
    pub fn request_log(&self) -> Vec<RequestRecord> {
        self.app.request_log()
    }

    /// Every access token the simulator has issued, so tests can prove no
    /// token text leaked into logs or output.
    pub fn issued_tokens(&self) -> Vec<String> {
        self.app.issued_tokens()
    }

    /// CXone refresh tokens issued and not yet redeemed (single use), for
    /// the same leak checks. Always empty for Genesys.
    pub fn issued_refresh_tokens(&self) -> Vec<String> {
        self.app.vendor.refresh_tokens()
    }

    /// Stops accepting connections; in-flight requests finish.
    pub fn shutdown(self) {
        drop(self);
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }
}
