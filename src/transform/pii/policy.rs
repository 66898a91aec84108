//! The effective policy: what happens to each column, resolved once.

use super::keyed::{sha256_hex, Hasher};
use crate::secret::Secret;
use crate::transform::schema::PiiClass;
use crate::transform::{Table, TableBatch};
use std::collections::{BTreeMap, BTreeSet};

/// What happens to one column's values, ordered by how little of the
/// original each lets through (where one JSON field stands for several
/// columns, the quarantine takes the greatest).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Action {
    /// Written as received.
    Keep,
    /// The last four characters kept, the rest replaced with `*`.
    Last4,
    /// Lower-case hex HMAC-SHA256 keyed with `CXETL_PII_KEY`.
    Hash,
    /// Written as null.
    Drop,
}

impl Action {
    /// The word used in flags, TOML and the summary.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Keep => "keep",
            Action::Last4 => "last4",
            Action::Hash => "hash",
            Action::Drop => "drop",
        }
    }

    fn parse(s: &str) -> Option<Action> {
        match s.trim() {
            "keep" => Some(Action::Keep),
            "last4" => Some(Action::Last4),
            "hash" => Some(Action::Hash),
            "drop" => Some(Action::Drop),
            _ => None,
        }
    }
}

/// The policy as the user wrote it (flags, variables, `[pii]`).
#[derive(Debug, Clone, Default)]
pub struct PiiSpec {
    /// `--pii keep|hash|drop` for every classified column (default keep).
    pub default: Option<String>,
    /// `[pii.columns] "table.column" = "keep"|"hash"|"drop"|"last4"`.
    pub columns: BTreeMap<String, String>,
    /// Participant-attribute keys kept as they are.
    pub attributes_keep: Vec<String>,
    /// `CXETL_PII_KEY`: required when anything is hashed.
    pub key: Option<Secret>,
}

/// The resolved policy: per table, the columns to rewrite and how.
#[derive(Debug)]
pub struct PiiPolicy {
    default: Action,
    fingerprint: String,
    hasher: Option<Hasher>,
    pub(super) attributes_keep: BTreeSet<String>,
    /// Indexed like [`Table::all`]: (column index, action) of every column
    /// that is not kept.
    plans: Vec<Vec<(usize, Action)>>,
}

impl Default for PiiPolicy {
    /// Everything kept: the output of a run without a policy.
    fn default() -> Self {
        PiiPolicy::resolve(&PiiSpec::default()).expect("the keep policy always resolves")
    }
}

impl PiiPolicy {
    /// Resolves `spec` against the tables in `schemas/`; every error says
    /// what to change.
    pub fn resolve(spec: &PiiSpec) -> Result<PiiPolicy, String> {
        let default = match spec.default.as_deref() {
            None => Action::Keep,
            Some(s) => match Action::parse(s) {
                Some(a @ (Action::Keep | Action::Hash | Action::Drop)) => a,
                _ => {
                    return Err(format!(
                        "--pii {s:?}: use keep, hash or drop (last4 is a per-column choice under [pii.columns])"
                    ))
                }
            },
        };
        let mut overrides: BTreeMap<(Table, usize), Action> = BTreeMap::new();
        for (name, action) in &spec.columns {
            let action = Action::parse(action).ok_or_else(|| {
                format!("[pii.columns] {name:?} = {action:?}: use keep, hash, drop or last4")
            })?;
            let (table, column) = locate(name)?;
            overrides.insert((table, column), action);
        }
        let mut plans = Vec::new();
        let mut lines = String::new();
        for table in Table::all() {
            let mut plan = Vec::new();
            for (i, col) in table.def().columns.iter().enumerate() {
                let action = match overrides.get(&(table, i)) {
                    Some(&a) => a,
                    None if col.pii_class().is_some() => default,
                    None => Action::Keep,
                };
                if action != Action::Keep {
                    plan.push((i, action));
                    lines.push_str(&format!(
                        "{}.{}={}\n",
                        table.name(),
                        col.name,
                        action.as_str()
                    ));
                }
            }
            plans.push(plan);
        }
        let hashes = plans.iter().flatten().any(|(_, a)| *a == Action::Hash);
        let hasher = match (&spec.key, hashes) {
            (_, false) => None,
            (Some(key), true) if !key.is_empty() => Some(Hasher::new(key)),
            (_, true) => {
                return Err(
                    "CXETL_PII_KEY is not set: hashing personal data needs a key; export CXETL_PII_KEY (keep it in your secret store: the same key gives the same hashes across runs), or put key under [pii] in the --config file"
                        .into(),
                )
            }
        };
        let attributes_keep: BTreeSet<String> = spec.attributes_keep.iter().cloned().collect();
        let keep_list: Vec<&str> = attributes_keep.iter().map(String::as_str).collect();
        // The effect, never the key: two runs with this fingerprint wrote
        // the same columns the same way.
        let canonical = format!(
            "cxetl-pii-v1\ndefault={}\nattributes_keep={}\n{lines}",
            default.as_str(),
            keep_list.join(",")
        );
        Ok(PiiPolicy {
            default,
            fingerprint: sha256_hex(canonical.as_bytes()),
            hasher,
            attributes_keep,
            plans,
        })
    }

