//! CXone OAuth: the password grant with an access key (username = access key
//! id, password = access key secret; client id/secret via HTTP Basic), and
//! the refresh-token grant when the last answer carried a refresh token.

use crate::http::{request_token, HttpError, Redactor, Token, TokenSource};
use crate::Secret;
use futures::future::BoxFuture;
use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
use std::sync::Mutex;
use url::Url;

/// Access-key credentials for `POST {issuer}/auth/token`.
#[derive(Debug, Clone)]
pub struct AccessKey {
    /// Access key id (sent as `username`).
    pub access_key_id: String,
    /// Access key secret (sent as `password`).
    pub access_key_secret: Secret,
    /// Registered application client id.
    pub client_id: String,
    /// Registered application client secret.
    pub client_secret: Secret,
}

/// A [`TokenSource`] for CXone. It keeps the last refresh token; the id
/// token (which names the tenant for API discovery) reaches the connector
/// with every [`Token`].
pub struct PasswordGrant {
    issuer: Url,
    /// Found through the issuer's OIDC document on the first fetch, so a
    /// run touches the network only after its output preflight passed.
    token_url: tokio::sync::OnceCell<Url>,
    key: AccessKey,
    /// Basic credentials, percent-encoded as the OAuth spec asks (`=` in keys must survive).
    basic_user: String,
    basic_password: Secret,
    refresh_token: Mutex<Option<Secret>>,
}

impl PasswordGrant {
    /// A token source for `issuer` (its token endpoint is discovered lazily).
    pub fn new(issuer: Url, key: AccessKey) -> Self {
        let encode = |s: &str| utf8_percent_encode(s, NON_ALPHANUMERIC).to_string();
        PasswordGrant {
            issuer,
            token_url: tokio::sync::OnceCell::new(),
            basic_user: encode(&key.client_id),
            basic_password: Secret::new(encode(key.client_secret.expose())),
            key,
            refresh_token: Mutex::new(None),
        }
    }

    fn remember(&self, token: &Token) {
        if let Some(r) = &token.refresh_token {
            *self.refresh_token.lock().unwrap_or_else(|e| e.into_inner()) = Some(r.clone());
        }
    }

    async fn token_url(&self, http: &reqwest::Client) -> Result<&Url, HttpError> {
        self.token_url
            .get_or_try_init(|| super::discovery::token_endpoint(http, &self.issuer))
            .await
            .map_err(|e| match e {
                crate::Error::Config(m) => HttpError::Config(m),
                other => HttpError::Config(other.to_string()),
            })
    }

    async fn password(&self, http: &reqwest::Client) -> Result<Token, HttpError> {
        request_token(
            http,
            self.token_url(http).await?,
            TOKEN_URL_SETTING,
            Some((&self.basic_user, &self.basic_password)),
            &[
                ("grant_type", "password"),
                ("username", &self.key.access_key_id),
                ("password", self.key.access_key_secret.expose()),
            ],
        )
        .await
    }

    async fn refresh(&self, http: &reqwest::Client, refresh: &Secret) -> Result<Token, HttpError> {
        request_token(
            http,
            self.token_url(http).await?,
            TOKEN_URL_SETTING,
            Some((&self.basic_user, &self.basic_password)),
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh.expose()),
                ("client_id", &self.key.client_id),
            ],
        )
        .await
    }
}

/// Where the token endpoint comes from: the issuer's OIDC document.
const TOKEN_URL_SETTING: &str =
    "CXONE_AUTH_URL (the issuer whose openid-configuration names the token endpoint)";

impl TokenSource for PasswordGrant {
    fn register_secrets(&self, redactor: &Redactor) {
        redactor.add(self.key.access_key_secret.expose());
        redactor.add(self.key.client_secret.expose());
        redactor.add_basic(&self.basic_user, self.basic_password.expose());
    }

    fn fetch<'a>(&'a self, http: &'a reqwest::Client) -> BoxFuture<'a, Result<Token, HttpError>> {
        Box::pin(async move {
            let refresh = self
                .refresh_token
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .take();
            if let Some(refresh) = refresh {
                match self.refresh(http, &refresh).await {
                    Ok(token) => {
                        self.remember(&token);
                        return Ok(token);
                    }
                    // An expired or revoked refresh token is normal after
                    // long pauses: fall back to the access key.
                    Err(HttpError::TokenRejected { status, .. }) => {
                        tracing::info!(status, "refresh token refused; using the access key again");
                    }
                    Err(e) => return Err(e),
                }
            }
            let token = self.password(http).await?;
            self.remember(&token);
            Ok(token)
        })
    }
}
