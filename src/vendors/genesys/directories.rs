//! Genesys directories as snapshot streams: users, queues, wrap-up codes,
//! skills, divisions and presence definitions, each listed whole into
//! `snapshot_date=<today>` (fact sheet `directory-and-activity.md` §1).
//!
//! Deleted and inactive entries are included wherever the API can list
//! them, so the ids old conversations reference still join: users through
//! the cursor endpoint with `state=any` (the numbered listing answers 400
//! beyond 10,000 inactive users, §1.1), wrap-up codes through the division
//! views with `includeState=ActiveAndDeleted` (§1.3), divisions plus
//! `/divisions/deleted` (§1.6), presence definitions with `deactivated`
//! false and true (§1.9).

use super::{endpoint, Genesys};
use crate::connector::{
    PageConsumer, PageGuard, PageMeta, PageTransform, Probe, SliceReport, Stream, StreamKind, Work,
};
use crate::http::ApiRequest;
use crate::transform::json_table::{self, JsonTable};
use crate::transform::{PageError, PageOutput, SeenIds, Table};
use crate::{Interval, Result};
use futures::future::BoxFuture;
use std::sync::Arc;

/// How a listing pages.
#[derive(Debug, Clone, Copy)]
enum Paging {
    /// `pageNumber` 1.. until `pageNumber × pageSize ≥ total` or an empty page.
    Numbered,
    /// `cursor` from each answer until there is none.
    Cursor,
    /// One answer holds everything.
    Whole,
}

/// One request sequence of a directory.
struct Listing {
    path: &'static str,
    query: &'static [(&'static str, &'static str)],
    paging: Paging,
    page_size: u32,
    /// Named on a 403 when Genesys does not name the permission.
    permission: &'static str,
}

/// A directory: its listings and how its records fill its tables.
struct Spec {
    name: &'static str,
    listings: &'static [Listing],
    tables: &'static [(&'static str, &'static [(&'static str, &'static str)])],
}

const DIVISION: [(&str, &str); 2] = [
    ("division_id", "division.id"),
    ("division_name", "division.name"),
];

