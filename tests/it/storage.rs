//! A full or read-only disk: exit 6, and nothing torn is visible under the
//! table folders (a size-limited tmpfs stands in for the full disk).

use crate::common::subject::{END, START};
use crate::common::*;

/// A 1 MiB tmpfs at a fresh folder, unmounted on drop; `None` where this
/// process may not mount (not root).
struct SmallDisk(tempfile::TempDir);

impl SmallDisk {
    fn mount() -> Option<SmallDisk> {
        Self::mount_with("size=1m")
    }

    /// Read-only: even root cannot write there (mode bits would not stop it).
    fn mount_read_only() -> Option<SmallDisk> {
        Self::mount_with("size=1m,ro")
    }

    fn mount_with(options: &str) -> Option<SmallDisk> {
        let dir = tempfile::tempdir().unwrap();
        let ok = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", options, "tmpfs"])
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_only_output_exits_6_before_any_vendor_request() {
    let Some(disk) = SmallDisk::mount_read_only() else {
        eprintln!("skipped: cannot mount a tmpfs here (needs root, as on the CI machine)");
        return;
    };
    let sim = Subject::Genesys.sim(50).await;
    let run = Subject::Genesys
        .run(&sim, START, END, disk.0.path(), &[])
        .await;
    run.expect_code(6);
    assert!(
        sim.request_log().is_empty(),
        "the output preflight fails first"
    );
    assert!(all_files(disk.0.path()).is_empty(), "nothing written");
}
