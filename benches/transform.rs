//! Microbenchmarks of the CPU half of a run (issue 5), on real simulator pages.
//!
//! Setup starts the simulator in a Tokio runtime and fetches pages over HTTP
//! once: query pages of 100 conversations (no participant attributes) and
//! async-job result pages of 1000 (with attributes), exactly as a run sees
//! them. Then, per conversation (criterion `Throughput::Elements`):
//!
//! - `scan/*`: serde_json skipping the bytes (`IgnoredAny`): the parse floor;
//! - `page_to_arrow/*`: `cxetl::vendors::genesys::transform::genesys_page` → five Arrow batches;
//! - `arrow_to_parquet/*`: `cxetl::sink::parquet::TableWriter` over those
//!   batches, one file per table, footer included;
//! - `page_to_parquet/*`: both, as `SliceConsumer`'s blocking half does;
//! - `parquet_settings/*` (10 job pages): the same batches through a plain
//!   `ArrowWriter` with other writer settings than `sink::parquet`'s (zstd 3,
//!   page statistics, dictionaries on), to put numbers on tuning them.
//!
//! Small sample counts and short measurement times keep `cargo bench` to a
//! couple of minutes on 2 cores. `CXETL_BENCH_FULL=1` measures longer.

use std::time::Duration;

use bytes::Bytes;
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use cxetl::sink::writer::TableEncoders;
use cxetl::transform::{SeenIds, Table, TableBatch};
use cxetl::vendors::genesys::transform::genesys_page;
use cxetl::Interval;
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::{EnabledStatistics, WriterProperties};

#[path = "common/sim_pages.rs"]
mod sim_pages;

/// Pages of one shape and the window they are transformed against.
struct Pages {
    name: &'static str,
    window: Interval,
    pages: Vec<Bytes>,
    /// Conversations in the pages (good records, in or out of window).
    conversations: u64,
}

fn fetch() -> Vec<Pages> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    rt.block_on(async {
        // 20,000 conversations in one day: ~4.7 KB of JSON each, like the
        // issue's anchors.
        let cfg = sim_pages::one_day_config(20_000);
        let day = cfg.interval;
        let sim = cxetl::simulator::start(cfg, 0).await.expect("simulator");
        let s = sim_pages::Session::connect(&sim).await.expect("token");
        let query = s.query_pages(&day, 100, 1).await.expect("query page");
        let jobs = s.job_pages(&day, 1000, 10).await.expect("job pages");
        sim.shutdown();
        let count = |pages: &[Bytes]| -> u64 {
            pages
                .iter()
                .map(|p| {
                    let v: serde_json::Value = serde_json::from_slice(p).expect("json page");
                    v["conversations"].as_array().map_or(0, Vec::len) as u64
                })
                .sum()
        };
        vec![
            Pages {
                name: "query_100",
                window: day,
                conversations: count(&query),
                pages: query,
            },
            Pages {
                name: "jobs_1000",
                window: day,
                conversations: count(&jobs[..1]),
                pages: jobs[..1].to_vec(),
            },
            Pages {
                name: "jobs_10x1000",
                window: day,
                conversations: count(&jobs),
                pages: jobs,
            },
        ]
    })
}

fn transform_all(p: &Pages) -> Vec<TableBatch> {
    let mut seen = SeenIds::new();
    let mut out = Vec::new();
    for page in &p.pages {
        let o = genesys_page(page, &p.window, &mut seen).expect("page transforms");
        out.extend(o.batches);
    }
    out
}

/// Encodes batches with the sink's encoders, one Parquet file per table;
/// returns total bytes.
fn encode(batches: &[TableBatch]) -> usize {
    let mut encoders =
        TableEncoders::new(cxetl::transform::pii::PiiPolicy::default().fingerprint());
    let mut bytes = 0usize;
    for tb in batches {
        if let Some(b) = encoders.encode(tb).expect("encode") {
            bytes += b.len();
        }
    }
    let tails = encoders.finish().expect("footer");
    bytes + tails.iter().map(|t| t.bytes.len()).sum::<usize>()
}

