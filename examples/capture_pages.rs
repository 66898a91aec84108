//! Captures raw Genesys API pages from the in-process simulator to a folder,
//! for re-transforming without API calls (`examples/replay_pages.rs`) and for
//! the DuckDB side-by-side in `scripts/bench.sh`.
//!
//! ```sh
//! cargo run --release --example capture_pages -- --conversations 100000 --out target/bench/pages
//! ```
//!
//! Writes `page-000001.json`… (async-job result pages of `--page-size`
//! conversations, participant attributes included, exactly as served) and
//! `window.txt` (`START END` of the data, RFC 3339).

use std::path::PathBuf;
use std::time::Instant;

#[path = "../benches/common/sim_pages.rs"]
mod sim_pages;

struct Args {
    conversations: usize,
    out: PathBuf,
    page_size: u32,
    query: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut a = Args {
        conversations: 100_000,
        out: PathBuf::from("target/bench/pages"),
        page_size: 1000,
        query: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut val = || it.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--conversations" => a.conversations = val()?.parse().map_err(|e| format!("{e}"))?,
            "--out" => a.out = PathBuf::from(val()?),
            "--page-size" => a.page_size = val()?.parse().map_err(|e| format!("{e}"))?,
            "--query" => a.query = true,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(a)
}

fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let args = parse_args()?;
    std::fs::create_dir_all(&args.out)?;
    for e in std::fs::read_dir(&args.out)? {
        let p = e?.path();
        if p.extension().is_some_and(|x| x == "json") {
            std::fs::remove_file(p)?;
        }
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    rt.block_on(async {
        let t0 = Instant::now();
        let cfg = sim_pages::one_day_config(args.conversations);
        let day = cfg.interval;
        let sim = cxetl::simulator::start(cfg, 0).await?;
        let generated = t0.elapsed();
        let s = sim_pages::Session::connect(&sim).await?;
        let pages = if args.query {
            s.query_pages(&day, args.page_size.min(100), usize::MAX).await?
        } else {
            s.job_pages(&day, args.page_size, usize::MAX).await?
        };
        sim.shutdown();
        let mut bytes = 0usize;
        for (i, p) in pages.iter().enumerate() {
            bytes += p.len();
            std::fs::write(args.out.join(format!("page-{:06}.json", i + 1)), p)?;
        }
        std::fs::write(
            args.out.join("window.txt"),
            format!(
                "{} {}\n",
                cxetl::interval::fmt_rfc3339(day.start()),
                cxetl::interval::fmt_rfc3339(day.end())
            ),
        )?;
        println!(
            "{{\"pages\":{},\"bytes\":{},\"conversations\":{},\"generate_s\":{:.3},\"total_s\":{:.3},\"out\":{:?}}}",
            pages.len(),
            bytes,
            args.conversations,
            generated.as_secs_f64(),
            t0.elapsed().as_secs_f64(),
            args.out.display().to_string()
        );
        Ok(())
    })
}
