//! `sample_data/genesys/`: regenerated from the simulator on demand
//! (`cargo test --test it simulator_samples:: -- --ignored`), checked always.

use crate::common::{is_vendor_date, read_json};
use cxetl::simulator::{self, Faults, SimConfig};
use serde_json::{json, Value};
use std::path::PathBuf;

const DETAILS: &str = "/api/v2/analytics/conversations/details";

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("sample_data/genesys")
}

fn read(name: &str) -> Value {
    read_json(&dir().join(name))
}

fn kind_of_bad(c: &Value) -> Option<&'static str> {
    if c.get("conversationId").is_none() {
        Some("missing conversationId")
    } else if !is_vendor_date(&c["conversationStart"]) {
        Some("conversationStart not a date")
    } else if !c["participants"].is_array() {
        Some("participants not an array")
    } else if !c["participants"][0]["sessions"][0]["segments"][0]["segmentStart"].is_string() {
        Some("segmentStart a number")
    } else {
        None
    }
}

#[test]
fn sample_files_follow_the_fact_sheet() {
    let t = read("token.json");
    assert!(
        t["access_token"].is_string() && t["token_type"] == "bearer" && t["expires_in"].is_u64()
    );
    let e = read("token_error.json");
    assert_eq!(e["error"], "invalid_client");
    assert!(e["description"].is_string() && e["error_description"].is_string());

    let q = read("query_page.json");
    let cs = q["conversations"].as_array().unwrap();
    assert_eq!((cs.len(), q["totalHits"].as_u64()), (3, Some(3)));
    assert_eq!(
        cs.iter()
            .filter(|c| c.get("conversationEnd").is_none())
            .count(),
        1,
        "one ongoing"
    );
    for c in cs {
        assert!(is_vendor_date(&c["conversationStart"]));
        assert!(c["participants"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p.get("attributes").is_none()));
    }
    assert_eq!(read("query_page_empty.json"), json!({"totalHits": 3}));

    assert!(read("job_create.json")["jobId"].is_string());
    let f = read("job_status_fulfilled.json");
    assert_eq!(f["state"], "FULFILLED");
    assert!(
        is_vendor_date(&f["submissionDate"])
            && is_vendor_date(&f["completionDate"])
            && is_vendor_date(&f["expirationDate"])
    );
    let f = read("job_status_failed.json");
    assert_eq!(f["state"], "FAILED");
    assert!(f["errorMessage"].is_string());

    let p1 = read("job_results_page1.json");
    assert!(p1["cursor"].is_string() && is_vendor_date(&p1["dataAvailabilityDate"]));
    assert!(p1["conversations"][0]["participants"][0]["attributes"].is_object());
    let last = read("job_results_last.json");
    assert!(last.get("cursor").is_none() && is_vendor_date(&last["dataAvailabilityDate"]));
    assert!(!last["conversations"].as_array().unwrap().is_empty());
    assert!(is_vendor_date(
        &read("availability.json")["dataAvailabilityDate"]
    ));

    for (name, status, code) in [
        ("error_401.json", 401, "credentials.expired"),
        ("error_403.json", 403, "missing.any.permissions"),
        ("error_429.json", 429, "too.many.requests"),
    ] {
        let b = read(name);
        assert_eq!(
            (b["status"].as_u64(), b["code"].as_str()),
            (Some(status), Some(code)),
            "{name}"
        );
        assert!(b["contextId"].is_string() && b["details"].is_array() && b["errors"].is_array());
    }
    assert!(read("error_403.json")["message"]
        .as_str()
        .unwrap()
        .contains("analytics:conversationDetail:view"));
    let html = std::fs::read_to_string(dir().join("error_503.html")).unwrap();
    assert_eq!(
        html.trim(),
        "<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>"
    );

    let bad = read("bad_records_page.json");
    let kinds: Vec<_> = bad["conversations"]
        .as_array()
        .unwrap()
        .iter()
        .map(kind_of_bad)
        .collect();
    assert_eq!(
        kinds,
        [
            None,
            Some("missing conversationId"),
            Some("conversationStart not a date"),
            Some("participants not an array"),
            Some("segmentStart a number")
        ]
    );
}

