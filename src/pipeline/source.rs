//! The vendors a run can extract from, behind one small interface: plan the
//! slices, extract one slice into a consumer, name the tables and the page
//! transform.

use super::slice::PageTransform;
use crate::sources::cxone::Cxone;
use crate::sources::genesys::{ApiMode, Genesys};
use crate::sources::{PageConsumer, SliceReport};
use crate::transform::Table;
use crate::{Error, Interval, Result, Vendor};
use std::time::Duration;

/// A connected vendor source.
pub enum Source {
    /// Genesys Cloud, with the `--genesys-api` choice.
    Genesys {
        /// The extractor.
        source: Genesys,
        /// API per slice.
        mode: ApiMode,
    },
    /// NICE CXone completed contacts.
    Cxone {
        /// The extractor.
        source: Cxone,
        /// Page → batches for CXone's tables.
        transform: PageTransform,
    },
}

/// A slice of the plan, with the Genesys API chosen for it.
#[derive(Debug, Clone, Copy)]
pub struct PlannedSlice {
    /// The slice (never crosses UTC midnight).
    pub interval: Interval,
    /// Genesys: jobs or query; CXone: `None`.
    pub mode: Option<ApiMode>,
}

impl Source {
    /// The vendor.
    pub fn vendor(&self) -> Vendor {
        match self {
            Source::Genesys { .. } => Vendor::Genesys,
            Source::Cxone { .. } => Vendor::Cxone,
        }
    }

    /// Tables the vendor writes, in a fixed order.
    pub fn tables(&self) -> &'static [Table] {
        Table::for_vendor(self.vendor())
    }

    /// Page → batches.
    pub fn transform(&self) -> PageTransform {
        match self {
            Source::Genesys { .. } => crate::transform::genesys_page,
            Source::Cxone { transform, .. } => *transform,
        }
    }

    /// Splits the interval into slices (at UTC midnights and at most
    /// `slice_len` long) and, for Genesys, picks the API per slice from the
    /// data-availability date.
    pub async fn plan(
        &self,
        interval: &Interval,
        slice_len: Duration,
    ) -> Result<Vec<PlannedSlice>> {
        let len = chrono::Duration::from_std(slice_len)
            .map_err(|_| Error::Config("--slice is too long".into()))?;
        let slices = interval.slices(len);
        Ok(match self {
            Source::Genesys { source, mode } => {
                let available = match mode {
                    ApiMode::Query => None,
                    ApiMode::Auto | ApiMode::Jobs => Some(source.data_availability().await?),
                };
                slices
                    .into_iter()
                    .map(|i| PlannedSlice {
                        interval: i,
                        mode: Some(Genesys::choose_mode(*mode, &i, available)),
                    })
                    .collect()
            }
            Source::Cxone { .. } => slices
                .into_iter()
                .map(|i| PlannedSlice {
                    interval: i,
                    mode: None,
                })
                .collect(),
        })
    }

    /// Extracts one planned slice into `consumer`.
    pub async fn extract(
        &self,
        planned: &PlannedSlice,
        consumer: &mut dyn PageConsumer,
    ) -> Result<SliceReport> {
        match self {
            Source::Genesys { source, .. } => {
                let mode = planned.mode.unwrap_or(ApiMode::Auto);
                source
                    .extract_slice(&planned.interval, mode, consumer)
                    .await
            }
            Source::Cxone { source, .. } => source.extract_slice(&planned.interval, consumer).await,
        }
    }
}

/// The plan without any request (`cxetl run --dry-run`): the same slices as
/// [`Source::plan`]; Genesys slices keep the requested `mode` (`Auto` stays
/// unresolved, since resolving it needs the data-availability call); CXone
/// slices have no mode (`mode` is ignored).
pub fn plan_dry(
    vendor: Vendor,
    mode: Option<ApiMode>,
    interval: &Interval,
    slice_len: Duration,
) -> Result<Vec<PlannedSlice>> {
    let len = chrono::Duration::from_std(slice_len)
        .map_err(|_| Error::Config("--slice is too long".into()))?;
    let mode = match vendor {
        Vendor::Genesys => Some(mode.unwrap_or(ApiMode::Auto)),
        Vendor::Cxone => None,
    };
    Ok(interval
        .slices(len)
        .into_iter()
        .map(|interval| PlannedSlice { interval, mode })
        .collect())
}
