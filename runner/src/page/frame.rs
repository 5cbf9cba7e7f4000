//! The main frame's navigations as DevTools reports them: navigations requested and started,
//! documents committed, and how far the committed document has loaded (`DOMContentLoaded`,
//! `load`). Plain data that the page log's collector feeds; steps ask it whether a wait for a
//! load state is over. Knows nothing of time or the network: network idle is the caller's.

use gate_scenarios::WaitUntil;

/// How many recent documents' lifecycle events are kept.
const KEPT_DOCUMENTS: usize = 8;

#[derive(Debug, Default, Clone)]
pub struct MainFrame {
    /// The main frame's id, once known.
    id: Option<String>,
    /// Bumped when a navigation is requested or starts loading.
    navigations: u64,
    /// Bumped when a new document commits (same-document navigations do not count).
    commits: u64,
    /// A navigation was requested or started and has neither committed nor stopped.
    pub pending: bool,
    /// Loader of the committed document; `None` before the first commit (the initial
    /// `about:blank`, which is complete).
    loader: Option<String>,
    /// URL of the committed document (`chrome-error://…` when the browser shows an error page).
    pub url: String,
    /// Load states reached, by loader, most recent last.
    documents: Vec<(String, Reached)>,
}

#[derive(Debug, Default, Clone, Copy)]
struct Reached {
    dom_content_loaded: bool,
    load: bool,
}

/// Where the main frame stood at one moment (before an action), to tell what came after.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mark {
    navigations: u64,
    commits: u64,
}

impl MainFrame {
    pub fn new(id: Option<String>) -> MainFrame {
        MainFrame {
            id,
            ..MainFrame::default()
        }
    }

    /// Whether `frame` is the main frame (any frame is, until the main one is known).
    pub fn is_main(&self, frame: &str) -> bool {
        self.id.as_deref().is_none_or(|id| id == frame)
    }

    pub fn mark(&self) -> Mark {
        Mark {
            navigations: self.navigations,
            commits: self.commits,
        }
    }

    /// A navigation was requested (a link, a form, script) or started loading.
    pub fn navigation_started(&mut self) {
        self.navigations += 1;
        self.pending = true;
    }

    /// A new document committed in the main frame.
    pub fn committed(&mut self, frame: String, loader: String, url: String) {
        self.id = Some(frame);
        self.commits += 1;
        self.pending = false;
        self.url = url;
        self.document(&loader);
        self.loader = Some(loader);
    }

    /// The page moved within its document (`pushState`, a fragment): nothing will load.
    pub fn navigated_within_document(&mut self) {
        self.pending = false;
    }

    /// The frame stopped loading: a navigation ended (committed or not: a 204, a download, an
    /// abort) and the document will load nothing more, whether or not `load` fired.
    pub fn stopped_loading(&mut self) {
        self.pending = false;
        if let Some(loader) = self.loader.clone() {
            let reached = self.document(&loader);
            reached.dom_content_loaded = true;
            reached.load = true;
        }
    }

    /// A `Page.lifecycleEvent` of the main frame.
    pub fn lifecycle(&mut self, loader: &str, name: &str) {
        let reached = self.document(loader);
        match name {
            "DOMContentLoaded" => reached.dom_content_loaded = true,
            "load" => reached.load = true,
            _ => {}
        }
    }

    /// Whether the committed document reached `state` (network idle counts as `load` here).
    pub fn reached(&self, state: WaitUntil) -> bool {
        let Some(loader) = &self.loader else {
            return true;
        };
        let reached = self
            .documents
            .iter()
            .rev()
            .find(|(l, _)| l == loader)
            .map(|(_, r)| *r)
            .unwrap_or_default();
        match state {
            WaitUntil::Commit => true,
            WaitUntil::DomContentLoaded => reached.dom_content_loaded || reached.load,
            WaitUntil::Load | WaitUntil::NetworkIdle => reached.load,
        }
    }

    /// Whether a document committed after `mark`.
    pub fn committed_since(&self, mark: Mark) -> bool {
        self.commits != mark.commits
    }

    /// Whether a wait for `state` that began at `mark` is over: a navigation started since then
    /// has committed (or ended without a new document), and the page's document reached the
    /// state. With no navigation since `mark`, the current document only has to reach it.
    pub fn settled(&self, mark: Mark, state: WaitUntil) -> bool {
        let navigated = self.navigations != mark.navigations || self.committed_since(mark);
        !(navigated && self.pending) && self.reached(state)
    }

    fn document(&mut self, loader: &str) -> &mut Reached {
        let at = match self.documents.iter().position(|(l, _)| l == loader) {
            Some(at) => at,
            None => {
                if self.documents.len() == KEPT_DOCUMENTS {
                    self.documents.remove(0);
                }
                self.documents
                    .push((loader.to_string(), Reached::default()));
                self.documents.len() - 1
            }
        };
        &mut self.documents[at].1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame() -> MainFrame {
        let mut frame = MainFrame::new(Some("main".into()));
        frame.committed("main".into(), "first".into(), "http://a/".into());
        frame.lifecycle("first", "DOMContentLoaded");
        frame.lifecycle("first", "load");
        frame
    }

    #[test]
    fn an_action_that_navigates_waits_for_the_commit_then_the_state() {
        let mut frame = frame();
        let mark = frame.mark();
        assert!(frame.settled(mark, WaitUntil::Load), "nothing started yet");
        frame.navigation_started();
        for state in WaitUntil::ALL {
            assert!(!frame.settled(mark, state), "{state} before the commit");
        }
        frame.committed("main".into(), "second".into(), "http://a/next".into());
        assert!(frame.settled(mark, WaitUntil::Commit));
        assert!(!frame.settled(mark, WaitUntil::DomContentLoaded));
        // Events of the old document, arriving late, do not count for the new one.
        frame.lifecycle("first", "load");
        assert!(!frame.settled(mark, WaitUntil::DomContentLoaded));
        frame.lifecycle("second", "DOMContentLoaded");
        assert!(frame.settled(mark, WaitUntil::DomContentLoaded));
        assert!(!frame.settled(mark, WaitUntil::Load));
        frame.lifecycle("second", "load");
        assert!(frame.settled(mark, WaitUntil::Load));
        assert!(frame.settled(mark, WaitUntil::NetworkIdle));
    }

    #[test]
    fn lifecycle_events_may_come_before_the_commit() {
        let mut frame = frame();
        let mark = frame.mark();
        frame.navigation_started();
        frame.lifecycle("second", "DOMContentLoaded");
        frame.committed("main".into(), "second".into(), "http://a/next".into());
        assert!(frame.settled(mark, WaitUntil::DomContentLoaded));
    }

    #[test]
    fn navigations_without_a_new_document_end_the_wait() {
        let mut frame = frame();
        let mark = frame.mark();
        frame.navigation_started();
        frame.stopped_loading(); // a 204, a download
        assert!(frame.settled(mark, WaitUntil::Load));
        assert!(!frame.committed_since(mark));

        let mark = frame.mark();
        frame.navigation_started();
        frame.navigated_within_document();
        assert!(frame.settled(mark, WaitUntil::Commit));
    }

    #[test]
    fn stopping_counts_as_loaded_and_the_initial_page_is_complete() {
        assert!(MainFrame::new(None).reached(WaitUntil::Load));
        let mut frame = MainFrame::new(None);
        frame.committed("main".into(), "first".into(), "http://a/".into());
        assert!(!frame.reached(WaitUntil::Load));
        frame.stopped_loading();
        assert!(frame.reached(WaitUntil::Load));
        assert!(frame.is_main("main") && !frame.is_main("child"));
    }
}
