//! Parquet checkpoints: the whole state of a table at one version, so a
//! reader replays one file and the few commits after it instead of the
//! whole log. Actions go in and out of Parquet through the same JSON (serde)
//! as the commits, with arrow's JSON reader and writer, so a checkpoint
//! written by Spark or delta-rs (extra columns, `stats_parsed`…) reads the
//! same way.

use super::actions::{commit_bytes, parse_commit, Action, Add};
use super::log::Snapshot;
use arrow::datatypes::{DataType, Field, Fields, Schema, SchemaRef};
use bytes::Bytes;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::{ArrowWriter, ProjectionMask};
use std::sync::Arc;

/// Commits between checkpoints unless the table sets `delta.checkpointInterval`.
pub const DEFAULT_INTERVAL: i64 = 10;

/// Tombstones kept in a checkpoint: Delta's default
/// `delta.deletedFileRetentionDuration`, one week.
pub const TOMBSTONE_RETENTION_MS: i64 = 7 * 24 * 3600 * 1000;

/// `(version, parts)` of a checkpoint file name: `<v>.checkpoint.parquet`
/// or `<v>.checkpoint.<i>.<n>.parquet`.
pub fn parse_name(name: &str) -> Option<(i64, usize)> {
    let rest = name.strip_suffix(".parquet")?;
    let (version, rest) = rest.split_once(".checkpoint")?;
    let version = version.parse().ok()?;
    if rest.is_empty() {
        return Some((version, 1));
    }
    let mut it = rest.strip_prefix('.')?.split('.');
    let (_part, of) = (it.next()?.parse::<usize>().ok()?, it.next()?.parse().ok()?);
    it.next().is_none().then_some((version, of))
}

/// The single-part checkpoint file name of `version`.
pub fn file_name(version: i64) -> String {
    format!("{version:020}.checkpoint.parquet")
}

/// The actions of a checkpoint file.
pub fn read(bytes: Bytes) -> Result<Vec<Action>, String> {
    let builder = ParquetRecordBatchReaderBuilder::try_new(bytes).map_err(|e| e.to_string())?;
    let roots: Vec<usize> = builder
        .schema()
        .fields()
        .iter()
        .enumerate()
        .filter(|(_, f)| ["protocol", "metaData", "add", "remove"].contains(&f.name().as_str()))
        .map(|(i, _)| i)
        .collect();
    let mask = ProjectionMask::roots(builder.parquet_schema(), roots);
    let reader = builder
        .with_projection(mask)
        .build()
        .map_err(|e| e.to_string())?;
    let mut lines = Vec::new();
    {
        let mut json = arrow::json::LineDelimitedWriter::new(&mut lines);
        for batch in reader {
            json.write(&batch.map_err(|e| e.to_string())?)
                .map_err(|e| e.to_string())?;
        }
        json.finish().map_err(|e| e.to_string())?;
    }
    parse_commit(&lines).map_err(|e| e.to_string())
}

/// The checkpoint of `snapshot` at its version: protocol, metadata, live
/// files and the tombstones younger than [`TOMBSTONE_RETENTION_MS`].
pub fn write(snapshot: &Snapshot, now_ms: i64) -> Result<(Bytes, usize), String> {
    let mut actions: Vec<Action> = Vec::with_capacity(snapshot.files.len() + 2);
    actions.push(Action {
        protocol: snapshot.protocol.clone(),
        ..Default::default()
    });
    actions.push(Action {
        meta_data: snapshot.metadata.clone(),
        ..Default::default()
    });
    actions.extend(snapshot.files.values().map(|a| {
        Action::add(Add {
            data_change: false,
            ..a.clone()
        })
    }));
    actions.extend(
        snapshot
            .tombstones
            .values()
            .filter(|r| {
                r.deletion_timestamp
                    .is_some_and(|t| t > now_ms - TOMBSTONE_RETENTION_MS)
            })
            .map(|r| {
                let mut r = r.clone();
                r.data_change = false;
                Action::remove(r)
            }),
    );
    let rows = actions.len();
    let schema = schema();
    let decoder = arrow::json::ReaderBuilder::new(schema.clone())
        .with_batch_size(8192)
        .build(std::io::Cursor::new(commit_bytes(&actions)))
        .map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    let mut writer = ArrowWriter::try_new(&mut out, schema, None).map_err(|e| e.to_string())?;
    for batch in decoder {
        writer
            .write(&batch.map_err(|e| e.to_string())?)
            .map_err(|e| e.to_string())?;
    }
    writer.close().map_err(|e| e.to_string())?;
    Ok((Bytes::from(out), rows))
}

