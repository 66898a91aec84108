//! Opens the output location named by `--output` as an object store.

use crate::{Error, Result};
use object_store::aws::AmazonS3Builder;
use object_store::azure::{AzureConfigKey, MicrosoftAzureBuilder};
use object_store::gcp::{GoogleCloudStorageBuilder, GoogleConfigKey};
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::{ClientConfigKey, ObjectStore, RetryConfig};
use std::sync::Arc;
use std::time::Duration;

/// An output location: the store plus the prefix under which the lake lives.
#[derive(Clone)]
pub struct Location {
    /// The object store (local disk or S3-compatible).
    pub store: Arc<dyn ObjectStore>,
    /// Prefix of the lake inside the store (empty for a local directory).
    pub root: Path,
    /// The URL as the user gave it, for messages.
    pub display: String,
    /// Bytes per multipart part: what each open file may hold before it is
    /// sent. S3 and GCS (whose XML multipart upload object_store uses)
    /// require 5 MiB for all parts but the last; Azure blocks and local disk
    /// have no minimum, and smaller parts keep a slice's open files light.
    pub part_size: usize,
}

/// S3's smallest allowed multipart part.
pub const S3_PART_SIZE: usize = 5 << 20;

/// GCS's smallest XML-API multipart part (the same rule as S3's).
pub const GCS_PART_SIZE: usize = 5 << 20;

/// Azure block size: Put Block has no minimum; 4 MiB is the Azure SDKs'
/// default, few enough blocks for any file (50,000 allowed per blob).
pub const AZURE_PART_SIZE: usize = 4 << 20;

/// Part size for local disk: one write call per MiB.
pub const LOCAL_PART_SIZE: usize = 1 << 20;

impl std::fmt::Debug for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Location")
            .field("display", &self.display)
            .finish()
    }
}

/// The URL forms `--output` accepts, for messages.
const FORMS: &str = "a local directory, file:///abs/path, s3://bucket/prefix, gs://bucket/prefix, \
az://container/prefix or abfss://container@account.dfs.core.windows.net/prefix";

/// Opens `output`: a local directory, `file:///abs/path`, `s3://bucket/prefix`,
/// `gs://bucket/prefix`, `az://container/prefix` (also `abfs://`, `abfss://`,
/// and `abfss://container@account.dfs.core.windows.net/prefix`).
///
/// Each cloud reads its standard environment variables (see [`open_s3`],
/// [`open_gcs`], [`open_azure`]); plain http endpoints are accepted only on
/// loopback.
pub fn open(output: &str) -> Result<Location> {
    if let Some(rest) = output.strip_prefix("s3://") {
        return open_s3(output, rest);
    }
    if let Some(rest) = output.strip_prefix("gs://") {
        return open_gcs(output, rest);
    }
    for scheme in ["az://", "abfs://", "abfss://"] {
        if let Some(rest) = output.strip_prefix(scheme) {
            return open_azure(output, scheme, rest);
        }
    }
    let dir = match output.strip_prefix("file://") {
        Some(p) if p.starts_with('/') => std::path::PathBuf::from(p),
        Some(_) => {
            return Err(Error::Config(format!(
                "--output {output:?}: file URLs need an absolute path, like file:///data/cx"
            )))
        }
        None if output.contains("://") => {
            return Err(Error::Config(format!("--output {output:?}: use {FORMS}")))
        }
        None => std::path::PathBuf::from(output),
    };
    std::fs::create_dir_all(&dir).map_err(|e| {
        Error::Storage(format!(
            "cannot create output directory {}: {e}",
            dir.display()
        ))
    })?;
    let store = LocalFileSystem::new_with_prefix(&dir).map_err(|e| {
        Error::Storage(format!(
            "cannot open output directory {}: {e}",
            dir.display()
        ))
    })?;
    Ok(Location {
        store: Arc::new(store),
        root: Path::default(),
        display: dir.display().to_string(),
        part_size: LOCAL_PART_SIZE,
    })
}

