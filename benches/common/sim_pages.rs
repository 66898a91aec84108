//! Fetches real API pages from the in-process simulator over HTTP, so the
//! benchmarks transform exactly the bytes a run would receive.
//!
//! Shared by `benches/transform.rs` and `examples/capture_pages.rs` (included
//! with `#[path]`); it only uses public `cxetl` APIs and the crate's own
//! dependencies (tokio, reqwest, serde_json).

#![allow(dead_code)]

use bytes::Bytes;
use cxetl::simulator::{self, SimConfig};
use cxetl::Interval;

const DETAILS: &str = "/api/v2/analytics/conversations/details";

/// A simulator session: base URL, an HTTP client and a bearer token.
pub struct Session {
    base: String,
    http: reqwest::Client,
    token: String,
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

impl Session {
    /// Authenticates against a running simulator (client-credentials grant).
    pub async fn connect(sim: &simulator::Simulator) -> Result<Session, BoxError> {
        let cfg = sim.config();
        let http = reqwest::Client::builder().build()?;
        let resp = http
            .post(format!("{}/oauth/token", sim.login_url()))
            .basic_auth(&cfg.client_id, Some(&cfg.client_secret))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("grant_type=client_credentials")
            .send()
            .await?
            .error_for_status()?
            .bytes()
            .await?;
        let v: serde_json::Value = serde_json::from_slice(&resp)?;
        let token = v["access_token"]
            .as_str()
            .ok_or("token response without access_token")?
            .to_string();
        Ok(Session {
            base: sim.api_url(),
            http,
            token,
        })
    }

    async fn post(&self, path: &str, body: serde_json::Value) -> Result<Bytes, BoxError> {
        Ok(self
            .http
            .post(format!("{}{DETAILS}/{path}", self.base))
            .bearer_auth(&self.token)
            .header("content-type", "application/json")
            .body(serde_json::to_vec(&body)?)
            .send()
            .await?
            .error_for_status()?
            .bytes()
            .await?)
    }

    async fn get(&self, path_and_query: &str) -> Result<Bytes, BoxError> {
        Ok(self
            .http
            .get(format!("{}{DETAILS}/{path_and_query}", self.base))
            .bearer_auth(&self.token)
            .send()
            .await?
            .error_for_status()?
            .bytes()
            .await?)
    }

    /// Synchronous details query pages (`pageSize` ≤ 100), at most `max_pages`.
    pub async fn query_pages(
        &self,
        slice: &Interval,
        page_size: u32,
        max_pages: usize,
    ) -> Result<Vec<Bytes>, BoxError> {
        let mut pages = Vec::new();
        for page_number in 1..=max_pages {
            let body = serde_json::json!({
                "interval": slice.to_iso_pair(),
                "order": "asc",
                "orderBy": "conversationStart",
                "paging": {"pageSize": page_size, "pageNumber": page_number},
            });
            let page = self.post("query", body).await?;
            let v: serde_json::Value = serde_json::from_slice(&page)?;
            let n = v["conversations"].as_array().map_or(0, Vec::len);
            if n == 0 {
                break;
            }
            pages.push(page);
            if n < page_size as usize {
                break;
            }
        }
        Ok(pages)
    }

    /// Async job results pages (`pageSize` ≤ 1000) for `slice`, at most
    /// `max_pages`; the job is deleted afterwards.
    pub async fn job_pages(
        &self,
        slice: &Interval,
        page_size: u32,
        max_pages: usize,
    ) -> Result<Vec<Bytes>, BoxError> {
        let body = serde_json::json!({
            "interval": slice.to_iso_pair(),
            "order": "asc",
            "orderBy": "conversationStart",
            "startOfDayIntervalMatching": false,
        });
        let v: serde_json::Value = serde_json::from_slice(&self.post("jobs", body).await?)?;
        let job = v["jobId"].as_str().ok_or("no jobId")?.to_string();
        // The simulator's job progress is counted in polls, not wall time.
        let mut fulfilled = false;
        for _ in 0..10 {
            let s: serde_json::Value =
                serde_json::from_slice(&self.get(&format!("jobs/{job}")).await?)?;
            if s["state"] == "FULFILLED" {
                fulfilled = true;
                break;
            }
        }
        if !fulfilled {
            return Err("job not fulfilled after 10 polls".into());
        }
        let mut pages = Vec::new();
        let mut cursor: Option<String> = None;
        while pages.len() < max_pages {
            let mut q = format!("jobs/{job}/results?pageSize={page_size}");
            if let Some(c) = &cursor {
                q.push_str("&cursor=");
                q.push_str(c);
            }
            let page = self.get(&q).await?;
            let v: serde_json::Value = serde_json::from_slice(&page)?;
            pages.push(page);
            match v["cursor"].as_str() {
                Some(c) if !c.is_empty() => cursor = Some(c.to_string()),
                _ => break,
            }
        }
        let _ = self
            .http
            .delete(format!("{}{DETAILS}/jobs/{job}", self.base))
            .bearer_auth(&self.token)
            .send()
            .await;
        Ok(pages)
    }
}

/// One simulated UTC day holding `conversations` conversations.
pub fn one_day_config(conversations: usize) -> SimConfig {
    let day = Interval::parse("2026-11-20", "2026-11-21").expect("static interval");
    SimConfig {
        conversations,
        interval: day,
        ..SimConfig::default()
    }
}
