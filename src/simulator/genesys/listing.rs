//! The Genesys directory endpoints (`shared/vendor-apis/directory-and-activity.md`
//! §1): `*EntityListing` pages by `pageSize`/`pageNumber`, the users' cursor
//! variant, the unpaged presence definitions, and the 403 each answers
//! under the `forbidden` fault.
//!
//! Filters the simulator does not apply (`id[]`, `name`, `sortOrder`, …)
//! are refused with a 400 rather than silently ignored, so a client never
//! believes it filtered. `expand` is accepted and ignored: the API itself
//! resolves it "with a best effort approach and not guaranteed" [PYDOCS].

use super::api::{bad_request, platform_error};
use super::directory::{Directory, Entry};
use crate::simulator::core::{query, Reply};
use axum::http::StatusCode;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Map, Value};

const USERS: &str = "/api/v2/users";
const USERS_QUERY: &str = "/api/v2/users/query";
const QUEUES: &str = "/api/v2/routing/queues";
const WRAPUPS: &str = "/api/v2/routing/wrapupcodes";
const WRAPUP_VIEWS: &str = "/api/v2/routing/wrapupcodes/divisionviews";
const SKILLS: &str = "/api/v2/routing/skills";
const DIVISIONS: &str = "/api/v2/authorization/divisions";
const DELETED_DIVISIONS: &str = "/api/v2/authorization/divisions/deleted";
const PRESENCE: &str = "/api/v2/presence/definitions";

/// "inactive GetUsers requests return 400 beyond 10,000 users" [TF
/// `user` proxy, DEVTOOLING-862]. Whether other states share the cap is
/// UNCONFIRMED; the simulator caps `inactive` only.
const INACTIVE_CAP: usize = 10_000;
/// The list endpoints' maximum `pageSize` is UNCONFIRMED (§1.0); 500 is
/// what the official exporter uses and a guide states for users.
const MAX_PAGE_SIZE: usize = 500;
const PAGING: &[&str] = &["pageSize", "pageNumber"];

/// The permission each listing requires and whether it needs ALL of them
/// (`missing.permissions`) or ANY (`missing.any.permissions`) [PYDOCS].
/// Users and divisions "Require no permissions": the fault passes them.
fn required(path: &str) -> Option<(bool, &'static str)> {
    Some(match path {
        USERS_QUERY => (false, "directory:user:view"),
        QUEUES => (false, "routing:queue:view"),
        WRAPUPS => (true, "routing:wrapupCode:view"),
        WRAPUP_VIEWS => (true, "routing:wrapupCode:search"),
        SKILLS => (false, "routing:skill:view"),
        DELETED_DIVISIONS => (false, "authorization:divisionDeleted:view"),
        PRESENCE => (true, "presence:presenceDefinition:view"),
        _ => return None,
    })
}

/// The `forbidden` fault's 403 for a directory path that needs a
/// permission (message templates: genesys.md §1.4).
pub(super) fn forbidden(path: &str, ctx: &str) -> Option<Reply> {
    let (all, perm) = required(path)?;
    let (code, msg) = if all {
        (
            "missing.permissions",
            format!("Unable to perform the requested action. You are missing the following permission(s): [{perm}]"),
        )
    } else {
        (
            "missing.any.permissions",
            format!("Unable to perform the requested action. You must have at least one of the following permissions assigned: [{perm}]"),
        )
    };
    Some(platform_error(StatusCode::FORBIDDEN, code, &msg, ctx))
}