    /// The keep-everything policy, shared.
    pub fn keep() -> std::sync::Arc<PiiPolicy> {
        static KEEP: std::sync::OnceLock<std::sync::Arc<PiiPolicy>> = std::sync::OnceLock::new();
        KEEP.get_or_init(|| std::sync::Arc::new(PiiPolicy::default()))
            .clone()
    }

    /// `keep`, `hash` or `drop`: what classified columns get by default.
    pub fn default_action(&self) -> Action {
        self.default
    }

    /// SHA-256 of the effective policy (never of the key): in the summary
    /// and in every Parquet file as `cxetl.pii`.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// True when every column is written as received.
    pub fn keeps_everything(&self) -> bool {
        self.plans.iter().all(Vec::is_empty)
    }

    /// What happens to `table`'s column at `index`.
    pub fn action(&self, table: Table, index: usize) -> Action {
        self.plans[usize::from(table.0)]
            .iter()
            .find(|(i, _)| *i == index)
            .map_or(Action::Keep, |(_, a)| *a)
    }

    /// Rewrites the columns of `batch` the policy does not keep.
    pub fn apply(&self, batch: TableBatch) -> TableBatch {
        let plan = &self.plans[usize::from(batch.table.0)];
        if plan.is_empty() || batch.batch.num_rows() == 0 {
            return batch;
        }
        let source = batch.batch.columns();
        let mut columns = source.to_vec();
        let mut cache = super::columns::HashCache::default();
        for &(i, action) in plan {
            columns[i] = super::columns::redact(&source[i], action, self, &mut cache);
        }
        let rebuilt = arrow::record_batch::RecordBatch::try_new(batch.batch.schema(), columns)
            .expect("redaction keeps each column's type and length");
        TableBatch {
            table: batch.table,
            batch: rebuilt,
        }
    }

    /// Writes the policy's form of `value` into `out` (cleared first);
    /// `false` for [`Action::Drop`], whose value is null.
    pub(super) fn transform_into(&self, value: &str, action: Action, out: &mut String) -> bool {
        out.clear();
        match action {
            Action::Keep => out.push_str(value),
            Action::Last4 => super::keyed::last4_into(value, out),
            Action::Hash => self
                .hasher
                .as_ref()
                .expect("a policy that hashes has a key (checked at resolve)")
                .hash_into(value, out),
            Action::Drop => return false,
        }
        true
    }
}

