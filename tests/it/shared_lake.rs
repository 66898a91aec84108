//! Both vendors in one lake: one `conversations` table with identical
//! column types, and the demo's summaries agree with the Parquet it wrote.

use crate::common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_vendors_share_one_conversations_table() {
    let genesys = start(small_config(300)).await;
    let cxone = Subject::Cxone.sim(300).await;
    let out = tempfile::tempdir().unwrap();
    Subject::Genesys
        .run(&genesys, "2026-11-20", "2026-11-22", out.path(), &[])
        .await
        .expect_code(0);
    Subject::Cxone
        .run(&cxone, "2026-11-20", "2026-11-22", out.path(), &[])
        .await
        .expect_code(0);
    let files = table_files(out.path(), "conversations");
    assert!(files
        .iter()
        .any(|f| f.to_str().unwrap().contains("vendor=genesys")));
    assert!(files
        .iter()
        .any(|f| f.to_str().unwrap().contains("vendor=cxone")));
    let schemas: Vec<_> = files
        .iter()
        .map(|f| {
            parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(
                std::fs::File::open(f).unwrap(),
            )
            .unwrap()
            .schema()
            .clone()
        })
        .collect();
    assert!(
        schemas.windows(2).all(|w| w[0].fields() == w[1].fields()),
        "identical column types across vendors"
    );
    let i = crate::common::subject::whole();
    let got = conversations(out.path());
    assert_eq!(
        got.rows,
        genesys.ground_truth(&i).count + cxone.ground_truth(&i).count
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_summary_matches_the_parquet_it_wrote() {
    let out = tempfile::tempdir().unwrap();
    let args: Vec<String> = ["demo", "--conversations", "1500", "--output"]
        .iter()
        .map(|s| s.to_string())
        .chain([out.path().display().to_string()])
        .collect();
    let run = cxetl_with_env(&args, &[]).await;
    run.expect_code(0);
    // One summary line per vendor; the last stdout line is CXone's.
    let summaries: Vec<serde_json::Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(summaries.len(), 2);
    assert_eq!(summaries[0]["vendor"], "genesys");
    assert_eq!(summaries[1]["vendor"], "cxone");
    assert_eq!(run.summary()["vendor"], "cxone");
    let got = conversations(out.path());
    let total: u64 = summaries
        .iter()
        .map(|s| s["conversations"].as_u64().unwrap())
        .sum();
    let duration: i64 = summaries
        .iter()
        .map(|s| s["total_duration_ms"].as_i64().unwrap())
        .sum();
    assert_eq!(total as usize, got.rows);
    assert_eq!(duration, got.duration_ms_sum);
    assert_eq!(got.ids.len(), got.rows, "no duplicates");
    for s in &summaries {
        let vendor = s["vendor"].as_str().unwrap();
        for (table, rows) in s["tables"].as_object().unwrap() {
            let n: usize = table_files(out.path(), table)
                .iter()
                .filter(|p| p.to_str().unwrap().contains(&format!("vendor={vendor}")))
                .flat_map(|p| read_file(p))
                .map(|b| b.num_rows())
                .sum();
            assert_eq!(rows.as_u64().unwrap() as usize, n, "{vendor} {table}");
        }
        let bytes: u64 = s["files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["bytes"].as_u64().unwrap())
            .sum();
        let on_disk: u64 = s["files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                std::fs::metadata(out.path().join(f["path"].as_str().unwrap()))
                    .unwrap()
                    .len()
            })
            .sum();
        assert_eq!(bytes, on_disk, "{vendor}");
        assert!(
            s["http"]["retries"].as_u64().unwrap() > 0,
            "{vendor}: the demo shows faults being absorbed"
        );
    }
}