/// Answers `GET path?query` if `path` is a directory listing.
pub(super) fn serve(dir: &Directory, path: &str, query: &str, ctx: &str) -> Option<Reply> {
    let params = query::parse(query);
    let page = |allowed: &[&str], items: Vec<&Value>| {
        accept(&params, allowed)?;
        let (size, number) = paging(&params)?;
        Ok(entity_listing(path, &params, &items, size, number))
    };
    let reply: Result<Reply, String> = match path {
        USERS => users(dir, path, &params),
        USERS_QUERY => users_query(dir, &params),
        QUEUES => page(PAGING, dir.queues.iter().collect()),
        WRAPUPS => page(PAGING, listed(&dir.wrapups, false)),
        WRAPUP_VIEWS => {
            let items = match query::get(&params, "includeState").unwrap_or("Active") {
                "Active" => listed(&dir.wrapups, false),
                "Deleted" => listed(&dir.wrapups, true),
                "ActiveAndDeleted" => dir.wrapups.iter().map(|e| &e.json).collect(),
                s => return Some(bad_request(&format!("Invalid includeState '{s}'"), ctx)),
            };
            page(&["pageSize", "pageNumber", "includeState"], items)
        }
        SKILLS => page(PAGING, dir.skills.iter().collect()),
        DIVISIONS => page(PAGING, listed(&dir.divisions, false)),
        DELETED_DIVISIONS => page(PAGING, listed(&dir.divisions, true)),
        PRESENCE => presence(dir, path, query, &params),
        _ => return None,
    };
    Some(reply.unwrap_or_else(|m| bad_request(&m, ctx)))
}

/// The entries of `v` that are (or are not) deleted.
fn listed(v: &[Entry], deleted: bool) -> Vec<&Value> {
    v.iter()
        .filter(|e| e.deleted == deleted)
        .map(|e| &e.json)
        .collect()
}

/// Refuses parameters the simulator would not honour (`expand` aside).
fn accept(params: &[(String, String)], allowed: &[&str]) -> Result<(), String> {
    match params
        .iter()
        .find(|(k, _)| k != "expand" && !allowed.contains(&k.as_str()))
    {
        Some((k, _)) => Err(format!(
            "Query parameter '{k}' is not supported by the simulator"
        )),
        None => Ok(()),
    }
}

fn number(params: &[(String, String)], name: &str, default: usize) -> Result<usize, String> {
    query::get(params, name).map_or(Ok(default), |v| {
        v.parse()
            .map_err(|_| format!("Invalid value '{v}' for {name}"))
    })
}

/// `pageSize`, 25 by default [PYDOCS].
fn page_size(params: &[(String, String)]) -> Result<usize, String> {
    let size = number(params, "pageSize", 25)?;
    if !(1..=MAX_PAGE_SIZE).contains(&size) {
        return Err(format!(
            "pageSize {size} is out of range: maximum is {MAX_PAGE_SIZE}"
        ));
    }
    Ok(size)
}

/// `pageSize` and `pageNumber` (default 1) [PYDOCS].
fn paging(params: &[(String, String)]) -> Result<(usize, usize), String> {
    let size = page_size(params)?;
    let page = number(params, "pageNumber", 1)?;
    if page < 1 {
        return Err("pageNumber must be at least 1".to_string());
    }
    Ok((size, page))
}

/// The `*EntityListing` envelope (§1.0). URIs are relative, the client's
/// request with only the paging changed; absent ones are omitted.
fn entity_listing(
    path: &str,
    params: &[(String, String)],
    items: &[&Value],
    size: usize,
    number: usize,
) -> Reply {
    let total = items.len();
    let pages = total.div_ceil(size);
    let uri = |n: usize| {
        let q = query::with(
            params,
            &[
                ("pageSize", size.to_string()),
                ("pageNumber", n.to_string()),
            ],
        );
        Value::from(format!("{path}?{q}"))
    };
    let from = ((number - 1) * size).min(total);
    let entities: Vec<&Value> = items[from..(from + size).min(total)].to_vec();
    let mut body = Map::new();
    body.insert("entities".into(), json!(entities));
    body.insert("pageSize".into(), size.into());
    body.insert("pageNumber".into(), number.into());
    body.insert("total".into(), total.into());
    body.insert("pageCount".into(), pages.into());
    body.insert("firstUri".into(), uri(1));
    body.insert("selfUri".into(), uri(number));
    body.insert("lastUri".into(), uri(pages.max(1)));
    if number < pages {
        body.insert("nextUri".into(), uri(number + 1));
    }
    if number > 1 {
        body.insert("previousUri".into(), uri(number - 1));
    }
    Reply::json(StatusCode::OK, serde_json::to_vec(&body).expect("json"))
}

