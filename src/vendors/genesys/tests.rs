use super::auth::ClientCredentials;
use super::hints::GenesysHints;
use super::jobs::next_poll_delay;
use super::query::{next_page, resume_page};
use super::settings::region_urls;
use super::*;
use crate::connector::PageMeta;
use crate::http::{ClientConfig, RetryPolicy};
use crate::Secret;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use bytes::Bytes;
use chrono::TimeZone;
use futures::future::BoxFuture;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[test]
fn region_urls_for_every_region_shape() {
    for (region, api) in [
        ("mypurecloud.com", "https://api.mypurecloud.com/"),
        ("usw2.pure.cloud", "https://api.usw2.pure.cloud/"),
        ("mypurecloud.com.au", "https://api.mypurecloud.com.au/"),
        (
            "use2.us-gov-pure.cloud",
            "https://api.use2.us-gov-pure.cloud/",
        ),
        (" MyPureCloud.de ", "https://api.mypurecloud.de/"),
    ] {
        let (a, l) = region_urls(region).unwrap();
        assert_eq!(a.as_str(), api);
        assert_eq!(l.as_str(), api.replace("//api.", "//login."));
    }
    for bad in [
        "",
        "mypurecloud",
        "https://api.mypurecloud.com",
        "api.mypurecloud.com",
        "my purecloud.com",
        "x.c0m",
        "a..com",
        "-a.com",
        "a.com/x",
    ] {
        assert!(
            matches!(region_urls(bad), Err(Error::Config(_))),
            "{bad:?} accepted"
        );
    }
}

#[test]
fn endpoints_keep_base_path_prefixes() {
    let base = Url::parse("https://api.mypurecloud.com").unwrap();
    assert_eq!(
        endpoint(&base, "api/v2/x/y").unwrap().as_str(),
        "https://api.mypurecloud.com/api/v2/x/y"
    );
    let prefixed = Url::parse("http://127.0.0.1:8080/genesys/").unwrap();
    assert_eq!(
        endpoint(&prefixed, "oauth/token").unwrap().as_str(),
        "http://127.0.0.1:8080/genesys/oauth/token"
    );
}

fn at(h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, h, 0, 0).unwrap()
}

#[test]
fn auto_mode_uses_jobs_only_for_slices_the_datalake_covers() {
    let slice = Interval::new(at(0), at(6)).unwrap();
    assert_eq!(
        Genesys::choose_mode(ApiMode::Auto, &slice, Some(at(6))),
        ApiMode::Jobs
    );
    assert_eq!(
        Genesys::choose_mode(ApiMode::Auto, &slice, Some(at(5))),
        ApiMode::Query
    );
    assert_eq!(
        Genesys::choose_mode(ApiMode::Auto, &slice, None),
        ApiMode::Query
    );
    assert_eq!(
        Genesys::choose_mode(ApiMode::Jobs, &slice, None),
        ApiMode::Jobs
    );
    assert_eq!(
        Genesys::choose_mode(ApiMode::Query, &slice, Some(at(23))),
        ApiMode::Query
    );
}

#[test]
fn query_paging_stops_on_empty_page_or_total_hits() {
    assert_eq!(next_page(1, 100, 100, Some(250)), Some(2));
    assert_eq!(next_page(3, 100, 50, Some(250)), None);
    assert_eq!(next_page(2, 100, 100, Some(200)), None);
    assert_eq!(next_page(1, 100, 0, Some(250)), None);
    assert_eq!(next_page(7, 100, 100, None), Some(8));
    assert_eq!(resume_page(3, 100, 50), 5);
    assert_eq!(resume_page(1, 100, 50), 1);
    // 25 → 12: resume early (re-read, de-duplicated) rather than skip.
    let p = resume_page(3, 25, 12);
    assert!(u64::from(p - 1) * 12 <= 50);
    assert_eq!(
        next_poll_delay(Duration::from_secs(3), Duration::from_secs(30)),
        Duration::from_millis(4500)
    );
    assert_eq!(
        next_poll_delay(Duration::from_secs(25), Duration::from_secs(30)),
        Duration::from_secs(30)
    );
}

