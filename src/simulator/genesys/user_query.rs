//! `POST /api/v2/analytics/users/details/query` and `…/users/details/jobs`
//! (`directory-and-activity.md` §2.1, §2.3): the request bodies, their
//! limits, and the sync query's paging quirk.
//!
//! Interval semantics (UNCONFIRMED for both, §2.2–2.3; the simulator's
//! choice): a period comes back when it overlaps the interval, once per
//! UTC day the interval touches that it is stored on (see
//! [`super::activity`]). Jobs use the same rows as the query.

use super::activity::Row;
use super::api::{bad_request, check_span, descending, paging, parse_interval, Paging};
use super::jobs::Family;
use super::Genesys;
use crate::simulator::core::{App, Reply};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::Value;
use std::collections::HashSet;

/// `UserDetailsQuery` / `AsyncUserDetailsQuery` fields the simulator acts
/// on [SDK269].
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UserQueryBody {
    interval: Option<String>,
    order: Option<String>,
    paging: Option<Paging>,
    user_filters: Option<Vec<Value>>,
    presence_filters: Option<Vec<Value>>,
    routing_status_filters: Option<Vec<Value>>,
    limit: Option<i64>,
}

/// What a users query asks for, checked.
struct UserQuery {
    body: UserQueryBody,
    window: (i64, i64),
    /// Users named by `userFilters`; `None` = all.
    only: Option<HashSet<usize>>,
    desc: bool,
}

impl Genesys {
    /// The body, its interval and its user filter, or the 400 they earn.
    fn user_query(&self, raw: &[u8], ctx: &str) -> Result<UserQuery, Reply> {
        let body: UserQueryBody = serde_json::from_slice(raw)
            .map_err(|e| bad_request(&format!("Unable to parse the request body: {e}"), ctx))?;
        let window = parse_interval(body.interval.as_deref()).map_err(|m| bad_request(&m, ctx))?;
        let desc = descending(body.order.as_deref()).map_err(|m| bad_request(&m, ctx))?;
        // Presence and routing-status filters would cut periods out of
        // rows; rather than ignore them, the simulator refuses them.
        let unsupported = |f: &Option<Vec<Value>>| f.as_ref().is_some_and(|f| !f.is_empty());
        if unsupported(&body.presence_filters) || unsupported(&body.routing_status_filters) {
            return Err(bad_request(
                "presenceFilters and routingStatusFilters are not supported by the simulator",
                ctx,
            ));
        }
        let only = match body.user_filters.as_deref() {
            None | Some([]) => None,
            Some(filters) => Some(
                self.filtered_users(filters)
                    .map_err(|m| bad_request(&m, ctx))?,
            ),
        };
        check_span(window.0, window.1, only.is_some(), ctx)?;
        Ok(UserQuery {
            body,
            window,
            only,
            desc,
        })
    }

    /// The users `userFilters` match: the `value` of every `userId`
    /// predicate, in any clause ("User filters may use only userId"
    /// [DEVDOC-UQ]). Unknown ids match nobody.
    fn filtered_users(&self, filters: &[Value]) -> Result<HashSet<usize>, String> {
        let mut out = HashSet::new();
        let mut stack: Vec<&Value> = filters.iter().collect();
        while let Some(f) = stack.pop() {
            stack.extend(f["clauses"].as_array().into_iter().flatten());
            for p in f["predicates"].as_array().into_iter().flatten() {
                if p["dimension"] != "userId" {
                    return Err(format!(
                        "Invalid user filter dimension {}: only userId is allowed",
                        p["dimension"]
                    ));
                }
                if let Some(u) = p["value"]
                    .as_str()
                    .and_then(|v| self.activity.user_index(v))
                {
                    out.insert(u);
                }
            }
        }
        Ok(out)
    }

    /// `{userDetails, totalHits}`: `totalHits` counts stored rows, a page is
    /// `pageSize` of them with the in-page duplicates filtered out, so a
    /// page may be short and is not an end-of-data signal (§2.1).
    pub(super) fn user_details_query(&self, raw: &[u8], ctx: &str) -> Reply {
        let (q, (page_size, page_number)) = match self
            .user_query(raw, ctx)
            .and_then(|q| paging(q.body.paging.as_ref(), ctx).map(|p| (q, p)))
        {
            Ok(x) => x,
            Err(r) => return r,
        };
        let (s, e) = q.window;
        let rows = self.user_rows(&q);
        let total = rows.len();
        let from = (((page_number - 1) * page_size) as usize).min(total);
        let to = (from + page_size as usize).min(total);
        let mut out = Vec::with_capacity((to - from) * 1200 + 64);
        out.extend_from_slice(b"{\"userDetails\":");
        self.activity
            .push_rows(&mut out, &rows[from..to], s, e, true);
        out.extend_from_slice(b",\"totalHits\":");
        out.extend_from_slice(total.to_string().as_bytes());
        out.push(b'}');
        Reply::json(StatusCode::OK, out)
    }

    /// 202 `{jobId}` over the rows the same query would page through.
    pub(super) fn create_user_job(&self, app: &App, raw: &[u8], ctx: &str) -> Reply {
        let q = match self.user_query(raw, ctx) {
            Ok(q) => q,
            Err(r) => return r,
        };
        let rows = self.user_rows(&q);
        self.submit(app, Family::Users, q.window, rows, q.body.limit)
    }

    /// The rows `q` selects, in its order.
    fn user_rows(&self, q: &UserQuery) -> Vec<Row> {
        let mut rows = self.activity.rows(q.window.0, q.window.1, q.only.as_ref());
        if q.desc {
            rows.reverse();
        }
        rows
    }
}
