//! `sample_data/cxone/`: regenerated from the CXone simulator on demand
//! (`cargo test --test it simulator_cxone_samples:: -- --ignored`), checked
//! always against the fact sheet (`shared/vendor-apis/cxone.md`).

use crate::common::{is_vendor_date, read_json};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use cxetl::simulator::{self, Faults, SimConfig, Simulator};
use cxetl::Vendor;
use serde_json::{json, Value};
use std::path::PathBuf;

/// The hosts the samples show instead of the simulator's loopback address.
const ISSUER: &str = "https://cxone.niceincontact.com";
const API: &str = "https://api-na1.niceincontact.com";

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("sample_data/cxone")
}

fn read(name: &str) -> Value {
    read_json(&dir().join(name))
}

fn claims(jwt: &str) -> Value {
    let payload = jwt.split('.').nth(1).expect("JWT-shaped");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

fn lenient_f64(v: &Value) -> Option<f64> {
    v.as_f64().or_else(|| v.as_str()?.parse().ok())
}

/// Which defect a record carries (the simulator's four bad kinds).
fn kind_of_bad(c: &Value) -> Option<&'static str> {
    if c.get("contactId").is_none() {
        Some("missing contactId")
    } else if !c["contactId"].is_i64() {
        Some("contactId not numeric")
    } else if !is_vendor_date(
        c.get("contactStartDate")
            .or_else(|| c.get("contactStart"))?,
    ) {
        Some("contactStartDate not a date")
    } else if c["totalDurationSeconds"].is_object() {
        Some("totalDurationSeconds an object")
    } else {
        None
    }
}

