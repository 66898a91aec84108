//! The `[cxone]` section: its flags, variables and TOML keys (declared once,
//! in [`CxoneOptions`]) and the resolved [`CxoneSettings`].

use super::auth::AccessKey;
use crate::settings::{endpoint, missing};
use crate::{Result, Secret};
use url::Url;

/// Largest `top` CXone serves per response.
pub const MAX_TOP: u32 = 10_000;

crate::layered_options! {
    /// `[cxone]` keys; the flags and variables carry the `cxone-`/`CXONE_` prefix.
    #[derive(Debug, Default, Clone, clap::Args, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct CxoneOptions {
        /// Access key id (sent as the password grant's username).
        #[arg(id = "cxone_access_key_id", long = "cxone-access-key-id", env = "CXONE_ACCESS_KEY_ID", hide_env_values = true)]
        pub access_key_id: Option<String>,
        /// Access key secret (sent as the password grant's password).
        #[arg(id = "cxone_access_key_secret", long = "cxone-access-key-secret", env = "CXONE_ACCESS_KEY_SECRET", hide_env_values = true)]
        pub access_key_secret: Option<Secret>,
        /// Registered application's client id.
        #[arg(id = "cxone_client_id", long = "cxone-client-id", env = "CXONE_CLIENT_ID", hide_env_values = true)]
        pub client_id: Option<String>,
        /// Registered application's client secret.
        #[arg(id = "cxone_client_secret", long = "cxone-client-secret", env = "CXONE_CLIENT_SECRET", hide_env_values = true)]
        pub client_secret: Option<Secret>,
        /// OIDC issuer (default https://cxone.niceincontact.com).
        #[arg(id = "cxone_auth_url", long = "cxone-auth-url", env = "CXONE_AUTH_URL")]
        pub auth_url: Option<String>,
        /// Tenant API endpoint (skips discovery from the id token).
        #[arg(id = "cxone_api_url", long = "cxone-api-url", env = "CXONE_API_URL")]
        pub api_url: Option<String>,
        /// Reporting API version in the path (default v34.0).
        #[arg(id = "cxone_api_version", long = "cxone-api-version", env = "CXONE_API_VERSION")]
        pub api_version: Option<String>,
        /// Contacts per page (`top`, at most 10000, the default).
        #[arg(id = "cxone_top", long = "cxone-top")]
        pub top: Option<u32>,
    }
}

/// Settings of the CXone connector.
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
    /// Page size (`top`), within `1..=`[`MAX_TOP`].
    pub top: u32,
}

impl CxoneSettings {
    /// Default issuer.
    pub const DEFAULT_ISSUER: &'static str = "https://cxone.niceincontact.com";
    /// Default API version.
    pub const DEFAULT_API_VERSION: &'static str = "v34.0";
}

impl CxoneOptions {
    /// The settings, or the fix for the first missing or invalid value.
    pub fn resolve(self) -> Result<CxoneSettings> {
        let text = |value: Option<String>, var: &str, key: &str| {
            value
                .filter(|s| !s.is_empty())
                .ok_or_else(|| missing(var, key, "cxone"))
        };
        let secret = |value: Option<Secret>, var: &str, key: &str| {
            value
                .filter(|s| !s.is_empty())
                .ok_or_else(|| missing(var, key, "cxone"))
        };
        let key = AccessKey {
            access_key_id: text(self.access_key_id, "CXONE_ACCESS_KEY_ID", "access_key_id")?,
            access_key_secret: secret(
                self.access_key_secret,
                "CXONE_ACCESS_KEY_SECRET",
                "access_key_secret",
            )?,
            client_id: text(self.client_id, "CXONE_CLIENT_ID", "client_id")?,
            client_secret: secret(self.client_secret, "CXONE_CLIENT_SECRET", "client_secret")?,
        };
        let issuer = self
            .auth_url
            .unwrap_or_else(|| CxoneSettings::DEFAULT_ISSUER.to_string());
        let api_url = match self.api_url {
            Some(u) => Some(endpoint("CXONE_API_URL", &u)?),
            None => None,
        };
        Ok(CxoneSettings {
            issuer: endpoint("CXONE_AUTH_URL", &issuer)?,
            api_url,
            key,
            api_version: self
                .api_version
                .unwrap_or_else(|| CxoneSettings::DEFAULT_API_VERSION.to_string()),
            top: self.top.unwrap_or(MAX_TOP).clamp(1, MAX_TOP),
        })
    }
}
