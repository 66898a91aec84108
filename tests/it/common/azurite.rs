//! Azurite, Microsoft's Azure Storage emulator (npm `azurite`), as a real
//! Azure Blob protocol server for the tests: `azurite-blob` on loopback,
//! in memory, verifying Shared Key signatures of the well-known dev account.
//! `.ci/run` installs it and names the script in `CXETL_TEST_AZURITE`;
//! without that variable the Azure cases are skipped.

use super::emulator::Emulator;
use object_store::azure::MicrosoftAzureBuilder;
use std::sync::Arc;

/// The variable naming the `azurite-blob` script.
pub const VAR: &str = "CXETL_TEST_AZURITE";
/// Azurite's built-in account and its published key.
pub const ACCOUNT: &str = "devstoreaccount1";
pub const KEY: &str =
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
pub const CONTAINER: &str = "lake";

/// A running `azurite-blob` with one container, [`CONTAINER`].
pub struct Azurite {
    pub endpoint: String,
    _process: Emulator,
}

impl Azurite {
    /// Starts Azurite if `CXETL_TEST_AZURITE` names it, `None` otherwise.
    pub async fn start() -> Option<Azurite> {
        let script = std::env::var(VAR).ok().filter(|s| !s.is_empty())?;
        let mut cmd = std::process::Command::new(script);
        cmd.args([
            "--blobHost",
            "127.0.0.1",
            "--blobPort",
            "0",
            "--inMemoryPersistence",
            "--skipApiVersionCheck",
            "--loose",
            "--disableTelemetry",
        ]);
        // It prints the port it bound: "… successfully listens on http://127.0.0.1:N".
        let (process, line) = Emulator::start(cmd, "successfully listens on ");
        let endpoint = line
            .split_whitespace()
            .last()
            .expect("Azurite's listening line ends with its URL")
            .to_string();
        let azurite = Azurite {
            endpoint,
            _process: process,
        };
        azurite.create_container(CONTAINER).await;
        Some(azurite)
    }

    /// The environment cxetl needs to write to this Azurite.
    pub fn env(&self) -> Vec<(String, String)> {
        vec![
            ("AZURE_STORAGE_USE_EMULATOR".into(), "true".into()),
            ("AZURITE_BLOB_STORAGE_URL".into(), self.endpoint.clone()),
            ("AZURE_STORAGE_ACCOUNT_NAME".into(), ACCOUNT.into()),
            ("AZURE_STORAGE_ACCOUNT_KEY".into(), KEY.into()),
        ]
    }

    /// A client of the container, independent of cxetl's configuration.
    pub fn store(&self) -> Arc<dyn object_store::ObjectStore> {
        Arc::new(
            MicrosoftAzureBuilder::new()
                .with_account(ACCOUNT)
                .with_access_key(KEY)
                .with_container_name(CONTAINER)
                // Path-style, as the emulator serves it: /<account>/<container>/…
                .with_endpoint(format!("{}/{ACCOUNT}", self.endpoint))
                .with_allow_http(true)
                .build()
                .expect("Azure client of Azurite"),
        )
    }

    /// `PUT /<account>/<name>?restype=container`, signed with Shared Key
    /// (object_store has no call to create a container).
    async fn create_container(&self, name: &str) {
        let date = httpdate::fmt_http_date(std::time::SystemTime::now());
        let version = "2021-08-06";
        // Create Container's string to sign: the verb, eleven empty
        // standard headers, the x-ms- headers, then the canonical resource.
        let to_sign = format!(
            "PUT\n\n\n\n\n\n\n\n\n\n\n\nx-ms-date:{date}\nx-ms-version:{version}\n/{ACCOUNT}/{ACCOUNT}/{name}\nrestype:container"
        );
        use base64::Engine;
        let b64 = base64::engine::general_purpose::STANDARD;
        let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &b64.decode(KEY).unwrap());
        let signature = b64.encode(ring::hmac::sign(&key, to_sign.as_bytes()).as_ref());
        let response = reqwest::Client::new()
            .put(format!(
                "{}/{ACCOUNT}/{name}?restype=container",
                self.endpoint
            ))
            .header("x-ms-date", date)
            .header("x-ms-version", version)
            .header("content-length", "0")
            .header("authorization", format!("SharedKey {ACCOUNT}:{signature}"))
            .send()
            .await
            .expect("Azurite answers");
        assert!(
            response.status().is_success(),
            "create container: {} {}",
            response.status(),
            response.text().await.unwrap_or_default()
        );
    }
}
