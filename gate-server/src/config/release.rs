//! `[release]`: the release flow a team declares, in order: the stages gate runs (`kind =
//! "gate"`, `"canary"`, `"promotion"`, `"digest"`, filled in from the rest of the file) and
//! the manual ones, each with its owners, its runbook and how long it usually takes. Only
//! manual stages take those keys; a manual stage gate does now is marked `automated-by-gate`.
//! What the flow means (statistics, risks) is `gate_flow`'s; this reads and checks.

use gate_flow::{StageDecl, StageKind};
use gate_toml::duration::duration;
use gate_toml::{Section, Sink, Value, read};

use super::ReleaseConfig;
use super::rules;

const KEYS: [&str; 2] = ["stages", "recent-releases"];
const STAGE_KEYS: [&str; 6] = [
    "name",
    "kind",
    "owners",
    "runbook",
    "usually",
    "automated-by-gate",
];
/// The keys only a manual stage has.
const MANUAL_KEYS: [&str; 4] = ["owners", "runbook", "usually", "automated-by-gate"];
const HELP: &str = "each stage is [[release.stages]] with a name and a kind; manual ones also name owners = [\"ana\", \"bo\"], a runbook URL and how long it usually takes: see the commented example `gate init` writes";

pub(super) fn read(sink: &mut Sink<'_>, value: &Value<'_>) -> Option<ReleaseConfig> {
    let mut s = Section::open(sink, "[release]", value, &KEYS)?;
    let stages = s.read(sink, "stages", stages);
    let recent_releases = s.read(sink, "recent-releases", |sink, what, value| {
        read::integer(sink, what, value, 1..=1000).and_then(|n| u32::try_from(n).ok())
    });
    s.require(sink, &["stages"], HELP);
    s.finish(|| {
        Some(ReleaseConfig {
            stages: stages?,
            recent_releases: recent_releases.unwrap_or(gate_flow::RECENT_RELEASES),
        })
    })
}

fn stages(sink: &mut Sink<'_>, what: &str, value: &Value<'_>) -> Option<Vec<StageDecl>> {
    let entries = read::array(sink, what, value)?;
    let mut stages: Vec<StageDecl> = Vec::new();
    let mut complete = true;
    for entry in entries {
        match stage(sink, entry, &stages) {
            Some(stage) => stages.push(stage),
            None => complete = false,
        }
    }
    if complete && stages.is_empty() {
        sink.error(value.span(), format!("{what} must list at least one stage"))
            .label("no stage")
            .help(HELP);
        return None;
    }
    complete.then_some(stages)
}

/// One entry; `earlier` are the stages before it (names and gate's kinds are unique).
fn stage(sink: &mut Sink<'_>, entry: &Value<'_>, earlier: &[StageDecl]) -> Option<StageDecl> {
    let mut s = Section::open(sink, "[[release.stages]]", entry, &STAGE_KEYS)?;
    let name = s.read(sink, "name", |sink, what, value| {
        let name = read::checked(sink, what, value, rules::stage_name)?;
        if earlier.iter().any(|e| e.name == name) {
            sink.error(value.span(), format!("stage `{name}` is declared twice"))
                .label("duplicate name")
                .help("each stage is one [[release.stages]] entry with a name of its own");
            return None;
        }
        Some(name)
    });
    let kind = s.read(sink, "kind", |sink, what, value| {
        let names = StageKind::ALL.map(StageKind::as_str);
        let kind = StageKind::parse(read::one_of(sink, what, "stage kind", value, &names)?)?;
        if kind != StageKind::Manual
            && let Some(first) = earlier.iter().find(|e| e.kind == kind)
        {
            sink.error(
                value.span(),
                format!(
                    "a release has one `{}` stage: `{}` is it already",
                    kind.as_str(),
                    first.name
                ),
            )
            .label("gate runs this once per release")
            .help("remove one of them; steps people add around it are manual stages");
            return None;
        }
        Some(kind)
    });
    let owners = s.read(sink, "owners", |sink, what, value| {
        let owners = read::list(sink, what, value, |o| match o.trim() {
            "" => Err(gate_toml::Invalid::new(
                "must not hold an empty name",
                "empty",
                "name the people who can perform the stage, e.g. owners = [\"ana\", \"bo\"]",
            )),
            o => Ok(o.to_string()),
        })?;
        if owners.is_empty() {
            sink.error(
                value.span(),
                format!("{what} must name at least one person"),
            )
            .label("nobody")
            .help("e.g. owners = [\"ana\", \"bo\"]: who can perform this stage");
            return None;
        }
        Some(owners)
    });
    let runbook = s.checked(
        sink,
        "runbook",
        rules::http_url("https://wiki.example.com/runbooks/qa-sign-off"),
    );
    let usually = s.read(sink, "usually", duration);
    let automated_by_gate = s.read(sink, "automated-by-gate", read::boolean);
    match kind {
        Some(StageKind::Manual) => {
            s.require(
                sink,
                &["name", "owners"],
                "a manual stage names who can perform it: owners = [\"ana\", \"bo\"]",
            );
        }
        Some(other) => {
            for key in MANUAL_KEYS {
                if let Some(value) = s.value(key) {
                    sink.error(
                        value.span(),
                        format!(
                            "`{key}` in `[[release.stages]]` is for manual stages: gate runs `{}` stages itself",
                            other.as_str()
                        ),
                    )
                    .label("not for this kind")
                    .help("remove it, or declare the step people do as a stage of its own with kind = \"manual\"");
                }
            }
            s.require(sink, &["name"], HELP);
            if MANUAL_KEYS.iter().any(|k| s.value(k).is_some()) {
                return None;
            }
        }
        None => s.require(sink, &["name", "kind"], HELP),
    }
    s.finish(|| {
        Some(StageDecl {
            name: name?,
            kind: kind?,
            owners: owners.unwrap_or_default(),
            runbook,
            usually,
            automated_by_gate: automated_by_gate.unwrap_or(false),
        })
    })
}
