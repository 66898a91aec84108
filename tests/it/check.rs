//! Issue 6: `cxetl check <vendor>` against the simulators over real HTTP.

use crate::common::*;
use cxetl::simulator::{Faults, SimConfig, Simulator};
use cxetl::Vendor;

fn genesys_env(sim: &Simulator, secret: &str) -> Vec<(String, String)> {
    vec![
        ("GENESYS_CLIENT_ID".into(), sim.config().client_id.clone()),
        ("GENESYS_CLIENT_SECRET".into(), secret.into()),
        ("GENESYS_API_URL".into(), sim.api_url()),
        ("GENESYS_LOGIN_URL".into(), sim.login_url()),
    ]
}

fn cxone_env(sim: &Simulator, key_secret: &str) -> Vec<(String, String)> {
    let c = sim.config();
    vec![
        ("CXONE_ACCESS_KEY_ID".into(), c.access_key_id.clone()),
        ("CXONE_ACCESS_KEY_SECRET".into(), key_secret.into()),
        ("CXONE_CLIENT_ID".into(), c.client_id.clone()),
        ("CXONE_CLIENT_SECRET".into(), c.client_secret.clone()),
        ("CXONE_AUTH_URL".into(), sim.login_url()),
    ]
}

async fn check(vendor: &str, env: &[(String, String)], extra: &[&str]) -> Run {
    let mut args = vec!["check".to_string(), vendor.to_string()];
    args.extend(extra.iter().map(|s| s.to_string()));
    cxetl_with_env(&args, env).await
}

fn forbidden() -> Faults {
    Faults {
        forbidden: true,
        ..Faults::default()
    }
}

/// The JSON line's checks as (name, ok).
fn checks(run: &Run) -> Vec<(String, bool)> {
    let s = run.summary();
    s["checks"]
        .as_array()
        .expect("checks array")
        .iter()
        .map(|c| {
            assert!(c["detail"].is_string(), "{c}");
            (
                c["name"].as_str().unwrap().to_string(),
                c["ok"].as_bool().unwrap(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn genesys_good_settings_pass_every_check() {
    let sim = start(small_config(50)).await;
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("lake");
    let env = genesys_env(&sim, &sim.config().client_secret.clone());
    let run = check("genesys", &env, &["--output", target.to_str().unwrap()]).await;
    run.expect_code(0);
    let c = checks(&run);
    let names: Vec<&str> = c.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "config",
            "token",
            "conversation details (query)",
            "details jobs (availability)",
            "output"
        ]
    );
    assert!(c.iter().all(|(_, ok)| *ok), "{}", run.stderr);
    assert_eq!(run.summary()["ok"], true);
    assert_eq!(run.summary()["vendor"], "genesys");
    assert_eq!(run.stderr.matches('✓').count(), 5, "{}", run.stderr);
    assert!(!run.stderr.contains('✗'), "{}", run.stderr);
    // The preflight leaves nothing behind in the lake.
    assert!(all_files(&target).is_empty(), "{:?}", all_files(&target));
    // The probes read no data: one 1-row query and one availability call.
    let api: Vec<_> = sim
        .request_log()
        .into_iter()
        .filter(|r| r.kind == cxetl::simulator::RequestKind::Api)
        .collect();
    assert_eq!(api.len(), 2, "{api:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn genesys_forbidden_names_the_permission_and_exits_4() {
    let sim = start(SimConfig {
        faults: forbidden(),
        ..small_config(50)
    })
    .await;
    let env = genesys_env(&sim, &sim.config().client_secret.clone());
    let run = check("genesys", &env, &[]).await;
    run.expect_code(4);
    let c = checks(&run);
    assert_eq!(c[0], ("config".into(), true));
    assert_eq!(c[1], ("token".into(), true));
    assert!(!c[2].1 && !c[3].1, "{c:?}");
    assert!(
        run.stderr.contains("analytics:conversationDetail:view"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains('✗') && run.stderr.contains("fix:"));
    let s = run.summary();
    assert_eq!(s["ok"], false);
    assert!(s["checks"][2]["detail"]
        .as_str()
        .unwrap()
        .contains("analytics:conversationDetail:view"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn genesys_bad_secret_exits_3() {
    let sim = start(small_config(50)).await;
    let run = check("genesys", &genesys_env(&sim, "wrong-secret"), &[]).await;
    run.expect_code(3);
    assert_eq!(checks(&run)[1], ("token".into(), false));
    assert!(
        run.stderr.contains("GENESYS_CLIENT_SECRET"),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("wrong-secret"),
        "secrets never printed"
    );
    assert!(
        !run.stdout.contains("wrong-secret"),
        "secrets never printed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_setting_exits_2_with_the_fix() {
    let run = check("genesys", &[], &[]).await;
    run.expect_code(2);
    assert_eq!(checks(&run), [("config".to_string(), false)]);
    assert!(
        run.stderr.contains("GENESYS_CLIENT_ID is not set"),
        "{}",
        run.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unwritable_output_exits_6() {
    let sim = start(small_config(50)).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("not-a-dir");
    std::fs::write(&file, "x").unwrap();
    let env = genesys_env(&sim, &sim.config().client_secret.clone());
    let run = check("genesys", &env, &["--output", file.to_str().unwrap()]).await;
    run.expect_code(6);
    let c = checks(&run);
    assert_eq!(c.last().unwrap(), &("output".to_string(), false));
    assert!(c[..c.len() - 1].iter().all(|(_, ok)| *ok), "{c:?}");
}

fn cxone_sim(faults: Faults) -> SimConfig {
    SimConfig {
        vendor: Vendor::Cxone,
        faults,
        ..small_config(50)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cxone_good_settings_pass_every_check() {
    let sim = start(cxone_sim(Faults::default())).await;
    let out = tempfile::tempdir().unwrap();
    let env = cxone_env(&sim, &sim.config().access_key_secret.clone());
    let run = check("cxone", &env, &["--output", out.path().to_str().unwrap()]).await;
    run.expect_code(0);
    let c = checks(&run);
    let names: Vec<&str> = c.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["config", "token", "completed contacts", "output"]);
    assert!(c.iter().all(|(_, ok)| *ok), "{}", run.stderr);
    assert_eq!(run.summary()["vendor"], "cxone");
    assert!(all_files(out.path()).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cxone_forbidden_exits_4() {
    let sim = start(cxone_sim(forbidden())).await;
    let env = cxone_env(&sim, &sim.config().access_key_secret.clone());
    let run = check("cxone", &env, &[]).await;
    run.expect_code(4);
    assert_eq!(checks(&run)[2], ("completed contacts".into(), false));
    assert!(run.stderr.contains("contacts/completed"), "{}", run.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cxone_bad_secret_exits_3() {
    let sim = start(cxone_sim(Faults::default())).await;
    let run = check("cxone", &cxone_env(&sim, "nope/nope"), &[]).await;
    run.expect_code(3);
    assert_eq!(checks(&run)[1], ("token".into(), false));
}
