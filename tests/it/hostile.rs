//! A hostile vendor on 127.0.0.1 (issue 11): redirects that try to pull
//! credentials to another origin, error bodies that echo every secret of
//! the run, bodies without end. The assertions read the fake's request log
//! and byte counter and the binary's exit code and outputs, never a clock.

use crate::common::{all_files, cxetl_with_env, Run};
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use cxetl::http::{ApiClient, ApiRequest, ClientConfig, HttpError, RetryPolicy, REDACTED};
use cxetl::vendors::genesys::auth::ClientCredentials;
use cxetl::Secret;
use serde_json::{json, Value};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use url::Url;

const AK_ID: &str = "hostile-key-id";
const AK_SECRET: &str = "AKS+sec/ret=value&1";
const CLIENT_ID: &str = "hostile-client";
const CLIENT_SECRET: &str = "CS secret+2/x";
const GENESYS_SECRET: &str = "genesys-SECRET+/=value";
const CXONE: &[&str] = &[AK_SECRET, CLIENT_SECRET];
const GENESYS: &[&str] = &[GENESYS_SECRET];
const CXONE_PAGES: &str = "/inContactAPI/services/v34.0/contacts/completed";
const GENESYS_QUERY: &str = "/api/v2/analytics/conversations/details/query";

/// What the fake saw of one request.
#[derive(Clone, Debug)]
struct Seen {
    path: String,
    authorization: Option<String>,
    body: String,
}

impl Seen {
    fn is_refresh(&self) -> bool {
        self.body.contains("grant_type=refresh_token")
    }
}

type Answer = dyn Fn(&Seen, &Fake) -> Response + Send + Sync;

/// The fake's shared state: its log, its counter of streamed bytes, and how it answers.
struct Fake {
    url: String,
    /// The secrets the run under test was configured with.
    configured: &'static [&'static str],
    seen: Mutex<Vec<Seen>>,
    /// The numbers of the token answers given (refusals take a number too).
    issued: Mutex<Vec<usize>>,
    /// Body bytes handed to the connection by [`streamed`] bodies.
    sent: Arc<AtomicU64>,
    answer: Box<Answer>,
}

impl Fake {
    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    fn count(&self, path: &str) -> usize {
        self.seen().iter().filter(|s| s.path == path).count()
    }

    fn sent(&self) -> u64 {
        self.sent.load(Ordering::Relaxed)
    }

    /// Every secret of the run the fake knows: the configured ones, every
    /// token it issued, every credential header and form it received.
    fn secrets(&self) -> Vec<String> {
        let mut out: Vec<String> = (self.configured.iter())
            .flat_map(|s| [s.to_string(), form_encoded(s)])
            .collect();
        for n in self.issued.lock().unwrap().clone() {
            out.extend([access(n), refresh(n)]);
            out.extend(id_token(n).split('.').skip(1).map(str::to_string));
        }
        for seen in self.seen() {
            if let Some(auth) = seen.authorization {
                out.push(auth.split_once(' ').map_or(auth.clone(), |(_, v)| v.into()));
            }
        }
        out
    }

    fn count_tokens(&self) -> usize {
        self.seen()
            .iter()
            .filter(|s| s.path.ends_with("/token"))
            .count()
    }

    /// An error body that repeats everything the fake knows, in every field a
    /// client might read.
    fn echo(&self, status: u16) -> Response {
        let mut text: Vec<String> = self.secrets();
        text.extend(self.seen().into_iter().flat_map(|s| s.authorization));
        text.extend(self.seen().into_iter().map(|s| s.body));
        let text = text.join(" | ");
        let body = json!({
            "message": format!("denied: {text}"),
            "error": "invalid_grant",
            "error_description": format!("bad credentials: {text}"),
        });
        (code(status), axum::Json(body)).into_response()
    }
}

fn code(status: u16) -> StatusCode {
    StatusCode::from_u16(status).unwrap()
}

