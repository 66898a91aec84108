//! The simulator's directory listings over real HTTP, against
//! `shared/vendor-apis/directory-and-activity.md` §1 (Genesys) and §4
//! (CXone): paging to exactly [`Simulator::directory`], the inactive-users
//! cap, referential integrity with the conversations, and the faults.

use cxetl::simulator::{self, Faults, SimConfig, Simulator};
use cxetl::Vendor;
use serde_json::Value;
use std::collections::BTreeSet;

async fn start(cfg: SimConfig) -> Simulator {
    simulator::start(cfg, 0).await.unwrap()
}

fn cxone() -> SimConfig {
    SimConfig {
        vendor: Vendor::Cxone,
        ..SimConfig::default()
    }
}

/// `…/inContactAPI/services/v34.0/{resource}`.
fn cxone_url(sim: &Simulator, resource: &str) -> String {
    sim.cxone_completed_url()
        .replace("contacts/completed", resource)
}

/// A bearer token from whichever vendor `sim` speaks.
async fn token(sim: &Simulator) -> String {
    let cfg = sim.config();
    let http = reqwest::Client::new();
    let r = match sim.vendor() {
        Vendor::Genesys => http
            .post(format!("{}/oauth/token", sim.login_url()))
            .basic_auth(&cfg.client_id, Some(&cfg.client_secret))
            .form(&[("grant_type", "client_credentials")]),
        Vendor::Cxone => http
            .post(format!("{}/auth/token", sim.login_url()))
            .basic_auth(&cfg.client_id, Some(&cfg.client_secret))
            .form(&[
                ("grant_type", "password"),
                ("username", cfg.access_key_id.as_str()),
                ("password", cfg.access_key_secret.as_str()),
            ]),
    };
    let v: Value = serde_json::from_str(&r.send().await.unwrap().text().await.unwrap()).unwrap();
    v["access_token"].as_str().unwrap().to_string()
}

