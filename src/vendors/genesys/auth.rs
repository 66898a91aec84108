//! Genesys OAuth: the client-credentials grant.

use super::endpoint;
use super::settings::GenesysSettings;
use crate::http::{HttpError, Redactor, Token, TokenSource};
use crate::{Result, Secret};
use futures::future::BoxFuture;
use url::Url;

/// OAuth client-credentials grant: `POST {login}/oauth/token` with HTTP Basic
/// auth and `grant_type=client_credentials` (no refresh token is issued).
#[derive(Debug, Clone)]
pub struct ClientCredentials {
    token_url: Url,
    client_id: String,
    client_secret: Secret,
}

impl ClientCredentials {
    /// Token source for the given login URL and credentials.
    pub fn new(login_url: &Url, client_id: String, client_secret: Secret) -> Result<Self> {
        Ok(ClientCredentials {
            token_url: endpoint(login_url, "oauth/token")?,
            client_id,
            client_secret,
        })
    }

    /// Token source from the settings.
    pub fn from_settings(settings: &GenesysSettings) -> Result<Self> {
        Self::new(
            &settings.login_url,
            settings.client_id.clone(),
            settings.client_secret.clone(),
        )
    }
}

impl TokenSource for ClientCredentials {
    fn fetch<'a>(&'a self, http: &'a reqwest::Client) -> BoxFuture<'a, Result<Token, HttpError>> {
        Box::pin(crate::http::request_token(
            http,
            &self.token_url,
            "GENESYS_LOGIN_URL (or GENESYS_REGION)",
            Some((&self.client_id, &self.client_secret)),
            &[("grant_type", "client_credentials")],
        ))
    }

    fn register_secrets(&self, redactor: &Redactor) {
        redactor.add_basic(&self.client_id, self.client_secret.expose());
    }
}
