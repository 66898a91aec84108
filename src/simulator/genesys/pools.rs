//! Reference data shared by all conversations of one seed (and by the
//! directory listings that resolve it): divisions, queues, agents, flows,
//! wrap-up codes…

use crate::simulator::core::records::{agent_name, mix};
use fastrand::Rng;

pub(super) struct Agent {
    pub id: String,
    pub name: String,
    pub team: String,
}

/// The ids conversations point at, drawn from one seeded RNG.
pub(super) struct Pools {
    pub divisions: Vec<String>,
    pub queues: Vec<(String, &'static str)>,
    pub agents: Vec<Agent>,
    pub flows: Vec<(String, &'static str)>,
    pub outcomes: Vec<(String, &'static str)>,
    pub wrapups: Vec<String>,
    pub edges: Vec<String>,
    pub campaigns: Vec<String>,
}

const QUEUES: &[&str] = &[
    "Sales EN",
    "Sales ES",
    "Support Tier 1",
    "Support Tier 2",
    "Billing",
    "Retentions",
    "Claims",
    "Technical Support",
    "VIP Care",
    "Collections",
    "Email Support",
    "Chat Support",
    "Callback Queue",
    "Onboarding",
    "Fraud Desk",
    "Returns",
];
const FLOWS: &[&str] = &[
    "Main Inbound IVR",
    "After Hours IVR",
    "Billing Self-Service",
    "Spanish IVR",
];
const OUTCOMES: &[&str] = &[
    "Customer Identified",
    "Balance Self-Service",
    "Callback Offered",
    "Language Selected",
];
impl Pools {
    pub(super) fn new(seed: u64) -> Pools {
        let mut rng = Rng::with_seed(mix(seed, u64::MAX));
        let mut ids = |n: usize| (0..n).map(|_| uuid(&mut rng)).collect::<Vec<_>>();
        let divisions = ids(3);
        let queues = ids(QUEUES.len())
            .into_iter()
            .zip(QUEUES.iter().copied())
            .collect();
        let teams = ids(12);
        let agent_ids = ids(240);
        let flows = ids(FLOWS.len())
            .into_iter()
            .zip(FLOWS.iter().copied())
            .collect();
        let outcomes = ids(OUTCOMES.len())
            .into_iter()
            .zip(OUTCOMES.iter().copied())
            .collect();
        let wrapups = ids(18);
        let edges = ids(6);
        let campaigns = ids(3);
        let agents = agent_ids
            .into_iter()
            .enumerate()
            .map(|(k, id)| Agent {
                id,
                name: {
                    let (first, last) = agent_name(k);
                    format!("{first} {last}")
                },
                team: teams[k % teams.len()].clone(),
            })
            .collect();
        Pools {
            divisions,
            queues,
            agents,
            flows,
            outcomes,
            wrapups,
            edges,
            campaigns,
        }
    }
}

/// Version-4 UUID text from the data RNG (deterministic per seed).
pub(super) fn uuid(rng: &mut Rng) -> String {
    let mut b = [0u8; 36];
    uuid_into(rng, &mut b);
    String::from_utf8(b.to_vec()).expect("hex is ascii")
}

fn uuid_into(rng: &mut Rng, out: &mut [u8; 36]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let hi = rng.u64(..);
    let lo = rng.u64(..);
    // Version 4, variant 10xx: looks like what Genesys issues.
    let hi = (hi & !0xF000) | 0x4000;
    let lo = (lo & !(0xC << 60)) | (0x8 << 60);
    let v = ((hi as u128) << 64) | lo as u128;
    let mut k = 0;
    for (pos, slot) in out.iter_mut().enumerate() {
        if matches!(pos, 8 | 13 | 18 | 23) {
            *slot = b'-';
        } else {
            *slot = HEX[((v >> (124 - 4 * k)) & 0xF) as usize];
            k += 1;
        }
    }
}
