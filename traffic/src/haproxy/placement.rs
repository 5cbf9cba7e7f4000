//! What sits in which slot, read from the versions map, and the runtime API commands that turn
//! one placement into the next. Pure: no I/O, so the order of commands is tested here.
//!
//! Rules: a version keeps the slot it has (stable never moves; promoting the canary leaves it
//! where it is); a version new to the backend takes the other slot, or the idle one. A slot
//! that changes version is taken out of rotation before its address changes. Slots coming up
//! are brought up before slots going down, so no switch leaves the backend without a server.

use std::net::SocketAddr;

use crate::route_table::RouteTable;
use crate::router::Backend;

/// A slot as HAProxy reports it now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlotNow {
    pub name: String,
    /// The version the versions map puts here.
    pub version: Option<String>,
    /// The weight the balancer gives it: 0 when in maintenance.
    pub weight: u32,
}

/// A version as it is to be placed in a slot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placed {
    pub version: String,
    pub addr: SocketAddr,
    /// Percent, which is also the HAProxy weight.
    pub weight: u8,
}

/// One thing to tell HAProxy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Command(String),
    /// Replace the whole versions map with these `(version, slot)` entries, atomically.
    ReplaceMap(Vec<(String, String)>),
}

/// `(version, slot)` entries of a `show map` answer (`0x55d0c0 v1 a` per line).
pub fn map_entries(answer: &str) -> Vec<(String, String)> {
    answer
        .lines()
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            let _reference = words.next()?;
            Some((words.next()?.to_string(), words.next()?.to_string()))
        })
        .collect()
}

/// The version in each of `slots` by the map's entries: the first entry naming a slot wins,
/// and entries naming no slot are ignored (the next route rewrites them).
pub fn versions_in(entries: &[(String, String)], slots: &[String; 2]) -> [Option<String>; 2] {
    let mut versions: [Option<String>; 2] = [None, None];
    for (version, slot) in entries {
        if let Some(i) = slots.iter().position(|s| s == slot)
            && versions[i].is_none()
            && !versions.iter().flatten().any(|v| v == version)
        {
            versions[i] = Some(version.clone());
        }
    }
    versions
}