/// The table and column index named `table.column`, or what to write instead.
fn locate(name: &str) -> Result<(Table, usize), String> {
    let classified = || -> String {
        let mut names = Vec::new();
        for t in Table::all() {
            for c in &t.def().columns {
                if c.pii_class().is_some() {
                    names.push(format!("{}.{}", t.name(), c.name));
                }
            }
        }
        names.join(", ")
    };
    let (table, column) = name.split_once('.').ok_or_else(|| {
        format!("[pii.columns] {name:?}: name a column as \"table.column\", e.g. \"genesys_sessions.ani\"")
    })?;
    let t = Table::from_name(table).ok_or_else(|| {
        format!(
            "[pii.columns] {name:?}: no table {table:?}; classified columns: {}",
            classified()
        )
    })?;
    let i = t.def().columns.iter().position(|c| c.name == column).ok_or_else(|| {
        format!(
            "[pii.columns] {name:?}: table {table} has no column {column:?}; classified columns: {}",
            classified()
        )
    })?;
    let def = &t.def().columns[i];
    let dt = t.schema().field(i).data_type().clone();
    let text = matches!(dt, arrow::datatypes::DataType::Utf8)
        || matches!(&dt, arrow::datatypes::DataType::List(f) if f.data_type() == &arrow::datatypes::DataType::Utf8);
    if !(text || def.pii_class() == Some(PiiClass::Attributes)) || !def.nullable {
        return Err(format!(
            "[pii.columns] {name:?}: only nullable text columns can be redacted ({} is {}{})",
            name,
            def.ty,
            if def.nullable { "" } else { ", not nullable" }
        ));
    }
    Ok((t, i))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(default: &str) -> PiiSpec {
        PiiSpec {
            default: Some(default.into()),
            key: Some(Secret::new("k")),
            ..Default::default()
        }
    }

    #[test]
    fn every_classified_column_follows_the_default_and_nothing_else_does() {
        let p = PiiPolicy::resolve(&spec("hash")).unwrap();
        for t in Table::all() {
            for (i, c) in t.def().columns.iter().enumerate() {
                let want = if c.pii_class().is_some() {
                    Action::Hash
                } else {
                    Action::Keep
                };
                assert_eq!(p.action(t, i), want, "{}.{}", t.name(), c.name);
            }
        }
        assert!(PiiPolicy::default().keeps_everything());
    }

    #[test]
    fn overrides_win_and_change_the_fingerprint_but_the_key_does_not() {
        let base = PiiPolicy::resolve(&spec("hash")).unwrap();
        let mut other_key = spec("hash");
        other_key.key = Some(Secret::new("another key"));
        assert_eq!(
            base.fingerprint(),
            PiiPolicy::resolve(&other_key).unwrap().fingerprint()
        );
        let mut s = spec("hash");
        s.columns
            .insert("genesys_sessions.ani".into(), "last4".into());
        let p = PiiPolicy::resolve(&s).unwrap();
        let ani = Table::named("genesys_sessions")
            .column_names()
            .position(|c| c == "ani")
            .unwrap();
        assert_eq!(
            p.action(Table::named("genesys_sessions"), ani),
            Action::Last4
        );
        assert_ne!(p.fingerprint(), base.fingerprint());
        assert_ne!(PiiPolicy::default().fingerprint(), base.fingerprint());
    }

    #[test]
    fn keep_returns_the_batch_untouched() {
        use arrow::array::{ArrayRef, StringArray};
        let table = Table::named("genesys_participants");
        let columns: Vec<ArrayRef> = table
            .schema()
            .fields()
            .iter()
            .map(|f| arrow::array::new_null_array(f.data_type(), 2))
            .collect();
        let mut columns = columns;
        columns[0] = std::sync::Arc::new(StringArray::from(vec!["c1", "c1"]));
        columns[1] = std::sync::Arc::new(StringArray::from(vec!["p1", "p2"]));
        columns[2] = std::sync::Arc::new(StringArray::from(vec![Some("Ada"), None]));
        let batch = arrow::record_batch::RecordBatch::try_new(table.schema(), columns).unwrap();
        let out = PiiPolicy::default().apply(TableBatch {
            table,
            batch: batch.clone(),
        });
        for (a, b) in batch.columns().iter().zip(out.batch.columns()) {
            assert!(std::sync::Arc::ptr_eq(a, b), "keep copies nothing");
        }
    }

    #[test]
    fn mistakes_are_refused_with_the_fix() {
        let no_key = PiiSpec {
            default: Some("hash".into()),
            ..Default::default()
        };
        assert!(PiiPolicy::resolve(&no_key)
            .unwrap_err()
            .contains("CXETL_PII_KEY"));
        let mut last4 = spec("last4");
        assert!(PiiPolicy::resolve(&last4)
            .unwrap_err()
            .contains("[pii.columns]"));
        last4.default = None;
        last4
            .columns
            .insert("genesys_sessions.nope".into(), "hash".into());
        assert!(PiiPolicy::resolve(&last4)
            .unwrap_err()
            .contains("genesys_sessions.ani"));
        let mut typed = spec("keep");
        typed
            .columns
            .insert("conversations.duration_ms".into(), "hash".into());
        assert!(PiiPolicy::resolve(&typed)
            .unwrap_err()
            .contains("text columns"));
        let mut bad = spec("keep");
        bad.columns
            .insert("genesys_sessions.ani".into(), "encrypt".into());
        assert!(PiiPolicy::resolve(&bad).unwrap_err().contains("last4"));
        // A key is only needed when something is hashed.
        let drop = PiiSpec {
            default: Some("drop".into()),
            ..Default::default()
        };
        assert!(PiiPolicy::resolve(&drop).is_ok());
    }
}