/// Users in `state` (`active`, `inactive`, `deleted`, or `any` for all
/// three) [PYDOCS].
fn in_state<'a>(dir: &'a Directory, state: &str) -> Result<Vec<&'a Value>, String> {
    if !matches!(state, "active" | "inactive" | "deleted" | "any") {
        return Err(format!(
            "Invalid state '{state}'. Valid values: active, inactive, deleted, any"
        ));
    }
    Ok(dir
        .users
        .iter()
        .filter(|u| state == "any" || u["state"] == state)
        .collect())
}

/// The `state` asked for; `active` by default [PYDOCS].
fn state(params: &[(String, String)]) -> &str {
    query::get(params, "state").unwrap_or("active")
}

fn users(dir: &Directory, path: &str, params: &[(String, String)]) -> Result<Reply, String> {
    accept(params, &["pageSize", "pageNumber", "state"])?;
    let state = state(params);
    let users = in_state(dir, state)?;
    let (size, number) = paging(params)?;
    if state == "inactive" && (number - 1) * size >= INACTIVE_CAP {
        return Err(format!(
            "Paging beyond {INACTIVE_CAP} results is not supported for inactive users"
        ));
    }
    Ok(entity_listing(path, params, &users, size, number))
}

/// `GET /api/v2/users/query`: `UserCursorEntityListing {entities, nextUri,
/// selfUri, results, cursor}` [SDK269]; the cursor is opaque and names
/// the state it pages through.
fn users_query(dir: &Directory, params: &[(String, String)]) -> Result<Reply, String> {
    accept(params, &["pageSize", "state", "cursor"])?;
    let state = state(params);
    let users = in_state(dir, state)?;
    let size = page_size(params)?;
    let from = match query::get(params, "cursor") {
        None => 0,
        Some(c) => decode_cursor(state, c).ok_or("Invalid cursor")?,
    };
    let page: Vec<&Value> = users[from.min(users.len())..(from + size).min(users.len())].to_vec();
    let self_uri = format!("{USERS_QUERY}?{}", query::with(params, &[]));
    let mut body = Map::new();
    body.insert("results".into(), page.len().into());
    body.insert("entities".into(), json!(page));
    body.insert("selfUri".into(), self_uri.into());
    if from + size < users.len() {
        let cursor = encode_cursor(state, from + size);
        let next = query::with(params, &[("cursor", cursor.clone())]);
        body.insert("nextUri".into(), format!("{USERS_QUERY}?{next}").into());
        body.insert("cursor".into(), cursor.into());
    }
    Ok(Reply::json(
        StatusCode::OK,
        serde_json::to_vec(&body).expect("json"),
    ))
}

fn encode_cursor(state: &str, offset: usize) -> String {
    URL_SAFE_NO_PAD.encode(format!("users:{state}:{offset}"))
}

fn decode_cursor(state: &str, cursor: &str) -> Option<usize> {
    let raw = String::from_utf8(URL_SAFE_NO_PAD.decode(cursor).ok()?).ok()?;
    let rest = raw.strip_prefix("users:")?.strip_prefix(state)?;
    rest.strip_prefix(':')?.parse().ok()
}

/// `GET /api/v2/presence/definitions`: no paging, `{total, entities,
/// selfUri}`, `deactivated` "TRUE or FALSE" (default false) [PYDOCS;
/// SDK269]. Clients call it once per value to get all (§1.9).
fn presence(
    dir: &Directory,
    path: &str,
    query: &str,
    params: &[(String, String)],
) -> Result<Reply, String> {
    accept(params, &["deactivated"])?;
    let off = match query::get(params, "deactivated").unwrap_or("false") {
        v if v.eq_ignore_ascii_case("true") => true,
        v if v.eq_ignore_ascii_case("false") => false,
        v => {
            return Err(format!(
                "Invalid value '{v}' for deactivated: TRUE or FALSE"
            ))
        }
    };
    let items: Vec<&Value> = dir
        .presence
        .iter()
        .filter(|p| p["deactivated"] == off)
        .collect();
    let self_uri = if query.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{query}")
    };
    let body = json!({"total": items.len(), "entities": items, "selfUri": self_uri});
    Ok(Reply::json(
        StatusCode::OK,
        serde_json::to_vec(&body).expect("json"),
    ))
}
