//! A response before headers are attached, and how it goes on the wire
//! (including the connection drop `reset_every` asks for).

use axum::body::Body;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::Response;
use bytes::Bytes;

/// What a response is, before headers are attached.
pub(crate) struct Reply {
    pub status: StatusCode,
    pub body: Bytes,
    /// Empty = no `Content-Type` (a 204).
    pub content_type: &'static str,
    pub retry_after: Option<u32>,
    /// Send the headers and `body`, then drop the connection.
    pub reset: bool,
    /// Vendor-specific extras (`Cache-Control`, `icStatusDescription`, …).
    pub headers: Vec<(HeaderName, HeaderValue)>,
    /// The id of the access token a token request was granted, for the log.
    pub issued: Option<u64>,
}

impl Reply {
    pub(crate) fn new(
        status: StatusCode,
        content_type: &'static str,
        body: impl Into<Bytes>,
    ) -> Reply {
        Reply {
            status,
            body: body.into(),
            content_type,
            retry_after: None,
            reset: false,
            headers: Vec::new(),
            issued: None,
        }
    }

    pub(crate) fn json(status: StatusCode, body: impl Into<Bytes>) -> Reply {
        Reply::new(status, "application/json", body)
    }

    /// The load balancer's HTML error page in front of either vendor.
    pub(crate) fn gateway_error(status: u16) -> Reply {
        let text = match status {
            502 => "502 Bad Gateway",
            504 => "504 Gateway Time-out",
            _ => "503 Service Temporarily Unavailable",
        };
        Reply::new(
            StatusCode::from_u16(status).expect("valid status"),
            "text/html",
            format!("<html><body><h1>{text}</h1></body></html>"),
        )
    }

    pub(super) fn into_response(self, headers: HeaderMap) -> Response {
        let body = if self.reset {
            // Headers and a first chunk go out, then the body stream fails and
            // hyper aborts the connection mid-message, as a dropped LB would.
            let first = self.body;
            let stream = futures::stream::unfold(0u8, move |step| {
                let first = first.clone();
                async move {
                    match step {
                        0 => Some((Ok::<Bytes, std::io::Error>(first), 1)),
                        1 => {
                            // Let hyper flush the first chunk before the failure.
                            tokio::task::yield_now().await;
                            Some((
                                Err(std::io::Error::new(
                                    std::io::ErrorKind::ConnectionReset,
                                    "simulated connection reset",
                                )),
                                2,
                            ))
                        }
                        _ => None,
                    }
                }
            });
            Body::from_stream(stream)
        } else {
            Body::from(self.body)
        };
        let mut resp = Response::new(body);
        *resp.status_mut() = self.status;
        *resp.headers_mut() = headers;
        resp
    }
}
