//! The two streams read from analytics detail APIs — `conversations` and
//! `user_activity` — differ only in the API, their tables and their
//! transform: the plan (jobs up to the data-availability date, the query
//! after it) and the extraction are one.

use super::settings::ApiMode;
use super::{Details, Genesys};
use crate::connector::{PageConsumer, PageTransform, SliceReport, Stream, StreamKind, Work};
use crate::transform::{PageError, PageOutput, SeenIds, Table};
use crate::{Interval, Result};
use futures::future::BoxFuture;
use std::sync::Arc;

/// A page transform of a detail API.
type Transform = fn(&[u8], &Interval, &mut SeenIds) -> std::result::Result<PageOutput, PageError>;

/// An interval stream over one analytics detail API.
pub(super) struct DetailStream {
    name: &'static str,
    api: Arc<Genesys>,
    tables: Vec<Table>,
    transform: Transform,
}

impl DetailStream {
    pub(super) fn new(
        name: &'static str,
        api: &Genesys,
        details: &'static Details,
        tables: &[&str],
        transform: Transform,
    ) -> Self {
        DetailStream {
            name,
            api: Arc::new(api.on(details)),
            tables: tables.iter().map(|t| Table::named(t)).collect(),
            transform,
        }
    }
}

impl Stream for DetailStream {
    fn name(&self) -> &'static str {
        self.name
    }

    fn kind(&self) -> StreamKind {
        StreamKind::Interval
    }

    fn tables(&self) -> &[Table] {
        &self.tables
    }

    fn transform(&self) -> PageTransform {
        Arc::new(self.transform)
    }

    fn plan_offline(&self, slices: &[Interval]) -> Vec<Work> {
        Work::each(slices, self.api.settings.api.as_str())
    }

    fn plan<'a>(&'a self, slices: &'a [Interval]) -> BoxFuture<'a, Result<Vec<Work>>> {
        Box::pin(async move {
            let mode = self.api.settings.api;
            let available = match mode {
                ApiMode::Query => None,
                ApiMode::Auto | ApiMode::Jobs => Some(self.api.data_availability().await?),
            };
            Ok(slices
                .iter()
                .map(|&interval| {
                    // What is queried must be complete: the slice, or its whole day.
                    let queried = self.api.window(&interval);
                    Work {
                        interval,
                        api: Genesys::choose_mode(mode, &queried, available).as_str(),
                    }
                })
                .collect())
        })
    }

    fn extract<'a>(
        &'a self,
        work: &'a Work,
        consumer: &'a mut dyn PageConsumer,
    ) -> BoxFuture<'a, Result<SliceReport>> {
        Box::pin(async move {
            let mode = ApiMode::parse(work.api)?;
            self.api.extract_slice(&work.interval, mode, consumer).await
        })
    }
}
