//! Where a run writes (a local folder, or a prefix on an S3, Azure or GCS
//! protocol server), and what "exactly once" means for what it wrote.
//!
//! One conformance test runs over [`Target::all`]: local disk and the
//! in-process S3 server always; Azurite and fake GCS when `.ci/run` (or the
//! developer) names them in `CXETL_TEST_AZURITE` / `CXETL_TEST_FAKE_GCS`,
//! a "skipped: …" line otherwise.

use super::azurite::{self, Azurite};
use super::gcs::{self, FakeGcs};
use super::s3::{S3Server, BUCKET};
use super::subject::{whole, Subject};
use super::{all_files, conversations, read_table, Run};
use cxetl::simulator::Simulator;
use futures::TryStreamExt;
use object_store::path::Path as StorePath;
use object_store::ObjectStore;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Where a run writes: a local folder or the prefix `cx` of a bucket or
/// container on a protocol server.
pub enum Target {
    Local(tempfile::TempDir),
    S3(S3Server),
    Azure(Azurite),
    Gcs(FakeGcs),
}

/// The prefix inside the bucket or container that runs write under.
const PREFIX: &str = "cx";

impl Target {
    /// Local disk and the S3 server.
    pub async fn both() -> Vec<Target> {
        vec![Target::local(), Target::S3(S3Server::start().await)]
    }

    /// Every store this machine can test: [`Target::both`], then Azurite
    /// and fake GCS when their binaries are named.
    pub async fn all() -> Vec<Target> {
        let mut all = Target::both().await;
        all.extend(Target::clouds().await);
        all
    }

    /// The emulated clouds that are available (a "skipped" line for each
    /// that is not).
    pub async fn clouds() -> Vec<Target> {
        let mut clouds = Vec::new();
        match Azurite::start().await {
            Some(a) => clouds.push(Target::Azure(a)),
            None => eprintln!("skipped: Azure (set {} to azurite-blob)", azurite::VAR),
        }
        match FakeGcs::start().await {
            Some(g) => clouds.push(Target::Gcs(g)),
            None => eprintln!("skipped: GCS (set {} to fake-gcs-server)", gcs::VAR),
        }
        clouds
    }

    pub fn local() -> Target {
        Target::Local(tempfile::tempdir().unwrap())
    }

    /// A fresh, empty target of the same kind.
    pub async fn fresh(&self) -> Target {
        match self {
            Target::Local(_) => Target::local(),
            Target::S3(_) => Target::S3(S3Server::start().await),
            Target::Azure(_) => Target::Azure(Azurite::start().await.expect("Azurite again")),
            Target::Gcs(_) => Target::Gcs(FakeGcs::start().await.expect("fake GCS again")),
        }
    }

    pub fn url(&self) -> String {
        match self {
            Target::Local(d) => d.path().display().to_string(),
            Target::S3(_) => format!("s3://{BUCKET}/{PREFIX}"),
            Target::Azure(_) => format!("az://{}/{PREFIX}", azurite::CONTAINER),
            Target::Gcs(_) => format!("gs://{}/{PREFIX}", gcs::BUCKET),
        }
    }

    /// The same store under a bucket or container that does not exist
    /// (`None` for local disk, where any folder can be made).
    pub fn missing_bucket_url(&self) -> Option<String> {
        match self {
            Target::Local(_) => None,
            Target::S3(_) => Some(format!("s3://no-such-bucket/{PREFIX}")),
            Target::Azure(_) => Some(format!("az://no-such-container/{PREFIX}")),
            Target::Gcs(_) => Some(format!("gs://no-such-bucket/{PREFIX}")),
        }
    }

