//! Genesys behind the [`Connector`] seam: its streams and preflight probes.

use super::activity::{self, ACTIVITY_TABLES};
use super::auth::ClientCredentials;
use super::detail_stream::DetailStream;
use super::hints::GenesysHints;
use super::settings::GenesysSettings;
use super::{directories, transform, Genesys, CONVERSATION_DETAILS, USER_DETAILS};
use crate::connector::{Connector, Fixes, Probe, Stream};
use crate::http::{ApiClient, ClientConfig};
use crate::{Result, Vendor};
use std::sync::Arc;

/// The `conversations` stream's tables, in the order of its batches.
pub(crate) const CONVERSATION_TABLES: [&str; 5] = [
    "conversations",
    "genesys_participants",
    "genesys_sessions",
    "genesys_segments",
    "genesys_metrics",
];

/// Genesys Cloud, connected.
pub struct GenesysConnector {
    api: Arc<Genesys>,
    client: ApiClient,
}

impl GenesysConnector {
    /// The connector; no request is made until a stream or probe runs.
    pub fn new(settings: GenesysSettings, http: ClientConfig) -> Result<Self> {
        let tokens = Arc::new(ClientCredentials::from_settings(&settings)?);
        let http = ClientConfig {
            api_url_setting: "GENESYS_API_URL (or GENESYS_REGION)",
            ..http
        };
        let client = ApiClient::new(http, tokens, Arc::new(GenesysHints))?;
        Ok(GenesysConnector {
            api: Arc::new(Genesys::new(settings, client.clone())),
            client,
        })
    }
}

impl Connector for GenesysConnector {
    fn vendor(&self) -> Vendor {
        Vendor::Genesys
    }

    fn client(&self) -> &ApiClient {
        &self.client
    }

    fn streams(&self) -> Vec<Arc<dyn Stream>> {
        let mut streams: Vec<Arc<dyn Stream>> = vec![
            Arc::new(DetailStream::new(
                "conversations",
                &self.api,
                &CONVERSATION_DETAILS,
                &CONVERSATION_TABLES,
                transform::genesys_page,
            )),
            Arc::new(DetailStream::new(
                "user_activity",
                &self.api,
                &USER_DETAILS,
                &ACTIVITY_TABLES,
                activity::activity_page,
            )),
        ];
        streams.extend(directories::streams(&self.api));
        streams
    }

    fn endpoints(&self) -> String {
        let s = &self.api.settings;
        format!("api {} · login {}", s.api_url, s.login_url)
    }

    fn token_issuer(&self) -> String {
        self.api.settings.login_url.to_string()
    }

    fn probes(&self) -> Vec<Probe> {
        let (query, jobs) = (self.api.clone(), self.api.clone());
        let mut probes = vec![
            Probe {
                stream: "conversations",
                name: "conversation details (query)",
                run: Box::pin(async move {
                    Ok(match query.probe_details(chrono::Utc::now()).await? {
                        Some(n) => {
                            format!("details/query answered ({n} conversations in the last hour)")
                        }
                        None => "details/query answered".into(),
                    })
                }),
            },
            Probe {
                stream: "conversations",
                name: "details jobs (availability)",
                run: Box::pin(async move {
                    let until = jobs.data_availability().await?;
                    Ok(format!(
                        "jobs/availability answered: data complete until {}",
                        crate::interval::fmt_rfc3339(until)
                    ))
                }),
            },
        ];
        let users = self.api.on(&super::USER_DETAILS);
        probes.push(Probe {
            stream: "user_activity",
            name: "user details (query)",
            run: Box::pin(async move {
                users.probe_details(chrono::Utc::now()).await?;
                Ok("users/details/query answered".into())
            }),
        });
        probes.extend(directories::probes(&self.api));
        probes
    }

    fn fixes(&self) -> Fixes {
        Fixes {
            credentials: "GENESYS_CLIENT_ID / GENESYS_CLIENT_SECRET (an OAuth client-credentials client)",
            endpoints: "GENESYS_REGION (the org's region domain, e.g. mypurecloud.ie) or GENESYS_API_URL / GENESYS_LOGIN_URL",
            permission: "add the permission named above to a role of the OAuth client (Admin > Roles / Permissions), then re-run check",
        }
    }
}