/// `GET url` with the token: status and JSON body (Null when empty).
async fn get(tok: &str, url: &str) -> (u16, Value) {
    let r = reqwest::Client::new()
        .get(url)
        .bearer_auth(tok)
        .header("accept", "application/json")
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// Follows `nextUri` (relative, §1.0) from `path`, checking the envelope.
async fn genesys_pages(sim: &Simulator, tok: &str, path: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut next = Some(path.to_string());
    let mut pages = 0;
    while let Some(p) = next {
        let (status, v) = get(tok, &format!("{}{p}", sim.api_url())).await;
        assert_eq!(status, 200, "{p}: {v}");
        pages += 1;
        for k in ["pageSize", "pageNumber", "total", "pageCount"] {
            assert!(v[k].is_u64(), "{p}: {k}");
        }
        for k in ["firstUri", "selfUri", "lastUri"] {
            assert!(v[k].as_str().unwrap().starts_with("/api/v2/"), "{p}: {k}");
        }
        assert_eq!(v["pageNumber"], pages);
        assert_eq!(v.get("previousUri").is_some(), pages > 1);
        out.extend(v["entities"].as_array().unwrap().iter().cloned());
        next = v["nextUri"].as_str().map(str::to_string);
        if next.is_none() {
            assert_eq!(v["total"].as_u64(), Some(out.len() as u64), "{p}");
            assert_eq!(v["pageCount"], pages, "{p}");
        }
    }
    out
}

fn ids(v: &[Value], key: &str) -> Vec<String> {
    v.iter()
        .map(|e| match &e[key] {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
        .collect()
}

fn set(v: &[Value], key: &str) -> BTreeSet<String> {
    ids(v, key).into_iter().collect()
}

#[tokio::test]
async fn genesys_listings_page_to_exactly_the_ground_truth() {
    let sim = start(SimConfig::default()).await;
    let tok = token(&sim).await;
    let any = genesys_pages(&sim, &tok, "/api/v2/users?state=any&pageSize=37").await;
    assert_eq!(any, sim.directory("users"));
    let mut by_state = Vec::new();
    for state in ["active", "inactive", "deleted"] {
        let part = genesys_pages(
            &sim,
            &tok,
            &format!("/api/v2/users?state={state}&pageSize=100"),
        )
        .await;
        assert!(
            !part.is_empty() && part.iter().all(|u| u["state"] == state),
            "{state}"
        );
        by_state.extend(part);
    }
    assert_eq!(set(&by_state, "id"), set(&any, "id"));
    assert_eq!(by_state.len(), any.len());
    let default = genesys_pages(&sim, &tok, "/api/v2/users").await;
    assert!(default.iter().all(|u| u["state"] == "active"));
    let u = &any[0];
    for k in [
        "id",
        "name",
        "email",
        "username",
        "state",
        "title",
        "department",
        "selfUri",
    ] {
        assert!(u[k].is_string(), "user {k}");
    }
    assert!(u["division"]["id"].is_string() && u["division"]["selfUri"].is_string());
    assert!(u["primaryContactInfo"].is_array() && u["addresses"].is_array());
    assert!(any.iter().any(|u| u["manager"]["id"].is_string()));

    // The cursor variant returns the same users.
    let mut cursor_users = Vec::new();
    let mut next = Some("/api/v2/users/query?state=any&pageSize=100".to_string());
    while let Some(p) = next {
        let (status, v) = get(&tok, &format!("{}{p}", sim.api_url())).await;
        assert_eq!(status, 200, "{v}");
        let page = v["entities"].as_array().unwrap();
        assert_eq!(v["results"].as_u64(), Some(page.len() as u64));
        assert_eq!(v["cursor"].is_string(), v["nextUri"].is_string());
        cursor_users.extend(page.iter().cloned());
        next = v["nextUri"].as_str().map(str::to_string);
    }
    assert_eq!(cursor_users, any);

    let queues = genesys_pages(&sim, &tok, "/api/v2/routing/queues?pageSize=7").await;
    assert_eq!(queues, sim.directory("queues"));
    let skills = genesys_pages(&sim, &tok, "/api/v2/routing/skills?pageSize=3").await;
    assert_eq!(skills, sim.directory("skills"));
    assert!(skills.iter().all(|s| s["version"].is_string()));

    // Wrap-up codes: the plain list is active only; the division views list
    // the deleted ones too (§1.3).
    let active = genesys_pages(&sim, &tok, "/api/v2/routing/wrapupcodes?pageSize=5").await;
    let views = "/api/v2/routing/wrapupcodes/divisionviews?pageSize=5&includeState=";
    let deleted = genesys_pages(&sim, &tok, &format!("{views}Deleted")).await;
    let both = genesys_pages(&sim, &tok, &format!("{views}ActiveAndDeleted")).await;
    assert!(!deleted.is_empty());
    assert_eq!(both, sim.directory("wrapupcodes"));
    assert_eq!(active.len() + deleted.len(), both.len());
    assert_eq!(
        genesys_pages(&sim, &tok, &format!("{views}Active")).await,
        active
    );

    // Divisions: soft-deleted ones only from /deleted (§1.6).
    let live = genesys_pages(&sim, &tok, "/api/v2/authorization/divisions").await;
    let gone = genesys_pages(&sim, &tok, "/api/v2/authorization/divisions/deleted").await;
    assert!(!gone.is_empty() && live.iter().any(|d| d["homeDivision"] == true));
    let mut all = set(&live, "id");
    all.extend(set(&gone, "id"));
    assert_eq!(all, set(&sim.directory("divisions"), "id"));
    assert_eq!(live.len() + gone.len(), sim.directory("divisions").len());

    // Presence definitions: unpaged, once per `deactivated` value (§1.9).
    let mut presence = Vec::new();
    for flag in ["FALSE", "TRUE"] {
        let url = format!(
            "{}/api/v2/presence/definitions?deactivated={flag}",
            sim.api_url()
        );
        let (status, v) = get(&tok, &url).await;
        assert_eq!(status, 200);
        let e = v["entities"].as_array().unwrap();
        assert!(!e.is_empty() && v.get("pageCount").is_none());
        assert_eq!(v["total"].as_u64(), Some(e.len() as u64));
        presence.extend(e.iter().cloned());
    }
    assert_eq!(
        set(&presence, "id"),
        set(&sim.directory("presencedefinitions"), "id")
    );
    assert!(presence.iter().any(|p| p["systemPresence"] == "OnQueue"));
}

#[tokio::test]
async fn genesys_inactive_users_stop_at_ten_thousand_and_unsupported_filters_are_refused() {
    let sim = start(SimConfig::default()).await;
    let tok = token(&sim).await;
    let url = |q: &str| format!("{}/api/v2/users?{q}", sim.api_url());
    // Page 100 at pageSize 100 ends at result 10,000: served (empty here).
    let (s, v) = get(&tok, &url("state=inactive&pageSize=100&pageNumber=100")).await;
    assert_eq!(s, 200);
    assert_eq!(v["entities"], Value::Array(vec![]));
    for q in [
        "state=inactive&pageSize=100&pageNumber=101",
        "state=inactive&pageSize=500&pageNumber=21",
    ] {
        let (s, v) = get(&tok, &url(q)).await;
        assert_eq!((s, v["code"].as_str()), (400, Some("bad.request")), "{q}");
    }
    // Only `inactive` is documented to be capped.
    let (s, _) = get(&tok, &url("state=any&pageSize=100&pageNumber=101")).await;
    assert_eq!(s, 200);
    for q in ["state=gone", "pageSize=501", "pageNumber=0", "name=Olivia*"] {
        let (s, v) = get(&tok, &url(q)).await;
        assert_eq!((s, v["status"].as_u64()), (400, Some(400)), "{q}");
    }
    let (s, _) = get(&tok, &url("expand=presence,routingStatus")).await;
    assert_eq!(s, 200, "expand is best effort, never refused");
}

/// Every id the conversations of a default simulator reference.
#[tokio::test]
async fn genesys_conversation_references_resolve_in_the_directories() {
    let sim = start(SimConfig::default()).await;
    let tok = token(&sim).await;
    let (mut users, mut queues, mut wrapups, mut divisions) = Default::default();
    let http = reqwest::Client::new();
    for day in ["2026-11-20", "2026-11-21", "2026-11-22"] {
        for page in 1.. {
            let body = serde_json::json!({
                "interval": format!("{day}T00:00:00Z/{day}T23:59:59Z"),
                "paging": {"pageSize": 100, "pageNumber": page},
            });
            let text = http
                .post(format!(
                    "{}/api/v2/analytics/conversations/details/query",
                    sim.api_url()
                ))
                .bearer_auth(&tok)
                .header("content-type", "application/json")
                .body(body.to_string())
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            let v: Value = serde_json::from_str(&text).unwrap();
            let Some(convs) = v["conversations"].as_array() else {
                break;
            };
            for c in convs {
                collect(c, &mut users, &mut queues, &mut wrapups, &mut divisions);
            }
        }
    }
    assert!(users.len() > 100 && queues.len() > 10 && wrapups.len() > 10);
    let dir_users = sim.directory("users");
    let known = |name: &str| set(&sim.directory(name), "id");
    for (refs, listing) in [
        (&users, set(&dir_users, "id")),
        (&queues, known("queues")),
        (&wrapups, known("wrapupcodes")),
        (&divisions, known("divisions")),
    ] {
        let missing: Vec<_> = refs.difference(&listing).collect();
        assert!(missing.is_empty(), "unresolved: {missing:?}");
        assert!(listing.len() > refs.len(), "plus entries nobody references");
    }
    // Some references resolve only to inactive or deleted entries.
    for state in ["inactive", "deleted"] {
        assert!(dir_users
            .iter()
            .any(|u| u["state"] == state && users.contains(u["id"].as_str().unwrap())));
    }
}

fn collect(
    c: &Value,
    users: &mut BTreeSet<String>,
    queues: &mut BTreeSet<String>,
    wrapups: &mut BTreeSet<String>,
    divisions: &mut BTreeSet<String>,
) {
    let text = |v: &Value| v.as_str().map(str::to_string);
    divisions.extend(
        c["divisionIds"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(text),
    );
    for p in c["participants"].as_array().into_iter().flatten() {
        users.extend(text(&p["userId"]));
        for s in p["sessions"].as_array().into_iter().flatten() {
            users.extend(text(&s["selectedAgentId"]));
            for seg in s["segments"].as_array().into_iter().flatten() {
                queues.extend(text(&seg["queueId"]));
                // `ININ-*` literals are system codes, not foreign keys (§1.3).
                wrapups.extend(text(&seg["wrapUpCode"]).filter(|w| !w.starts_with("ININ-")));
            }
        }
    }
}

/// Pages a CXone listing with `top`/`skip` via `_links.next`.
async fn cxone_pages(sim: &Simulator, tok: &str, resource: &str, query: &str) -> Vec<Value> {
    let base = cxone_url(sim, resource);
    let mut out = Vec::new();
    let mut next = Some(format!("{base}?{query}"));
    while let Some(url) = next {
        let (status, v) = get(tok, &url).await;
        if status == 204 {
            assert!(out.is_empty() && v.is_null());
            break;
        }
        assert_eq!(status, 200, "{url}: {v}");
        assert!(v["businessUnitId"].is_i64() && v["_links"]["self"].is_string());
        assert_eq!(v.get("lastPollTime").is_some(), resource != "dispositions");
        out.extend(v[resource].as_array().unwrap().iter().cloned());
        next = v["_links"]["next"].as_str().map(str::to_string);
        if next.is_none() {
            assert_eq!(v["totalRecords"].as_u64(), Some(out.len() as u64));
        }
    }
    out
}

#[tokio::test]
async fn cxone_listings_page_to_exactly_the_ground_truth() {
    let sim = start(cxone()).await;
    let tok = token(&sim).await;
    for (resource, id) in [
        ("agents", "agentId"),
        ("teams", "teamId"),
        ("skills", "skillId"),
        ("dispositions", "dispositionId"),
    ] {
        let active = cxone_pages(&sim, &tok, resource, "top=7").await;
        let inactive = cxone_pages(&sim, &tok, resource, "isActive=false&top=3").await;
        assert!(active.iter().all(|v| v["isActive"] == true), "{resource}");
        assert!(!inactive.is_empty() && inactive.iter().all(|v| v["isActive"] == false));
        let truth = sim.directory(resource);
        let mut all = active.clone();
        all.extend(inactive);
        assert_eq!(set(&all, id), set(&truth, id), "{resource}");
        assert_eq!(all.len(), truth.len(), "{resource}");
        assert_eq!(
            cxone_pages(&sim, &tok, resource, "isActive=true&top=10000").await,
            active
        );
    }
    let agents = sim.directory("agents");
    // The GUID arrives as `userID` or `userId` (§4.1); numbers stay numbers.
    assert!(agents.iter().any(|a| a["userID"].is_string()));
    assert!(agents.iter().any(|a| a["userId"].is_string()));
    assert!(agents
        .iter()
        .all(|a| a["agentId"].is_i64() && a["teamUuId"].is_string()));
    let d = sim.directory("dispositions");
    assert!(d.iter().any(|x| x["classificationId"].is_string()));
    assert!(d.iter().any(|x| x["classificationId"].is_i64()));
    // Far in the future: nothing updated since, an empty-body 204.
    for (resource, since) in [
        ("agents", "updateSince"),
        ("teams", "updatedSince"),
        ("dispositions", "updatedSince"),
    ] {
        let q = format!("{since}=2030-01-01T00:00:00Z");
        assert!(
            cxone_pages(&sim, &tok, resource, &q).await.is_empty(),
            "{resource}"
        );
    }
    let base = cxone_url(&sim, "");
    for bad in [
        "agents?top=0",
        "agents?fields=agentId",
        "skills?updatedSince=2026-01-01T00:00:00Z",
        "teams?isActive=maybe",
    ] {
        let (s, v) = get(&tok, &format!("{base}{bad}")).await;
        assert_eq!(
            (s, v["error"].as_str()),
            (400, Some("invalid_request")),
            "{bad}"
        );
    }
}

#[tokio::test]
async fn cxone_contact_references_resolve_in_the_directories() {
    let sim = start(cxone()).await;
    let tok = token(&sim).await;
    let mut refs: [BTreeSet<String>; 4] = Default::default();
    let url = format!(
        "{}?startDate=2026-11-20T00:00:00Z&endDate=2026-11-23T00:00:00Z&top=10000",
        sim.cxone_completed_url()
    );
    let (status, v) = get(&tok, &url).await;
    assert_eq!(status, 200);
    for c in v["completedContacts"].as_array().unwrap() {
        let keys: [&[&str]; 4] = [
            &["agentId"],
            &["teamId"],
            &["skillId"],
            &["primaryDispositionId", "secondaryDispositionId"],
        ];
        for (set, keys) in refs.iter_mut().zip(keys) {
            for k in keys {
                // 0 or null means "none" (cxone.md §3).
                if let Some(id) = c[*k].as_i64().filter(|&i| i != 0) {
                    set.insert(id.to_string());
                }
            }
        }
    }
    for (set_, (resource, id)) in refs.iter().zip([
        ("agents", "agentId"),
        ("teams", "teamId"),
        ("skills", "skillId"),
        ("dispositions", "dispositionId"),
    ]) {
        let listed = sim.directory(resource);
        let known = set(&listed, id);
        let missing: Vec<_> = set_.difference(&known).collect();
        assert!(missing.is_empty(), "{resource}: {missing:?}");
        assert!(
            known.len() > set_.len(),
            "{resource}: plus unreferenced entries"
        );
        assert!(
            listed
                .iter()
                .any(|v| v["isActive"] == false
                    && set_.contains(&ids(std::slice::from_ref(v), id)[0])),
            "{resource}: some references resolve only to inactive entries"
        );
    }
}

#[tokio::test]
async fn faults_apply_to_the_directory_listings() {
    // 401 without (or with a bad) token, for both vendors.
    for cfg in [SimConfig::default(), cxone()] {
        let sim = start(cfg).await;
        let url = match sim.vendor() {
            Vendor::Genesys => format!("{}/api/v2/routing/queues", sim.api_url()),
            Vendor::Cxone => cxone_url(&sim, "agents"),
        };
        let (s, _) = get("not-a-token", &url).await;
        assert_eq!(s, 401, "{url}");
    }

    // 403 under `forbidden`, with the permission named; users "require no
    // permissions", so they are still served.
    let faults = Faults {
        forbidden: true,
        ..Faults::default()
    };
    let sim = start(SimConfig {
        faults: faults.clone(),
        ..SimConfig::default()
    })
    .await;
    let tok = token(&sim).await;
    let g = |p: &str| format!("{}{p}", sim.api_url());
    let (s, v) = get(&tok, &g("/api/v2/routing/queues")).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (403, Some("missing.any.permissions"))
    );
    assert!(v["message"]
        .as_str()
        .unwrap()
        .contains("routing:queue:view"));
    let (s, v) = get(&tok, &g("/api/v2/routing/wrapupcodes")).await;
    assert_eq!((s, v["code"].as_str()), (403, Some("missing.permissions")));
    assert_eq!(get(&tok, &g("/api/v2/users")).await.0, 200);
    let sim = start(SimConfig { faults, ..cxone() }).await;
    let tok = token(&sim).await;
    let url = cxone_url(&sim, "teams");
    assert_eq!(get(&tok, &url).await.0, 403);

    // 429 once the per-token budget is spent (CXone: also 429).
    for cfg in [SimConfig::default(), cxone()] {
        let sim = start(SimConfig {
            faults: Faults {
                rate_limit_per_minute: Some(2),
                ..Faults::default()
            },
            ..cfg
        })
        .await;
        let tok = token(&sim).await;
        let url = match sim.vendor() {
            Vendor::Genesys => format!("{}/api/v2/routing/skills", sim.api_url()),
            Vendor::Cxone => cxone_url(&sim, "skills"),
        };
        let statuses = [
            get(&tok, &url).await.0,
            get(&tok, &url).await.0,
            get(&tok, &url).await.0,
        ];
        assert_eq!(statuses, [200, 200, 429], "{url}");
        let log = sim.request_log();
        assert_eq!(log.last().unwrap().status, 429);
        assert!(log.last().unwrap().retry_after.is_some());
    }
}