/// `s3://bucket/prefix` from the standard AWS variables (`AWS_ACCESS_KEY_ID`,
/// `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`, `AWS_ENDPOINT_URL`).
fn open_s3(output: &str, rest: &str) -> Result<Location> {
    let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
    if bucket.is_empty() {
        return Err(Error::Config(format!(
            "--output {output:?}: name a bucket, like s3://my-bucket/cx"
        )));
    }
    let mut builder = AmazonS3Builder::from_env()
        .with_bucket_name(bucket)
        .with_retry(retry());
    if let Ok(endpoint) = std::env::var("AWS_ENDPOINT_URL") {
        let url = url::Url::parse(&endpoint).map_err(|e| {
            Error::Config(format!("AWS_ENDPOINT_URL {endpoint:?} is not a URL: {e}"))
        })?;
        crate::settings::require_https_unless_loopback("AWS_ENDPOINT_URL", &url)?;
        builder = builder
            .with_endpoint(endpoint.trim_end_matches('/'))
            .with_allow_http(url.scheme() == "http");
    }
    let store = builder
        .build()
        .map_err(|e| Error::Config(format!("S3 output {output:?}: {e}")))?;
    Ok(Location {
        store: Arc::new(store),
        root: Path::from(prefix),
        display: output.to_string(),
        part_size: S3_PART_SIZE,
    })
}

/// Retries of one storage request (on top of the sink's own retries).
fn retry() -> RetryConfig {
    RetryConfig {
        max_retries: 5,
        retry_timeout: Duration::from_secs(120),
        ..Default::default()
    }
}

/// Google's variable pointing its client libraries at an emulator
/// (`host:port` or a URL); requests then carry no credentials.
const GCS_EMULATOR: &str = "STORAGE_EMULATOR_HOST";

/// Variables naming a service-account file, as object_store reads them.
const GCS_ACCOUNT_FILES: [&str; 3] = [
    "GOOGLE_SERVICE_ACCOUNT",
    "GOOGLE_SERVICE_ACCOUNT_PATH",
    "SERVICE_ACCOUNT",
];

/// `gs://bucket/prefix`. Credentials: `GOOGLE_SERVICE_ACCOUNT` (a
/// service-account JSON file), `GOOGLE_SERVICE_ACCOUNT_KEY` (its content),
/// `GOOGLE_APPLICATION_CREDENTIALS`, else the metadata server of the VM.
/// `STORAGE_EMULATOR_HOST` points at an emulator without credentials; a
/// service account's `gcs_base_url` (object_store's override) is checked
/// against the https rule like every endpoint.
fn open_gcs(output: &str, rest: &str) -> Result<Location> {
    let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
    if bucket.is_empty() {
        return Err(Error::Config(format!(
            "--output {output:?}: name a bucket, like gs://my-bucket/cx"
        )));
    }
    let (builder, base) = match std::env::var(GCS_EMULATOR) {
        Ok(host) if !host.is_empty() => {
            let base = if host.contains("://") {
                host
            } else {
                format!("http://{host}")
            };
            let base = base.trim_end_matches('/').to_string();
            // object_store's only endpoint override is a service account
            // with `gcs_base_url`; `disable_oauth` sends no token, as
            // Google's libraries do for STORAGE_EMULATOR_HOST.
            let key = serde_json::json!({
                "private_key": "", "private_key_id": "", "client_email": "",
                "gcs_base_url": base, "disable_oauth": true,
            });
            let builder =
                GoogleCloudStorageBuilder::new().with_service_account_key(key.to_string());
            (builder, Some((GCS_EMULATOR, base)))
        }
        _ => (
            GoogleCloudStorageBuilder::from_env(),
            gcs_base_url().map(|b| ("gcs_base_url of the service account", b)),
        ),
    };
    let mut allow_http = false;
    if let Some((setting, base)) = &base {
        let url = url::Url::parse(base)
            .map_err(|e| Error::Config(format!("{setting} {base:?} is not a URL: {e}")))?;
        crate::settings::require_https_unless_loopback(setting, &url)?;
        allow_http = url.scheme() == "http";
    }
    let store = builder
        .with_bucket_name(bucket)
        // object_store allows http by default for GCS; only the checked
        // loopback endpoint may use it.
        .with_config(
            GoogleConfigKey::Client(ClientConfigKey::AllowHttp),
            allow_http.to_string(),
        )
        .with_retry(retry())
        .build()
        .map_err(|e| Error::Config(scrub(format!("GCS output {output:?}: {e}"))))?;
    Ok(Location {
        store: Arc::new(store),
        root: Path::from(prefix),
        display: output.to_string(),
        part_size: GCS_PART_SIZE,
    })
}

