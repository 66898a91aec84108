//! The synchronous details query, paged by `pageNumber`.

use super::{Genesys, SliceReport};
use crate::connector::{PageConsumer, PageGuard};
use crate::http::{ApiRequest, HttpError};
use crate::{Interval, Result};
use serde_json::json;

/// Next query page after one was consumed, or `None` when done: an empty
/// page, or `pageNumber * pageSize` reaching `totalHits`. Without
/// `totalHits` paging goes on to the first empty page.
pub(crate) fn next_page(
    page_number: u32,
    page_size: u32,
    records: usize,
    total_hits: Option<u64>,
) -> Option<u32> {
    if records == 0 {
        return None;
    }
    match total_hits {
        Some(total) if u64::from(page_number) * u64::from(page_size) >= total => None,
        _ => Some(page_number + 1),
    }
}

/// After halving the page size, the page number that resumes at or before
/// the first record not yet read (a re-read record is de-duplicated by the
/// consumer; a skipped one would be lost).
pub(crate) fn resume_page(page_number: u32, old_size: u32, new_size: u32) -> u32 {
    let consumed = u64::from(page_number - 1) * u64::from(old_size);
    u32::try_from(consumed / u64::from(new_size.max(1)) + 1).unwrap_or(u32::MAX)
}

impl Genesys {
    pub(super) async fn extract_with_query(
        &self,
        slice: &Interval,
        consumer: &mut dyn PageConsumer,
    ) -> Result<SliceReport> {
        let url = self.details_url("query")?;
        let mut report = SliceReport::default();
        let mut page_size = self.settings.page_size_query.max(1);
        let mut page_number = 1u32;
        let mut guard = PageGuard::new(
            format!("{} query for {slice}", self.details.what),
            page_size,
        );
        loop {
            let mut body = self.query_body(&self.window(slice));
            body["paging"] = json!({ "pageSize": page_size, "pageNumber": page_number });
            let resp = match self
                .client
                .send(&ApiRequest::post_json(
                    url.clone(),
                    &body,
                    self.details.permission,
                ))
                .await
            {
                Ok(resp) => resp,
                Err(HttpError::Status {
                    status: 400,
                    message,
                    ..
                }) if message.contains("response.entity.too.large") && page_size > 1 => {
                    let smaller = page_size / 2;
                    tracing::warn!(slice = %slice, page_size, smaller, "query page too large for Genesys; halving pageSize");
                    page_number = resume_page(page_number, page_size, smaller);
                    page_size = smaller;
                    continue;
                }
                Err(e) => return Err(e.into()),
            };
            let meta = consumer.consume(resp.body).await?;
            guard.page(&meta)?;
            report.pages += 1;
            if report.pages == 1 {
                report.api_total_hits = meta.total_hits;
            }
            tracing::debug!(slice = %slice, page_number, records = meta.records, total_hits = meta.total_hits, "query page");
            match next_page(page_number, page_size, meta.records, meta.total_hits) {
                Some(next) => page_number = next,
                None => return Ok(report),
            }
        }
    }
}
