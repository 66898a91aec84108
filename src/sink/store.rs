//! Opens the output location named by `--output` as an object store.

use crate::{Error, Result};
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::{ObjectStore, RetryConfig};
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
    /// sent. S3 requires 5 MiB (all parts but the last); local disk has no
    /// minimum, and smaller parts keep a slice's open files light.
    pub part_size: usize,
}

/// S3's smallest allowed multipart part.
pub const S3_PART_SIZE: usize = 5 << 20;

/// Part size for local disk: one write call per MiB.
pub const LOCAL_PART_SIZE: usize = 1 << 20;

impl std::fmt::Debug for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Location")
            .field("display", &self.display)
            .finish()
    }
}

/// Opens `output`: a local directory, `file:///abs/path`, or `s3://bucket/prefix`.
///
/// S3 settings come from the standard AWS environment variables
/// (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`,
/// `AWS_ENDPOINT_URL`); plain http endpoints are accepted only on loopback.
pub fn open(output: &str) -> Result<Location> {
    if let Some(rest) = output.strip_prefix("s3://") {
        return open_s3(output, rest);
    }
    let dir = match output.strip_prefix("file://") {
        Some(p) if p.starts_with('/') => std::path::PathBuf::from(p),
        Some(_) => {
            return Err(Error::Config(format!(
                "--output {output:?}: file URLs need an absolute path, like file:///data/cx"
            )))
        }
        None if output.contains("://") => {
            return Err(Error::Config(format!(
                "--output {output:?}: use a local directory, file:///abs/path or s3://bucket/prefix"
            )))
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

fn open_s3(output: &str, rest: &str) -> Result<Location> {
    let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
    if bucket.is_empty() {
        return Err(Error::Config(format!(
            "--output {output:?}: name a bucket, like s3://my-bucket/cx"
        )));
    }
    let mut builder = AmazonS3Builder::from_env()
        .with_bucket_name(bucket)
        .with_retry(RetryConfig {
            max_retries: 5,
            retry_timeout: Duration::from_secs(120),
            ..Default::default()
        });
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