/// Writer settings to compare with `cxetl::sink::parquet`'s.
fn variants() -> Vec<(&'static str, WriterProperties)> {
    let base = || {
        WriterProperties::builder()
            .set_max_row_group_row_count(Some(cxetl::sink::parquet::ROW_GROUP_ROWS))
            .set_statistics_enabled(EnabledStatistics::Page)
    };
    let zstd = |l| Compression::ZSTD(ZstdLevel::try_new(l).expect("zstd level"));
    vec![
        ("zstd3_as_sink", base().set_compression(zstd(3)).build()),
        ("zstd1", base().set_compression(zstd(1)).build()),
        // snappy/lz4 are not compiled in (parquet features: arrow, zstd).
        (
            "uncompressed",
            base().set_compression(Compression::UNCOMPRESSED).build(),
        ),
        (
            "zstd1_chunk_stats",
            base()
                .set_compression(zstd(1))
                .set_statistics_enabled(EnabledStatistics::Chunk)
                .build(),
        ),
        (
            "zstd3_no_dictionary",
            base()
                .set_compression(zstd(3))
                .set_dictionary_enabled(false)
                .build(),
        ),
    ]
}

/// Encodes with `props` into memory; returns the file size.
fn encode_with(batches: &[TableBatch], props: &WriterProperties) -> usize {
    let mut total = 0;
    for t in Table::all() {
        let mut w =
            ArrowWriter::try_new(Vec::new(), t.schema(), Some(props.clone())).expect("writer");
        for tb in batches.iter().filter(|b| b.table == t) {
            w.write(&tb.batch).expect("encode");
        }
        total += w.into_inner().expect("footer").len();
    }
    total
}

fn config() -> Criterion {
    let full = std::env::var_os("CXETL_BENCH_FULL").is_some();
    Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(if full { 3000 } else { 500 }))
        .measurement_time(Duration::from_secs(if full { 10 } else { 2 }))
}

fn benches(c: &mut Criterion) {
    let sets = fetch();
    for p in &sets {
        let bytes: usize = p.pages.iter().map(Bytes::len).sum();
        let batches = transform_all(p);
        let rows: Vec<(String, usize)> = Table::all()
            .into_iter()
            .map(|t| {
                let n = batches
                    .iter()
                    .filter(|b| b.table == t)
                    .map(|b| b.batch.num_rows())
                    .sum();
                (t.name().to_string(), n)
            })
            .collect();
        let parquet_bytes = encode(&batches);
        eprintln!(
            "{}: {} pages, {} conversations, {} JSON bytes ({} B/conversation), rows {:?}, parquet {} bytes",
            p.name,
            p.pages.len(),
            p.conversations,
            bytes,
            bytes as u64 / p.conversations.max(1),
            rows,
            parquet_bytes
        );

        let mut g = c.benchmark_group(p.name);
        g.throughput(Throughput::Elements(p.conversations));
        g.bench_function("scan", |b| {
            b.iter(|| {
                for page in &p.pages {
                    let _: serde::de::IgnoredAny =
                        serde_json::from_slice(page).expect("valid JSON");
                }
            })
        });
        g.bench_function("page_to_arrow", |b| b.iter(|| transform_all(p)));
        g.bench_function("arrow_to_parquet", |b| {
            b.iter_batched_ref(|| batches.clone(), |bs| encode(bs), BatchSize::LargeInput)
        });
        g.bench_function("page_to_parquet", |b| b.iter(|| encode(&transform_all(p))));
        g.finish();

        if p.name == "jobs_10x1000" {
            let mut g = c.benchmark_group("parquet_settings");
            g.throughput(Throughput::Elements(p.conversations));
            for (name, props) in variants() {
                eprintln!(
                    "parquet_settings/{name}: {} bytes",
                    encode_with(&batches, &props)
                );
                g.bench_function(name, |b| b.iter(|| encode_with(&batches, &props)));
            }
            g.finish();
        }
    }
}

criterion_group! {
    name = transform;
    config = config();
    targets = benches
}
criterion_main!(transform);