#[test]
fn settings_debug_hides_the_secret() {
    let s = GenesysSettings::new(
        Url::parse("https://api.mypurecloud.com").unwrap(),
        Url::parse("https://login.mypurecloud.com").unwrap(),
        "id".into(),
        Secret::new("hunter2"),
    );
    assert!(!format!("{s:?}").contains("hunter2"));
    let creds = ClientCredentials::from_settings(&s).unwrap();
    assert!(!format!("{creds:?}").contains("hunter2"));
    assert_eq!(serde_json::to_string(&ApiMode::Jobs).unwrap(), "\"jobs\"");
}

// ---- over the wire, against a small scripted Genesys stand-in ----

#[derive(Default)]
struct Fake {
    log: Mutex<Vec<String>>,
    /// conversation ids of the slice, in start order
    ids: Vec<String>,
    /// job states served in order per job; the last one sticks
    job_script: Mutex<Vec<Vec<&'static str>>>,
    jobs: Mutex<HashMap<String, Vec<&'static str>>>,
    results_gone_after_pages: Option<usize>,
    too_large_above: Option<u64>,
    availability: String,
}

type S = State<Arc<Fake>>;

fn record(s: &Fake, line: String) {
    s.log.lock().unwrap().push(line);
}

async fn token() -> Json<Value> {
    Json(json!({"access_token": "tok", "token_type": "bearer", "expires_in": 3600}))
}

async fn availability(State(s): S) -> Json<Value> {
    record(&s, "GET availability".into());
    Json(json!({"dataAvailabilityDate": s.availability}))
}

async fn query(State(s): S, Json(body): Json<Value>) -> Response {
    let size = body["paging"]["pageSize"].as_u64().unwrap();
    let number = body["paging"]["pageNumber"].as_u64().unwrap();
    record(
        &s,
        format!(
            "POST query {size} {number} {}",
            body["interval"].as_str().unwrap()
        ),
    );
    if s.too_large_above.is_some_and(|max| size > max) {
        let e = json!({"status":400,"code":"response.entity.too.large","message":"The response is over the size limit. Reduce pageSize or expand list to reduce response size if applicable"});
        return (StatusCode::BAD_REQUEST, Json(e)).into_response();
    }
    let start = ((number - 1) * size) as usize;
    let page: Vec<Value> = s
        .ids
        .iter()
        .skip(start)
        .take(size as usize)
        .map(|id| json!({"conversationId": id}))
        .collect();
    let mut out = json!({"totalHits": s.ids.len()});
    if !page.is_empty() {
        out["conversations"] = Value::Array(page);
    }
    Json(out).into_response()
}

async fn submit(State(s): S, Json(body): Json<Value>) -> Response {
    assert_eq!(body["startOfDayIntervalMatching"], json!(false));
    assert_eq!(body["orderBy"], json!("conversationStart"));
    let mut jobs = s.jobs.lock().unwrap();
    let id = format!("job-{}", jobs.len() + 1);
    let mut script = s.job_script.lock().unwrap();
    let states = if script.is_empty() {
        vec!["FULFILLED"]
    } else {
        script.remove(0)
    };
    jobs.insert(id.clone(), states);
    record(&s, format!("POST jobs -> {id}"));
    (StatusCode::ACCEPTED, Json(json!({"jobId": id}))).into_response()
}

async fn job_status(State(s): S, Path(id): Path<String>) -> Response {
    record(&s, format!("GET {id}"));
    let mut jobs = s.jobs.lock().unwrap();
    let Some(states) = jobs.get_mut(&id) else {
        return (
            StatusCode::NOT_FOUND,
            Json(json!({"status":404,"code":"not.found","message":"no job"})),
        )
            .into_response();
    };
    let state = if states.len() > 1 {
        states.remove(0)
    } else {
        states[0]
    };
    let mut v = json!({"state": state});
    if state == "FAILED" {
        v["errorMessage"] = json!("simulated failure");
    }
    Json(v).into_response()
}

async fn job_delete(State(s): S, Path(id): Path<String>) -> StatusCode {
    record(&s, format!("DELETE {id}"));
    StatusCode::NO_CONTENT
}

