//! CXone directories as snapshot streams: agents, teams, skills and
//! dispositions, each listed whole into `snapshot_date=<today>` (fact sheet
//! `directory-and-activity.md` §4).
//!
//! Paged with `top`/`skip`, ending on a 204, an empty array, a short page or
//! `totalRecords` reached (§4.0). Whether a listing without `isActive`
//! returns inactive entries is unconfirmed (§5.4), so agents and teams are
//! listed again with `isActive=false`; ids seen twice are kept once.

use super::{page_url, Cxone, Totals};
use crate::connector::{
    PageConsumer, PageMeta, PageTransform, Probe, SliceReport, Stream, StreamKind, Work,
};
use crate::http::ApiRequest;
use crate::transform::json_table::{self, JsonTable};
use crate::transform::{PageError, PageOutput, SeenIds, Table};
use crate::{Interval, Result};
use futures::future::BoxFuture;
use std::sync::Arc;

/// Records per page: admin endpoints document no maximum; clients stay at
/// 100 (fact sheet §4.0, MCP `listAll`).
const TOP: u32 = 100;

/// Named on a 403: CXone's admin endpoints declare no permission names; the
/// access key's security profile governs them (§4.0).
const PERMISSION: &str = "the access key's security profile must allow viewing this admin data";

/// A directory: its path, the array in its answers, its id field, the
/// extra filters it is listed with, and how its records fill its tables.
struct Spec {
    name: &'static str,
    path: &'static str,
    field: &'static str,
    id: &'static str,
    filters: &'static [&'static [(&'static str, &'static str)]],
    tables: &'static [(&'static str, &'static [(&'static str, &'static str)])],
}

const ALL_AND_INACTIVE: &[&[(&str, &str)]] = &[&[], &[("isActive", "false")]];

const SPECS: &[Spec] = &[
    Spec {
        name: "agents",
        path: "agents",
        field: "agents",
        id: "agentId",
        filters: ALL_AND_INACTIVE,
        tables: &[
            (
                "cxone_agents",
                &[
                    ("team_uu_id", "teamUuId"),
                    ("locked", "isLocked|locked"),
                    ("hire_date", "hireDate"),
                    ("termination_date", "terminationDate"),
                    ("time_zone_offset", "timeZoneOffset"),
                    ("country", "country"),
                    ("country_name", "countryName"),
                    ("state", "state"),
                    ("city", "city"),
                    ("address1", "address1"),
                    ("address2", "address2"),
                    ("zip_code", "zipCode"),
                    ("telephone1", "telephone1"),
                    ("telephone2", "telephone2"),
                    ("internal_id", "internalId"),
                    ("custom1", "custom1"),
                    ("custom2", "custom2"),
                    ("custom3", "custom3"),
                    ("custom4", "custom4"),
                    ("custom5", "custom5"),
                    ("notes", "notes"),
                    ("federated_id", "federatedId"),
                    ("nt_login_name", "ntLoginName"),
                    ("crm_user_name", "crmUserName"),
                    ("sip_user", "sipUser"),
                    ("system_user", "systemUser"),
                    ("system_domain", "systemDomain"),
                    ("employment_type", "employmentType"),
                    ("employment_type_name", "employmentTypeName"),
                    ("hourly_cost", "hourlyCost"),
                    ("at_home", "atHome"),
                    ("rehire_status", "rehireStatus"),
                    ("user_type", "userType"),
                    ("agent_id", "agentId"),
                    ("user_id", "userID|userId"),
                    ("user_name", "userName"),
                    ("first_name", "firstName"),
                    ("middle_name", "middleName"),
                    ("last_name", "lastName"),
                    ("email_address", "emailAddress"),
                    ("is_active", "isActive"),
                    ("team_id", "teamId"),
                    ("team_name", "teamName"),
                    ("report_to_id", "reportToId"),
                    ("report_to_name", "reportToName"),
                    ("is_supervisor", "isSupervisor"),
                    ("profile_id", "profileId"),
                    ("profile_name", "profileName"),
                    ("last_login", "lastLogin"),
                    ("last_updated", "lastUpdated"),
                    ("create_date", "createDate"),
                    ("inactive_date", "inactiveDate"),
                    ("time_zone", "timeZone"),
                    ("location", "location"),
                    ("division_no", "DivisionNo|divisionNo"),
                ],
            ),
            (
                "agents",
                &[
                    ("agent_id", "agentId"),
                    ("name", "firstName+lastName"),
                    ("email", "emailAddress"),
                    ("username", "userName"),
                    ("active", "isActive"),
                    ("team_id", "teamId"),
                    ("team_name", "teamName"),
                    ("division_id", "DivisionNo|divisionNo"),
                    ("manager_id", "reportToId"),
                ],
            ),
        ],
    },
    Spec {
        name: "teams",
        path: "teams",
        field: "teams",
        id: "teamId",
        filters: ALL_AND_INACTIVE,
        tables: &[(
            "cxone_teams",
            &[
                ("max_concurrent_chats", "maxConcurrentChats"),
                ("description", "description"),
                ("wfm_enabled", "wfmEnabled"),
                ("qm_enabled", "qmEnabled"),
                ("team_id", "teamId"),
                ("team_name", "teamName"),
                ("team_uuid", "teamUuid"),
                ("is_active", "isActive"),
                ("last_update_time", "lastUpdateTime"),
                ("agent_count", "agentCount"),
                ("team_lead_id", "teamLeadId"),
                ("division_no", "divisionNo"),
                ("notes", "notes"),
            ],
        )],
    },
    Spec {
        name: "skills",
        path: "skills",
        field: "skills",
        id: "skillId",
        filters: ALL_AND_INACTIVE,
        tables: &[
            (
                "cxone_skills",
                &[
                    ("acw_type_id", "acwTypeId"),
                    ("state_id_acw", "stateIdACW"),
                    ("state_name_acw", "stateNameACW"),
                    ("max_seconds_acw", "maxSecondsACW"),
                    ("allow_secondary_disposition", "allowSecondaryDisposition"),
                    ("is_running", "isRunning"),
                    ("enable_short_abandon", "enableShortAbandon"),
                    ("short_abandon_threshold", "shortAbandonThreshold"),
                    ("disposition_ids", "dispositions[].dispositionId"),
                    ("skill_id", "skillId"),
                    ("skill_name", "skillName"),
                    ("media_type_id", "mediaTypeId"),
                    ("media_type_name", "mediaTypeName"),
                    ("is_active", "isActive"),
                    ("campaign_id", "campaignId"),
                    ("campaign_name", "campaignName"),
                    ("is_outbound", "isOutbound"),
                    ("outbound_strategy", "outboundStrategy"),
                    ("service_level_threshold", "serviceLevelThreshold"),
                    ("service_level_goal", "serviceLevelGoal"),
                    ("require_disposition", "requireDisposition"),
                    ("notes", "notes"),
                ],
            ),
            (
                "queues",
                &[
                    ("queue_id", "skillId"),
                    ("name", "skillName"),
                    ("active", "isActive"),
                    ("media_type", "mediaTypeName"),
                ],
            ),
        ],
    },
    Spec {
        name: "dispositions",
        path: "dispositions",
        field: "dispositions",
        id: "dispositionId",
        filters: ALL_AND_INACTIVE,
        tables: &[(
            "cxone_dispositions",
            &[
                ("disposition_id", "dispositionId"),
                ("disposition_name", "dispositionName"),
                ("classification_id", "classificationId"),
                ("is_active", "isActive"),
                ("is_preview_disposition", "isPreviewDisposition"),
                ("last_updated", "lastUpdated"),
                ("notes", "notes"),
                ("system_outcome", "systemOutcome"),
            ],
        )],
    },
];