/// The `gcs_base_url` of the service account object_store will read, if
/// any. Unreadable content is left for object_store to report.
fn gcs_base_url() -> Option<String> {
    let json = match std::env::var("GOOGLE_SERVICE_ACCOUNT_KEY") {
        Ok(key) => Some(key),
        Err(_) => GCS_ACCOUNT_FILES
            .iter()
            .find_map(|v| std::env::var(v).ok())
            .and_then(|path| std::fs::read_to_string(path).ok()),
    };
    let value = serde_json::from_str::<serde_json::Value>(&json?).ok()?;
    Some(value.get("gcs_base_url")?.as_str()?.to_string())
}

/// Whether object_store reads `value` as true (its rule for boolean settings).
fn truthy(value: &str) -> bool {
    matches!(
        value.to_ascii_lowercase().as_str(),
        "1" | "true" | "on" | "yes" | "y"
    )
}

/// `az://container/prefix`, `abfs[s]://container/prefix` or
/// `abfss://container@account.dfs.core.windows.net/prefix`. Credentials:
/// `AZURE_STORAGE_ACCOUNT_NAME` with `AZURE_STORAGE_ACCOUNT_KEY`, a SAS
/// (`AZURE_STORAGE_SAS_KEY`), a service principal (`AZURE_CLIENT_ID`,
/// `AZURE_CLIENT_SECRET`, `AZURE_TENANT_ID`) or a managed identity.
/// `AZURE_STORAGE_USE_EMULATOR=true` talks to Azurite at
/// `AZURITE_BLOB_STORAGE_URL` (default `http://127.0.0.1:10000`, account
/// `devstoreaccount1` and its published key unless set);
/// `AZURE_STORAGE_ENDPOINT` overrides the blob endpoint otherwise.
fn open_azure(output: &str, scheme: &str, rest: &str) -> Result<Location> {
    let (authority, prefix) = rest.split_once('/').unwrap_or((rest, ""));
    let container = authority.split_once('@').map_or(authority, |(c, _)| c);
    if container.is_empty() {
        return Err(Error::Config(format!(
            "--output {output:?}: name a container, like az://my-container/cx or \
             abfss://my-container@account.dfs.core.windows.net/cx"
        )));
    }
    let emulator = std::env::var("AZURE_STORAGE_USE_EMULATOR").is_ok_and(|v| truthy(&v));
    let mut builder = MicrosoftAzureBuilder::from_env()
        .with_url(format!("{scheme}{authority}"))
        .with_use_emulator(emulator)
        .with_retry(retry());
    let endpoint = if emulator {
        // object_store reads this itself in emulator mode (and ignores
        // AZURE_STORAGE_ENDPOINT); it always allows http there.
        let url = std::env::var("AZURITE_BLOB_STORAGE_URL")
            .unwrap_or_else(|_| "http://127.0.0.1:10000".to_string());
        Some(("AZURITE_BLOB_STORAGE_URL", url))
    } else {
        // As object_store resolved it (AZURE_STORAGE_ENDPOINT or its alias
        // AZURE_ENDPOINT).
        builder
            .get_config_value(&AzureConfigKey::Endpoint)
            .map(|url| ("AZURE_STORAGE_ENDPOINT", url))
    };
    if let Some((setting, endpoint)) = endpoint {
        let url = url::Url::parse(&endpoint)
            .map_err(|e| Error::Config(format!("{setting} {endpoint:?} is not a URL: {e}")))?;
        crate::settings::require_https_unless_loopback(setting, &url)?;
        builder = builder.with_allow_http(url.scheme() == "http");
    } else {
        builder = builder.with_allow_http(false);
    }
    let store = builder
        .build()
        .map_err(|e| Error::Config(scrub(format!("Azure output {output:?}: {e}"))))?;
    Ok(Location {
        store: Arc::new(store),
        root: Path::from(prefix),
        display: output.to_string(),
        part_size: AZURE_PART_SIZE,
    })
}

