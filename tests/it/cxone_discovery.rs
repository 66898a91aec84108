//! CXone only: the run finds its API host through the tenant's discovery
//! documents; a tenant the issuer does not know is a configuration error.

use crate::common::subject::{whole, END, START};
use crate::common::*;
use cxetl::simulator::RequestKind;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_finds_the_api_host_from_the_tenant() {
    let sim = Subject::Cxone.sim(300).await;
    let out = tempfile::tempdir().unwrap();
    let run = Subject::Cxone.run(&sim, START, END, out.path(), &[]).await;
    run.expect_code(0);
    Subject::Cxone.assert_matches_truth(out.path(), &sim, &whole());
    let log = sim.request_log();
    let first = |path: &str| {
        log.iter()
            .find(|r| r.path.contains(path))
            .unwrap_or_else(|| panic!("no request for {path}"))
            .seq
    };
    // The issuer's document names the token endpoint; the id token names
    // the tenant, whose document names the API host.
    assert!(first("openid-configuration") < first("/auth/token"));
    assert!(first("/auth/token") < first("cxone-configuration"));
    let api = log.iter().find(|r| r.kind == RequestKind::Api).unwrap();
    assert!(first("cxone-configuration") < api.seq);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_tenant_is_a_clear_configuration_error() {
    let sim = Subject::Cxone.sim(10).await;
    let http = reqwest::Client::new();
    let issuer = url::Url::parse(&sim.login_url()).unwrap();
    let err = cxetl::vendors::cxone::discovery::api_endpoint(
        &http,
        &issuer,
        "00000000-0000-0000-0000-000000000000",
    )
    .await
    .unwrap_err();
    assert!(matches!(err, cxetl::Error::Config(_)), "{err}");
    assert!(err.to_string().contains("does not know tenant"), "{err}");
}