/// Which backend goes into which slot (index as in `now`), with its weight.
pub fn place<'t>(now: &[SlotNow; 2], table: &'t RouteTable) -> [Option<(&'t Backend, u8)>; 2] {
    let slot_of = |version: &str| {
        now.iter()
            .position(|s| s.version.as_deref() == Some(version))
    };
    let canary = table.canary.as_ref();
    let stable = slot_of(&table.stable.version)
        .or_else(|| canary.and_then(|(c, _)| slot_of(&c.version)).map(|i| 1 - i))
        // A version new to the backend goes where traffic is not, to come up beside the old.
        .unwrap_or(if now[1].weight < now[0].weight { 1 } else { 0 });
    let mut targets = [None, None];
    targets[stable] = Some((&table.stable, table.stable_weight()));
    targets[1 - stable] = canary.map(|(backend, weight)| (backend, *weight));
    targets
}

/// The commands that take `backend` from `now` to `targets`.
pub fn steps(backend: &str, now: &[SlotNow; 2], targets: &[Option<Placed>; 2]) -> Vec<Step> {
    let server = |i: usize| format!("{backend}/{}", now[i].name);
    let mut steps = Vec::new();
    let out_of_rotation = |steps: &mut Vec<Step>, i: usize| {
        steps.push(Step::Command(format!(
            "set server {} state maint",
            server(i)
        )));
        steps.push(Step::Command(format!("set weight {} 0", server(i))));
    };
    for (i, target) in targets.iter().enumerate() {
        if let Some(placed) = target {
            if now[i].version.as_deref() != Some(&placed.version) {
                out_of_rotation(&mut steps, i);
            }
            steps.push(Step::Command(format!(
                "set server {} addr {} port {}",
                server(i),
                placed.addr.ip(),
                placed.addr.port()
            )));
        }
    }
    steps.push(Step::ReplaceMap(
        targets
            .iter()
            .zip(now)
            .filter_map(|(target, slot)| {
                Some((target.as_ref()?.version.clone(), slot.name.clone()))
            })
            .collect(),
    ));
    for (i, target) in targets.iter().enumerate() {
        if let Some(placed) = target.as_ref().filter(|p| p.weight > 0) {
            steps.push(Step::Command(format!(
                "set weight {} {}",
                server(i),
                placed.weight
            )));
            steps.push(Step::Command(format!(
                "set server {} state ready",
                server(i)
            )));
        }
    }
    for (i, target) in targets.iter().enumerate() {
        if target.as_ref().is_none_or(|p| p.weight == 0) {
            out_of_rotation(&mut steps, i);
        }
    }
    steps
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slot(name: &str, version: Option<&str>, weight: u32) -> SlotNow {
        SlotNow {
            name: name.into(),
            version: version.map(String::from),
            weight,
        }
    }

    fn backend(version: &str) -> Backend {
        Backend::new(version, format!("http://127.0.0.1:1/{version}"))
    }

    /// The versions placed in (a, b) with their weights.
    fn placement(
        now: &[SlotNow; 2],
        canary: Option<&str>,
        weight: u8,
    ) -> [Option<(String, u8)>; 2] {
        let stable = backend("v1");
        let canary = canary.map(backend);
        let table = RouteTable::new("r", &stable, canary.as_ref(), weight).unwrap();
        place(now, &table).map(|t| t.map(|(b, w)| (b.version.clone(), w)))
    }

    fn at(version: &str, weight: u8) -> Option<(String, u8)> {
        Some((version.into(), weight))
    }

    #[test]
    fn stable_stays_in_its_slot_and_a_canary_takes_the_other() {
        let now = [slot("a", None, 0), slot("b", Some("v1"), 100)];
        assert_eq!(placement(&now, Some("v2"), 5), [at("v2", 5), at("v1", 95)]);
        // The canary keeps its slot as its weight changes, and at 0 (rolled back).
        let now = [slot("a", Some("v2"), 5), slot("b", Some("v1"), 95)];
        assert_eq!(placement(&now, Some("v2"), 0), [at("v2", 0), at("v1", 100)]);
        // A new canary replaces the old one in its slot.
        assert_eq!(placement(&now, Some("v3"), 5), [at("v3", 5), at("v1", 95)]);
    }

    #[test]
    fn a_promoted_canary_stays_where_it_is() {
        // v1 was the canary in `b` beside v0; promoting it (stable v1, no canary) leaves it in
        // `b` and empties `a`.
        let now = [slot("a", Some("v0"), 90), slot("b", Some("v1"), 10)];
        assert_eq!(placement(&now, None, 0), [None, at("v1", 100)]);
    }

    #[test]
    fn a_new_stable_goes_beside_the_canary_or_into_the_idle_slot() {
        let now = [slot("a", Some("v2"), 10), slot("b", Some("v0"), 90)];
        assert_eq!(
            placement(&now, Some("v2"), 10),
            [at("v2", 10), at("v1", 90)]
        );
        let now = [slot("a", Some("v0"), 100), slot("b", None, 0)];
        assert_eq!(placement(&now, None, 0), [None, at("v1", 100)]);
        let now = [slot("a", None, 0), slot("b", None, 0)];
        assert_eq!(placement(&now, None, 0), [at("v1", 100), None]);
    }

    fn placed(version: &str, port: u16, weight: u8) -> Option<Placed> {
        Some(Placed {
            version: version.into(),
            addr: SocketAddr::from(([127, 0, 0, 1], port)),
            weight,
        })
    }

    fn commands(steps: &[Step]) -> Vec<String> {
        steps
            .iter()
            .map(|step| match step {
                Step::Command(command) => command.clone(),
                Step::ReplaceMap(entries) => format!("map {entries:?}"),
            })
            .collect()
    }

    #[test]
    fn a_new_canary_is_placed_out_of_rotation_then_brought_up() {
        let now = [slot("a", Some("v1"), 100), slot("b", None, 0)];
        let steps = steps(
            "svc",
            &now,
            &[placed("v1", 8081, 95), placed("v2", 8082, 5)],
        );
        assert_eq!(
            commands(&steps),
            [
                "set server svc/a addr 127.0.0.1 port 8081",
                "set server svc/b state maint",
                "set weight svc/b 0",
                "set server svc/b addr 127.0.0.1 port 8082",
                r#"map [("v1", "a"), ("v2", "b")]"#,
                "set weight svc/a 95",
                "set server svc/a state ready",
                "set weight svc/b 5",
                "set server svc/b state ready",
            ]
        );
    }

    #[test]
    fn rollback_puts_the_canary_in_maintenance_and_keeps_it_placed() {
        let now = [slot("a", Some("v1"), 95), slot("b", Some("v2"), 5)];
        let steps = steps(
            "svc",
            &now,
            &[placed("v1", 8081, 100), placed("v2", 8082, 0)],
        );
        assert_eq!(
            commands(&steps),
            [
                "set server svc/a addr 127.0.0.1 port 8081",
                "set server svc/b addr 127.0.0.1 port 8082",
                r#"map [("v1", "a"), ("v2", "b")]"#,
                "set weight svc/a 100",
                "set server svc/a state ready",
                "set server svc/b state maint",
                "set weight svc/b 0",
            ]
        );
    }

    #[test]
    fn an_emptied_slot_leaves_the_map() {
        let now = [slot("a", Some("v1"), 90), slot("b", Some("v2"), 10)];
        let steps = steps("svc", &now, &[None, placed("v2", 8082, 100)]);
        assert_eq!(
            commands(&steps),
            [
                "set server svc/b addr 127.0.0.1 port 8082",
                r#"map [("v2", "b")]"#,
                "set weight svc/b 100",
                "set server svc/b state ready",
                "set server svc/a state maint",
                "set weight svc/a 0",
            ]
        );
    }

    #[test]
    fn reads_the_map_and_ignores_what_names_no_slot() {
        let entries = map_entries("0x55d0c0 v1 a\n0x55d0c8 v2 b\n0x55d0d0 v3 z\n0x55d0d8 v4 a\n\n");
        assert_eq!(entries.len(), 4);
        let slots = ["a".to_string(), "b".to_string()];
        assert_eq!(
            versions_in(&entries, &slots),
            [Some("v1".to_string()), Some("v2".to_string())]
        );
    }
}
