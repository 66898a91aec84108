//! The Genesys extractor against the simulator: every owned conversation of
//! a slice arrives through either API, with failing jobs resubmitted.

use bytes::Bytes;
use chrono::{DateTime, Utc};
use cxetl::connector::{PageConsumer, PageMeta};
use cxetl::http::{ApiClient, ClientConfig, RetryPolicy};
use cxetl::simulator::{self, Faults, RequestKind, SimConfig, Simulator};
use cxetl::vendors::genesys::auth::ClientCredentials;
use cxetl::vendors::genesys::hints::GenesysHints;
use cxetl::vendors::genesys::settings::{ApiMode, GenesysSettings};
use cxetl::vendors::genesys::Genesys;
use cxetl::{Interval, Secret};
use futures::future::BoxFuture;
use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;
use url::Url;

fn genesys(s: &Simulator) -> Genesys {
    let url = Url::parse(&s.api_url()).unwrap();
    let mut settings = GenesysSettings::new(
        url.clone(),
        Url::parse(&s.login_url()).unwrap(),
        s.config().client_id.clone(),
        Secret::new(s.config().client_secret.clone()),
    );
    settings.job_poll_initial = Duration::from_millis(10);
    settings.job_poll_max = Duration::from_millis(50);
    let creds = ClientCredentials::from_settings(&settings).unwrap();
    let retry = RetryPolicy {
        base_delay: Duration::from_millis(20),
        max_delay: Duration::from_millis(200),
        ..Default::default()
    };
    let client = ApiClient::new(
        ClientConfig {
            rate_per_minute: 0,
            retry,
            ..Default::default()
        },
        Arc::new(creds),
        Arc::new(GenesysHints),
    )
    .unwrap();
    Genesys::new(settings, client)
}

/// Keeps the conversations that start inside the slice, like the transform.
struct Owned {
    slice: Interval,
    ids: BTreeSet<String>,
}

impl PageConsumer for Owned {
    fn consume(&mut self, page: Bytes) -> BoxFuture<'_, cxetl::Result<PageMeta>> {
        Box::pin(async move {
            let v: serde_json::Value =
                serde_json::from_slice(&page).map_err(|e| cxetl::Error::Upstream(e.to_string()))?;
            let convs = v["conversations"].as_array().cloned().unwrap_or_default();
            for c in &convs {
                let start = c["conversationStart"]
                    .as_str()
                    .and_then(|t| DateTime::parse_from_rfc3339(t).ok());
                if let (Some(id), Some(start)) = (c["conversationId"].as_str(), start) {
                    if self.slice.contains(start.with_timezone(&Utc)) {
                        self.ids.insert(id.to_string());
                    }
                }
            }
            Ok(PageMeta {
                cursor: v["cursor"].as_str().map(String::from),
                total_hits: v["totalHits"].as_u64(),
                data_availability: v["dataAvailabilityDate"]
                    .as_str()
                    .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                    .map(|t| t.with_timezone(&Utc)),
                records: convs.len(),
                fresh: None,
            })
        })
    }
}

async fn run(s: &Simulator, mode: ApiMode) -> (BTreeSet<String>, cxetl::connector::SliceReport) {
    let day = s.config().interval.slices(chrono::Duration::days(1))[1];
    let mut consumer = Owned {
        slice: day,
        ids: BTreeSet::new(),
    };
    let report = genesys(s)
        .extract_slice(&day, mode, &mut consumer)
        .await
        .unwrap();
    assert_eq!(consumer.ids, s.ground_truth(&day).ids, "{mode:?}");
    (consumer.ids, report)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_apis_deliver_every_owned_conversation() {
    let s = simulator::start(
        SimConfig {
            conversations: 900,
            ..Default::default()
        },
        0,
    )
    .await
    .unwrap();
    let (ids, report) = run(&s, ApiMode::Query).await;
    assert!(!ids.is_empty());
    assert!(report.api_total_hits.is_some() && report.pages >= 2);
    let (_, report) = run(&s, ApiMode::Jobs).await;
    assert_eq!((report.jobs_submitted, report.jobs_failed), (1, 0));
    let log = s.request_log();
    let deletes = log
        .iter()
        .filter(|r| r.kind == RequestKind::Api && r.method == "DELETE")
        .count();
    assert_eq!(deletes, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_jobs_are_resubmitted() {
    let faults = Faults {
        job_failures: 2,
        ..Default::default()
    };
    let s = simulator::start(
        SimConfig {
            conversations: 300,
            faults,
            ..Default::default()
        },
        0,
    )
    .await
    .unwrap();
    let (_, report) = run(&s, ApiMode::Jobs).await;
    assert_eq!((report.jobs_submitted, report.jobs_failed), (3, 2));
}
