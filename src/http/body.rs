//! Reading response bodies with a ceiling.
//!
//! A server that streams without end (or announces gigabytes) must not take
//! the process's memory with it: the limit is enforced while the body
//! arrives, and a `Content-Length` above it fails before the first byte is
//! read. Exceeding it is a transport failure like a reset, so callers retry
//! it within their budget.

use bytes::Bytes;

/// The ceiling for token and discovery answers, which are a few kilobytes.
pub(crate) const SMALL_BODY_LIMIT: u64 = 1 << 20;

/// Why a body could not be read whole.
#[derive(Debug, thiserror::Error)]
pub(crate) enum BodyError {
    #[error("the response body exceeds the {} limit for {}{}", human(*limit), what, announced.map(|n| format!(" (it announced {n} bytes)")).unwrap_or_default())]
    TooLarge {
        limit: u64,
        /// Which answers the limit is for ("API result pages").
        what: &'static str,
        /// The `Content-Length` when that alone broke the limit.
        announced: Option<u64>,
    },
    #[error("{}", super::describe_reqwest_error(.0))]
    Transport(#[from] reqwest::Error),
}

/// Reads `response` whole into a buffer from `buffer(expected length)`,
/// failing as soon as more than `limit` bytes are announced or received.
pub(crate) async fn read_limited(
    mut response: reqwest::Response,
    limit: u64,
    what: &'static str,
    buffer: impl FnOnce(usize) -> Vec<u8>,
) -> Result<Bytes, BodyError> {
    let too_large = |announced| BodyError::TooLarge {
        limit,
        what,
        announced,
    };
    let expected = response.content_length().unwrap_or(0);
    if expected > limit {
        return Err(too_large(Some(expected)));
    }
    let mut body = buffer(usize::try_from(expected).unwrap_or(usize::MAX));
    while let Some(chunk) = response.chunk().await? {
        if (body.len() + chunk.len()) as u64 > limit {
            return Err(too_large(None));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Bytes::from(body))
}

/// `limit` in the unit a person would set it in.
fn human(limit: u64) -> String {
    if limit >= 1 << 20 && limit % (1 << 20) == 0 {
        format!("{} MB", limit >> 20)
    } else {
        format!("{limit} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_is_named_in_its_unit() {
        let e = BodyError::TooLarge {
            limit: 256 << 20,
            what: "API result pages",
            announced: Some(1 << 40),
        };
        assert_eq!(
            e.to_string(),
            "the response body exceeds the 256 MB limit for API result pages (it announced 1099511627776 bytes)"
        );
        assert_eq!(human(1000), "1000 bytes");
    }
}
