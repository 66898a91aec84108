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

use crate::http::{ApiClient, ApiRequest, ClientConfig};
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

/// A connected CXone source: authenticated, with its API host known.
pub struct Cxone {
    client: ApiClient,
    completed_url: Url,
    top: u32,
}

impl Cxone {
    /// Builds the HTTP client, fetches the first token (bad credentials fail
    /// here, fast) and discovers the tenant's API host.
    pub async fn connect(
        settings: CxoneSettings,
        client_config: ClientConfig,
    ) -> Result<(Cxone, ApiClient)> {
        let bootstrap = ApiClient::new(client_config.clone(), Arc::new(NoToken))?;
        let token_url = discovery::token_endpoint(bootstrap.http(), &settings.issuer).await?;
        let client = ApiClient::new(
            client_config,
            Arc::new(PasswordGrant::new(token_url, settings.key.clone())),
        )?;
        let token = client.token().await?;
        let api = match &settings.api_url {
            Some(url) => url.clone(),
            None => {
                let id_token = token.id_token.as_ref().ok_or_else(|| {
                    Error::Config("the CXone token answer has no id_token to discover the tenant; set CXONE_API_URL".into())
                })?;
                let tenant = discovery::tenant_id(id_token)?;
                let api = discovery::api_endpoint(client.http(), &settings.issuer, &tenant).await?;
                tracing::info!(tenant = %tenant, api = %api, "CXone API endpoint discovered");
                api
            }
        };
        let completed_url = completed_contacts_url(&api, &settings.api_version)?;
        let top = settings.top.clamp(1, MAX_TOP);
        Ok((
            Cxone {
                client: client.clone(),
                completed_url,
                top,
            },
            client,
        ))
    }

    /// Pages through the completed contacts of `slice` into `consumer`.
    pub async fn extract_slice(
        &self,
        slice: &Interval,
        consumer: &mut dyn PageConsumer,
    ) -> Result<SliceReport> {
        let mut report = SliceReport::default();
        let mut skip: u64 = 0;
        loop {
            let url = self.page_url(slice, skip);
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

    fn page_url(&self, slice: &Interval, skip: u64) -> Url {
        let mut url = self.completed_url.clone();
        url.query_pairs_mut()
            .append_pair(
                "startDate",
                &slice.start().to_rfc3339_opts(SecondsFormat::Millis, true),
            )
            .append_pair(
                "endDate",
                &slice.end().to_rfc3339_opts(SecondsFormat::Millis, true),
            )
            .append_pair("top", &self.top.to_string())
            .append_pair("skip", &skip.to_string())
            .append_pair("orderBy", "contactStartDate asc");
        url
    }
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

/// The discovery calls before the first token need no authentication.
struct NoToken;

impl crate::http::TokenSource for NoToken {
    fn fetch<'a>(
        &'a self,
        _http: &'a reqwest::Client,
    ) -> futures::future::BoxFuture<
        'a,
        std::result::Result<crate::http::Token, crate::http::HttpError>,
    > {
        Box::pin(async {
            Err(crate::http::HttpError::Config(
                "discovery needs no token".into(),
            ))
        })
    }
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
        let cx = Cxone {
            client: ApiClient::new(ClientConfig::default(), Arc::new(NoToken)).unwrap(),
            completed_url: url,
            top: 10,
        };
        let slice = Interval::parse("2026-11-23", "2026-11-24").unwrap();
        let page = cx.page_url(&slice, 20);
        let q: Vec<(String, String)> = page.query_pairs().into_owned().collect();
        assert!(q.contains(&("startDate".into(), "2026-11-23T00:00:00.000Z".into())));
        assert!(q.contains(&("endDate".into(), "2026-11-24T00:00:00.000Z".into())));
        assert!(q.contains(&("skip".into(), "20".into())));
        assert!(q.contains(&("top".into(), "10".into())));
    }
}
