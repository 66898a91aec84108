//! A real S3-protocol server for the tests: s3s-fs on loopback, verifying
//! SigV4 signatures, storing objects as files under a temporary folder.

use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder as ConnBuilder;
use std::path::PathBuf;

pub const ACCESS_KEY: &str = "cxetl-test-access";
pub const SECRET_KEY: &str = "cxetl-test-secret-key-0123456789";
pub const BUCKET: &str = "lake";

/// A running S3 server; objects live under `root/<bucket>/<key>`.
pub struct S3Server {
    pub endpoint: String,
    pub root: PathBuf,
    _tmp: Option<tempfile::TempDir>,
    task: tokio::task::JoinHandle<()>,
}

impl S3Server {
    /// Starts the server with one bucket, [`BUCKET`].
    pub async fn start() -> S3Server {
        let tmp = tempfile::tempdir().unwrap();
        let mut server = S3Server::start_in(tmp.path().to_path_buf()).await;
        server._tmp = Some(tmp);
        server
    }

    /// Starts the server storing its objects under `root` (kept afterwards).
    pub async fn start_in(root: PathBuf) -> S3Server {
        std::fs::create_dir_all(root.join(BUCKET)).unwrap();
        let fs = s3s_fs::FileSystem::new(&root).expect("s3s-fs root");
        let service = {
            let mut b = s3s::service::S3ServiceBuilder::new(fs);
            b.set_auth(s3s::auth::SimpleAuth::from_single(ACCESS_KEY, SECRET_KEY));
            b.build()
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let task = tokio::spawn(async move {
            let http = ConnBuilder::new(TokioExecutor::new());
            loop {
                let Ok((socket, _)) = listener.accept().await else {
                    continue;
                };
                let conn = http
                    .serve_connection(TokioIo::new(socket), service.clone())
                    .into_owned();
                tokio::spawn(async move {
                    let _ = conn.await;
                });
            }
        });
        S3Server {
            endpoint,
            root,
            _tmp: None,
            task,
        }
    }

    /// The environment cxetl needs to write to this server.
    pub fn env(&self) -> Vec<(String, String)> {
        vec![
            ("AWS_ACCESS_KEY_ID".into(), ACCESS_KEY.into()),
            ("AWS_SECRET_ACCESS_KEY".into(), SECRET_KEY.into()),
            ("AWS_REGION".into(), "us-east-1".into()),
            ("AWS_ENDPOINT_URL".into(), self.endpoint.clone()),
            ("AWS_ALLOW_HTTP".into(), "true".into()),
        ]
    }

    /// The local folder holding `s3://BUCKET/<prefix>`.
    pub fn dir(&self, prefix: &str) -> PathBuf {
        self.root.join(BUCKET).join(prefix)
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}
