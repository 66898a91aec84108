//! Asynchronous details jobs: submit, poll gently, page the results by
//! cursor, delete the job.

use super::{parse_time, Genesys, SliceReport};
use crate::connector::{PageConsumer, PageGuard};
use crate::http::{ApiClient, ApiRequest, HttpError};
use crate::{Error, Interval, Result};
use serde_json::json;
use std::time::Duration;
use url::Url;

/// A job that is neither done nor failed after this long is given up on:
/// a scheduler run must end eventually.
const JOB_MAX_WAIT: Duration = Duration::from_secs(4 * 3600);

/// Bound on the best-effort DELETE, so clean-up never holds a failing run.
const DELETE_TIMEOUT: Duration = Duration::from_secs(30);

/// Why one submission did not deliver the slice.
enum JobFailure {
    /// FAILED, CANCELLED, EXPIRED or vanished before results were read:
    /// submitting again may help.
    Retryable(String),
    /// Results expired after some pages were handed over: the consumer
    /// would need a reset before a resubmission could restart the slice.
    ExpiredMidway(String),
    /// Anything else ends the slice.
    Fatal(Error),
}

impl From<Error> for JobFailure {
    fn from(e: Error) -> Self {
        JobFailure::Fatal(e)
    }
}

impl From<HttpError> for JobFailure {
    fn from(e: HttpError) -> Self {
        JobFailure::Fatal(e.into())
    }
}

/// Deletes the job when dropped on a path that did not delete it already
/// (an error, or the slice future being cancelled), so jobs are never left
/// behind holding the org's concurrent-job quota.
struct JobGuard {
    client: ApiClient,
    url: Url,
    permission: &'static str,
    armed: bool,
}

impl JobGuard {
    async fn delete(mut self) {
        self.armed = false;
        delete_job(self.client.clone(), self.url.clone(), self.permission).await;
    }
}

impl Drop for JobGuard {
    fn drop(&mut self) {
        if !self.armed {
            return;
        }
        if let Ok(handle) = tokio::runtime::Handle::try_current() {
            handle.spawn(delete_job(
                self.client.clone(),
                self.url.clone(),
                self.permission,
            ));
        }
    }
}

async fn delete_job(client: ApiClient, url: Url, permission: &'static str) {
    let req = ApiRequest::delete(url, permission);
    match tokio::time::timeout(DELETE_TIMEOUT, client.send(&req)).await {
        Ok(Ok(_)) => tracing::debug!(path = req.url.path(), "deleted the details job"),
        Ok(Err(e)) => {
            tracing::info!(error = %e, "could not delete the details job (it expires on its own)")
        }
        Err(_) => tracing::info!(
            path = req.url.path(),
            "deleting the details job timed out (it expires on its own)"
        ),
    }
}

/// Next poll delay: ×1.5, capped.
pub(crate) fn next_poll_delay(current: Duration, max: Duration) -> Duration {
    current.mul_f64(1.5).min(max)
}

impl Genesys {
    pub(super) async fn extract_with_jobs(
        &self,
        slice: &Interval,
        consumer: &mut dyn PageConsumer,
    ) -> Result<SliceReport> {
        let mut report = SliceReport::default();
        let submissions = self.settings.job_max_resubmits + 1;
        loop {
            let job_id = self.submit_job(slice).await?;
            report.jobs_submitted += 1;
            let guard = JobGuard {
                client: self.client.clone(),
                url: self.details_url(&format!("jobs/{job_id}"))?,
                permission: self.details.permission,
                armed: true,
            };
            let outcome = self.run_job(&job_id, slice, consumer, &mut report).await;
            guard.delete().await;
            let reason = match outcome {
                Ok(()) => return Ok(report),
                Err(JobFailure::Fatal(e)) => return Err(e),
                Err(JobFailure::ExpiredMidway(reason)) => {
                    report.jobs_failed += 1;
                    // Pages already handed over cannot be taken back here; the
                    // slice must be redone from scratch by the caller.
                    return Err(Error::Upstream(format!(
                        "details job {job_id} for {slice}: results expired after {} pages were read ({reason}); re-run the interval",
                        report.pages
                    )));
                }
                Err(JobFailure::Retryable(reason)) => reason,
            };
            report.jobs_failed += 1;
            if report.jobs_submitted >= submissions {
                return Err(Error::Upstream(format!(
                    "details jobs for {slice} failed {} times; last: {reason}",
                    report.jobs_failed
                )));
            }
            tracing::warn!(slice = %slice, job_id, reason, "details job failed; submitting it again");
        }
    }

    async fn submit_job(&self, slice: &Interval) -> Result<String> {
        let mut body = self.query_body(&self.window(slice));
        if let Some(matching) = self.details.start_of_day_matching {
            body["startOfDayIntervalMatching"] = json!(matching);
        }
        let resp = self
            .client
            .send(&ApiRequest::post_json(
                self.details_url("jobs")?,
                &body,
                self.details.permission,
            ))
            .await?;
        let v: serde_json::Value = serde_json::from_slice(&resp.body).map_err(|e| {
            Error::Upstream(format!(
                "details job submission answered with invalid JSON: {e}"
            ))
        })?;
        let job_id = v
            .get("jobId")
            .and_then(|j| j.as_str())
            .filter(|j| !j.is_empty())
            .ok_or_else(|| {
                Error::Upstream("details job submission answered without jobId".into())
            })?;
        tracing::info!(slice = %slice, job_id, "submitted details job");
        Ok(job_id.to_string())
    }

