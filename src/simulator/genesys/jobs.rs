//! Genesys's async details jobs: submit, poll, page through results with
//! a cursor, delete (`shared/vendor-apis/genesys.md` §3). Conversation and
//! user details jobs share the machinery (`directory-and-activity.md`
//! §2.3: "same model as conversation jobs"); each job answers only under
//! its own path.

use super::api::{bad_request, parse_query, DAY_MS};
use super::Genesys;
use crate::simulator::core::json::{fmt_date, push_date};
use crate::simulator::core::{random_uuid, App, Reply};
use axum::http::StatusCode;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use bytes::Bytes;
use serde_json::json;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Every job submitted and not deleted.
#[derive(Default)]
pub(super) struct Jobs {
    by_id: HashMap<String, Job>,
    submitted: u32,
}

/// Which details a job holds, and so which path serves it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Family {
    /// `conversations/details/jobs`: record indices.
    Conversations,
    /// `users/details/jobs`: activity rows over the job's interval.
    Users,
}

struct Job {
    family: Family,
    /// The submitted interval (ms), which user rows are cut to.
    window: (i64, i64),
    seq: u32,
    fail: bool,
    polls: u32,
    terminal: Option<&'static str>,
    submitted_ms: i64,
    /// When it was submitted, for [`crate::simulator::SimConfig::job_latency`].
    submitted: Instant,
    completed_ms: Option<i64>,
    indices: Arc<Vec<u32>>,
}

impl Genesys {
    pub(super) fn create_job(&self, app: &App, body: &[u8], ctx: &str) -> Reply {
        let (q, (s, e)) = match parse_query(body, ctx) {
            Ok(x) => x,
            Err(r) => return r,
        };
        let data = &self.data;
        let recs = &data.records;
        // Lifetime overlap: start < end_i and (end > start_i or ongoing).
        // Nothing that started more than the longest duration ago can overlap,
        // except ongoing conversations, which are indexed separately.
        let start_of_day = q.start_of_day_interval_matching.unwrap_or(false);
        let day_start = s.div_euclid(DAY_MS) * DAY_MS;
        let min_start = if start_of_day { day_start } else { i64::MIN };
        let hi = recs.partition_point(|r| r.start_ms < e);
        let lo = recs
            .partition_point(|r| r.start_ms < (s - data.max_duration_ms).max(min_start))
            .min(hi);
        let mut indices: Vec<u32> = data
            .ongoing
            .iter()
            .copied()
            .take_while(|&i| (i as usize) < lo)
            .filter(|&i| recs[i as usize].start_ms >= min_start)
            .collect();
        indices.extend(
            (lo..hi)
                .filter(|&i| recs[i].end_ms.is_none_or(|end| end > s))
                .map(|i| i as u32),
        );
        if q.descending().unwrap_or(false) {
            indices.reverse();
        }
        self.submit(app, Family::Conversations, (s, e), indices, q.limit)
    }

    /// Registers a job over `indices` (cut to `limit`): 202 `{jobId}`.
    pub(super) fn submit(
        &self,
        app: &App,
        family: Family,
        window: (i64, i64),
        mut indices: Vec<u32>,
        limit: Option<i64>,
    ) -> Reply {
        if let Some(limit) = limit {
            indices.truncate(limit.max(0) as usize);
        }
        let mut jobs = self.jobs.lock().expect("jobs lock");
        jobs.submitted += 1;
        let seq = jobs.submitted;
        let id = random_uuid(&mut self.rng.lock().expect("rng lock"));
        jobs.by_id.insert(
            id.clone(),
            Job {
                family,
                window,
                seq,
                fail: seq <= app.cfg.faults.job_failures,
                polls: 0,
                terminal: None,
                submitted_ms: chrono::Utc::now().timestamp_millis(),
                submitted: Instant::now(),
                completed_ms: None,
                indices: Arc::new(indices),
            },
        );
        Reply::json(
            StatusCode::ACCEPTED,
            serde_json::to_vec(&json!({"jobId": id})).expect("json"),
        )
    }

    pub(super) fn job_status(&self, app: &App, family: Family, id: &str) -> Option<Reply> {
        let mut jobs = self.jobs.lock().expect("jobs lock");
        let job = jobs.by_id.get_mut(id).filter(|j| j.family == family)?;
        job.polls += 1;
        let waiting = waiting_state(
            job.polls,
            job.seq,
            job.submitted.elapsed(),
            app.cfg.job_latency,
        );
        let state = match (job.terminal, waiting) {
            (Some(t), _) => t,
            (None, Some(w)) => w,
            (None, None) => {
                let t = if job.fail { "FAILED" } else { "FULFILLED" };
                job.terminal = Some(t);
                job.completed_ms = Some(chrono::Utc::now().timestamp_millis());
                t
            }
        };
        let mut body = serde_json::Map::new();
        body.insert("state".into(), state.into());
        body.insert("submissionDate".into(), fmt_date(job.submitted_ms).into());
        if let Some(c) = job.completed_ms {
            body.insert("completionDate".into(), fmt_date(c).into());
            body.insert("expirationDate".into(), fmt_date(c + DAY_MS).into());
        }
        if state == "FAILED" {
            body.insert(
                "errorMessage".into(),
                "The query failed to execute due to an internal error. Please resubmit the job."
                    .into(),
            );
        }
        Some(Reply::json(
            StatusCode::OK,
            serde_json::to_vec(&body).expect("json"),
        ))
    }