/// The checkpoint schema of protocol 1/2 (the protocol's action fields).
fn schema() -> SchemaRef {
    use DataType::{Boolean, Int32, Int64, Utf8};
    let map = || {
        DataType::Map(
            Arc::new(Field::new(
                "key_value",
                DataType::Struct(Fields::from(vec![
                    Field::new("key", Utf8, false),
                    Field::new("value", Utf8, true),
                ])),
                false,
            )),
            false,
        )
    };
    let st = |fields: Vec<Field>| DataType::Struct(Fields::from(fields));
    Arc::new(Schema::new(vec![
        Field::new(
            "protocol",
            st(vec![
                Field::new("minReaderVersion", Int32, true),
                Field::new("minWriterVersion", Int32, true),
            ]),
            true,
        ),
        Field::new(
            "metaData",
            st(vec![
                Field::new("id", Utf8, true),
                Field::new("name", Utf8, true),
                Field::new("description", Utf8, true),
                Field::new(
                    "format",
                    st(vec![
                        Field::new("provider", Utf8, true),
                        Field::new("options", map(), true),
                    ]),
                    true,
                ),
                Field::new("schemaString", Utf8, true),
                Field::new(
                    "partitionColumns",
                    DataType::List(Arc::new(Field::new_list_field(Utf8, true))),
                    true,
                ),
                Field::new("configuration", map(), true),
                Field::new("createdTime", Int64, true),
            ]),
            true,
        ),
        Field::new(
            "add",
            st(vec![
                Field::new("path", Utf8, true),
                Field::new("partitionValues", map(), true),
                Field::new("size", Int64, true),
                Field::new("modificationTime", Int64, true),
                Field::new("dataChange", Boolean, true),
                Field::new("stats", Utf8, true),
                Field::new("tags", map(), true),
            ]),
            true,
        ),
        Field::new(
            "remove",
            st(vec![
                Field::new("path", Utf8, true),
                Field::new("deletionTimestamp", Int64, true),
                Field::new("dataChange", Boolean, true),
                Field::new("extendedFileMetadata", Boolean, true),
                Field::new("partitionValues", map(), true),
                Field::new("size", Int64, true),
            ]),
            true,
        ),
    ]))
}

#[cfg(test)]
mod tests {
    use super::super::actions::{FileFormat, Metadata, Protocol, Remove};
    use super::*;

    #[test]
    fn names() {
        assert_eq!(parse_name(&file_name(10)), Some((10, 1)));
        assert_eq!(
            parse_name("00000000000000000020.checkpoint.0000000002.0000000003.parquet"),
            Some((20, 3))
        );
        assert_eq!(parse_name("00000000000000000020.json"), None);
        assert_eq!(
            parse_name("00000000000000000020.checkpoint.80a083e8-7026-4e79-81be-64bd76c43a11.json"),
            None
        );
    }

    #[test]
    fn a_checkpoint_reads_back_as_the_state_it_was_written_from() {
        let mut s = Snapshot::empty(object_store::path::Path::from("t"));
        let add = |p: &str| Add {
            path: p.into(),
            partition_values: [("vendor".to_string(), Some("genesys".to_string()))].into(),
            size: 7,
            modification_time: 1,
            data_change: true,
            stats: Some(r#"{"numRecords":3}"#.into()),
            tags: None,
        };
        s.apply(&[
            Action {
                protocol: Some(Protocol {
                    min_reader_version: 1,
                    min_writer_version: 2,
                    reader_features: None,
                    writer_features: None,
                }),
                ..Default::default()
            },
            Action {
                meta_data: Some(Metadata {
                    id: "id".into(),
                    name: None,
                    description: None,
                    format: FileFormat {
                        provider: "parquet".into(),
                        options: Default::default(),
                    },
                    schema_string: "{}".into(),
                    partition_columns: vec!["vendor".into()],
                    configuration: Default::default(),
                    created_time: Some(1),
                }),
                ..Default::default()
            },
            Action::add(add("a.parquet")),
            Action::add(add("b.parquet")),
            Action::remove(Remove::of(&add("b.parquet"), 1_000)),
        ]);
        let now = 2_000;
        let (bytes, rows) = write(&s, now).unwrap();
        assert_eq!(rows, 4);
        let mut back = Snapshot::empty(s.root.clone());
        back.apply(&read(bytes).unwrap());
        assert_eq!(back.protocol, s.protocol);
        assert_eq!(back.metadata, s.metadata);
        assert_eq!(back.files.keys().collect::<Vec<_>>(), vec!["a.parquet"]);
        assert_eq!(back.files["a.parquet"].stats, s.files["a.parquet"].stats);
        assert_eq!(
            back.files["a.parquet"].partition_values,
            s.files["a.parquet"].partition_values
        );
        assert_eq!(
            back.tombstones.keys().collect::<Vec<_>>(),
            vec!["b.parquet"]
        );
    }
}