/// Every directory stream of CXone, in extraction order.
pub(super) fn streams(api: &Arc<Cxone>) -> Vec<Arc<dyn Stream>> {
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

/// One cheap request per directory (`top=1`); a 204 is success.
pub(super) fn probes(api: &Arc<Cxone>) -> Vec<Probe> {
    SPECS
        .iter()
        .map(|spec| {
            let api = api.clone();
            Probe {
                stream: spec.name,
                name: spec.name,
                run: Box::pin(async move {
                    let url = page_url(&api.services_url(spec.path).await?, 1, 0);
                    api.client.send(&ApiRequest::get(url, PERMISSION)).await?;
                    Ok(format!("{} answered", spec.path))
                }),
            }
        })
        .collect()
}

struct Directory {
    api: Arc<Cxone>,
    spec: &'static Spec,
    tables: Vec<Table>,
    json: Arc<Vec<JsonTable>>,
}

/// A CXone admin page: the spec's array plus `totalRecords` (a number or,
/// in older versions, a string).
fn admin_page(
    body: &[u8],
    spec: &Spec,
    tables: &[JsonTable],
    seen: &mut SeenIds,
) -> std::result::Result<PageOutput, PageError> {
    let (mut out, envelope) = json_table::page(body, spec.field, spec.id, tables, seen)?;
    let total = envelope.get("totalRecords").and_then(|t| {
        t.as_u64()
            .or_else(|| t.as_str().and_then(|s| s.trim().parse().ok()))
    });
    out.meta = PageMeta {
        total_hits: total,
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
        let (json, spec) = (self.json.clone(), self.spec);
        Arc::new(move |body: &[u8], _: &Interval, seen: &mut SeenIds| {
            admin_page(body, spec, &json, seen)
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
            for filter in self.spec.filters {
                let mut base = self.api.services_url(self.spec.path).await?;
                base.query_pairs_mut().extend_pairs(filter.iter());
                let what = format!("CXone {}", self.spec.path);
                let listed = self
                    .api
                    .page_through(&base, TOP, Totals::EndPaging, PERMISSION, what, consumer)
                    .await?;
                report.pages += listed.pages;
            }
            Ok(report)
        })
    }
}