fn form_encoded(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

fn access(n: usize) -> String {
    format!("hostile-access-{n}-TOKEN")
}

fn refresh(n: usize) -> String {
    format!("hostile-refresh-{n}-TOKEN")
}

fn id_token(n: usize) -> String {
    let b = |s: &str| URL_SAFE_NO_PAD.encode(s);
    format!(
        "{}.{}.sig-{n}-SIGNATURE",
        b(r#"{"alg":"none"}"#),
        b(&format!(
            r#"{{"tenantId":"t-{n}","sub":"user-{n}-SUBJECT"}}"#
        ))
    )
}

/// The n-th token answer, with a refresh and an id token.
fn token(fake: &Fake) -> Response {
    let n = fake.count_tokens();
    fake.issued.lock().unwrap().push(n);
    axum::Json(json!({
        "access_token": access(n), "token_type": "bearer", "expires_in": 3600,
        "refresh_token": refresh(n), "id_token": id_token(n),
    }))
    .into_response()
}

fn redirect(status: u16, location: &str) -> Response {
    (code(status), [("location", location.to_string())]).into_response()
}

/// A body of `total` bytes (a bound, not a size anyone should read),
/// produced 64 KiB at a time and counted as it is handed to the connection.
fn streamed(fake: &Fake, total: u64, announce: bool) -> Response {
    const CHUNK: u64 = 64 << 10;
    let (sent, chunk) = (fake.sent.clone(), Bytes::from(vec![b' '; CHUNK as usize]));
    let stream = futures::stream::unfold(0u64, move |done| {
        let (sent, chunk) = (sent.clone(), chunk.clone());
        async move {
            (done < total).then(|| {
                sent.fetch_add(CHUNK, Ordering::Relaxed);
                (Ok::<_, std::io::Error>(chunk), done + CHUNK)
            })
        }
    });
    let mut response = Body::from_stream(stream).into_response();
    if announce {
        response
            .headers_mut()
            .insert("content-length", total.to_string().parse().unwrap());
    }
    response
}

/// Starts a fake on a free loopback port; it serves until the test ends.
async fn fake(
    configured: &'static [&'static str],
    answer: impl Fn(&Seen, &Fake) -> Response + Send + Sync + 'static,
) -> Arc<Fake> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let fake = Arc::new(Fake {
        url: format!("http://{}", listener.local_addr().unwrap()),
        configured,
        seen: Mutex::default(),
        issued: Mutex::default(),
        sent: Arc::default(),
        answer: Box::new(answer),
    });
    async fn handle(
        State(fake): State<Arc<Fake>>,
        uri: Uri,
        headers: HeaderMap,
        body: Bytes,
    ) -> Response {
        let seen = Seen {
            path: uri.path().to_string(),
            authorization: headers
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string),
            body: String::from_utf8_lossy(&body).into_owned(),
        };
        fake.seen.lock().unwrap().push(seen.clone());
        (fake.answer)(&seen, &fake)
    }
    let app = axum::Router::new()
        .fallback(handle)
        .with_state(fake.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    fake
}

/// A fake that records and answers 404 to everything.
async fn bystander() -> Arc<Fake> {
    fake(&[], |_, _| StatusCode::NOT_FOUND.into_response()).await
}

/// The CXone token endpoint when the issuer has no OIDC document.
fn cxone_token_path(seen: &Seen) -> bool {
    seen.path == "/auth/token"
}

