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
        let url = page_url(&with_window(base, &window), 1, 0);
        self.client.send(&ApiRequest::get(url, PERMISSION)).await?;
        Ok(base.clone())
    }

    /// Pages through the completed contacts of `slice` into `consumer`.
    pub async fn extract_slice(
        &self,
        slice: &Interval,
        consumer: &mut dyn PageConsumer,
    ) -> Result<SliceReport> {
        let mut base = with_window(self.completed_url().await?, slice);
        base.query_pairs_mut()
            .append_pair("orderBy", "contactStartDate asc");
        let what = format!("contacts/completed for {slice}");
        self.page_through(
            &base,
            self.settings.top,
            Totals::Reported,
            PERMISSION,
            what,
            consumer,
        )
        .await
    }

    /// Pages `base` with `top`/`skip` into `consumer` until a 204 (an empty
    /// body, not JSON), an empty or short page, or — with
    /// [`Totals::EndPaging`] — `totalRecords` reached; a [`PageGuard`] named
    /// `what` ends a looping server.
    pub(crate) async fn page_through(
        &self,
        base: &Url,
        top: u32,
        totals: Totals,
        permission: &'static str,
        what: String,
        consumer: &mut dyn PageConsumer,
    ) -> Result<SliceReport> {
        let mut report = SliceReport::default();
        let mut guard = PageGuard::new(what, top);
        let mut skip: u64 = 0;
        loop {
            let url = page_url(base, top, skip);
            let response = self.client.send(&ApiRequest::get(url, permission)).await?;
            if response.status == 204 || response.body.iter().all(u8::is_ascii_whitespace) {
                break;
            }
            let meta = consumer.consume(response.body).await?;
            guard.page(&meta)?;
            report.pages += 1;
            skip += meta.records as u64;
            let total = meta.total_hits;
            if let (Totals::Reported, 1) = (&totals, report.pages) {
                report.api_total_hits = total;
            }
            let reached = matches!(totals, Totals::EndPaging) && total.is_some_and(|t| skip >= t);
            if meta.records < top as usize || reached {
                break;
            }
        }
        Ok(report)
    }
}

/// What a listing's `totalRecords` is for.
pub(crate) enum Totals {
    /// Reported in the summary only; completed contacts end on a short
    /// page, and a total the pages run past is the [`PageGuard`]'s business.
    Reported,
    /// Paging ends once it is reached (admin and state-history listings,
    /// directory-and-activity.md §4.0).
    EndPaging,
}

/// One page of a `top`/`skip` listing.
pub(crate) fn page_url(base: &Url, top: u32, skip: u64) -> Url {
    let mut url = base.clone();
    url.query_pairs_mut()
        .append_pair("top", &top.to_string())
        .append_pair("skip", &skip.to_string());
    url
}

/// `base` with `window` as `startDate`/`endDate`: milliseconds and a
/// literal `Z`, as CXone's reporting endpoints expect.
pub(crate) fn with_window(base: &Url, window: &Interval) -> Url {
    let mut url = base.clone();
    url.query_pairs_mut()
        .append_pair(
            "startDate",
            &window.start().to_rfc3339_opts(SecondsFormat::Millis, true),
        )
        .append_pair(
            "endDate",
            &window.end().to_rfc3339_opts(SecondsFormat::Millis, true),
        );
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
        let page = page_url(&with_window(&url, &slice), 10, 20);
        let q: Vec<(String, String)> = page.query_pairs().into_owned().collect();
        assert!(q.contains(&("startDate".into(), "2026-11-23T00:00:00.000Z".into())));
        assert!(q.contains(&("endDate".into(), "2026-11-24T00:00:00.000Z".into())));
        assert!(q.contains(&("skip".into(), "20".into())));
        assert!(q.contains(&("top".into(), "10".into())));
    }
}
