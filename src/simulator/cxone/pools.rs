//! Reference data shared by all contacts of one seed (and by the admin
//! listings that resolve it): agents, teams, media types and their skills,
//! campaigns, disposition ids.

use crate::simulator::core::records::{agent_name, mix};
use fastrand::Rng;

pub(super) struct Agent {
    pub id: i64,
    pub first: &'static str,
    pub last: &'static str,
    /// Index into [`Pools::teams`].
    pub team: usize,
}

/// The agent and team ids contacts point at, drawn from one seeded RNG.
pub(super) struct Pools {
    pub agents: Vec<Agent>,
    pub teams: Vec<(i64, &'static str)>,
}

const TEAMS: &[&str] = &[
    "Tier 1 Voice",
    "Tier 2 Voice",
    "Digital Care",
    "Sales Inside",
    "Billing Ops",
    "Retention Squad",
    "Back Office",
    "Night Shift",
];
impl Pools {
    pub(super) fn new(seed: u64) -> Pools {
        let mut rng = Rng::with_seed(mix(seed ^ 0xC0DE, u64::MAX));
        let teams = TEAMS
            .iter()
            .enumerate()
            .map(|(k, &n)| (2_200_100 + k as i64 * 7 + rng.i64(0..7), n))
            .collect();
        let agents = (0..120)
            .map(|k| {
                let (first, last) = agent_name(k);
                Agent {
                    id: 4_100_000 + k as i64 * 13 + rng.i64(0..13),
                    first,
                    last,
                    team: k % TEAMS.len(),
                }
            })
            .collect();
        Pools { agents, teams }
    }
}

/// CXone media types (fact sheet §3): id, name, skills that carry them.
pub(super) struct Media {
    pub id: i64,
    pub name: &'static str,
    pub skills: &'static [(i64, &'static str)],
    pub poc: (i64, &'static str, &'static str),
}

pub(super) const PHONE: Media = Media {
    id: 4,
    name: "Phone Call",
    skills: &[
        (11_000_101, "Sales EN Voice"),
        (11_000_102, "Sales ES Voice"),
        (11_000_103, "Support Tier 1"),
        (11_000_104, "Support Tier 2"),
        (11_000_105, "Billing"),
        (11_000_106, "Retentions"),
        (11_000_107, "Claims"),
    ],
    poc: (8_800_201, "Main Line", "8005550100"),
};
pub(super) const OUTBOUND: Media = Media {
    id: 4,
    name: "Phone Call",
    skills: &[
        (11_000_151, "Outbound Collections"),
        (11_000_152, "Outbound Renewals"),
    ],
    poc: (8_800_202, "Outbound Caller ID", "8005550199"),
};
pub(super) const CHAT: Media = Media {
    id: 3,
    name: "Chat",
    skills: &[(11_000_301, "Chat Support"), (11_000_302, "Chat Sales")],
    poc: (8_800_301, "Web Chat", "WebChat_Main"),
};
pub(super) const EMAIL: Media = Media {
    id: 1,
    name: "Email",
    skills: &[(11_000_401, "Email Support")],
    poc: (8_800_401, "Support Mailbox", "support@example.com"),
};
pub(super) const SMS: Media = Media {
    id: 7,
    name: "SMS",
    skills: &[(11_000_701, "SMS Care")],
    poc: (8_800_701, "SMS Short Code", "88555"),
};
pub(super) const DIGITAL: Media = Media {
    id: 9,
    name: "Digital",
    skills: &[(11_000_901, "Digital Messaging")],
    poc: (8_800_901, "Digital First Omnichannel", "DFO_Main"),
};
pub(super) const VOICEMAIL: Media = Media {
    id: 5,
    name: "Voice Mail",
    skills: &[(11_000_501, "Voicemail")],
    poc: (8_800_501, "Main Line Voicemail", "8005550100"),
};
pub(super) const WORK_ITEM: Media = Media {
    id: 6,
    name: "Work Item",
    skills: &[(11_000_601, "Back Office Tasks")],
    poc: (8_800_601, "Work Item API", "WI_Backoffice"),
};
pub(super) const SOCIAL: Media = Media {
    id: 8,
    name: "Social",
    skills: &[(11_000_801, "Social Care")],
    poc: (8_800_801, "Twitter Care", "@examplecare"),
};

const CAMPAIGNS: &[(i64, &str)] = &[
    (301_001, "Customer Service"),
    (301_002, "Sales"),
    (301_003, "Collections"),
];

/// Every media type, each once (outbound calls are their own entry: they
/// have their own skills).
pub(super) const MEDIA: &[&Media] = &[
    &PHONE, &OUTBOUND, &CHAT, &EMAIL, &SMS, &DIGITAL, &VOICEMAIL, &WORK_ITEM, &SOCIAL,
];

/// The campaign a skill belongs to: collections for outbound, sales for
/// sales skills, customer service otherwise.
pub(super) fn campaign(skill_name: &str, outbound: bool) -> (i64, &'static str) {
    CAMPAIGNS[if outbound {
        2
    } else if skill_name.starts_with("Sales") {
        1
    } else {
        0
    }]
}

/// `primaryDispositionId`s contacts carry (0 = none).
pub(super) const PRIMARY_DISPOSITIONS: std::ops::Range<i64> = 700_100..700_112;
/// `secondaryDispositionId`s contacts carry (0 = none).
pub(super) const SECONDARY_DISPOSITIONS: std::ops::Range<i64> = 700_200..700_206;
