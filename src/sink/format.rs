//! The table format of the lake (`--format`, `[run] format`).

/// How tables are published.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    clap::ValueEnum,
    serde::Deserialize,
    serde::Serialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Hive-partitioned Parquet files with deterministic names, replaced by rename.
    #[default]
    Parquet,
    /// Delta Lake tables (protocol 1/2): the same Parquet files, committed
    /// to each table's `_delta_log/` one slice at a time.
    Delta,
}

impl Format {
    /// The name as on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Parquet => "parquet",
            Format::Delta => "delta",
        }
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
