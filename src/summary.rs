//! The run summary: computed from what was written, printed as one JSON line
//! (the last line on stdout, which Airflow's BashOperator pushes to XCom) and
//! stored under `_summaries/`.

use crate::http::HttpStats;
use crate::interval::fmt_rfc3339;
use crate::sink::PublishedFile;
use crate::{Interval, Vendor};
use serde::Serialize;
use std::collections::BTreeMap;

/// Outcome of a run.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Every slice was extracted and published.
    Succeeded,
    /// The run stopped early; `error` says why.
    Failed,
    /// (Streams only) a snapshot younger than `--snapshot-max-age` exists.
    Skipped,
}

/// `{"start","end"}` in RFC 3339 UTC.
#[derive(Debug, Clone, Serialize)]
pub struct IntervalJson {
    /// Inclusive start.
    pub start: String,
    /// Exclusive end.
    pub end: String,
}

impl From<&Interval> for IntervalJson {
    fn from(i: &Interval) -> Self {
        IntervalJson {
            start: fmt_rfc3339(i.start()),
            end: fmt_rfc3339(i.end()),
        }
    }
}

/// Records seen but deliberately not written, by reason.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Skipped {
    /// Returned by the API but started outside the run's interval (owned by another run).
    pub out_of_window: u64,
    /// Returned twice within a slice (sync query pages shift).
    pub duplicates: u64,
}

/// Totals the vendor reported, for comparison with what was written.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ApiReported {
    /// Sum of the first page's `totalHits` over query-mode slices (an approximation by Genesys's own account).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_hits: Option<u64>,
    /// Pages fetched.
    pub pages: u64,
    /// Async jobs submitted.
    pub jobs_submitted: u64,
    /// Async jobs that ended FAILED/CANCELLED/EXPIRED and were resubmitted.
    pub jobs_failed: u64,
}

/// The summary of one run (contract keys first; the rest extends it).
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// Vendor extracted.
    pub vendor: Vendor,
    /// The run's interval.
    pub interval: IntervalJson,
    /// Outcome.
    pub status: Status,
    /// Conversations written to the `conversations` table.
    pub conversations: u64,
    /// Sum of `duration_ms` written (ended conversations).
    pub total_duration_ms: i64,
    /// `total_duration_ms` / ended conversations; null when none ended.
    pub average_duration_ms: Option<f64>,
    /// Rows written per table.
    pub tables: BTreeMap<String, u64>,
    /// Records sent to `_quarantine/`.
    pub quarantined: u64,
    /// HTTP counters.
    pub http: HttpStats,
    /// Files published, with rows and bytes.
    pub files: Vec<PublishedFile>,
    /// Run id (names the staging folder and appears in every log line).
    pub run_id: String,
    /// Slices in the plan, and how many were published.
    pub slices: SliceCounts,
    /// Records deliberately not written.
    pub skipped: Skipped,
    /// Totals reported by the vendor API.
    pub api: ApiReported,
    /// Wall time in seconds.
    pub elapsed_s: f64,
    /// Output location.
    pub output: String,
    /// Table format of the output: `parquet` or `delta`.
    pub format: crate::sink::Format,
    /// Why the run failed (absent on success).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Each stream extracted, with its outcome.
    pub streams: BTreeMap<String, StreamSummary>,
    /// The personal-data policy the written values went through.
    pub pii: PiiSummary,
}

/// `"pii": {"default", "fingerprint"}`: the effective policy, never its key.
#[derive(Debug, Clone, Serialize)]
pub struct PiiSummary {
    /// `keep`, `hash` or `drop`.
    pub default: &'static str,
    /// SHA-256 of the effective policy; also `cxetl.pii` in every Parquet file.
    pub fingerprint: String,
}

impl From<&crate::transform::pii::PiiPolicy> for PiiSummary {
    fn from(p: &crate::transform::pii::PiiPolicy) -> Self {
        PiiSummary {
            default: p.default_action().as_str(),
            fingerprint: p.fingerprint().to_string(),
        }
    }
}

/// One stream's part of the run.
#[derive(Debug, Clone, Serialize)]
pub struct StreamSummary {
    /// Outcome of the stream.
    pub status: Status,
    /// Rows written to the stream's first table (its records).
    pub rows: u64,
    /// Pages (successful data requests) the stream read.
    pub pages: u64,
    /// Interval or snapshot.
    pub kind: crate::connector::StreamKind,
    /// Its tables; the first holds its records (`cxetl status` reads it).
    pub tables: Vec<String>,
    /// Why it failed (absent otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Progress over the slices of the plan.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SliceCounts {
    /// Slices planned.
    pub planned: u64,
    /// Slices extracted and published.
    pub published: u64,
}

/// Accumulates a summary as slices finish.
#[derive(Debug, Clone)]
pub struct SummaryBuilder {
    summary: Summary,
    ended: u64,
}