    async fn run_job(
        &self,
        job_id: &str,
        slice: &Interval,
        consumer: &mut dyn PageConsumer,
        report: &mut SliceReport,
    ) -> std::result::Result<(), JobFailure> {
        self.wait_until_fulfilled(job_id).await?;
        let base = self.details_url(&format!("jobs/{job_id}/results"))?;
        let mut cursor: Option<String> = None;
        let mut pages_here = 0u64;
        let mut warned_partial = false;
        let mut guard = PageGuard::new(
            format!("details job {job_id} for {slice}"),
            self.settings.page_size_jobs,
        );
        loop {
            let mut url = base.clone();
            {
                let mut q = url.query_pairs_mut();
                q.append_pair("pageSize", &self.settings.page_size_jobs.to_string());
                if let Some(c) = &cursor {
                    q.append_pair("cursor", c);
                }
            }
            let resp = match self
                .client
                .send(&ApiRequest::get(url, self.details.permission))
                .await
            {
                Ok(resp) => resp,
                Err(HttpError::Status {
                    status: status @ (400 | 404 | 410),
                    message,
                    ..
                }) => {
                    let reason = format!("results answered HTTP {status}: {message}");
                    return Err(if pages_here == 0 {
                        JobFailure::Retryable(reason)
                    } else {
                        JobFailure::ExpiredMidway(reason)
                    });
                }
                Err(e) => return Err(e.into()),
            };
            let meta = consumer.consume(resp.body).await?;
            guard.page(&meta).map_err(JobFailure::Fatal)?;
            pages_here += 1;
            report.pages += 1;
            if let Some(available) = meta.data_availability {
                if available < slice.end() && !warned_partial {
                    warned_partial = true;
                    tracing::warn!(slice = %slice, data_available_until = %available, "job results are only complete up to their dataAvailabilityDate, before the slice's end: data may be partial (use --genesys-api query or auto for recent intervals)");
                }
            }
            match meta.cursor.filter(|c| !c.is_empty()) {
                Some(next) => {
                    guard.cursor(&next).map_err(JobFailure::Fatal)?;
                    cursor = Some(next);
                }
                None => return Ok(()),
            }
        }
    }

    /// Polls `GET jobs/{id}` with growing delays until FULFILLED.
    async fn wait_until_fulfilled(&self, job_id: &str) -> std::result::Result<(), JobFailure> {
        let url = self.details_url(&format!("jobs/{job_id}"))?;
        let started = tokio::time::Instant::now();
        let mut delay = self.settings.job_poll_initial;
        let mut last_state = String::new();
        loop {
            if started.elapsed() > JOB_MAX_WAIT {
                return Err(JobFailure::Fatal(Error::Upstream(format!(
                    "details job {job_id} still {last_state} after {} min",
                    JOB_MAX_WAIT.as_secs() / 60
                ))));
            }
            // Every poll counts against the per-token rate limit: wait first.
            tokio::time::sleep(delay).await;
            delay = next_poll_delay(delay, self.settings.job_poll_max);
            let resp = match self
                .client
                .send(&ApiRequest::get(url.clone(), self.details.permission))
                .await
            {
                Ok(resp) => resp,
                Err(HttpError::Status {
                    status: 404,
                    message,
                    ..
                }) => {
                    return Err(JobFailure::Retryable(format!(
                        "the job vanished (HTTP 404: {message})"
                    )));
                }
                Err(e) => return Err(e.into()),
            };
            let v: serde_json::Value = serde_json::from_slice(&resp.body).map_err(|e| {
                JobFailure::Fatal(Error::Upstream(format!(
                    "details job status answered with invalid JSON: {e}"
                )))
            })?;
            let state = v
                .get("state")
                .and_then(|s| s.as_str())
                .unwrap_or("")
                .to_ascii_uppercase();
            if state != last_state {
                tracing::debug!(job_id, state, "details job state");
            }
            match state.as_str() {
                "FULFILLED" => {
                    if let Some(expires) = v
                        .get("expirationDate")
                        .and_then(|d| d.as_str())
                        .and_then(parse_time)
                    {
                        tracing::debug!(job_id, %expires, "details job results ready");
                    }
                    return Ok(());
                }
                "FAILED" | "CANCELLED" | "EXPIRED" => {
                    let message = v
                        .get("errorMessage")
                        .and_then(|m| m.as_str())
                        .unwrap_or("no errorMessage");
                    tracing::warn!(
                        job_id,
                        state,
                        error_message = message,
                        "details job ended without results"
                    );
                    return Err(JobFailure::Retryable(format!(
                        "job {job_id} {state}: {message}"
                    )));
                }
                _ => last_state = state,
            }
        }
    }
}
