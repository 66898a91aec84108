//! The CXone source (`src/vendors/cxone`) against the CXone simulator: the
//! discovery chain, the access-key grant and top/skip paging through faults
//! end where the ground truth says.

use bytes::Bytes;
use cxetl::connector::{PageConsumer, PageMeta};
use cxetl::http::ApiClient;
use cxetl::http::{ClientConfig, RetryPolicy};
use cxetl::simulator::{self, Faults, RequestKind, SimConfig};
use cxetl::vendors::cxone::auth::{AccessKey, PasswordGrant};
use cxetl::vendors::cxone::settings::CxoneSettings;
use cxetl::vendors::cxone::Cxone;
use cxetl::{Interval, Secret, Vendor};
use futures::future::BoxFuture;
use serde_json::Value;
use std::collections::BTreeSet;
use std::time::Duration;

#[derive(Default)]
struct Collect {
    records: Vec<Value>,
}

impl PageConsumer for Collect {
    fn consume(&mut self, page: Bytes) -> BoxFuture<'_, cxetl::Result<PageMeta>> {
        Box::pin(async move {
            let v: Value = serde_json::from_slice(&page)
                .map_err(|e| cxetl::Error::Upstream(format!("page: {e}")))?;
            let cs = v["completedContacts"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            let meta = PageMeta {
                total_hits: v["totalRecords"].as_u64(),
                records: cs.len(),
                ..PageMeta::default()
            };
            self.records.extend(cs);
            Ok(meta)
        })
    }
}

fn settings(sim: &simulator::Simulator, top: u32) -> CxoneSettings {
    let cfg = sim.config();
    CxoneSettings {
        issuer: url::Url::parse(&sim.login_url()).unwrap(),
        api_url: None,
        key: AccessKey {
            access_key_id: cfg.access_key_id.clone(),
            access_key_secret: Secret::new(cfg.access_key_secret.clone()),
            client_id: cfg.client_id.clone(),
            client_secret: Secret::new(cfg.client_secret.clone()),
        },
        api_version: cfg.api_version.clone(),
        top,
    }
}

fn client_config() -> ClientConfig {
    ClientConfig {
        rate_per_minute: 0,
        retry: RetryPolicy {
            base_delay: Duration::from_millis(20),
            max_delay: Duration::from_millis(200),
            ..RetryPolicy::default()
        },
        ..ClientConfig::default()
    }
}

/// The CXone API over a client with the access-key grant.
fn connect(settings: CxoneSettings) -> Cxone {
    let tokens = PasswordGrant::new(settings.issuer.clone(), settings.key.clone());
    let client = ApiClient::new(
        client_config(),
        std::sync::Arc::new(tokens),
        std::sync::Arc::new(cxetl::http::PlainHttp),
    )
    .unwrap();
    Cxone::new(settings, client)
}

#[tokio::test]
async fn the_cxone_source_extracts_the_ground_truth_through_faults() {
    let sim = simulator::start(
        SimConfig {
            vendor: Vendor::Cxone,
            conversations: 1_000,
            client_id: "app@vendor".into(),
            client_secret: "app/sec=ret+1".into(),
            faults: Faults {
                revoke_every: Some(7),
                throttle_every: Some(5),
                retry_after: None,
                server_error_every: Some(11),
                ..Faults::default()
            },
            ..SimConfig::default()
        },
        0,
    )
    .await
    .unwrap();
    let cx = connect(settings(&sim, 250));
    let slice = Interval::parse("2026-11-20", "2026-11-23").unwrap();
    let mut sink = Collect::default();
    let report = cx.extract_slice(&slice, &mut sink).await.unwrap();
    let gt = sim.ground_truth(&slice);
    let ids: BTreeSet<String> = sink
        .records
        .iter()
        .map(|c| c["contactId"].as_i64().unwrap().to_string())
        .collect();
    assert_eq!(ids, gt.ids);
    assert_eq!(sink.records.len(), gt.count);
    assert_eq!(report.api_total_hits, Some(1_000));

    let log = sim.request_log();
    assert_eq!(
        log.iter()
            .filter(|r| r.kind == RequestKind::Discovery)
            .count(),
        2
    );
    let tokens: Vec<_> = log
        .iter()
        .filter(|r| r.kind == RequestKind::Token)
        .collect();
    assert!(tokens.iter().all(|r| r.concurrent_token_requests == 1));
    assert!(
        tokens.len() <= 4,
        "one token per revocation at most: {}",
        tokens.len()
    );
    assert!(log
        .iter()
        .any(|r| r.status == 503 && r.retry_after.is_none()));
}

#[tokio::test]
async fn an_empty_slice_ends_on_204() {
    let sim = simulator::start(
        SimConfig {
            vendor: Vendor::Cxone,
            conversations: 50,
            ..SimConfig::default()
        },
        0,
    )
    .await
    .unwrap();
    let cx = connect(settings(&sim, 100));
    let slice = Interval::parse("2026-12-01", "2026-12-02").unwrap();
    let mut sink = Collect::default();
    let report = cx.extract_slice(&slice, &mut sink).await.unwrap();
    assert_eq!((report.pages, sink.records.len()), (0, 0));
    assert_eq!(sim.request_log().last().unwrap().status, 204);
}
