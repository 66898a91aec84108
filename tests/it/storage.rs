//! A full disk mid-run: exit 6, and nothing torn is visible under the
//! table folders (a size-limited tmpfs stands in for the full disk).

use crate::common::subject::{END, START};
use crate::common::*;

/// A 1 MiB tmpfs at a fresh folder, unmounted on drop; `None` where this
/// process may not mount (not root).
struct SmallDisk(tempfile::TempDir);

impl SmallDisk {
    fn mount() -> Option<SmallDisk> {
        let dir = tempfile::tempdir().unwrap();
        let ok = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=1m", "tmpfs"])
            .arg(dir.path())
            .status()
            .is_ok_and(|s| s.success());
        ok.then_some(SmallDisk(dir))
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg(self.0.path())
            .status();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_exits_6_without_a_torn_file() {
    let Some(disk) = SmallDisk::mount() else {
        eprintln!("skipped: cannot mount a tmpfs here (needs root, as on the CI machine)");
        return;
    };
    let sim = Subject::Genesys.sim(4000).await;
    let lake = disk.0.path().join("lake");
    let run = Subject::Genesys.run(&sim, START, END, &lake, &[]).await;
    run.expect_code(6);
    assert!(run.stderr.contains("storage"), "{}", run.stderr);
    for t in crate::common::genesys_tables() {
        for f in table_files(&lake, t.name()) {
            // Every visible file is whole: it opens and reads to its end.
            let rows: usize = read_file(&f).iter().map(|b| b.num_rows()).sum();
            assert!(rows > 0, "{}", f.display());
        }
    }
}
