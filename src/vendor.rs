//! The vendors cxetl extracts from.

use std::fmt;

/// A contact-center platform; its name is the `vendor=` partition value.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, clap::ValueEnum, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Vendor {
    /// Genesys Cloud (analytics conversation details).
    Genesys,
    /// NICE CXone (completed contacts).
    Cxone,
}

impl Vendor {
    /// The lowercase name used in paths, summaries and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Vendor::Genesys => "genesys",
            Vendor::Cxone => "cxone",
        }
    }
}

impl fmt::Display for Vendor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