    /// Why this target's server cannot referee a race for one object
    /// created only if absent, if it cannot: cxetl's leases rest on that.
    pub fn racy_create(&self) -> Option<&'static str> {
        match self {
            // s3s-fs 0.14 checks `If-None-Match: *` by testing whether the
            // file exists, then writes it (s3s-fs src/s3.rs, put_object):
            // two racers can both pass. Real S3 decides atomically.
            Target::S3(_) => Some("s3s-fs checks If-None-Match, then writes, not atomically"),
            Target::Local(_) | Target::Azure(_) | Target::Gcs(_) => None,
        }
    }

    /// [`Target::env`] with a wrong secret, and that secret (`None` where
    /// the server checks no credentials: local disk, fake GCS).
    pub fn wrong_secret_env(&self) -> Option<(Vec<(String, String)>, String)> {
        let (var, wrong) = match self {
            Target::Local(_) | Target::Gcs(_) => return None,
            Target::S3(_) => ("AWS_SECRET_ACCESS_KEY", "not-the-key"),
            // A well-formed key (base64) that is not the account's.
            Target::Azure(_) => (
                "AZURE_STORAGE_ACCOUNT_KEY",
                "bm90LXRoZS1rZXktYnV0LWxvbmctZW5vdWdo",
            ),
        };
        let mut env = self.env();
        env.retain(|(k, _)| k != var);
        env.push((var.into(), wrong.into()));
        Some((env, wrong.into()))
    }

    pub fn env(&self) -> Vec<(String, String)> {
        match self {
            Target::Local(_) => vec![],
            Target::S3(s) => s.env(),
            Target::Azure(a) => a.env(),
            Target::Gcs(g) => g.env(),
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Target::Local(_) => "local",
            Target::S3(_) => "s3",
            Target::Azure(_) => "azure",
            Target::Gcs(_) => "gcs",
        }
    }

    /// The local folder of local disk and S3 (whose server stores objects
    /// as files); `None` for the emulated clouds.
    fn folder(&self) -> Option<PathBuf> {
        match self {
            Target::Local(d) => Some(d.path().to_path_buf()),
            Target::S3(s) => Some(s.dir(PREFIX)),
            Target::Azure(_) | Target::Gcs(_) => None,
        }
    }

    /// Names of the objects under `PREFIX/sub` of an emulated cloud: Azure
    /// through object_store's listing (a client configured by the test),
    /// GCS through fake-gcs-server's JSON API.
    async fn names(&self, sub: &str) -> Vec<String> {
        let prefix = format!("{PREFIX}/{sub}");
        match self {
            Target::Azure(a) => {
                let objects: Vec<_> = a
                    .store()
                    .list(Some(&StorePath::from(prefix)))
                    .try_collect()
                    .await
                    .unwrap();
                objects
                    .into_iter()
                    .map(|m| m.location.to_string())
                    .collect()
            }
            Target::Gcs(g) => g.list(&prefix).await,
            Target::Local(_) | Target::S3(_) => unreachable!("read from the folder"),
        }
    }

    /// What the runs wrote, as a local folder: the folder itself (local
    /// disk, S3), or for the emulated clouds every object under the prefix
    /// downloaded into a temporary folder.
    pub async fn view(&self) -> View {
        if let Some(path) = self.folder() {
            return View { path, _copy: None };
        }
        let copy = tempfile::tempdir().unwrap();
        for name in self.names("").await {
            let relative = name.strip_prefix(&format!("{PREFIX}/")).unwrap();
            let bytes = match self {
                Target::Azure(a) => {
                    let store = a.store();
                    let path = StorePath::from(name.as_str());
                    store.get(&path).await.unwrap().bytes().await.unwrap()
                }
                Target::Gcs(g) => g.get(&name).await,
                Target::Local(_) | Target::S3(_) => unreachable!(),
            };
            let file = copy.path().join(relative);
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            std::fs::write(file, bytes).unwrap();
        }
        View {
            path: copy.path().to_path_buf(),
            _copy: Some(copy),
        }
    }

    /// How many objects lie under `sub` (a folder of the lake, like
    /// `_leases`): cheap enough to poll while a run is going.
    pub async fn count(&self, sub: &str) -> usize {
        match self.folder() {
            Some(dir) => all_files(&dir.join(sub)).len(),
            None => self.names(&format!("{sub}/")).await.len(),
        }
    }

    /// Writes `bytes` at `sub` (a path inside the lake), as another run would.
    pub async fn put(&self, sub: &str, bytes: Vec<u8>) {
        let name = format!("{PREFIX}/{sub}");
        match self {
            Target::Local(_) | Target::S3(_) => {
                let file = self.folder().unwrap().join(sub);
                std::fs::create_dir_all(file.parent().unwrap()).unwrap();
                std::fs::write(file, bytes).unwrap();
            }
            Target::Azure(a) => {
                let path = StorePath::from(name);
                a.store().put(&path, bytes.into()).await.unwrap();
            }
            Target::Gcs(g) => g.put(&name, bytes).await,
        }
    }

    /// `cxetl run <subject>` into this target.
    pub async fn run(
        &self,
        subject: Subject,
        sim: &Simulator,
        start: &str,
        end: &str,
        extra: &[&str],
    ) -> Run {
        subject
            .run_to(sim, start, end, &self.url(), extra, &self.env())
            .await
    }
}

/// A local folder holding what a target's runs wrote (a temporary copy for
/// the emulated clouds, removed on drop).
pub struct View {
    path: PathBuf,
    _copy: Option<tempfile::TempDir>,
}

impl std::ops::Deref for View {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.path
    }
}

impl AsRef<Path> for View {
    fn as_ref(&self) -> &Path {
        &self.path
    }
}

/// Rows per table of `subject` as read back from Parquet.
pub fn table_rows(subject: Subject, dir: &Path) -> BTreeMap<String, usize> {
    subject
        .tables()
        .iter()
        .map(|t| {
            (
                t.name().to_string(),
                read_table(dir, t.name()).iter().map(|b| b.num_rows()).sum(),
            )
        })
        .collect()
}

/// Row counts of an uninterrupted run over [`whole`] with `extra`: the
/// reference for every other scenario.
pub async fn reference(
    subject: Subject,
    sim: &Simulator,
    extra: &[&str],
) -> BTreeMap<String, usize> {
    let out = tempfile::tempdir().unwrap();
    let (start, end) = (super::subject::START, super::subject::END);
    subject
        .run(sim, start, end, out.path(), extra)
        .await
        .expect_code(0);
    table_rows(subject, out.path())
}

/// Panics unless `dir` holds the truth of [`whole`] once, `reference`'s rows
/// per table, and nothing but whole, interval-named Parquet files under the
/// table folders.
pub fn assert_exactly_once(
    subject: Subject,
    dir: &Path,
    sim: &Simulator,
    reference: &BTreeMap<String, usize>,
    context: &str,
) {
    let truth = sim.ground_truth(&whole());
    let got = conversations(dir);
    assert_eq!(got.rows, truth.count, "{context}: conversation rows");
    assert_eq!(got.ids, truth.ids, "{context}: ids");
    assert_eq!(
        got.duration_ms_sum, truth.duration_ms_sum,
        "{context}: duration sum"
    );
    assert_eq!(
        &table_rows(subject, dir),
        reference,
        "{context}: rows per table"
    );
    for t in subject.tables() {
        for f in all_files(&dir.join(t.name())) {
            let name = f.file_name().unwrap().to_str().unwrap();
            assert!(
                name.ends_with(".parquet")
                    && cxetl::sink::layout::slice_of_file(&object_store::path::Path::from(name))
                        .is_some(),
                "{context}: stray file {}",
                f.display()
            );
        }
    }
}
