//! Where a run writes (a local folder or a prefix on the S3 server), and
//! what "exactly once" means for what it wrote.

use super::s3::{S3Server, BUCKET};
use super::subject::{whole, Subject};
use super::{all_files, conversations, read_table, Run};
use cxetl::simulator::Simulator;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Where a run writes: a local folder or a prefix in the S3 server.
pub enum Target {
    Local(tempfile::TempDir),
    S3(S3Server),
}

impl Target {
    pub async fn both() -> Vec<Target> {
        vec![Target::local(), Target::S3(S3Server::start().await)]
    }

    pub fn local() -> Target {
        Target::Local(tempfile::tempdir().unwrap())
    }

    /// A fresh, empty target of the same kind.
    pub async fn fresh(&self) -> Target {
        match self {
            Target::Local(_) => Target::local(),
            Target::S3(_) => Target::S3(S3Server::start().await),
        }
    }

    pub fn url(&self) -> String {
        match self {
            Target::Local(d) => d.path().display().to_string(),
            Target::S3(_) => format!("s3://{BUCKET}/cx"),
        }
    }

    pub fn env(&self) -> Vec<(String, String)> {
        match self {
            Target::Local(_) => vec![],
            Target::S3(s) => s.env(),
        }
    }

    /// The folder holding what the run wrote (S3 objects are files on the server's disk).
    pub fn dir(&self) -> PathBuf {
        match self {
            Target::Local(d) => d.path().to_path_buf(),
            Target::S3(s) => s.dir("cx"),
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Target::Local(_) => "local",
            Target::S3(_) => "s3",
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
