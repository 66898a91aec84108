//! The actions of a Delta log (protocol reader 1 / writer 2): one JSON
//! object per line of a commit, one row per action in a Parquet checkpoint.
//! A line holds exactly one action; every field of [`Action`] is optional so
//! actions this writer does not use (`txn`, `cdc`, `domainMetadata`…) are
//! read and ignored instead of failing the replay.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// String map of the log (`partitionValues`, `configuration`, `tags`):
/// values may be null (a null partition value).
pub type StringMap = BTreeMap<String, Option<String>>;

/// One line of a commit (or one row of a checkpoint).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Action {
    /// Reader and writer versions the table requires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<Protocol>,
    /// Schema, partition columns and configuration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta_data: Option<Metadata>,
    /// A data file joins the table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub add: Option<Add>,
    /// A data file leaves the table (kept on storage until vacuumed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remove: Option<Remove>,
    /// Free-form provenance of a commit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit_info: Option<serde_json::Value>,
}

impl Action {
    /// Wraps an add.
    pub fn add(add: Add) -> Self {
        Action {
            add: Some(add),
            ..Default::default()
        }
    }

    /// Wraps a remove.
    pub fn remove(remove: Remove) -> Self {
        Action {
            remove: Some(remove),
            ..Default::default()
        }
    }
}

/// `protocol`: the versions a client must implement.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Protocol {
    /// Lowest reader version able to read the table.
    pub min_reader_version: i32,
    /// Lowest writer version able to write it.
    pub min_writer_version: i32,
    /// Table features (reader version 3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reader_features: Option<Vec<String>>,
    /// Table features (writer version 7).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub writer_features: Option<Vec<String>>,
}

/// `metaData.format`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct FileFormat {
    /// Always `parquet`.
    pub provider: String,
    /// No options are defined.
    #[serde(default)]
    pub options: StringMap,
}

/// `metaData`: the table's identity, schema and partitioning.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Metadata {
    /// A unique id for the table (a UUID).
    pub id: String,
    /// Optional name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Optional description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Data file format.
    pub format: FileFormat,
    /// The schema as Delta's JSON struct type.
    pub schema_string: String,
    /// Columns whose values are in the path, not in the files.
    #[serde(default)]
    pub partition_columns: Vec<String>,
    /// Table properties (`delta.checkpointInterval`…).
    #[serde(default)]
    pub configuration: StringMap,
    /// Creation time in ms since the epoch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_time: Option<i64>,
}

/// `add`: a data file of the table.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Add {
    /// Path relative to the table root (a percent-encoded URI).
    pub path: String,
    /// Partition column → value as text.
    #[serde(default)]
    pub partition_values: StringMap,
    /// Bytes.
    #[serde(default)]
    pub size: i64,
    /// Written at, in ms since the epoch.
    #[serde(default)]
    pub modification_time: i64,
    /// False for re-arrangements that change no data (and in checkpoints).
    #[serde(default)]
    pub data_change: bool,
    /// JSON statistics (`{"numRecords": n}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stats: Option<String>,
    /// Free-form tags.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<StringMap>,
}

/// `remove`: a data file that left the table at `deletion_timestamp`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Remove {
    /// Path as it was added.
    pub path: String,
    /// When it was removed, in ms since the epoch (vacuum counts from here).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deletion_timestamp: Option<i64>,
    /// True: the rows left the table.
    #[serde(default)]
    pub data_change: bool,
    /// The fields below are present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extended_file_metadata: Option<bool>,
    /// As in the add.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition_values: Option<StringMap>,
    /// As in the add.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<i64>,
}

impl Remove {
    /// The remove of `add`, now.
    pub fn of(add: &Add, now_ms: i64) -> Remove {
        Remove {
            path: add.path.clone(),
            deletion_timestamp: Some(now_ms),
            data_change: true,
            extended_file_metadata: Some(true),
            partition_values: Some(add.partition_values.clone()),
            size: Some(add.size),
        }
    }
}

/// Parses a commit file: one action per non-empty line.
pub fn parse_commit(bytes: &[u8]) -> Result<Vec<Action>, serde_json::Error> {
    bytes
        .split(|b| *b == b'\n')
        .filter(|l| !l.iter().all(u8::is_ascii_whitespace))
        .map(serde_json::from_slice)
        .collect()
}

/// Serialises actions as a commit file.
pub fn commit_bytes(actions: &[Action]) -> Vec<u8> {
    let mut out = Vec::new();
    for a in actions {
        serde_json::to_writer(&mut out, a).expect("actions serialise");
        out.push(b'\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_round_trip_and_unknown_actions_are_ignored() {
        let text = concat!(
            r#"{"commitInfo":{"timestamp":1,"operation":"WRITE"}}"#,
            "\n",
            r#"{"protocol":{"minReaderVersion":1,"minWriterVersion":2}}"#,
            "\n",
            r#"{"txn":{"appId":"x","version":3}}"#,
            "\n",
            r#"{"add":{"path":"date=2026-11-23/a.parquet","partitionValues":{"date":"2026-11-23","vendor":null},"size":10,"modificationTime":5,"dataChange":true,"stats":"{\"numRecords\":2}"}}"#,
            "\n",
        );
        let actions = parse_commit(text.as_bytes()).unwrap();
        assert_eq!(actions.len(), 4);
        assert_eq!(actions[1].protocol.as_ref().unwrap().min_writer_version, 2);
        assert_eq!(actions[2], Action::default(), "txn is read and ignored");
        let add = actions[3].add.as_ref().unwrap();
        assert_eq!(add.partition_values["vendor"], None);
        let again = parse_commit(&commit_bytes(&actions)).unwrap();
        assert_eq!(again[3], actions[3]);
        assert!(String::from_utf8(commit_bytes(&actions[3..]))
            .unwrap()
            .starts_with(r#"{"add":{"path""#));
    }
}
