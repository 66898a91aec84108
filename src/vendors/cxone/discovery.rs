//! Finding the tenant's API host: the token endpoint from the issuer's OIDC
//! document, the `tenantId` claim from the id token, and `api_endpoint` from
//! `/.well-known/cxone-configuration`.

use crate::http::{read_limited, url_without_query, SMALL_BODY_LIMIT};
use crate::{Error, Result, Secret};
use base64::Engine;
use url::Url;

/// `GET {issuer}/.well-known/openid-configuration` → `token_endpoint`;
/// falls back to `{issuer}/auth/token` when the document is unavailable.
pub async fn token_endpoint(http: &reqwest::Client, issuer: &Url) -> Result<Url> {
    let doc = join(issuer, ".well-known/openid-configuration")?;
    let fallback = join(issuer, "auth/token")?;
    let response = match http
        .get(doc.clone())
        .header("Accept", "application/json")
        .send()
        .await
    {
        Ok(r) if r.status().is_success() => r,
        Ok(r) => {
            tracing::debug!(
                status = r.status().as_u16(),
                "no OIDC document; using {fallback}"
            );
            return Ok(fallback);
        }
        Err(e) => {
            return Err(Error::Config(format!(
                "cannot reach the CXone issuer {issuer} ({e}); check CXONE_AUTH_URL"
            )))
        }
    };
    #[derive(serde::Deserialize)]
    struct Oidc {
        token_endpoint: Option<String>,
    }
    let body = read_small(response, &doc).await?;
    let endpoint = serde_json::from_slice::<Oidc>(&body)
        .ok()
        .and_then(|d| d.token_endpoint);
    match endpoint {
        Some(u) => crate::settings::endpoint("token_endpoint (openid-configuration)", &u),
        None => Ok(fallback),
    }
}

/// Reads the `tenantId` claim of a JWT without checking its signature: it
/// only routes us to the tenant's API host, it grants nothing.
pub fn tenant_id(id_token: &Secret) -> Result<String> {
    let payload = id_token
        .expose()
        .split('.')
        .nth(1)
        .ok_or_else(|| Error::Auth("the CXone id_token is not a JWT".into()))?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .map_err(|_| Error::Auth("the CXone id_token payload is not base64url".into()))?;
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Claims {
        tenant_id: Option<String>,
    }
    serde_json::from_slice::<Claims>(&bytes)
        .ok()
        .and_then(|c| c.tenant_id)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            Error::Config("the CXone id_token carries no tenantId claim; set CXONE_API_URL to your API endpoint".into())
        })
}

/// `GET {issuer}/.well-known/cxone-configuration?tenantId=…` → `api_endpoint`.
pub async fn api_endpoint(http: &reqwest::Client, issuer: &Url, tenant: &str) -> Result<Url> {
    let mut url = join(issuer, ".well-known/cxone-configuration")?;
    url.query_pairs_mut().append_pair("tenantId", tenant);
    let response = http
        .get(url.clone())
        .header("Accept", "application/json")
        .send()
        .await
        .map_err(|e| {
            Error::Config(format!(
                "cannot reach {url} for tenant discovery ({e}); set CXONE_API_URL to skip it"
            ))
        })?;
    let status = response.status().as_u16();
    if status == 404 {
        return Err(Error::Config(format!(
            "CXone does not know tenant {tenant} (404 from cxone-configuration); check CXONE_AUTH_URL (issuer) or set CXONE_API_URL"
        )));
    }
    if !(200..300).contains(&status) {
        return Err(Error::Upstream(format!(
            "tenant discovery at {url} answered HTTP {status}"
        )));
    }
    #[derive(serde::Deserialize)]
    struct Config {
        api_endpoint: Option<String>,
    }
    let body = read_small(response, &url).await?;
    let endpoint = serde_json::from_slice::<Config>(&body)
        .ok()
        .and_then(|c| c.api_endpoint)
        .ok_or_else(|| {
            Error::Upstream(format!(
                "cxone-configuration for tenant {tenant} has no api_endpoint"
            ))
        })?;
    crate::settings::endpoint("api_endpoint (cxone-configuration)", &endpoint)
}

/// A discovery document, read within [`SMALL_BODY_LIMIT`]: a few hundred
/// bytes are expected, an endless one must not take the memory.
async fn read_small(response: reqwest::Response, url: &Url) -> Result<bytes::Bytes> {
    read_limited(
        response,
        SMALL_BODY_LIMIT,
        "discovery documents",
        Vec::with_capacity,
    )
    .await
    .map_err(|e| Error::Upstream(format!("reading {}: {e}", url_without_query(url))))
}

fn join(base: &Url, path: &str) -> Result<Url> {
    let mut s = base.as_str().trim_end_matches('/').to_string();
    s.push('/');
    s.push_str(path);
    Url::parse(&s).map_err(|e| Error::Config(format!("bad URL {s}: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(claims: &str) -> Secret {
        let b = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        Secret::new(format!("{}.{}.sig", b(r#"{"alg":"RS256"}"#), b(claims)))
    }

    #[test]
    fn reads_tenant_from_the_id_token() {
        let t = jwt(r#"{"tenantId":"11eb1f5e-aaaa-bbbb-cccc-0242ac110002","iss":"x"}"#);
        assert_eq!(
            tenant_id(&t).unwrap(),
            "11eb1f5e-aaaa-bbbb-cccc-0242ac110002"
        );
    }

    #[test]
    fn missing_tenant_is_a_clear_config_error() {
        let e = tenant_id(&jwt(r#"{"sub":"user:1"}"#)).unwrap_err();
        assert!(matches!(e, Error::Config(_)));
        assert!(e.to_string().contains("CXONE_API_URL"));
        assert!(matches!(
            tenant_id(&Secret::new("opaque")).unwrap_err(),
            Error::Auth(_)
        ));
    }
}