    /// `DELETE .../jobs/{id}`: 204 with a JSON content type, as the API does.
    pub(super) fn delete_job(&self, family: Family, id: &str) -> Option<Reply> {
        let mut jobs = self.jobs.lock().expect("jobs lock");
        jobs.by_id.get(id).filter(|j| j.family == family)?;
        jobs.by_id.remove(id);
        Some(Reply {
            content_type: "application/json",
            ..Reply::json(StatusCode::NO_CONTENT, Bytes::new())
        })
    }

    pub(super) fn job_results(
        &self,
        app: &App,
        family: Family,
        id: &str,
        params: &HashMap<String, String>,
        ctx: &str,
    ) -> Option<Reply> {
        let (state, indices, (s, e)) = {
            let jobs = self.jobs.lock().expect("jobs lock");
            let job = jobs.by_id.get(id).filter(|j| j.family == family)?;
            (job.terminal, job.indices.clone(), job.window)
        };
        if state != Some("FULFILLED") {
            let shown = state.unwrap_or("PENDING");
            return Some(bad_request(
                &format!("Results are not available for job {id} in state {shown}"),
                ctx,
            ));
        }
        let page_size = match params.get("pageSize").map(|p| p.parse::<usize>()) {
            None => 100,
            Some(Ok(n)) if (1..=1000).contains(&n) => n,
            Some(_) => return Some(bad_request("pageSize must be between 1 and 1000", ctx)),
        };
        let offset = match params.get("cursor").filter(|c| !c.is_empty()) {
            None => 0,
            Some(c) => match decode_cursor(id, c) {
                Some(o) => o,
                None => return Some(bad_request("Invalid cursor", ctx)),
            },
        };
        let recs = &self.data.records;
        let page = &indices[offset.min(indices.len())..(offset + page_size).min(indices.len())];
        let mut out = Vec::with_capacity(page.len() * 5000 + 128);
        match family {
            Family::Conversations => {
                out.extend_from_slice(b"{\"conversations\":[");
                for (k, &i) in page.iter().enumerate() {
                    if k > 0 {
                        out.push(b',');
                    }
                    out.extend_from_slice(&recs[i as usize].json);
                }
                out.push(b']');
            }
            // Both stored copies of a period spanning midnight come back:
            // the sync query's in-page filtering is documented for paging
            // only (§2.1), so the client de-duplicates (§2.2).
            Family::Users => {
                out.extend_from_slice(b"{\"userDetails\":");
                self.activity.push_rows(&mut out, page, s, e, false);
            }
        }
        if offset + page_size < indices.len() {
            out.extend_from_slice(b",\"cursor\":\"");
            out.extend_from_slice(encode_cursor(id, offset + page_size).as_bytes());
            out.push(b'"');
        }
        out.extend_from_slice(b",\"dataAvailabilityDate\":\"");
        push_date(&mut out, app.availability_ms());
        out.extend_from_slice(b"\"}");
        Some(Reply::json(StatusCode::OK, out))
    }
}

/// The state the `polls`-th status poll of job number `seq` shows while the
/// job is still running, `None` once it may end. Deterministic progress:
/// odd jobs show QUEUED then PENDING, even jobs QUEUED only; and, when
/// `latency` is set, PENDING until that long has passed since submission
/// (a real analytics job takes seconds to minutes).
fn waiting_state(
    polls: u32,
    seq: u32,
    waited: Duration,
    latency: Duration,
) -> Option<&'static str> {
    let waiting_polls = 1 + seq % 2;
    match (polls, polls > waiting_polls && waited >= latency) {
        (_, true) => None,
        (1, false) => Some("QUEUED"),
        (_, false) => Some("PENDING"),
    }
}

fn encode_cursor(job: &str, offset: usize) -> String {
    URL_SAFE_NO_PAD.encode(format!("{job}:{offset}"))
}

fn decode_cursor(job: &str, cursor: &str) -> Option<usize> {
    let raw = String::from_utf8(URL_SAFE_NO_PAD.decode(cursor).ok()?).ok()?;
    let (j, off) = raw.rsplit_once(':')?;
    (j == job).then(|| off.parse().ok()).flatten()
}

#[cfg(test)]
mod tests {
    use super::waiting_state;
    use std::time::Duration;

    const NONE: Duration = Duration::ZERO;

    #[test]
    fn without_latency_jobs_end_after_their_waiting_polls() {
        // Odd jobs: QUEUED, PENDING, then done; even jobs: QUEUED, then done.
        let odd: Vec<_> = (1..=3).map(|p| waiting_state(p, 1, NONE, NONE)).collect();
        assert_eq!(odd, [Some("QUEUED"), Some("PENDING"), None]);
        let even: Vec<_> = (1..=2).map(|p| waiting_state(p, 2, NONE, NONE)).collect();
        assert_eq!(even, [Some("QUEUED"), None]);
    }

    #[test]
    fn with_latency_a_job_stays_pending_until_the_latency_has_passed() {
        let latency = Duration::from_secs(2);
        let ms = Duration::from_millis;
        assert_eq!(waiting_state(1, 2, ms(0), latency), Some("QUEUED"));
        // However often it is polled, not before the latency.
        for polls in 2..50 {
            assert_eq!(waiting_state(polls, 2, ms(1999), latency), Some("PENDING"));
        }
        assert_eq!(waiting_state(2, 2, ms(2000), latency), None);
        // Nor before its waiting polls, however long it waited.
        assert_eq!(waiting_state(1, 2, ms(60_000), latency), Some("QUEUED"));
        assert_eq!(waiting_state(2, 1, ms(60_000), latency), Some("PENDING"));
        assert_eq!(waiting_state(3, 1, ms(60_000), latency), None);
    }
}
