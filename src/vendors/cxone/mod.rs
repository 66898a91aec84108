//! NICE CXone: everything cxetl knows about it lives in this folder:
//! settings ([`settings`]), the access-key password grant ([`auth`]),
//! tenant discovery ([`discovery`]), the completed-contacts endpoint and its
//! paging (here), the record model and its transform ([`model`],
//! [`transform`]), and the streams and probes behind the connector seam
//! ([`connector`]).
//!
//! `GET {api}/inContactAPI/services/{version}/contacts/completed` pages with
//! `top`/`skip`, ordered by contact start; the end of data is a 204 (empty
//! body), an empty array, or a short page. The API host is discovered from
//! the id token's tenant unless `CXONE_API_URL` is set.

mod activity;
pub mod auth;
pub mod connector;
mod directories;
pub mod discovery;
pub mod model;
pub mod settings;
pub mod transform;

use crate::connector::{PageConsumer, PageGuard, SliceReport};
use crate::http::{ApiClient, ApiRequest};
use crate::{Error, Interval, Result};
use chrono::SecondsFormat;
use settings::CxoneSettings;
use url::Url;

/// The permission named when CXone answers 403 without naming one.
const PERMISSION: &str = "Reporting API access to contacts/completed (the access key's CXone role)";

/// The CXone API of one run. Building it touches no network: the token
/// endpoint and the tenant's API host are discovered on first use, after
/// the run's output preflight.
pub struct Cxone {
    client: ApiClient,
    settings: CxoneSettings,
    completed_url: tokio::sync::OnceCell<Url>,
}

impl Cxone {
    /// The API; `client` must have been built with [`auth::PasswordGrant`].
    pub fn new(settings: CxoneSettings, client: ApiClient) -> Cxone {
        Cxone {
            client,
            settings,
            completed_url: tokio::sync::OnceCell::new(),
        }
    }

    /// `…/contacts/completed` on the tenant's API host: `CXONE_API_URL`, or
    /// discovered from the id token's tenant.
    async fn completed_url(&self) -> Result<&Url> {
        self.completed_url
            .get_or_try_init(|| async {
                let api = self.api_url().await?;
                completed_contacts_url(&api, &self.settings.api_version)
            })
            .await
    }

    /// `{api}/inContactAPI/services/{version}/{path}` on the tenant's host.
    pub(crate) async fn services_url(&self, path: &str) -> Result<Url> {
        let completed = self.completed_url().await?;
        completed
            .join(&format!("../{path}"))
            .map_err(|e| Error::Config(format!("CXone API URL for {path}: {e}")))
    }

    /// The tenant's API host: `CXONE_API_URL`, or discovered from the id
    /// token's tenant.
    async fn api_url(&self) -> Result<Url> {
        let api = match &self.settings.api_url {
            Some(url) => url.clone(),
            None => {
                let token = self.client.token().await?;
                let id_token = token.id_token.as_ref().ok_or_else(|| {
                            Error::Config("the CXone token answer has no id_token to discover the tenant; set CXONE_API_URL".into())
                        })?;
                let tenant = discovery::tenant_id(id_token)?;
                let api =
                    discovery::api_endpoint(self.client.http(), &self.settings.issuer, &tenant)
                        .await?;
                tracing::info!(tenant = %tenant, api = %api, "CXone API endpoint discovered");
                api
            }
        };
        Ok(api)
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
        let mut guard =
            PageGuard::new(format!("contacts/completed for {slice}"), self.settings.top);
        loop {
            let url = page_url(base, self.settings.top, slice, skip);
            let response = self.client.send(&ApiRequest::get(url, PERMISSION)).await?;
            // 204 means "no contacts for the period": an empty body, not JSON.
            if response.status == 204 || response.body.iter().all(u8::is_ascii_whitespace) {
                break;
            }
            let meta = consumer.consume(response.body).await?;
            guard.page(&meta)?;
            report.pages += 1;
            if report.pages == 1 {
                report.api_total_hits = meta.total_hits;
            }
            if meta.records == 0 || meta.records < self.settings.top as usize {
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
