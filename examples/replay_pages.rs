//! Transform + Parquet write from captured raw pages, no network: the CPU
//! half of a run (what `SliceConsumer` does on the blocking pool), on N
//! threads at once, each thread acting as one slice with its own `SeenIds`
//! and one Parquet file per table.
//!
//! ```sh
//! cargo run --release --example capture_pages -- --conversations 100000 --out target/bench/pages
//! cargo run --release --example replay_pages -- --pages target/bench/pages --threads 2
//! ```
//!
//! Pages are read into memory first; the timer covers transform, encode and
//! writing the Parquet files under `--out` (default `target/bench/replay-out`).
//! `--pii hash|drop` applies that personal-data policy (a fixed bench key)
//! before encoding, as a run with `--pii` does. Prints one JSON line.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use bytes::Bytes;
use cxetl::sink::parquet::TableWriter;
use cxetl::transform::pii::{PiiPolicy, PiiSpec};
use cxetl::transform::{SeenIds, Table};
use cxetl::vendors::genesys::transform::genesys_page;
use cxetl::Interval;

// The same allocator as the cxetl binary, so the figures are the shipped ones.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

struct Args {
    pages: PathBuf,
    out: PathBuf,
    threads: usize,
    repeat: usize,
    pii: String,
}

fn parse_args() -> Result<Args, String> {
    let mut a = Args {
        pages: PathBuf::from("target/bench/pages"),
        out: PathBuf::from("target/bench/replay-out"),
        threads: 2,
        repeat: 1,
        pii: "keep".into(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut val = || it.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--pages" => a.pages = PathBuf::from(val()?),
            "--out" => a.out = PathBuf::from(val()?),
            "--threads" => a.threads = val()?.parse().map_err(|e| format!("{e}"))?,
            "--repeat" => a.repeat = val()?.parse().map_err(|e| format!("{e}"))?,
            "--pii" => a.pii = val()?,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    a.threads = a.threads.max(1);
    a.repeat = a.repeat.max(1);
    Ok(a)
}

#[derive(Default)]
struct Totals {
    conversations: u64,
    rows: u64,
    parquet_bytes: u64,
}

/// One "slice": transforms `pages` in order and streams one file per table.
fn run_slice(
    pages: &[&Bytes],
    window: &Interval,
    dir: &Path,
    pii: &PiiPolicy,
) -> Result<Totals, BoxError> {
    std::fs::create_dir_all(dir)?;
    let tables = Table::all();
    let mut writers: Vec<Option<(TableWriter, std::fs::File)>> =
        tables.iter().map(|_| None).collect();
    let mut seen = SeenIds::new();
    let mut t = Totals::default();
    for page in pages {
        let out = genesys_page(page, window, &mut seen).map_err(|e| e.to_string())?;
        t.conversations += out.stats.conversations;
        for tb in out.batches {
            let tb = pii.apply(tb);
            if tb.batch.num_rows() == 0 {
                continue;
            }
            t.rows += tb.batch.num_rows() as u64;
            let idx = tables.iter().position(|x| *x == tb.table).ok_or("table")?;
            if writers[idx].is_none() {
                let f = std::fs::File::create(dir.join(format!("{}.parquet", tb.table.name())))?;
                writers[idx] = Some((
                    TableWriter::new(tb.table.schema(), Some(pii.fingerprint()))?,
                    f,
                ));
            }
            let (w, f) = writers[idx].as_mut().ok_or("writer")?;
            if let Some(b) = w.write(&tb.batch)? {
                t.parquet_bytes += b.len() as u64;
                f.write_all(&b)?;
            }
        }
    }
    for (w, mut f) in writers.into_iter().flatten() {
        let b = w.finish()?;
        t.parquet_bytes += b.len() as u64;
        f.write_all(&b)?;
    }
    Ok(t)
}

fn main() -> Result<(), BoxError> {
    // SAFETY: first thing in main, no other thread started yet.
    unsafe { cxetl::allocator::shorten_purge_delay() };
    let args = parse_args()?;
    let window_text = std::fs::read_to_string(args.pages.join("window.txt"))?;
    let (s, e) = window_text
        .trim()
        .split_once(' ')
        .ok_or("window.txt: START END")?;
    let window = Interval::parse(s, e)?;
    let mut names: Vec<PathBuf> = std::fs::read_dir(&args.pages)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    names.sort();
    let pages: Vec<Bytes> = names
        .iter()
        .map(|p| std::fs::read(p).map(Bytes::from))
        .collect::<Result<_, _>>()?;
    let json_bytes: usize = pages.iter().map(Bytes::len).sum();
    let pii = PiiPolicy::resolve(&PiiSpec {
        default: Some(args.pii.clone()),
        key: Some(cxetl::Secret::new("replay-bench-key")),
        ..Default::default()
    })?;

    let t0 = Instant::now();
    let mut total = Totals::default();
    for r in 0..args.repeat {
        let results: Vec<Result<Totals, String>> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..args.threads)
                .map(|k| {
                    let mine: Vec<&Bytes> = pages.iter().skip(k).step_by(args.threads).collect();
                    let dir = args.out.join(format!("r{r}-t{k}"));
                    let (window, pii) = (&window, &pii);
                    scope.spawn(move || {
                        run_slice(&mine, window, &dir, pii).map_err(|e| e.to_string())
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|_| Err("thread panicked".into())))
                .collect()
        });
        for r in results {
            let r = r?;
            total.conversations += r.conversations;
            total.rows += r.rows;
            total.parquet_bytes += r.parquet_bytes;
        }
    }
    let secs = t0.elapsed().as_secs_f64();
    println!(
        "{{\"pii\":\"{}\",\"pages\":{},\"json_bytes\":{},\"threads\":{},\"repeat\":{},\"conversations\":{},\"rows\":{},\"parquet_bytes\":{},\"seconds\":{:.3},\"conversations_per_s\":{:.0}}}",
        args.pii,
        pages.len(),
        json_bytes,
        args.threads,
        args.repeat,
        total.conversations,
        total.rows,
        total.parquet_bytes,
        secs,
        total.conversations as f64 / secs
    );
    Ok(())
}
