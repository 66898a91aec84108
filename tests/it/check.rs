//! Issue 6: `cxetl check <vendor>` against the simulators over real HTTP.

use crate::common::*;
use cxetl::simulator::{Faults, RequestKind, SimConfig, Simulator};

/// The environment of `check <subject>` against `sim`, with `secret` as its
/// secret (Genesys: the client secret; CXone: the access key secret).
fn env(subject: Subject, sim: &Simulator, secret: &str) -> Vec<(String, String)> {
    let (var, _) = subject.secret_var();
    let mut env = subject.env(sim);
    env.retain(|(k, _)| k != var);
    env.push((var.to_string(), secret.to_string()));
    env
}

/// The right secret of `sim` for `subject`.
fn secret(subject: Subject, sim: &Simulator) -> String {
    let c = sim.config();
    match subject {
        Subject::Genesys => c.client_secret.clone(),
        Subject::Cxone => c.access_key_secret.clone(),
    }
}

/// The checks `check <subject>` makes, in order: config, token, the API
/// probes, output.
fn check_names(subject: Subject) -> &'static [&'static str] {
    match subject {
        Subject::Genesys => &[
            "config",
            "token",
            "conversation details (query)",
            "details jobs (availability)",
            "output",
        ],
        Subject::Cxone => &["config", "token", "completed contacts", "output"],
    }
}

for_each_subject!(good_settings, forbidden, bad_secret);

async fn check(vendor: &str, env: &[(String, String)], extra: &[&str]) -> Run {
    let mut args = vec!["check".to_string(), vendor.to_string()];
    args.extend(extra.iter().map(|s| s.to_string()));
    // The record stream's probes; the directories' have their own test.
    if !extra.contains(&"--streams") {
        let record = if vendor == "genesys" {
            "conversations"
        } else {
            "contacts"
        };
        args.extend(["--streams".to_string(), record.to_string()]);
    }
    cxetl_with_env(&args, env).await
}

fn forbidden_faults() -> Faults {
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
    let env = env(Subject::Genesys, &sim, &secret(Subject::Genesys, &sim));
    let run = check("genesys", &env, &["--output", file.to_str().unwrap()]).await;
    run.expect_code(6);
    let c = checks(&run);
    assert_eq!(c.last().unwrap(), &("output".to_string(), false));
    assert!(c[..c.len() - 1].iter().all(|(_, ok)| *ok), "{c:?}");
}

/// Good settings pass every check; the probes read no data and leave
/// nothing in the lake.
async fn good_settings(subject: Subject) {
    let sim = subject.sim(50).await;
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("lake");
    let env = env(subject, &sim, &secret(subject, &sim));
    let run = check(
        subject.name(),
        &env,
        &["--output", target.to_str().unwrap()],
    )
    .await;
    run.expect_code(0);
    let c = checks(&run);
    let names: Vec<&str> = c.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, check_names(subject));
    assert!(c.iter().all(|(_, ok)| *ok), "{}", run.stderr);
    assert_eq!(run.summary()["ok"], true);
    assert_eq!(run.summary()["vendor"], subject.name());
    assert_eq!(
        run.stderr.matches('✓').count(),
        names.len(),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains('✗'), "{}", run.stderr);
    assert!(all_files(&target).is_empty(), "{:?}", all_files(&target));
    // One small request per API probe (Genesys: a 1-row query and an
    // availability call).
    let api: Vec<_> = sim
        .request_log()
        .into_iter()
        .filter(|r| r.kind == RequestKind::Api)
        .collect();
    assert_eq!(api.len(), names.len() - 3, "{api:?}");
}

/// A 403 fails every API probe, names the permission and exits 4.
async fn forbidden(subject: Subject) {
    let sim = start(SimConfig {
        faults: forbidden_faults(),
        ..subject.config(50)
    })
    .await;
    let run = check(
        subject.name(),
        &env(subject, &sim, &secret(subject, &sim)),
        &[],
    )
    .await;
    run.expect_code(4);
    let c = checks(&run);
    assert_eq!(c[0], ("config".into(), true));
    assert_eq!(c[1], ("token".into(), true));
    let probes = &c[2..check_names(subject).len() - 1];
    assert!(probes.iter().all(|(_, ok)| !ok), "{c:?}");
    assert!(run.stderr.contains(subject.permission()), "{}", run.stderr);
    assert!(run.stderr.contains('✗') && run.stderr.contains("fix:"));
    let s = run.summary();
    assert_eq!(s["ok"], false);
    assert!(s["checks"][2]["detail"]
        .as_str()
        .unwrap()
        .contains(subject.permission()));
}

/// A wrong secret fails the token check with exit 3, names the setting,
/// never prints the secret.
async fn bad_secret(subject: Subject) {
    let sim = subject.sim(50).await;
    let wrong = "wrong/secret=1";
    let run = check(subject.name(), &env(subject, &sim, wrong), &[]).await;
    run.expect_code(3);
    assert_eq!(checks(&run)[1], ("token".into(), false));
    let (var, _) = subject.secret_var();
    assert!(run.stderr.contains(var), "{}", run.stderr);
    assert!(!run.stderr.contains(wrong), "secrets never printed");
    assert!(!run.stdout.contains(wrong), "secrets never printed");
}

for_each_subject!(every_stream_has_a_passing_probe);

/// Without `--streams`, check proves every stream: one probe or more each,
/// all passing against the simulator, one small request per probe.
async fn every_stream_has_a_passing_probe(subject: Subject) {
    let sim = subject.sim(50).await;
    let env = env(subject, &sim, &secret(subject, &sim));
    let all = match subject {
        Subject::Genesys => "conversations,user_activity,users,queues,wrapup_codes,skills,divisions,presence_definitions",
        Subject::Cxone => "contacts,agent_states,agents,teams,skills,dispositions",
    };
    let run = check(subject.name(), &env, &["--streams", all]).await;
    run.expect_code(0);
    let c = checks(&run);
    assert!(c.iter().all(|(_, ok)| *ok), "{}", run.stderr);
    let probes = c.len() - 2; // config and token
    assert!(probes >= all.split(',').count(), "{c:?}");
    let api = sim
        .request_log()
        .into_iter()
        .filter(|r| r.kind == cxetl::simulator::RequestKind::Api)
        .count();
    assert_eq!(api, probes, "one request per probe");
}
