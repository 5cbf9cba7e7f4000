//! The chain: each entry's hash covers its content, its sequence number and the previous
//! entry's hash. Editing a stored entry changes its hash; deleting or reordering entries breaks
//! the sequence or the links. [`verify`] walks the entries in order and names the first one
//! that does not hold. (Removing entries from the end leaves a shorter chain that still holds:
//! compare the head [`Verified::head`] with one recorded earlier to catch that.)

use sha2::{Digest, Sha256};

use crate::entry::{Entry, NewEntry, canonical};

/// The `prev_hash` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

fn hash(seq: u64, content: &NewEntry, prev_hash: &str) -> String {
    hex::encode(Sha256::digest(canonical(seq, content, prev_hash)))
}

/// The entry that follows `previous` (or starts the chain).
pub fn seal(previous: Option<&Entry>, content: NewEntry) -> Entry {
    let (seq, prev_hash) = match previous {
        Some(p) => (p.seq + 1, p.hash.clone()),
        None => (1, GENESIS.to_string()),
    };
    Entry {
        hash: hash(seq, &content, &prev_hash),
        seq,
        content,
        prev_hash,
    }
}

/// A chain that holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub entries: u64,
    /// The last entry's hash ([`GENESIS`] for an empty log).
    pub head: String,
}

/// Where a chain stops holding.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("audit entry {seq}: {problem}")]
pub struct Broken {
    /// The sequence number of the first entry that does not hold (for a missing entry, the
    /// number that should have come).
    pub seq: u64,
    pub problem: String,
}

/// Checks entries given in stored order.
pub fn verify<'a>(entries: impl IntoIterator<Item = &'a Entry>) -> Result<Verified, Broken> {
    let mut prev = GENESIS.to_string();
    let mut count = 0;
    for (expected_seq, entry) in (1..).zip(entries) {
        let broken = |problem: String| Broken {
            seq: expected_seq,
            problem,
        };
        if entry.seq != expected_seq {
            return Err(broken(if entry.seq > expected_seq {
                format!(
                    "missing: the next stored entry is number {} (entries were deleted)",
                    entry.seq
                )
            } else {
                format!(
                    "out of order: entry number {} stands where number {expected_seq} belongs",
                    entry.seq
                )
            }));
        }
        if entry.prev_hash != prev {
            return Err(broken(
                "does not follow the entry before it (its previous-entry hash differs): entries were removed or reordered"
                    .to_string(),
            ));
        }
        let actual = hash(entry.seq, &entry.content, &entry.prev_hash);
        if actual != entry.hash {
            return Err(broken(format!(
                "its content does not match its hash (stored {}…, content hashes to {}…): the entry was edited",
                &entry.hash.get(..12).unwrap_or(&entry.hash),
                &actual[..12]
            )));
        }
        prev = entry.hash.clone();
        count += 1;
    }
    Ok(Verified {
        entries: count,
        head: prev,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entry::Action;

    fn chain(n: usize) -> Vec<Entry> {
        let mut out: Vec<Entry> = Vec::new();
        for i in 0..n {
            let content = NewEntry {
                service: Some("shop".into()),
                to_version: Some(format!("v{i}")),
                ..NewEntry::new(1_000 + i as i64, "gate", Action::StepStarted)
            };
            let next = seal(out.last(), content);
            out.push(next);
        }
        out
    }

    #[test]
    fn a_sealed_chain_verifies_and_reports_its_head() {
        let entries = chain(5);
        let verified = verify(&entries).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(verified.entries, 5);
        assert_eq!(verified.head, entries[4].hash);
        assert_eq!(entries[0].prev_hash, GENESIS);
        assert_eq!(verify(&[]).map(|v| v.head), Ok(GENESIS.to_string()));
    }

    #[test]
    fn an_edited_entry_is_named() {
        let mut entries = chain(5);
        entries[2].content.reason = Some("nothing to see".into());
        let err = verify(&entries).unwrap_err();
        assert_eq!(err.seq, 3);
        assert!(err.problem.contains("edited"), "{err}");
    }

    #[test]
    fn an_edit_that_also_rehashes_the_entry_breaks_the_next_link() {
        let mut entries = chain(5);
        entries[2].content.actor = "mallory".into();
        entries[2].hash = hash(3, &entries[2].content, &entries[2].prev_hash);
        let err = verify(&entries).unwrap_err();
        assert_eq!(err.seq, 4, "{err}");
    }

    #[test]
    fn a_deleted_entry_is_named() {
        let mut entries = chain(5);
        entries.remove(1);
        let err = verify(&entries).unwrap_err();
        assert_eq!(err.seq, 2);
        assert!(err.problem.contains("deleted"), "{err}");
    }

    #[test]
    fn reordered_entries_are_named() {
        let mut entries = chain(5);
        entries.swap(1, 3);
        let err = verify(&entries).unwrap_err();
        assert_eq!(err.seq, 2);
        assert!(
            err.problem.contains("out of order") || err.problem.contains("missing"),
            "{err}"
        );
        // Renumbering the swapped entries does not help: the links no longer follow.
        let mut entries = chain(5);
        entries.swap(1, 3);
        entries[1].seq = 2;
        entries[3].seq = 4;
        assert_eq!(verify(&entries).unwrap_err().seq, 2);
    }
}
