//! The vendors cxetl extracts from, one folder each: everything about a
//! platform lives in its folder, and nothing outside names its fields.

pub mod cxone;
pub mod genesys;

use crate::connector::Connector;
use std::fmt;
use std::sync::Arc;

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

/// A vendor's resolved settings section.
#[derive(Debug, Clone)]
pub enum VendorSettings {
    /// `[genesys]`.
    Genesys(genesys::settings::GenesysSettings),
    /// `[cxone]`.
    Cxone(cxone::settings::CxoneSettings),
}

impl VendorSettings {
    /// Whose settings these are.
    pub fn vendor(&self) -> Vendor {
        match self {
            VendorSettings::Genesys(_) => Vendor::Genesys,
            VendorSettings::Cxone(_) => Vendor::Cxone,
        }
    }
}

/// The connector for the settings' vendor: the one place `run`, `check`,
/// `demo` and `--dry-run` get a vendor from. Touches no network.
pub fn connect(settings: &crate::settings::Settings) -> crate::Result<Arc<dyn Connector>> {
    let http = settings.http.clone();
    Ok(match &settings.vendor {
        VendorSettings::Genesys(s) => {
            Arc::new(genesys::connector::GenesysConnector::new(s.clone(), http)?)
        }
        VendorSettings::Cxone(s) => {
            Arc::new(cxone::connector::CxoneConnector::new(s.clone(), http)?)
        }
    })
}