const SPECS: &[Spec] = &[
    Spec {
        name: "users",
        listings: &[Listing {
            path: "api/v2/users/query",
            query: &[("state", "any")],
            paging: Paging::Cursor,
            page_size: 500,
            permission: "directory:user:view",
        }],
        tables: &[
            (
                "genesys_users",
                &[
                    ("preferred_name", "preferredName"),
                    ("jabber_id", "chat.jabberId"),
                    ("primary_contact_info", "primaryContactInfo[].address"),
                    ("certifications", "certifications"),
                    ("profile_skills", "profileSkills"),
                    ("acd_auto_answer", "acdAutoAnswer"),
                    ("language_preference", "languagePreference"),
                    ("id", "id"),
                    ("name", "name"),
                    ("email", "email"),
                    ("username", "username"),
                    ("title", "title"),
                    ("department", "department"),
                    ("state", "state"),
                    DIVISION[0],
                    DIVISION[1],
                    ("manager_id", "manager.id"),
                    ("version", "version"),
                    ("addresses", "addresses[].address"),
                    ("self_uri", "selfUri"),
                ],
            ),
            (
                "agents",
                &[
                    ("agent_id", "id"),
                    ("name", "name"),
                    ("email", "email"),
                    ("username", "username"),
                    ("active", "state=active"),
                    DIVISION[0],
                    DIVISION[1],
                    ("manager_id", "manager.id"),
                ],
            ),
        ],
    },
    Spec {
        name: "queues",
        listings: &[Listing {
            path: "api/v2/routing/queues",
            query: &[],
            paging: Paging::Numbered,
            page_size: 500,
            permission: "routing:queue:view",
        }],
        tables: &[
            (
                "genesys_queues",
                &[
                    ("last_agent_routing_mode", "lastAgentRoutingMode"),
                    ("auto_answer_only", "autoAnswerOnly"),
                    ("enable_transcription", "enableTranscription"),
                    ("enable_audio_monitoring", "enableAudioMonitoring"),
                    ("enable_manual_assignment", "enableManualAssignment"),
                    (
                        "suppress_in_queue_call_recording",
                        "suppressInQueueCallRecording",
                    ),
                    ("calling_party_name", "callingPartyName"),
                    ("calling_party_number", "callingPartyNumber"),
                    ("peer_id", "peerId"),
                    ("default_media_language", "defaultMediaLanguage"),
                    ("outbound_email_domain_id", "outboundEmailAddress.domain.id"),
                    ("id", "id"),
                    ("name", "name"),
                    ("description", "description"),
                    DIVISION[0],
                    DIVISION[1],
                    ("member_count", "memberCount"),
                    ("user_member_count", "userMemberCount"),
                    ("joined_member_count", "joinedMemberCount"),
                    ("scoring_method", "scoringMethod"),
                    ("skill_evaluation_method", "skillEvaluationMethod"),
                    ("date_created", "dateCreated"),
                    ("date_modified", "dateModified"),
                    ("created_by", "createdBy"),
                    ("modified_by", "modifiedBy"),
                    ("self_uri", "selfUri"),
                ],
            ),
            (
                "queues",
                &[
                    ("queue_id", "id"),
                    ("name", "name"),
                    DIVISION[0],
                    DIVISION[1],
                ],
            ),
        ],
    },
    Spec {
        name: "wrapup_codes",
        listings: &[Listing {
            path: "api/v2/routing/wrapupcodes/divisionviews",
            query: &[("includeState", "ActiveAndDeleted")],
            paging: Paging::Numbered,
            page_size: 100,
            permission: "routing:wrapupCode:search",
        }],
        tables: &[(
            "genesys_wrapup_codes",
            &[
                ("id", "id"),
                ("name", "name"),
                ("description", "description"),
                ("state", "state"),
                DIVISION[0],
                DIVISION[1],
                ("date_created", "dateCreated"),
                ("date_modified", "dateModified"),
                ("created_by", "createdBy"),
                ("modified_by", "modifiedBy"),
                ("self_uri", "selfUri"),
            ],
        )],
    },
    Spec {
        name: "skills",
        listings: &[Listing {
            path: "api/v2/routing/skills",
            query: &[],
            paging: Paging::Numbered,
            page_size: 500,
            permission: "routing:skill:view",
        }],
        tables: &[(
            "genesys_skills",
            &[
                ("id", "id"),
                ("name", "name"),
                ("state", "state"),
                DIVISION[0],
                DIVISION[1],
                ("date_modified", "dateModified"),
                ("version", "version"),
                ("self_uri", "selfUri"),
            ],
        )],
    },
    Spec {
        name: "divisions",
        listings: &[
            Listing {
                path: "api/v2/authorization/divisions",
                query: &[],
                paging: Paging::Numbered,
                page_size: 100,
                permission: "authorization:division:view",
            },
            Listing {
                path: "api/v2/authorization/divisions/deleted",
                query: &[],
                paging: Paging::Numbered,
                page_size: 100,
                permission: "authorization:divisionDeleted:view",
            },
        ],
        tables: &[(
            "genesys_divisions",
            &[
                ("id", "id"),
                ("name", "name"),
                ("description", "description"),
                ("home_division", "homeDivision"),
                ("self_uri", "selfUri"),
            ],
        )],
    },
    Spec {
        name: "presence_definitions",
        listings: &[
            Listing {
                path: "api/v2/presence/definitions",
                query: &[("deactivated", "false")],
                paging: Paging::Whole,
                page_size: 0,
                permission: "presence:presenceDefinition:view",
            },
            Listing {
                path: "api/v2/presence/definitions",
                query: &[("deactivated", "true")],
                paging: Paging::Whole,
                page_size: 0,
                permission: "presence:presenceDefinition:view",
            },
        ],
        tables: &[(
            "genesys_presence_definitions",
            &[
                ("id", "id"),
                ("name", "name"),
                ("type", "type"),
                ("system_presence", "systemPresence"),
                ("division_id", "divisionId"),
                ("deactivated", "deactivated"),
                ("self_uri", "selfUri"),
            ],
        )],
    },
];

/// Every directory stream of Genesys, in extraction order.
pub(super) fn streams(api: &Arc<Genesys>) -> Vec<Arc<dyn Stream>> {
    SPECS
        .iter()
        .map(|spec| {
            let json = JsonTable::each(spec.tables);
            Arc::new(Directory {
                api: api.clone(),
                spec,
                tables: json.iter().map(JsonTable::table).collect(),
                json: Arc::new(json),
            }) as Arc<dyn Stream>
        })
        .collect()
}