/// Variables holding storage secrets (whole, or JSON with a private key).
const SECRET_VARS: [&str; 9] = [
    "AZURE_STORAGE_ACCOUNT_KEY",
    "AZURE_STORAGE_ACCESS_KEY",
    "AZURE_STORAGE_SAS_KEY",
    "AZURE_STORAGE_SAS_TOKEN",
    "AZURE_STORAGE_CLIENT_SECRET",
    "AZURE_CLIENT_SECRET",
    "GOOGLE_SERVICE_ACCOUNT_KEY",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
];

/// Variables naming files that hold a private key (service accounts).
const SECRET_FILE_VARS: [&str; 4] = [
    "GOOGLE_SERVICE_ACCOUNT",
    "GOOGLE_SERVICE_ACCOUNT_PATH",
    "SERVICE_ACCOUNT",
    "GOOGLE_APPLICATION_CREDENTIALS",
];

/// `message` without any storage secret of the environment: object_store's
/// configuration errors quote what they could not parse, and a malformed
/// key or service-account JSON must not reach the terminal.
fn scrub(message: String) -> String {
    let values = SECRET_VARS.iter().filter_map(|v| std::env::var(v).ok());
    let files = SECRET_FILE_VARS
        .iter()
        .filter_map(|v| std::fs::read_to_string(std::env::var(v).ok()?).ok());
    scrub_of(message, values.chain(files))
}

/// `message` without any of `secrets`, nor the private key, client secret
/// or refresh token inside a secret that is a JSON credentials file.
fn scrub_of(message: String, secrets: impl Iterator<Item = String>) -> String {
    let redactor = crate::http::Redactor::default();
    for value in secrets {
        if let Ok(json) = serde_json::from_str::<serde_json::Value>(&value) {
            for field in ["private_key", "client_secret", "refresh_token"] {
                if let Some(secret) = json.get(field).and_then(|k| k.as_str()) {
                    redactor.add(secret);
                    secret.lines().for_each(|line| redactor.add(line));
                }
            }
        }
        redactor.add(&value);
    }
    redactor.scrub(&message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config_error(output: &str) -> String {
        match open(output) {
            Err(Error::Config(m)) => m,
            other => panic!("{output}: expected a configuration error, got {other:?}"),
        }
    }

    #[test]
    fn an_unknown_scheme_lists_every_accepted_form() {
        let m = config_error("ftp://host/cx");
        for form in ["file:///", "s3://", "gs://", "az://", "abfss://"] {
            assert!(m.contains(form), "{m}");
        }
    }

    #[test]
    fn a_cloud_url_must_name_its_bucket_or_container() {
        assert!(config_error("gs:///cx").contains("name a bucket"));
        assert!(config_error("az://").contains("name a container"));
        assert!(config_error("abfss://@acct.dfs.core.windows.net/cx").contains("name a container"));
    }

    #[test]
    fn a_private_key_quoted_by_a_parse_error_is_scrubbed() {
        let key = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n";
        let account = serde_json::json!({ "private_key": key, "client_email": "a@b" }).to_string();
        let message = format!(
            "invalid type: string \"{}\", expected a boolean",
            key.lines().nth(1).unwrap()
        );
        let scrubbed = scrub_of(message, [account].into_iter());
        assert!(
            !scrubbed.contains("MIIEvQIBADANBgkqhkiG9w0BAQEFAASC"),
            "{scrubbed}"
        );
        assert!(scrubbed.contains(crate::http::REDACTED));
    }
}