#[test]
fn sample_files_follow_the_fact_sheet() {
    let o = read("openid_configuration.json");
    assert_eq!(o["issuer"], ISSUER);
    assert_eq!(o["token_endpoint"], format!("{ISSUER}/auth/token").as_str());
    assert_eq!(
        o["token_endpoint_auth_methods_supported"],
        json!(["client_secret_basic"])
    );

    let t = read("token.json");
    for k in ["access_token", "refresh_token", "id_token"] {
        assert!(t[k].is_string(), "{k}");
    }
    assert_eq!(t["token_type"], "Bearer");
    assert!(t["expires_in"].is_u64());
    let id = claims(t["id_token"].as_str().unwrap());
    assert_eq!(id["iss"], ISSUER);
    assert!(id["tenantId"].is_string());

    let e = read("token_error_invalid_client.json");
    assert_eq!(e["error"], "invalid_client");
    assert!(e["error_description"].is_string());

    let c = read("cxone_configuration.json");
    assert_eq!(c["api_endpoint"], API);
    assert_eq!(c["tenantId"], id["tenantId"]);

    let p = read("completed_contacts_page.json");
    assert_eq!(p["totalRecords"], 3);
    assert!(p["_links"]["self"].as_str().unwrap().starts_with(API));
    assert!(p["_links"]["next"].is_null() && p["_links"]["previous"].is_null());
    assert!(p["businessUnitId"].is_i64() && is_vendor_date(&p["lastPollTime"]));
    let cs = p["completedContacts"].as_array().unwrap();
    assert_eq!(cs.len(), 3);
    let legacy: Vec<_> = cs
        .iter()
        .filter(|c| c.get("contactStart").is_some())
        .collect();
    assert_eq!(legacy.len(), 1, "one legacy-spelled contact");
    let l = legacy[0];
    assert!(l["totalDurationSeconds"].is_string() && l["ACWSeconds"].is_string());
    assert!(l["isOutbound"].is_string() && l.get("fromAddr").is_some());
    for c in cs {
        assert_eq!(kind_of_bad(c), None);
        assert!(c["contactId"].as_i64().unwrap() > i64::from(u32::MAX));
        assert!(lenient_f64(&c["totalDurationSeconds"]).is_some());
    }

    let empty = std::fs::read(dir().join("completed_contacts_empty.txt")).unwrap();
    assert!(empty.is_empty(), "a 204 has no body at all");

    let u = read("error_401.json");
    assert_eq!(u["error"], "invalid_token");
    let s = read("error_503.json");
    assert!(s["error"].is_string() && s["error_description"].is_string());

    let bad = read("completed_contacts_bad_records.json");
    let kinds: Vec<_> = bad["completedContacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(kind_of_bad)
        .collect();
    assert_eq!(
        kinds,
        [
            None,
            Some("missing contactId"),
            Some("contactStartDate not a date"),
            Some("totalDurationSeconds an object"),
            Some("contactId not numeric"),
        ]
    );
}

/// Pretty JSON with the simulator's loopback base shown as CXone's hosts
/// (the issuer in auth documents, the API host elsewhere).
fn write(sim: &Simulator, name: &str, v: &Value, host: &str) {
    let text = serde_json::to_string_pretty(v)
        .unwrap()
        .replace(&sim.api_url(), host);
    std::fs::write(dir().join(name), text + "\n").unwrap();
}

async fn get(url: &str, token: Option<&str>) -> (u16, String) {
    let mut rb = reqwest::Client::new()
        .get(url)
        .header("accept", "application/json");
    if let Some(t) = token {
        rb = rb.bearer_auth(t);
    }
    let r = rb.send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

async fn token(sim: &Simulator, secret: &str) -> (u16, Value) {
    let cfg = sim.config();
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs([
            ("grant_type", "password"),
            ("username", cfg.access_key_id.as_str()),
            ("password", cfg.access_key_secret.as_str()),
        ])
        .finish();
    let r = reqwest::Client::new()
        .post(format!("{}/auth/token", sim.login_url()))
        .header(
            "authorization",
            format!(
                "Basic {}",
                STANDARD.encode(format!("{}:{secret}", cfg.client_id))
            ),
        )
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    let s = r.status().as_u16();
    (s, serde_json::from_str(&r.text().await.unwrap()).unwrap())
}

#[tokio::test]
#[ignore = "rewrites sample_data/cxone from the simulator"]
async fn write_sample_files() {
    std::fs::create_dir_all(dir()).unwrap();
    let sim = simulator::start(
        SimConfig {
            vendor: Vendor::Cxone,
            conversations: 400,
            bad_records: 8,
            ..SimConfig::default()
        },
        0,
    )
    .await
    .unwrap();
    let base = sim.api_url();
    let (_, oidc) = get(&format!("{base}/.well-known/openid-configuration"), None).await;
    write(
        &sim,
        "openid_configuration.json",
        &serde_json::from_str(&oidc).unwrap(),
        ISSUER,
    );
    let (status, mut t) = token(&sim, "sim-secret").await;
    assert_eq!(status, 200);
    let access = t["access_token"].as_str().unwrap().to_string();
    // The issuer inside the JWTs, too.
    for k in ["access_token", "id_token"] {
        let jwt = t[k].as_str().unwrap().to_string();
        let parts: Vec<&str> = jwt.split('.').collect();
        let payload = serde_json::to_string(&claims(&jwt))
            .unwrap()
            .replace(&base, ISSUER);
        t[k] = format!(
            "{}.{}.{}",
            parts[0],
            URL_SAFE_NO_PAD.encode(payload),
            parts[2]
        )
        .into();
    }
    write(&sim, "token.json", &t, ISSUER);
    let (status, e) = token(&sim, "wrong-secret").await;
    assert_eq!(status, 401);
    write(&sim, "token_error_invalid_client.json", &e, ISSUER);
    let (_, c) = get(
        &format!(
            "{base}/.well-known/cxone-configuration?tenantId={}",
            sim.config().tenant_id
        ),
        None,
    )
    .await;
    let mut c: Value = serde_json::from_str(&c).unwrap();
    c["ui_endpoint"] = "https://na1.nice-incontact.com".into();
    c["auth_endpoint"] = ISSUER.into();
    write(&sim, "cxone_configuration.json", &c, API);

    let window = "startDate=2026-11-20T00:00:00.000Z&endDate=2026-11-23T00:00:00.000Z";
    let (_, all) = get(
        &format!("{}?{window}&top=1000", sim.cxone_completed_url()),
        Some(&access),
    )
    .await;
    let all: Value = serde_json::from_str(&all).unwrap();
    let cs = all["completedContacts"].as_array().unwrap();
    let good: Vec<&Value> = cs.iter().filter(|c| kind_of_bad(c).is_none()).collect();
    let answered_call = good
        .iter()
        .find(|c| {
            c.get("contactStartDate").is_some()
                && c["mediaTypeId"] == 4
                && c["isOutbound"] == false
                && c["agentId"].as_i64().unwrap_or(0) > 0
                && c["holdSeconds"].as_f64().unwrap_or(0.0) > 0.0
        })
        .unwrap();
    let abandoned = good
        .iter()
        .find(|c| c.get("contactStartDate").is_some() && c["agentId"].is_null())
        .unwrap();
    let legacy = good
        .iter()
        .find(|c| c.get("contactStart").is_some())
        .unwrap();
    let start = |c: &Value| {
        c.get("contactStartDate")
            .or_else(|| c.get("contactStart"))
            .and_then(Value::as_str)
            .unwrap()
            .to_string()
    };
    let mut trio = vec![
        (*answered_call).clone(),
        (*abandoned).clone(),
        (*legacy).clone(),
    ];
    trio.sort_by_key(start);
    let self_link = format!(
        "{}?{window}&top=10000&skip=0&orderBy=contactStartDate%20asc",
        sim.cxone_completed_url()
    );
    let page = json!({
        "totalRecords": 3,
        "_links": {"self": self_link, "next": null, "previous": null},
        "businessUnitId": all["businessUnitId"],
        "lastPollTime": all["lastPollTime"],
        "completedContacts": trio,
    });
    write(&sim, "completed_contacts_page.json", &page, API);
    std::fs::write(dir().join("completed_contacts_empty.txt"), b"").unwrap();

    let mut bad = vec![(*answered_call).clone()];
    for k in [
        "missing contactId",
        "contactStartDate not a date",
        "totalDurationSeconds an object",
        "contactId not numeric",
    ] {
        bad.push(
            cs.iter()
                .find(|c| kind_of_bad(c) == Some(k))
                .unwrap()
                .clone(),
        );
    }
    let mut bad_page = page.clone();
    bad_page["totalRecords"] = bad.len().into();
    bad_page["completedContacts"] = bad.into();
    write(&sim, "completed_contacts_bad_records.json", &bad_page, API);

    let (status, u) = get(&sim.cxone_completed_url(), Some("not-a-token")).await;
    assert_eq!(status, 401);
    write(
        &sim,
        "error_401.json",
        &serde_json::from_str(&u).unwrap(),
        API,
    );
    drop(sim);

    let sim = simulator::start(
        SimConfig {
            vendor: Vendor::Cxone,
            conversations: 5,
            faults: Faults {
                throttle_every: Some(1),
                ..Faults::default()
            },
            ..SimConfig::default()
        },
        0,
    )
    .await
    .unwrap();
    let (_, t) = token(&sim, "sim-secret").await;
    let (status, b) = get(
        &format!("{}?{window}", sim.cxone_completed_url()),
        t["access_token"].as_str(),
    )
    .await;
    assert_eq!(status, 503);
    write(
        &sim,
        "error_503.json",
        &serde_json::from_str(&b).unwrap(),
        API,
    );
}