/// One cheap request per directory (its first listing, one record), which
/// names the missing permission on a 403.
pub(super) fn probes(api: &Arc<Genesys>) -> Vec<Probe> {
    SPECS
        .iter()
        .map(|spec| {
            let api = api.clone();
            Probe {
                stream: spec.name,
                name: spec.name,
                run: Box::pin(async move {
                    let listing = &spec.listings[0];
                    api.client
                        .send(&request(&api, listing, 1, None, 1)?)
                        .await?;
                    Ok(format!("{} answered", listing.path))
                }),
            }
        })
        .collect()
}

struct Directory {
    api: Arc<Genesys>,
    spec: &'static Spec,
    tables: Vec<Table>,
    json: Arc<Vec<JsonTable>>,
}

fn request(
    api: &Genesys,
    listing: &Listing,
    page_number: u32,
    cursor: Option<&str>,
    page_size: u32,
) -> Result<ApiRequest> {
    let mut url = endpoint(&api.settings.api_url, listing.path)?;
    {
        let mut q = url.query_pairs_mut();
        for (k, v) in listing.query {
            q.append_pair(k, v);
        }
        match listing.paging {
            Paging::Numbered => {
                q.append_pair("pageSize", &page_size.to_string());
                q.append_pair("pageNumber", &page_number.to_string());
            }
            Paging::Cursor => {
                q.append_pair("pageSize", &page_size.to_string());
                if let Some(c) = cursor {
                    q.append_pair("cursor", c);
                }
            }
            Paging::Whole => {}
        }
    }
    Ok(ApiRequest::get(url, listing.permission))
}

/// A Genesys listing page: `entities` plus `total` and `cursor`.
fn listing_page(
    body: &[u8],
    tables: &[JsonTable],
    seen: &mut SeenIds,
) -> std::result::Result<PageOutput, PageError> {
    let (mut out, envelope) = json_table::page(body, "entities", "id", tables, seen)?;
    out.meta = PageMeta {
        total_hits: envelope.get("total").and_then(|t| t.as_u64()),
        cursor: envelope
            .get("cursor")
            .and_then(|c| c.as_str())
            .filter(|c| !c.is_empty())
            .map(String::from),
        ..out.meta
    };
    Ok(out)
}

impl Stream for Directory {
    fn name(&self) -> &'static str {
        self.spec.name
    }

    fn kind(&self) -> StreamKind {
        StreamKind::Snapshot
    }

    fn tables(&self) -> &[Table] {
        &self.tables
    }

    fn transform(&self) -> PageTransform {
        let json = self.json.clone();
        Arc::new(move |body: &[u8], _: &Interval, seen: &mut SeenIds| {
            listing_page(body, &json, seen)
        })
    }

    fn plan_offline(&self, slices: &[Interval]) -> Vec<Work> {
        Work::each(slices, "snapshot")
    }

    fn extract<'a>(
        &'a self,
        _work: &'a Work,
        consumer: &'a mut dyn PageConsumer,
    ) -> BoxFuture<'a, Result<SliceReport>> {
        Box::pin(async move {
            let mut report = SliceReport::default();
            for listing in self.spec.listings {
                let mut guard = PageGuard::new(
                    format!("{} ({})", self.spec.name, listing.path),
                    listing.page_size,
                );
                let (mut page_number, mut cursor) = (1u32, None::<String>);
                loop {
                    let req = request(
                        &self.api,
                        listing,
                        page_number,
                        cursor.as_deref(),
                        listing.page_size,
                    )?;
                    let resp = self.api.client.send(&req).await?;
                    let meta = consumer.consume(resp.body).await?;
                    guard.page(&meta)?;
                    report.pages += 1;
                    let more = match listing.paging {
                        Paging::Whole => false,
                        Paging::Numbered => {
                            meta.records > 0
                                && meta.total_hits.is_none_or(|total| {
                                    u64::from(page_number) * u64::from(listing.page_size) < total
                                })
                        }
                        Paging::Cursor => match meta.cursor {
                            Some(next) if meta.records > 0 => {
                                guard.cursor(&next)?;
                                cursor = Some(next);
                                true
                            }
                            _ => false,
                        },
                    };
                    if !more {
                        break;
                    }
                    page_number += 1;
                }
            }
            Ok(report)
        })
    }
}