async fn results(
    State(s): S,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let size: usize = q["pageSize"].parse().unwrap();
    let start: usize = q.get("cursor").map(|c| c.parse().unwrap()).unwrap_or(0);
    record(&s, format!("GET {id}/results {start}"));
    if s.results_gone_after_pages
        .is_some_and(|n| start / size >= n)
    {
        return (
            StatusCode::NOT_FOUND,
            Json(json!({"status":404,"code":"not.found","message":"results expired"})),
        )
            .into_response();
    }
    let page: Vec<Value> = s
        .ids
        .iter()
        .skip(start)
        .take(size)
        .map(|id| json!({"conversationId": id}))
        .collect();
    let mut v = json!({"conversations": page, "dataAvailabilityDate": s.availability});
    if start + size < s.ids.len() {
        v["cursor"] = json!((start + size).to_string());
    }
    Json(v).into_response()
}

async fn serve(fake: Fake) -> (Genesys, Arc<Fake>) {
    let fake = Arc::new(fake);
    let d = "/api/v2/analytics/conversations/details";
    let app = Router::new()
        .route("/oauth/token", post(token))
        .route(&format!("{d}/query"), post(query))
        .route(&format!("{d}/jobs"), post(submit))
        .route(&format!("{d}/jobs/availability"), get(availability))
        .route(
            &format!("{d}/jobs/{{id}}"),
            get(job_status).delete(job_delete),
        )
        .route(&format!("{d}/jobs/{{id}}/results"), get(results))
        .with_state(fake.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = Url::parse(&format!("http://{}", listener.local_addr().unwrap())).unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let mut settings = GenesysSettings::new(base.clone(), base, "id".into(), Secret::new("secret"));
    settings.page_size_query = 4;
    settings.page_size_jobs = 5;
    settings.job_poll_initial = Duration::from_millis(5);
    settings.job_poll_max = Duration::from_millis(20);
    let config = ClientConfig {
        rate_per_minute: 0,
        retry: RetryPolicy {
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(20),
            ..Default::default()
        },
        ..Default::default()
    };
    let client = ApiClient::new(
        config,
        Arc::new(ClientCredentials::from_settings(&settings).unwrap()),
        Arc::new(GenesysHints),
    )
    .unwrap();
    (Genesys::new(settings, client), fake)
}

fn ids(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("c{i:03}")).collect()
}

/// Reads just the paging envelope, like the real consumer does.
#[derive(Default)]
struct Collect {
    seen: Vec<String>,
}

impl PageConsumer for Collect {
    fn consume(&mut self, page: Bytes) -> BoxFuture<'_, Result<PageMeta>> {
        Box::pin(async move {
            let v: Value =
                serde_json::from_slice(&page).map_err(|e| Error::Upstream(e.to_string()))?;
            let convs = v["conversations"].as_array().cloned().unwrap_or_default();
            self.seen.extend(
                convs
                    .iter()
                    .map(|c| c["conversationId"].as_str().unwrap().to_string()),
            );
            Ok(PageMeta {
                cursor: v["cursor"].as_str().map(String::from),
                total_hits: v["totalHits"].as_u64(),
                data_availability: v["dataAvailabilityDate"].as_str().and_then(parse_time),
                records: convs.len(),
                fresh: None,
            })
        })
    }
}

fn slice() -> Interval {
    Interval::new(at(0), at(6)).unwrap()
}

#[tokio::test]
async fn query_pages_until_total_hits() {
    let (g, fake) = serve(Fake {
        ids: ids(10),
        ..Default::default()
    })
    .await;
    let mut c = Collect::default();
    let report = g
        .extract_slice(&slice(), ApiMode::Query, &mut c)
        .await
        .unwrap();
    assert_eq!(c.seen, ids(10));
    assert_eq!((report.pages, report.api_total_hits), (3, Some(10)));
    let log = fake.log.lock().unwrap().clone();
    assert_eq!(log.len(), 3, "{log:?}");
    assert!(
        log[0].ends_with("4 1 2026-11-23T00:00:00.000Z/2026-11-23T06:00:00.000Z"),
        "{log:?}"
    );
}

#[tokio::test]
async fn query_stops_on_an_empty_first_page() {
    let (g, _) = serve(Fake::default()).await;
    let report = g
        .extract_slice(&slice(), ApiMode::Query, &mut Collect::default())
        .await
        .unwrap();
    assert_eq!((report.pages, report.api_total_hits), (1, Some(0)));
}

