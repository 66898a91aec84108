//! Genesys behind the [`Connector`] seam: its streams and preflight probes.

use super::activity::UserActivity;
use super::auth::ClientCredentials;
use super::hints::GenesysHints;
use super::settings::{ApiMode, GenesysSettings};
use super::{directories, transform, Genesys};
use crate::connector::{
    Connector, Fixes, PageConsumer, PageTransform, Probe, SliceReport, Stream, StreamKind, Work,
};
use crate::http::{ApiClient, ClientConfig};
use crate::transform::Table;
use crate::{Interval, Result, Vendor};
use futures::future::BoxFuture;
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
        let mut streams: Vec<Arc<dyn Stream>> = vec![Arc::new(Conversations {
            api: self.api.clone(),
            tables: CONVERSATION_TABLES.map(Table::named),
        })];
        streams.push(Arc::new(UserActivity::new(&self.api)));
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

/// `conversations`: analytics conversation details, owned by their start.
struct Conversations {
    api: Arc<Genesys>,
    tables: [Table; 5],
}

impl Stream for Conversations {
    fn name(&self) -> &'static str {
        "conversations"
    }

    fn kind(&self) -> StreamKind {
        StreamKind::Interval
    }

    fn tables(&self) -> &[Table] {
        &self.tables
    }

    fn transform(&self) -> PageTransform {
        Arc::new(transform::genesys_page)
    }

    fn plan_offline(&self, slices: &[Interval]) -> Vec<Work> {
        let api = self.api.settings.api.as_str();
        slices
            .iter()
            .map(|&interval| Work { interval, api })
            .collect()
    }

    fn plan<'a>(&'a self, slices: &'a [Interval]) -> BoxFuture<'a, Result<Vec<Work>>> {
        Box::pin(async move {
            let mode = self.api.settings.api;
            let available = match mode {
                ApiMode::Query => None,
                ApiMode::Auto | ApiMode::Jobs => Some(self.api.data_availability().await?),
            };
            Ok(slices
                .iter()
                .map(|&interval| Work {
                    interval,
                    api: Genesys::choose_mode(mode, &interval, available).as_str(),
                })
                .collect())
        })
    }

    fn extract<'a>(
        &'a self,
        work: &'a Work,
        consumer: &'a mut dyn PageConsumer,
    ) -> BoxFuture<'a, Result<SliceReport>> {
        Box::pin(async move {
            let mode = ApiMode::parse(work.api)?;
            self.api.extract_slice(&work.interval, mode, consumer).await
        })
    }
}
