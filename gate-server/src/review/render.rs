//! The review as Markdown (to paste into a ticket) and as terminal text.

use super::{Review, Status};

fn mark(status: Status) -> &'static str {
    match status {
        Status::Installed => "✅",
        Status::Partial => "⚠️",
        Status::Missing => "❌",
    }
}

/// `# The seven gates`, a table, then each gate not installed with its advice and snippet.
pub fn markdown(r: &Review) -> String {
    let mut out = format!(
        "# The seven gates\n\n{}.\n\n| | gate | status | evidence |\n|---|---|---|---|\n",
        r.summary
    );
    for g in &r.gates {
        out.push_str(&format!(
            "| {} | {}. {} | {} | {} |\n",
            mark(g.status),
            g.number,
            g.name,
            g.status.as_str(),
            g.evidence.join("; ").replace('|', "\\|")
        ));
    }
    for g in r.gates.iter().filter(|g| g.status != Status::Installed) {
        out.push_str(&format!(
            "\n## {}. {} ({})\n\n",
            g.number,
            g.name,
            g.status.as_str()
        ));
        for a in &g.advice {
            out.push_str(&format!("- {a}\n"));
        }
        if let Some(snippet) = g.snippet {
            out.push_str(&format!("\n```toml\n{snippet}\n```\n"));
        }
    }
    out
}

/// One line per gate with its evidence and advice under it, then the summary.
pub fn text(r: &Review) -> String {
    let mut out = String::new();
    for g in &r.gates {
        out.push_str(&format!(
            "{}. {:<48} {}\n",
            g.number,
            g.name,
            g.status.as_str()
        ));
        for e in &g.evidence {
            out.push_str(&format!("     {e}\n"));
        }
        for a in &g.advice {
            out.push_str(&format!("   → {a}\n"));
        }
        if let Some(snippet) = g.snippet {
            for line in snippet.lines() {
                out.push_str(&format!("       {line}\n"));
            }
        }
    }
    out.push_str(&format!("{}\n", r.summary));
    out
}

#[cfg(test)]
mod tests {
    use super::super::{Evidence, review};
    use super::*;

    #[test]
    fn markdown_has_the_table_and_the_fixes() {
        let md = markdown(&review(&Evidence::default()));
        assert!(
            md.starts_with("# The seven gates\n\n0 of 7 gates installed"),
            "{md}"
        );
        assert_eq!(md.matches("\n| ").count(), 8, "{md}");
        assert!(
            md.contains("## 4. Staging matches production (missing)"),
            "{md}"
        );
        assert!(md.contains("```toml\n[parity]"), "{md}");
    }

    #[test]
    fn text_names_every_gate_and_its_state() {
        let t = text(&review(&Evidence::default()));
        assert!(t.contains("1. Test gate before merge"), "{t}");
        assert!(
            t.lines()
                .any(|l| l.starts_with("7.") && l.ends_with("partial")),
            "{t}"
        );
        assert!(
            t.ends_with("0 of 7 gates installed, 1 partial, 6 missing\n"),
            "{t}"
        );
    }
}