impl SummaryBuilder {
    /// Starts an empty summary.
    pub fn new(
        vendor: Vendor,
        interval: &Interval,
        run_id: &str,
        output: &str,
        streams: &[(&str, crate::connector::StreamKind, &[&str])],
    ) -> Self {
        SummaryBuilder {
            summary: Summary {
                vendor,
                interval: interval.into(),
                status: Status::Succeeded,
                conversations: 0,
                total_duration_ms: 0,
                average_duration_ms: None,
                tables: streams
                    .iter()
                    .flat_map(|(_, _, tables)| tables.iter().map(|t| (t.to_string(), 0)))
                    .collect(),
                quarantined: 0,
                http: HttpStats::default(),
                files: Vec::new(),
                run_id: run_id.to_string(),
                slices: SliceCounts::default(),
                skipped: Skipped::default(),
                api: ApiReported::default(),
                elapsed_s: 0.0,
                output: output.to_string(),
                format: crate::sink::Format::default(),
                error: None,
                streams: streams
                    .iter()
                    .map(|(name, kind, tables)| {
                        let s = StreamSummary {
                            status: Status::Succeeded,
                            rows: 0,
                            pages: 0,
                            kind: *kind,
                            tables: tables.iter().map(|t| t.to_string()).collect(),
                            error: None,
                        };
                        (name.to_string(), s)
                    })
                    .collect(),
                pii: PiiSummary::from(crate::transform::pii::PiiPolicy::keep().as_ref()),
            },
            ended: 0,
        }
    }

    /// Sets the run's interval (widened to whole days on a policy change).
    pub fn interval(&mut self, interval: &Interval) {
        self.summary.interval = interval.into();
    }

    /// Records the personal-data policy of the run.
    pub fn pii(&mut self, policy: &crate::transform::pii::PiiPolicy) {
        self.summary.pii = policy.into();
    }

    /// Records the table format the run writes.
    pub fn format(&mut self, format: crate::sink::Format) {
        self.summary.format = format;
    }

    /// Sets the number of planned slices.
    pub fn planned(&mut self, slices: usize) {
        self.summary.slices.planned = slices as u64;
    }

    /// Records quarantined so far.
    pub fn quarantined(&self) -> u64 {
        self.summary.quarantined
    }

    /// Marks `stream` skipped: its snapshot of today is recent enough.
    pub fn stream_skipped(&mut self, stream: &str) {
        if let Some(s) = self.summary.streams.get_mut(stream) {
            s.status = Status::Skipped;
        }
    }

    /// Marks `stream` failed with `error`.
    pub fn stream_failed(&mut self, stream: &str, error: &str) {
        if let Some(s) = self.summary.streams.get_mut(stream) {
            s.status = Status::Failed;
            s.error = Some(error.to_string());
        }
    }

    /// Adds a published slice of `stream`.
    pub fn add_slice(&mut self, stream: &str, slice: &SliceResult) {
        let s = &mut self.summary;
        if let Some(entry) = s.streams.get_mut(stream) {
            entry.rows += slice.table_rows.first().map_or(0, |(_, rows)| *rows);
            entry.pages += slice.pages;
        }
        s.slices.published += 1;
        s.conversations += slice.conversations;
        s.total_duration_ms += slice.duration_ms_sum;
        self.ended += slice.ended;
        s.quarantined += slice.quarantined;
        s.skipped.out_of_window += slice.out_of_window;
        s.skipped.duplicates += slice.duplicates;
        s.api.pages += slice.pages;
        s.api.jobs_submitted += slice.jobs_submitted;
        s.api.jobs_failed += slice.jobs_failed;
        if let Some(hits) = slice.api_total_hits {
            *s.api.total_hits.get_or_insert(0) += hits;
        }
        for (table, rows) in &slice.table_rows {
            *s.tables.entry(table.clone()).or_insert(0) += rows;
        }
        s.files.extend(slice.files.iter().cloned());
    }

    /// Completes the summary.
    pub fn finish(mut self, http: HttpStats, elapsed_s: f64, error: Option<String>) -> Summary {
        let s = &mut self.summary;
        s.http = http;
        s.elapsed_s = (elapsed_s * 1000.0).round() / 1000.0;
        s.average_duration_ms = (self.ended > 0)
            .then(|| ((s.total_duration_ms as f64 / self.ended as f64) * 10.0).round() / 10.0);
        s.status = if error.is_some() {
            Status::Failed
        } else {
            Status::Succeeded
        };
        s.files.sort_by(|a, b| a.path.cmp(&b.path));
        s.error = error;
        self.summary
    }
}

/// What one published slice contributed.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct SliceResult {
    /// Conversations written.
    pub conversations: u64,
    /// Of those, ended (with a duration).
    pub ended: u64,
    /// Sum of their durations.
    pub duration_ms_sum: i64,
    /// Records quarantined.
    pub quarantined: u64,
    /// Skipped as owned by another interval.
    pub out_of_window: u64,
    /// Skipped as duplicates.
    pub duplicates: u64,
    /// Rows per table.
    pub table_rows: Vec<(String, u64)>,
    /// Published files.
    pub files: Vec<PublishedFile>,
    /// Pages fetched.
    pub pages: u64,
    /// Query: first page's totalHits.
    pub api_total_hits: Option<u64>,
    /// Jobs submitted.
    pub jobs_submitted: u64,
    /// Jobs failed.
    pub jobs_failed: u64,
}
