//! CXone behind the [`Connector`] seam: its streams and preflight probes.

use super::activity::AgentStates;
use super::auth::PasswordGrant;
use super::settings::CxoneSettings;
use super::{directories, transform, Cxone};
use crate::connector::{
    Connector, Fixes, PageConsumer, PageTransform, Probe, SliceReport, Stream, StreamKind, Work,
};
use crate::http::{ApiClient, ClientConfig, PlainHttp};
use crate::transform::Table;
use crate::{Interval, Result, Vendor};
use futures::future::BoxFuture;
use std::sync::Arc;

/// The `contacts` stream's tables, in the order of its batches.
pub(crate) const CONTACT_TABLES: [&str; 2] = ["conversations", "cxone_contacts"];

/// NICE CXone, connected.
pub struct CxoneConnector {
    api: Arc<Cxone>,
    client: ApiClient,
    issuer: String,
    api_url: Option<String>,
}

impl CxoneConnector {
    /// The connector; no request is made until a stream or probe runs.
    pub fn new(settings: CxoneSettings, http: ClientConfig) -> Result<Self> {
        let tokens = PasswordGrant::new(settings.issuer.clone(), settings.key.clone());
        let http = ClientConfig {
            api_url_setting: "CXONE_API_URL",
            ..http
        };
        let client = ApiClient::new(http, Arc::new(tokens), Arc::new(PlainHttp))?;
        Ok(CxoneConnector {
            issuer: settings.issuer.to_string(),
            api_url: settings.api_url.as_ref().map(|u| u.to_string()),
            api: Arc::new(Cxone::new(settings, client.clone())),
            client,
        })
    }
}

impl Connector for CxoneConnector {
    fn vendor(&self) -> Vendor {
        Vendor::Cxone
    }

    fn client(&self) -> &ApiClient {
        &self.client
    }

    fn streams(&self) -> Vec<Arc<dyn Stream>> {
        let mut streams: Vec<Arc<dyn Stream>> = vec![Arc::new(Contacts {
            api: self.api.clone(),
            tables: CONTACT_TABLES.map(Table::named),
        })];
        streams.push(Arc::new(AgentStates::new(self.api.clone())));
        streams.extend(directories::streams(&self.api));
        streams
    }

    fn endpoints(&self) -> String {
        match &self.api_url {
            Some(api) => format!("issuer {} · api {api}", self.issuer),
            None => format!("issuer {} · api discovered from the token", self.issuer),
        }
    }

    fn token_issuer(&self) -> String {
        self.issuer.clone()
    }

    fn probes(&self) -> Vec<Probe> {
        let api = self.api.clone();
        let mut probes = vec![Probe {
            stream: "contacts",
            name: "completed contacts",
            run: Box::pin(async move {
                let url = api.probe(chrono::Utc::now()).await?;
                Ok(format!("contacts/completed answered at {url}"))
            }),
        }];
        let states = self.api.clone();
        probes.push(Probe {
            stream: "agent_states",
            name: "agent state history",
            run: Box::pin(async move {
                let url = states.probe_state_history(chrono::Utc::now()).await?;
                Ok(format!("agents/state-history answered at {url}"))
            }),
        });
        probes.extend(directories::probes(&self.api));
        probes
    }

    fn fixes(&self) -> Fixes {
        Fixes {
            credentials: "CXONE_ACCESS_KEY_ID / CXONE_ACCESS_KEY_SECRET and CXONE_CLIENT_ID / CXONE_CLIENT_SECRET",
            endpoints: "CXONE_AUTH_URL (issuer) or CXONE_API_URL (tenant API endpoint)",
            permission: "give the access key's user a role with Reporting API access to completed contacts, then re-run check",
        }
    }
}

/// `contacts`: completed contacts, owned by their start.
struct Contacts {
    api: Arc<Cxone>,
    tables: [Table; 2],
}

impl Stream for Contacts {
    fn name(&self) -> &'static str {
        "contacts"
    }

    fn kind(&self) -> StreamKind {
        StreamKind::Interval
    }

    fn tables(&self) -> &[Table] {
        &self.tables
    }

    fn transform(&self) -> PageTransform {
        Arc::new(transform::cxone_page)
    }

    fn plan_offline(&self, slices: &[Interval]) -> Vec<Work> {
        Work::each(slices, "completed-contacts")
    }

    fn extract<'a>(
        &'a self,
        work: &'a Work,
        consumer: &'a mut dyn PageConsumer,
    ) -> BoxFuture<'a, Result<SliceReport>> {
        Box::pin(self.api.extract_slice(&work.interval, consumer))
    }
}