#[tokio::test]
async fn query_halves_page_size_when_the_response_is_too_large() {
    let (g, fake) = serve(Fake {
        ids: ids(9),
        too_large_above: Some(2),
        ..Default::default()
    })
    .await;
    let mut c = Collect::default();
    g.extract_slice(&slice(), ApiMode::Query, &mut c)
        .await
        .unwrap();
    assert_eq!(c.seen, ids(9));
    assert!(fake.log.lock().unwrap()[1].contains("POST query 2 1 "));
}

#[tokio::test]
async fn jobs_poll_page_by_cursor_and_delete() {
    let script = vec![vec!["QUEUED", "PENDING", "FULFILLED"]];
    let fake = Fake {
        ids: ids(12),
        job_script: Mutex::new(script),
        availability: "2026-11-24T00:00:00.000Z".into(),
        ..Default::default()
    };
    let (g, fake) = serve(fake).await;
    let mut c = Collect::default();
    let report = g
        .extract_slice(&slice(), ApiMode::Auto, &mut c)
        .await
        .unwrap();
    assert_eq!(c.seen, ids(12));
    assert_eq!(
        (report.pages, report.jobs_submitted, report.jobs_failed),
        (3, 1, 0)
    );
    let log = fake.log.lock().unwrap().clone();
    assert_eq!(
        log,
        [
            "GET availability",
            "POST jobs -> job-1",
            "GET job-1",
            "GET job-1",
            "GET job-1",
            "GET job-1/results 0",
            "GET job-1/results 5",
            "GET job-1/results 10",
            "DELETE job-1",
        ]
    );
}

#[tokio::test]
async fn failed_jobs_are_resubmitted_then_give_up() {
    let script = vec![
        vec!["FAILED"],
        vec!["PENDING", "CANCELLED"],
        vec!["FULFILLED"],
    ];
    let (g, fake) = serve(Fake {
        ids: ids(3),
        job_script: Mutex::new(script),
        ..Default::default()
    })
    .await;
    let mut c = Collect::default();
    let report = g
        .extract_slice(&slice(), ApiMode::Jobs, &mut c)
        .await
        .unwrap();
    assert_eq!(
        (report.jobs_submitted, report.jobs_failed, c.seen.len()),
        (3, 2, 3)
    );
    let deletes = fake
        .log
        .lock()
        .unwrap()
        .iter()
        .filter(|l| l.starts_with("DELETE"))
        .count();
    assert_eq!(deletes, 3, "every job is deleted, failed ones too");

    let script = vec![vec!["FAILED"]; 3];
    let (g, fake) = serve(Fake {
        job_script: Mutex::new(script),
        ..Default::default()
    })
    .await;
    let err = g
        .extract_slice(&slice(), ApiMode::Jobs, &mut Collect::default())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Upstream(m) if m.contains("simulated failure")),
        "{err}"
    );
    let log = fake.log.lock().unwrap().clone();
    assert_eq!(log.iter().filter(|l| l.starts_with("POST jobs")).count(), 3);
    assert_eq!(log.iter().filter(|l| l.starts_with("DELETE")).count(), 3);
}

#[tokio::test]
async fn results_expiring_midway_fail_the_slice_and_delete_the_job() {
    let (g, fake) = serve(Fake {
        ids: ids(12),
        results_gone_after_pages: Some(1),
        ..Default::default()
    })
    .await;
    let err = g
        .extract_slice(&slice(), ApiMode::Jobs, &mut Collect::default())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Upstream(m) if m.contains("re-run")),
        "{err}"
    );
    assert_eq!(fake.log.lock().unwrap().last().unwrap(), "DELETE job-1");
}

#[tokio::test]
async fn availability_is_parsed() {
    let (g, _) = serve(Fake {
        availability: "2026-11-23T05:00:00.000Z".into(),
        ..Default::default()
    })
    .await;
    assert_eq!(g.data_availability().await.unwrap(), at(5));
    // Availability before the slice end: auto picks the query.
    let report = g
        .extract_slice(&slice(), ApiMode::Auto, &mut Collect::default())
        .await
        .unwrap();
    assert_eq!(report.jobs_submitted, 0);
}