async fn run_cxone(fake: &Fake, out: &Path, extra: &[&str]) -> Run {
    let mut args: Vec<String> = [
        "run",
        "cxone",
        "--streams",
        "contacts",
        "--start",
        "2026-11-20",
        "--end",
        "2026-11-21",
        "--output",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.push(out.display().to_string());
    args.extend(extra.iter().map(|s| s.to_string()));
    let env = [
        ("CXONE_ACCESS_KEY_ID", AK_ID),
        ("CXONE_ACCESS_KEY_SECRET", AK_SECRET),
        ("CXONE_CLIENT_ID", CLIENT_ID),
        ("CXONE_CLIENT_SECRET", CLIENT_SECRET),
        ("CXONE_AUTH_URL", &fake.url),
        ("CXONE_API_URL", &fake.url),
    ];
    cxetl_with_env(&args, &owned(&env)).await
}

async fn run_genesys(fake: &Fake, out: &Path, extra: &[&str]) -> Run {
    let mut args: Vec<String> = [
        "run",
        "genesys",
        "--streams",
        "conversations",
        "--start",
        "2026-11-20",
        "--end",
        "2026-11-21",
        "--genesys-api",
        "query",
        "--output",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.push(out.display().to_string());
    args.extend(extra.iter().map(|s| s.to_string()));
    let env = [
        ("GENESYS_CLIENT_ID", CLIENT_ID),
        ("GENESYS_CLIENT_SECRET", GENESYS_SECRET),
        ("GENESYS_LOGIN_URL", &fake.url),
        ("GENESYS_API_URL", &fake.url),
    ];
    cxetl_with_env(&args, &owned(&env)).await
}

fn owned(env: &[(&str, &str)]) -> Vec<(String, String)> {
    env.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Asserts that no secret the fake knows is in stdout, stderr or any byte
/// of any file under `out`.
fn assert_no_secret(fake: &Fake, run: &Run, out: &Path) {
    let mut places = vec![
        ("stdout".to_string(), run.stdout.clone().into_bytes()),
        ("stderr".to_string(), run.stderr.clone().into_bytes()),
    ];
    for file in all_files(out) {
        places.push((file.display().to_string(), std::fs::read(&file).unwrap()));
    }
    let secrets = fake.secrets();
    assert!(secrets.len() >= 3, "the fake knows the run's secrets");
    for secret in &secrets {
        for (place, bytes) in &places {
            let leaked = bytes.windows(secret.len()).any(|w| w == secret.as_bytes());
            assert!(
                !leaked,
                "{secret:?} leaked into {place}:\n{}",
                String::from_utf8_lossy(bytes)
            );
        }
    }
}

#[tokio::test]
async fn a_redirected_token_request_goes_nowhere() {
    for status in [307, 308] {
        let elsewhere = bystander().await;
        let target = format!("http://user:pw@{}/steal?password=x", &elsewhere.url[7..]);
        let hostile = fake(CXONE, move |seen, _| match seen.path.as_str() {
            "/auth/token" => redirect(status, &target),
            _ => StatusCode::NOT_FOUND.into_response(),
        })
        .await;
        let out = tempfile::tempdir().unwrap();
        let run = run_cxone(&hostile, out.path(), &[]).await;
        run.expect_code(2);
        assert!(
            elsewhere.seen().is_empty(),
            "{status}: the other port got {:?}",
            elsewhere.seen()
        );
        assert_eq!(
            hostile
                .seen()
                .iter()
                .filter(|s| cxone_token_path(s))
                .count(),
            1
        );
        let named = format!("redirecting to {}/steal", elsewhere.url);
        assert!(run.stderr.contains(&named), "{status}: {}", run.stderr);
        assert!(run.stderr.contains("CXONE_AUTH_URL"), "{}", run.stderr);
        assert!(!run.stderr.contains("password=x") && !run.stderr.contains("user:pw"));
        assert_no_secret(&hostile, &run, out.path());
    }
}

#[tokio::test]
async fn a_redirected_api_call_goes_nowhere() {
    let elsewhere = bystander().await;
    let target = format!(
        "{}/api/v2/analytics/conversations/details/query",
        elsewhere.url
    );
    let location = target.clone();
    let hostile = fake(GENESYS, move |seen, fake| match seen.path.as_str() {
        "/oauth/token" => token(fake),
        _ => redirect(302, &location),
    })
    .await;
    let out = tempfile::tempdir().unwrap();
    let run = run_genesys(&hostile, out.path(), &[]).await;
    run.expect_code(2);
    assert!(elsewhere.seen().is_empty(), "{:?}", elsewhere.seen());
    assert_eq!(hostile.count(GENESYS_QUERY), 1, "a redirect is not retried");
    assert!(
        run.stderr.contains(&format!("redirecting to {target}")),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("GENESYS_API_URL"), "{}", run.stderr);
    assert_eq!(run.summary()["status"], "failed");
}

/// CXone answering its API with `status`, echoing everything; the refresh
/// grant is refused with an echo too.
async fn cxone_echoing(api_status: u16, token_status: u16) -> Arc<Fake> {
    fake(CXONE, move |seen, fake| match seen.path.as_str() {
        "/auth/token" if seen.is_refresh() => fake.echo(400),
        "/auth/token" if token_status == 200 => token(fake),
        "/auth/token" => fake.echo(token_status),
        CXONE_PAGES => fake.echo(api_status),
        _ => StatusCode::NOT_FOUND.into_response(),
    })
    .await
}

#[tokio::test]
async fn echoed_secrets_never_reach_stdout_stderr_or_the_lake() {
    // (API status, token status, exit code)
    for (api, tok, exit) in [
        (400, 200, 5),
        (403, 200, 4),
        (500, 200, 5),
        (401, 200, 3),
        (200, 401, 3),
    ] {
        let hostile = cxone_echoing(api, tok).await;
        let out = tempfile::tempdir().unwrap();
        let run = run_cxone(&hostile, out.path(), &["--max-attempts", "2"]).await;
        run.expect_code(exit);
        assert!(
            run.stderr.contains(REDACTED),
            "{api}/{tok}: the echo reached a message: {}",
            run.stderr
        );
        assert!(all_files(out.path())
            .iter()
            .any(|f| f.to_string_lossy().contains("_summaries")));
        assert_no_secret(&hostile, &run, out.path());
        if api == 401 {
            assert!(
                hostile.seen().iter().any(Seen::is_refresh),
                "the refresh token was sent and echoed"
            );
        }
    }
    for (api, tok, exit) in [(403, 200, 4), (400, 200, 5), (200, 401, 3)] {
        let hostile = fake(GENESYS, move |seen, fake| match seen.path.as_str() {
            "/oauth/token" if tok == 200 => token(fake),
            "/oauth/token" => fake.echo(tok),
            _ => fake.echo(api),
        })
        .await;
        let out = tempfile::tempdir().unwrap();
        let run = run_genesys(&hostile, out.path(), &["--max-attempts", "2"]).await;
        run.expect_code(exit);
        assert!(run.stderr.contains(REDACTED), "{api}/{tok}: {}", run.stderr);
        assert_no_secret(&hostile, &run, out.path());
    }
}

/// Far more than any limit, and still a bound on what the fake will send.
const HUGE: u64 = 64 << 30;
/// What kernel and library buffers may hold beyond the limit per attempt.
const SLACK: u64 = 32 << 20;

#[tokio::test]
async fn an_endless_token_answer_is_cut_at_one_megabyte() {
    let hostile = fake(CXONE, |seen, fake| match seen.path.as_str() {
        "/auth/token" => streamed(fake, HUGE, false),
        _ => StatusCode::NOT_FOUND.into_response(),
    })
    .await;
    let out = tempfile::tempdir().unwrap();
    let run = run_cxone(&hostile, out.path(), &[]).await;
    run.expect_code(5);
    assert!(
        run.stderr.contains("1 MB limit for token answers"),
        "{}",
        run.stderr
    );
    let attempts = hostile.count("/auth/token") as u64;
    assert_eq!(attempts, 3, "retried like a reset, within the token budget");
    assert!(
        hostile.sent() < attempts * ((1 << 20) + SLACK),
        "sent {}",
        hostile.sent()
    );
}

#[tokio::test]
async fn a_page_announcing_more_than_the_limit_is_not_read() {
    let hostile = fake(GENESYS, |seen, fake| match seen.path.as_str() {
        "/oauth/token" => token(fake),
        _ => streamed(fake, HUGE, true),
    })
    .await;
    let out = tempfile::tempdir().unwrap();
    let run = run_genesys(&hostile, out.path(), &["--max-attempts", "2"]).await;
    run.expect_code(5);
    assert!(
        run.stderr.contains("256 MB limit for API result pages"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(&format!("announced {HUGE} bytes")),
        "{}",
        run.stderr
    );
    assert_eq!(hostile.count(GENESYS_QUERY), 2);
    assert!(hostile.sent() < 2 * SLACK, "sent {}", hostile.sent());
}

#[tokio::test]
async fn an_endless_page_fails_at_the_limit_while_streaming() {
    let hostile = fake(GENESYS, |seen, fake| match seen.path.as_str() {
        "/oauth/token" => token(fake),
        _ => streamed(fake, HUGE, false),
    })
    .await;
    let login = Url::parse(&hostile.url).unwrap();
    let creds =
        ClientCredentials::new(&login, CLIENT_ID.into(), Secret::new(GENESYS_SECRET)).unwrap();
    let limit = 4 << 20;
    let config = ClientConfig {
        max_body_bytes: limit,
        retry: RetryPolicy {
            max_attempts: 2,
            base_delay: Duration::from_millis(10),
            ..Default::default()
        },
        ..Default::default()
    };
    let client = ApiClient::new(config, Arc::new(creds), Arc::new(cxetl::http::PlainHttp)).unwrap();
    let url = Url::parse(&format!("{}{GENESYS_QUERY}", hostile.url)).unwrap();
    let err = client.send(&ApiRequest::get(url, "p")).await.unwrap_err();
    match &err {
        HttpError::RetriesExhausted { attempts, last, .. } => {
            assert_eq!(*attempts, 2);
            assert!(last.contains("4 MB limit for API result pages"), "{last}");
        }
        other => panic!("{other}"),
    }
    assert!(
        hostile.sent() < 2 * (limit + SLACK),
        "sent {}",
        hostile.sent()
    );
    assert_eq!(client.stats().server_errors, 2);
}

#[test]
fn garbage_and_huge_retry_after_values_are_bounded() {
    use cxetl::http::retry::parse_retry_after;
    let now = std::time::SystemTime::now();
    for garbage in ["soon", "", "-5", "NaN", "inf", "1e400", "Thu, 99 Foo 2026"] {
        assert_eq!(parse_retry_after(garbage, now), None, "{garbage:?}");
    }
    let policy = RetryPolicy::default();
    for huge in [
        "99999999999999999999",
        "1e19",
        "18446744073709551615",
        "86400",
    ] {
        let asked = parse_retry_after(huge, now);
        let wait = policy.throttle_wait(asked, 0);
        assert!(
            wait <= Duration::from_millis(180_100),
            "{huge:?} → {wait:?}"
        );
    }
}

#[tokio::test]
async fn garbage_retry_after_still_waits_and_succeeds() {
    let hostile = fake(CXONE, |seen, fake| match seen.path.as_str() {
        "/auth/token" => token(fake),
        CXONE_PAGES if fake.count(CXONE_PAGES) == 1 => (
            StatusCode::TOO_MANY_REQUESTS,
            [("retry-after", "soon, maybe")],
        )
            .into_response(),
        CXONE_PAGES => StatusCode::NO_CONTENT.into_response(),
        _ => StatusCode::NOT_FOUND.into_response(),
    })
    .await;
    let out = tempfile::tempdir().unwrap();
    let run = run_cxone(&hostile, out.path(), &["--concurrency", "1"]).await;
    run.expect_code(0);
    let http = &run.summary()["http"];
    assert_eq!(
        (http["throttled"].as_u64(), http["retries"].as_u64()),
        (Some(1), Some(1))
    );
}

#[tokio::test]
async fn unauthorized_on_every_request_exits_3_after_one_refresh() {
    let hostile = fake(CXONE, |seen, fake| match seen.path.as_str() {
        "/auth/token" => token(fake),
        CXONE_PAGES => StatusCode::UNAUTHORIZED.into_response(),
        _ => StatusCode::NOT_FOUND.into_response(),
    })
    .await;
    let out = tempfile::tempdir().unwrap();
    let run = run_cxone(&hostile, out.path(), &["--concurrency", "1"]).await;
    run.expect_code(3);
    assert_eq!(hostile.count(CXONE_PAGES), 2, "one retry after one refresh");
    assert_eq!(hostile.count("/auth/token"), 2);
    assert!(hostile.seen().iter().any(Seen::is_refresh));
    assert_eq!(run.summary()["http"]["unauthorized"], 2);
}

#[tokio::test]
async fn hostile_ids_never_reach_a_file_path() {
    let ids = [
        "../../../escaped",
        "nul\u{0}id",
        "crlf\r\nid",
        "/abs/path",
        "..\\win",
    ];
    let conversations: Vec<Value> = ids
        .iter()
        .map(|id| {
            json!({
                "conversationId": id,
                "conversationStart": "2026-11-20T10:00:00.000Z",
                "conversationEnd": "2026-11-20T10:05:00.000Z",
                "participants": [],
            })
        })
        .collect();
    let page = json!({"conversations": conversations, "totalHits": ids.len()});
    let hostile = fake(GENESYS, move |seen, fake| match seen.path.as_str() {
        "/oauth/token" => token(fake),
        GENESYS_QUERY => axum::Json(page.clone()).into_response(),
        _ => StatusCode::NOT_FOUND.into_response(),
    })
    .await;
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("lake");
    let run = run_genesys(&hostile, &out, &["--max-bad-records", "100"]).await;
    run.expect_code(0);
    let summary = run.summary();
    let kept =
        summary["conversations"].as_u64().unwrap() + summary["quarantined"].as_u64().unwrap();
    assert_eq!(kept, ids.len() as u64, "{summary}");
    assert!(!root.path().parent().unwrap().join("escaped").exists());
    assert!(!Path::new("/abs/path").exists());
    let everything = all_files(root.path());
    assert!(!everything.is_empty());
    for file in everything {
        let relative = file
            .strip_prefix(&out)
            .expect("every file is inside the output");
        let text = relative.to_string_lossy();
        for bad in ["..", "\0", "\r", "\n", "escaped", "abs", "win"] {
            assert!(!text.contains(bad), "{text:?} holds {bad:?}");
        }
    }
}

/// A Genesys conversation of the run's first day.
fn conversation(id: &str) -> Value {
    json!({
        "conversationId": id,
        "conversationStart": "2026-11-20T10:00:00.000Z",
        "conversationEnd": "2026-11-20T10:05:00.000Z",
        "participants": [],
    })
}

#[tokio::test]
async fn a_query_page_served_again_and_again_ends_the_slice_with_exit_5() {
    // 100 records per page and a totalHits that never runs out: the page
    // counter of a naive client would follow it forever.
    let records: Vec<Value> = (0..100).map(|i| conversation(&format!("c-{i}"))).collect();
    let page = json!({"conversations": records, "totalHits": 1_000_000});
    let hostile = fake(GENESYS, move |seen, fake| match seen.path.as_str() {
        "/oauth/token" => token(fake),
        GENESYS_QUERY => axum::Json(page.clone()).into_response(),
        _ => StatusCode::NOT_FOUND.into_response(),
    })
    .await;
    let out = tempfile::tempdir().unwrap();
    let run = run_genesys(&hostile, out.path(), &["--concurrency", "1"]).await;
    run.expect_code(5);
    assert!(
        run.stderr.contains("repeated records already read"),
        "{}",
        run.stderr
    );
    assert!(
        hostile.count(GENESYS_QUERY) <= 3,
        "stopped at the second repeat"
    );
}

#[tokio::test]
async fn full_cxone_pages_beyond_their_total_end_the_slice_with_exit_5() {
    // Always a full page of new ids, with totalRecords = 5: the totals bound the pages.
    let served = Arc::new(AtomicU64::new(0));
    let hostile = fake(CXONE, move |seen, fake| match seen.path.as_str() {
        "/auth/token" => token(fake),
        CXONE_PAGES => {
            let n = served.fetch_add(1, Ordering::Relaxed);
            let contacts: Vec<Value> = (0..50)
                .map(|i| {
                    json!({"contactId": n * 1000 + i, "contactStartDate": "2026-11-20T10:00:00Z",
                           "totalDurationSeconds": 10})
                })
                .collect();
            axum::Json(json!({"totalRecords": 5, "completedContacts": contacts})).into_response()
        }
        _ => StatusCode::NOT_FOUND.into_response(),
    })
    .await;
    let out = tempfile::tempdir().unwrap();
    let run = run_cxone(
        &hostile,
        out.path(),
        &["--concurrency", "1", "--cxone-top", "50"],
    )
    .await;
    run.expect_code(5);
    assert!(run.stderr.contains("reported total of 5"), "{}", run.stderr);
    assert!(hostile.count(CXONE_PAGES) <= 12, "bounded by the totals");
}

#[tokio::test]
async fn absurd_token_lifetimes_never_panic() {
    for expires_in in [
        json!(1e30),
        json!(1.0e19),
        json!("1e300"),
        json!(-5),
        json!(0),
    ] {
        let hostile = fake(GENESYS, move |seen, _| match seen.path.as_str() {
            "/oauth/token" => axum::Json(json!({
                "access_token": "absurd-ACCESS-token", "token_type": "bearer",
                "expires_in": expires_in.clone(),
            }))
            .into_response(),
            GENESYS_QUERY => {
                axum::Json(json!({"conversations": [], "totalHits": 0})).into_response()
            }
            _ => StatusCode::NOT_FOUND.into_response(),
        })
        .await;
        let out = tempfile::tempdir().unwrap();
        let run = run_genesys(&hostile, out.path(), &[]).await;
        assert!(
            run.code == 0 || run.code == 5,
            "no panic (exit {}): {}",
            run.code,
            run.stderr
        );
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
        assert!(!run.stdout.is_empty(), "a summary line is always printed");
    }
}

#[tokio::test]
async fn deeply_nested_json_is_refused_without_a_stack_overflow() {
    // A million levels of nesting inside a record: serde_json's recursion
    // limit must turn it into an error, never a crash.
    let depth = 1_000_000;
    let nested = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    let body = format!(
        r#"{{"conversations":[{{"conversationId":"deep","participants":{nested}}}],"totalHits":1}}"#
    );
    let hostile = fake(GENESYS, move |seen, fake| match seen.path.as_str() {
        "/oauth/token" => token(fake),
        GENESYS_QUERY => ([("content-type", "application/json")], body.clone()).into_response(),
        _ => StatusCode::NOT_FOUND.into_response(),
    })
    .await;
    let out = tempfile::tempdir().unwrap();
    let run = run_genesys(&hostile, out.path(), &["--concurrency", "1"]).await;
    assert!(
        run.code == 0 || run.code == 5,
        "exit {}: {}",
        run.code,
        run.stderr
    );
    assert!(
        !run.stderr.contains("overflow") && !run.stderr.contains("panicked"),
        "{}",
        run.stderr
    );
    assert_eq!(run.summary()["conversations"], 0);
}

#[tokio::test]
async fn a_body_that_drips_one_byte_a_second_times_out() {
    // One byte per second for an hour: only the whole-request timeout ends it.
    let hostile = fake(GENESYS, |seen, fake| match seen.path.as_str() {
        "/oauth/token" => token(fake),
        _ => {
            let sent = fake.sent.clone();
            let stream = futures::stream::unfold(0u32, move |n| {
                let sent = sent.clone();
                async move {
                    (n < 3600).then_some(())?;
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    sent.fetch_add(1, Ordering::Relaxed);
                    Some((Ok::<_, std::io::Error>(Bytes::from_static(b" ")), n + 1))
                }
            });
            Body::from_stream(stream).into_response()
        }
    })
    .await;
    let login = Url::parse(&hostile.url).unwrap();
    let creds =
        ClientCredentials::new(&login, CLIENT_ID.into(), Secret::new(GENESYS_SECRET)).unwrap();
    let config = ClientConfig {
        timeout: Duration::from_secs(2),
        retry: RetryPolicy {
            max_attempts: 2,
            base_delay: Duration::from_millis(10),
            ..Default::default()
        },
        ..Default::default()
    };
    let client = ApiClient::new(config, Arc::new(creds), Arc::new(cxetl::http::PlainHttp)).unwrap();
    let url = Url::parse(&format!("{}{GENESYS_QUERY}", hostile.url)).unwrap();
    match client.send(&ApiRequest::get(url, "p")).await.unwrap_err() {
        HttpError::RetriesExhausted { attempts, last, .. } => {
            assert_eq!(attempts, 2);
            assert!(last.contains("timed out"), "{last}");
        }
        other => panic!("{other}"),
    }
    assert!(
        hostile.sent() < 10,
        "the drip was cut off, not read to its end"
    );
}
