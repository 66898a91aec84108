//! NICE CXone: completed contacts from the Reporting API.
//!
//! `GET {api}/inContactAPI/services/{version}/contacts/completed` pages with
//! `top`/`skip`, ordered by contact start; the end of data is a 204 (empty
//! body), an empty array, or a short page. Tokens come from the access-key
//! password grant through the shared HTTP core; the API host is discovered
//! from the id token's tenant unless `CXONE_API_URL` is set.

pub mod auth;
pub mod discovery;
pub mod model;

use crate::http::{ApiClient, ApiRequest, ClientConfig, PlainHttp};
use crate::sources::{PageConsumer, SliceReport};
use crate::{Error, Interval, Result};
use auth::{AccessKey, PasswordGrant};
use chrono::SecondsFormat;
use std::sync::Arc;
use url::Url;

/// The permission named when CXone answers 403 without naming one.
const PERMISSION: &str = "Reporting API access to contacts/completed (the access key's CXone role)";

/// Largest `top` CXone serves per response.
pub const MAX_TOP: u32 = 10_000;

/// Settings of the CXone source.
#[derive(Debug, Clone)]
pub struct CxoneSettings {
    /// OIDC issuer (`CXONE_AUTH_URL`, default `https://cxone.niceincontact.com`).
    pub issuer: Url,
    /// Tenant API endpoint (`CXONE_API_URL`); discovered when absent.
    pub api_url: Option<Url>,
    /// Access key and application credentials.
    pub key: AccessKey,
    /// Reporting API version in the path (field names differ across versions).
    pub api_version: String,
    /// Page size (`top`), at most [`MAX_TOP`].
    pub top: u32,
}

impl CxoneSettings {
    /// Default issuer.
    pub const DEFAULT_ISSUER: &'static str = "https://cxone.niceincontact.com";
    /// Default API version.
    pub const DEFAULT_API_VERSION: &'static str = "v34.0";
}

/// The CXone source. Building it touches no network: the token endpoint
/// and the tenant's API host are discovered on first use, after the run's
/// output preflight.
pub struct Cxone {
    client: ApiClient,
    settings: CxoneSettings,
    completed_url: tokio::sync::OnceCell<Url>,
    top: u32,
}

impl Cxone {
    /// The source and the HTTP client it shares with the pipeline.
    pub fn new(settings: CxoneSettings, client_config: ClientConfig) -> Result<(Cxone, ApiClient)> {
        let tokens = PasswordGrant::new(settings.issuer.clone(), settings.key.clone());
        let client = ApiClient::new(client_config, Arc::new(tokens), Arc::new(PlainHttp))?;
        let top = settings.top.clamp(1, MAX_TOP);
        let completed_url = tokio::sync::OnceCell::new();
        Ok((
            Cxone {
                client: client.clone(),
                settings,
                completed_url,
                top,
            },
            client,
        ))
    }

    /// `…/contacts/completed` on the tenant's API host: `CXONE_API_URL`, or
    /// discovered from the id token's tenant.
    async fn completed_url(&self) -> Result<&Url> {
        self.completed_url
            .get_or_try_init(|| async {
                let api = match &self.settings.api_url {
                    Some(url) => url.clone(),
                    None => {
                        let token = self.client.token().await?;
                        let id_token = token.id_token.as_ref().ok_or_else(|| {
                            Error::Config("the CXone token answer has no id_token to discover the tenant; set CXONE_API_URL".into())
                        })?;
                        let tenant = discovery::tenant_id(id_token)?;
                        let api = discovery::api_endpoint(self.client.http(), &self.settings.issuer, &tenant).await?;
                        tracing::info!(tenant = %tenant, api = %api, "CXone API endpoint discovered");
                        api
                    }
                };
                completed_contacts_url(&api, &self.settings.api_version)
            })
            .await
    }

    /// Preflight (`cxetl check`): completed contacts for a 1 ms window
    /// ending at `now` with `top=1`, proving the tenant endpoint (discovered
    /// if needed) and the Reporting permission. A 204 is success. Returns
    /// the tenant API URL that answered.
    pub async fn probe(&self, now: chrono::DateTime<chrono::Utc>) -> Result<Url> {
        let base = self.completed_url().await?;
        let window = Interval::new(now - chrono::Duration::milliseconds(1), now)
            .map_err(|e| Error::Internal(e.to_string()))?;
        let url = page_url(base, 1, &window, 0);
        self.client.send(&ApiRequest::get(url, PERMISSION)).await?;
        Ok(base.clone())
    }

    /// Pages through the completed contacts of `slice` into `consumer`.
    pub async fn extract_slice(
        &self,
        slice: &Interval,
        consumer: &mut dyn PageConsumer,
    ) -> Result<SliceReport> {
        let mut report = SliceReport::default();
        let mut skip: u64 = 0;
        let base = self.completed_url().await?;
        loop {
            let url = page_url(base, self.top, slice, skip);
            let response = self.client.send(&ApiRequest::get(url, PERMISSION)).await?;
            // 204 means "no contacts for the period": an empty body, not JSON.
            if response.status == 204 || response.body.iter().all(u8::is_ascii_whitespace) {
                break;
            }
            let meta = consumer.consume(response.body).await?;
            report.pages += 1;
            if report.pages == 1 {
                report.api_total_hits = meta.total_hits;
            }
            if meta.records == 0 || meta.records < self.top as usize {
                break;
            }
            skip += meta.records as u64;
        }
        Ok(report)
    }
}

/// One page of the completed contacts of `slice`.
fn page_url(base: &Url, top: u32, slice: &Interval, skip: u64) -> Url {
    let mut url = base.clone();
    url.query_pairs_mut()
        .append_pair(
            "startDate",
            &slice.start().to_rfc3339_opts(SecondsFormat::Millis, true),
        )
        .append_pair(
            "endDate",
            &slice.end().to_rfc3339_opts(SecondsFormat::Millis, true),
        )
        .append_pair("top", &top.to_string())
        .append_pair("skip", &skip.to_string())
        .append_pair("orderBy", "contactStartDate asc");
    url
}

/// `{api}/inContactAPI/services/{version}/contacts/completed`.
pub fn completed_contacts_url(api: &Url, version: &str) -> Result<Url> {
    let version = if version.starts_with('v') {
        version.to_string()
    } else {
        format!("v{version}")
    };
    let s = format!(
        "{}/inContactAPI/services/{version}/contacts/completed",
        api.as_str().trim_end_matches('/')
    );
    Url::parse(&s).map_err(|e| Error::Config(format!("CXone API URL {s}: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_the_completed_contacts_url_and_literal_z_dates() {
        let api = Url::parse("https://api-na1.niceincontact.com/").unwrap();
        let url = completed_contacts_url(&api, "v34.0").unwrap();
        assert_eq!(
            url.as_str(),
            "https://api-na1.niceincontact.com/inContactAPI/services/v34.0/contacts/completed"
        );
        let slice = Interval::parse("2026-11-23", "2026-11-24").unwrap();
        let page = page_url(&url, 10, &slice, 20);
        let q: Vec<(String, String)> = page.query_pairs().into_owned().collect();
        assert!(q.contains(&("startDate".into(), "2026-11-23T00:00:00.000Z".into())));
        assert!(q.contains(&("endDate".into(), "2026-11-24T00:00:00.000Z".into())));
        assert!(q.contains(&("skip".into(), "20".into())));
        assert!(q.contains(&("top".into(), "10".into())));
    }
}