struct Api {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Api {
    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, String) {
        let mut rb = self
            .http
            .request(method, format!("{}{}", self.base, path))
            .bearer_auth(&self.token);
        if let Some(b) = body {
            rb = rb
                .header("content-type", "application/json")
                .body(b.to_string());
        }
        let r = rb.send().await.unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }
    async fn json(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        serde_json::from_str(&self.call(method, path, body).await.1).unwrap()
    }
    async fn finish(&self, job: &str) -> Value {
        loop {
            let s = self
                .json(reqwest::Method::GET, &format!("{DETAILS}/jobs/{job}"), None)
                .await;
            if s["state"] == "FULFILLED" || s["state"] == "FAILED" {
                return s;
            }
        }
    }
}

async fn connect(sim: &simulator::Simulator) -> (Api, Value) {
    let http = reqwest::Client::new();
    let t: Value = serde_json::from_str(
        &http
            .post(format!("{}/oauth/token", sim.login_url()))
            .basic_auth("sim-client", Some("sim-secret"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("grant_type=client_credentials")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    )
    .unwrap();
    let token = t["access_token"].as_str().unwrap().to_string();
    (
        Api {
            http,
            base: sim.api_url(),
            token,
        },
        t,
    )
}

fn write(name: &str, v: &Value) {
    std::fs::write(
        dir().join(name),
        serde_json::to_string_pretty(v).unwrap() + "\n",
    )
    .unwrap();
}

#[tokio::test]
#[ignore = "rewrites sample_data/genesys from the simulator"]
async fn write_sample_files() {
    use reqwest::Method;
    std::fs::create_dir_all(dir()).unwrap();
    let sim = simulator::start(
        SimConfig {
            conversations: 300,
            bad_records: 8,
            faults: Faults {
                job_failures: 1,
                ..Faults::default()
            },
            ..SimConfig::default()
        },
        0,
    )
    .await
    .unwrap();
    let (api, token) = connect(&sim).await;
    write("token.json", &token);
    let err = api
        .http
        .post(format!("{}/oauth/token", sim.login_url()))
        .basic_auth("sim-client", Some("wrong-secret"))
        .body("grant_type=client_credentials")
        .send()
        .await
        .unwrap();
    write(
        "token_error.json",
        &serde_json::from_str(&err.text().await.unwrap()).unwrap(),
    );

    // The first job fails (job_failures = 1).
    let j = api
        .json(
            Method::POST,
            &format!("{DETAILS}/jobs"),
            Some(json!({"interval": "2026-11-21T00:00:00.000Z/2026-11-22T00:00:00.000Z"})),
        )
        .await;
    write(
        "job_status_failed.json",
        &api.finish(j["jobId"].as_str().unwrap()).await,
    );

    let j = api
        .json(
            Method::POST,
            &format!("{DETAILS}/jobs"),
            Some(json!({"interval": "2026-11-20T00:00:00.000Z/2026-11-23T00:00:00.000Z"})),
        )
        .await;
    write("job_create.json", &j);
    let job = j["jobId"].as_str().unwrap().to_string();
    write("job_status_fulfilled.json", &api.finish(&job).await);
    let all = api
        .json(
            Method::GET,
            &format!("{DETAILS}/jobs/{job}/results?pageSize=1000"),
            None,
        )
        .await;
    let all = all["conversations"].as_array().unwrap().clone();
    let good: Vec<&Value> = all.iter().filter(|c| kind_of_bad(c).is_none()).collect();
    // A voice call with a transfer (two agents) and one ongoing conversation.
    let transferred = good
        .iter()
        .find(|c| {
            c["participants"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|p| p["purpose"] == "agent")
                .count()
                == 2
                && c["participants"][0]["sessions"][0]["mediaType"] == "voice"
        })
        .unwrap();
    let chat = good
        .iter()
        .find(|c| c["participants"][0]["sessions"][0]["mediaType"] == "chat")
        .unwrap();
    let ongoing = good
        .iter()
        .find(|c| c.get("conversationEnd").is_none())
        .unwrap();

    let page = api
        .json(
            Method::GET,
            &format!("{DETAILS}/jobs/{job}/results?pageSize=2"),
            None,
        )
        .await;
    let cursor = page["cursor"].clone();
    write(
        "job_results_page1.json",
        &json!({"conversations": [transferred, chat], "cursor": cursor, "dataAvailabilityDate": page["dataAvailabilityDate"]}),
    );
    write(
        "job_results_last.json",
        &json!({"conversations": [ongoing], "dataAvailabilityDate": page["dataAvailabilityDate"]}),
    );
    let strip = |c: &Value| {
        let mut c = c.clone();
        for p in c["participants"].as_array_mut().unwrap() {
            p.as_object_mut().unwrap().remove("attributes");
        }
        c
    };
    let mut trio = vec![strip(chat), strip(transferred), strip(ongoing)];
    trio.sort_by(|a, b| {
        a["conversationStart"]
            .as_str()
            .cmp(&b["conversationStart"].as_str())
    });
    write(
        "query_page.json",
        &json!({"conversations": trio, "totalHits": 3}),
    );
    write("query_page_empty.json", &json!({"totalHits": 3}));
    write(
        "availability.json",
        &api.json(Method::GET, &format!("{DETAILS}/jobs/availability"), None)
            .await,
    );

    let mut bad = vec![(*chat).clone()];
    for k in [
        "missing conversationId",
        "conversationStart not a date",
        "participants not an array",
        "segmentStart a number",
    ] {
        bad.push(
            all.iter()
                .find(|c| kind_of_bad(c) == Some(k))
                .unwrap()
                .clone(),
        );
    }
    write(
        "bad_records_page.json",
        &json!({"conversations": bad, "dataAvailabilityDate": page["dataAvailabilityDate"]}),
    );

    // Error bodies, each produced by the simulator.
    let expired = api
        .http
        .get(format!("{}{DETAILS}/jobs/availability", sim.api_url()))
        .bearer_auth("x")
        .send()
        .await
        .unwrap();
    let mut b: Value = serde_json::from_str(&expired.text().await.unwrap()).unwrap();
    // An unknown token answers bad.credentials; the sample shows the expired form.
    b["code"] = "credentials.expired".into();
    b["message"] = "The supplied credentials are expired and cannot be used.".into();
    write("error_401.json", &b);
    drop(sim);

    let faults = Faults {
        forbidden: true,
        ..Faults::default()
    };
    let sim = simulator::start(
        SimConfig {
            conversations: 5,
            faults,
            ..SimConfig::default()
        },
        0,
    )
    .await
    .unwrap();
    let (api, _) = connect(&sim).await;
    write(
        "error_403.json",
        &api.json(
            Method::POST,
            &format!("{DETAILS}/query"),
            Some(json!({"interval": "2026-11-21T00:00:00Z/2026-11-22T00:00:00Z"})),
        )
        .await,
    );
    drop(sim);

    let faults = Faults {
        throttle_every: Some(1),
        server_error_every: Some(2),
        ..Faults::default()
    };
    let sim = simulator::start(
        SimConfig {
            conversations: 5,
            faults,
            ..SimConfig::default()
        },
        0,
    )
    .await
    .unwrap();
    let (api, _) = connect(&sim).await;
    write(
        "error_429.json",
        &api.json(Method::GET, &format!("{DETAILS}/jobs/availability"), None)
            .await,
    );
    let (_, html) = api
        .call(Method::GET, &format!("{DETAILS}/jobs/availability"), None)
        .await;
    std::fs::write(dir().join("error_503.html"), html + "\n").unwrap();
}
