//! The scenario model: what a scenario file means once it has been parsed and validated.
//!
//! Plain data, no behaviour beyond small accessors. The parser (`parse`) builds it, the runner
//! executes it. Every step keeps the location it came from so a run-time failure can name
//! `file:line`.

use std::fmt;
use std::time::Duration;

use serde::Serialize;

use crate::template::Template;

/// A position in a scenario file, 1-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
pub struct Location {
    pub line: u32,
    pub column: u32,
}

/// One scenario file: a named sequence of steps run in one fresh browser context.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    /// Unique within a suite; `session = "…"` refers to scenarios by this name.
    pub name: String,
    /// The file it was read from, as given to the parser.
    pub path: String,
    pub description: Option<String>,
    pub tags: Vec<String>,
    /// Isolation this scenario asks for with an `isolation:<level>` tag. The runner uses the
    /// stronger of this and the run's level.
    pub isolation: Option<Isolation>,
    /// Limit for the whole scenario (one attempt). `None`: the run's default.
    pub timeout: Option<Duration>,
    /// Default limit for each step of this scenario. `None`: the run's default.
    pub step_timeout: Option<Duration>,
    /// How many times a failed scenario is re-run; a pass on a re-run is "flaky".
    pub retries: u32,
    /// Start from the final browser state (cookies, local storage) of this scenario.
    pub session: Option<String>,
    /// How a scenario that reuses this one's session tells it is still valid (logged in).
    pub session_check: Option<Step>,
    /// `[vars]`, in file order. Values may use other templates (`{{secret.X}}`, external vars).
    pub vars: Vec<(String, Template)>,
    /// How far a navigation an action starts loads before the next step (`wait_until`), for
    /// the action steps that do not say. `None`: the runner's default. Not for `goto`.
    pub wait_until: Option<WaitUntil>,
    pub steps: Vec<Step>,
}

/// How much a scenario shares with the scenarios before it on the same worker, weakest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Isolation {
    /// A fresh browser context (cookies, storage, cache) in a browser that is kept: fastest.
    Context,
    /// A fresh browser process.
    Browser,
    /// A fresh container (Docker backend only): strongest.
    Container,
}

impl Isolation {
    pub const ALL: [Isolation; 3] = [Isolation::Context, Isolation::Browser, Isolation::Container];
    /// The tag prefix that asks for a level in a scenario file: `tags = ["isolation:browser"]`.
    pub const TAG_PREFIX: &'static str = "isolation:";

    pub fn name(self) -> &'static str {
        match self {
            Isolation::Context => "context",
            Isolation::Browser => "browser",
            Isolation::Container => "container",
        }
    }

    pub fn from_name(name: &str) -> Option<Isolation> {
        Isolation::ALL.into_iter().find(|i| i.name() == name)
    }
}

impl fmt::Display for Isolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How far a page load goes before a step moves on (`wait_until`), earliest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum WaitUntil {
    /// The new document is committed: the server answered and the browser switched to it.
    Commit,
    /// The new document's HTML is parsed (`DOMContentLoaded`); images, fonts and stylesheets
    /// may still be loading.
    DomContentLoaded,
    /// The `load` event: every image, stylesheet, font and script of the document too.
    Load,
    /// `load`, then no request in flight for 500 ms.
    NetworkIdle,
}

impl WaitUntil {
    pub const ALL: [WaitUntil; 4] = [
        WaitUntil::Commit,
        WaitUntil::DomContentLoaded,
        WaitUntil::Load,
        WaitUntil::NetworkIdle,
    ];

    /// The name scenario files use.
    pub fn name(self) -> &'static str {
        match self {
            WaitUntil::Commit => "commit",
            WaitUntil::DomContentLoaded => "domcontentloaded",
            WaitUntil::Load => "load",
            WaitUntil::NetworkIdle => "networkidle",
        }
    }

    pub fn from_name(name: &str) -> Option<WaitUntil> {
        WaitUntil::ALL.into_iter().find(|w| w.name() == name)
    }
}

impl fmt::Display for WaitUntil {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One `[[step]]` table.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// 0-based position in the scenario.
    pub index: usize,
    /// Where the step's table starts (the `[[step]]` header or the inline table).
    pub location: Location,
    /// Optional human name (`name = "…"`); otherwise `Step::describe` is used.
    pub name: Option<String>,
    pub action: Action,
    pub expect: Option<Expect>,
    pub captures: Vec<Capture>,
    /// Overrides the scenario's step timeout for this step (action and expectations).
    pub timeout: Option<Duration>,
    /// How far the page load this step starts goes before the step is done (`goto` and the
    /// actions that can navigate). `None`: the scenario's, else the runner's default.
    pub wait_until: Option<WaitUntil>,
}

impl Step {
    /// A one-line description for progress bars and reports, e.g. `click text="Blue Mug"`.
    pub fn describe(&self) -> String {
        if let Some(name) = &self.name {
            return name.clone();
        }
        match (&self.action, &self.expect) {
            (Action::None, Some(expect)) => format!("expect {expect}"),
            (action, _) => action.to_string(),
        }
    }
}

/// What a step does. `None` is a step that only has expectations or captures.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Goto {
        url: Template,
    },
    Click {
        target: Locator,
        button: MouseButton,
        click_count: u8,
    },
    Fill {
        target: Locator,
        value: Template,
    },
    /// Selects options of a `<select>` by value or visible label.
    Select {
        target: Locator,
        options: Vec<Template>,
    },
    Check {
        target: Locator,
    },
    Uncheck {
        target: Locator,
    },
    /// Presses key chords (`"Enter"`, `"Control+A"`), optionally focusing `target` first.
    Press {
        target: Option<Locator>,
        keys: Vec<String>,
    },
    Hover {
        target: Locator,
    },
    WaitFor(WaitFor),
    Screenshot {
        name: String,
        full_page: bool,
    },
    /// JavaScript evaluated in the page; its (JSON) result can be asserted with `expect.json`
    /// and captured with `capture = { x = "$.field" }`.
    Eval {
        script: Template,
    },
    Request(Request),
    None,
}

impl Action {
    /// The TOML key of this action, as the user writes it.
    pub fn keyword(&self) -> &'static str {
        match self {
            Action::Goto { .. } => "goto",
            Action::Click { .. } => "click",
            Action::Fill { .. } => "fill",
            Action::Select { .. } => "select",
            Action::Check { .. } => "check",
            Action::Uncheck { .. } => "uncheck",
            Action::Press { .. } => "press",
            Action::Hover { .. } => "hover",
            Action::WaitFor(_) => "wait_for",
            Action::Screenshot { .. } => "screenshot",
            Action::Eval { .. } => "eval",
            Action::Request(_) => "request",
            Action::None => "expect",
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kw = self.keyword();
        match self {
            Action::Goto { url } => write!(f, "{kw} {url}"),
            Action::Click { target, .. }
            | Action::Fill { target, .. }
            | Action::Select { target, .. }
            | Action::Check { target }
            | Action::Uncheck { target }
            | Action::Hover { target } => write!(f, "{kw} {target}"),
            Action::Press { target, keys } => {
                write!(f, "{kw} {}", keys.join(" "))?;
                if let Some(target) = target {
                    write!(f, " in {target}")?;
                }
                Ok(())
            }
            Action::WaitFor(w) => write!(f, "{kw} {w}"),
            Action::Screenshot { name, .. } => write!(f, "{kw} {name}"),
            Action::Eval { .. } => write!(f, "{kw} script"),
            Action::Request(r) => write!(f, "{} {}", r.method, r.url),
            Action::None => write!(f, "{kw}"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MouseButton {
    #[default]
    Left,
    Right,
    Middle,
}

impl MouseButton {
    pub fn as_str(self) -> &'static str {
        match self {
            MouseButton::Left => "left",
            MouseButton::Right => "right",
            MouseButton::Middle => "middle",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum WaitFor {
    /// An element reaching a state.
    Element {
        target: Locator,
        state: ElementState,
    },
    /// The page URL matching.
    Url(TextMatch),
    /// No network request in flight for `idle` (500 ms by default).
    NetworkIdle { idle: Duration },
}

impl fmt::Display for WaitFor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WaitFor::Element { target, state } => write!(f, "{target} {}", state.as_str()),
            WaitFor::Url(m) => write!(f, "url {m}"),
            WaitFor::NetworkIdle { .. } => write!(f, "network idle"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ElementState {
    Attached,
    Detached,
    #[default]
    Visible,
    Hidden,
}

impl ElementState {
    pub fn as_str(self) -> &'static str {
        match self {
            ElementState::Attached => "attached",
            ElementState::Detached => "detached",
            ElementState::Visible => "visible",
            ElementState::Hidden => "hidden",
        }
    }
}

/// How to find an element. A plain string in a scenario is a CSS selector.
#[derive(Debug, Clone, PartialEq)]
pub struct Locator {
    pub kind: LocatorKind,
    /// Pick the n-th (0-based) match instead of requiring exactly one.
    pub nth: Option<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum LocatorKind {
    Css(Template),
    /// Visible text; substring match (whitespace-normalised, case-insensitive) unless `exact`.
    Text {
        text: Template,
        exact: bool,
    },
    /// ARIA role (explicit or implicit) and optional accessible name.
    Role {
        role: String,
        name: Option<Template>,
        exact: bool,
    },
    /// Form control by its `<label>` text or `aria-label`.
    Label {
        text: Template,
        exact: bool,
    },
    /// `data-testid` attribute.
    TestId(Template),
}

impl fmt::Display for Locator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            LocatorKind::Css(s) => write!(f, "{s}")?,
            LocatorKind::Text { text, .. } => write!(f, "text=\"{text}\"")?,
            LocatorKind::Role { role, name, .. } => {
                write!(f, "role={role}")?;
                if let Some(name) = name {
                    write!(f, "[name=\"{name}\"]")?;
                }
            }
            LocatorKind::Label { text, .. } => write!(f, "label=\"{text}\"")?,
            LocatorKind::TestId(id) => write!(f, "test_id=\"{id}\"")?,
        }
        if let Some(nth) = self.nth {
            write!(f, " >> nth={nth}")?;
        }
        Ok(())
    }
}

/// A string comparison used by expectations and waits.
#[derive(Debug, Clone, PartialEq)]
pub enum TextMatch {
    /// Equal after trimming and collapsing whitespace.
    Equals(Template),
    /// Contains, after collapsing whitespace.
    Contains(Template),
}

impl fmt::Display for TextMatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TextMatch::Equals(t) => write!(f, "= \"{t}\""),
            TextMatch::Contains(t) => write!(f, "contains \"{t}\""),
        }
    }
}

/// An HTTP request made in the scenario's browser session (its cookies are sent, and cookies
/// it sets land in the browser context).
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// Upper-case HTTP method.
    pub method: String,
    /// Absolute, or relative to the run's base URL.
    pub url: Template,
    pub headers: Vec<(String, Template)>,
    pub body: Option<Body>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    /// Sent as `application/json`; string leaves are templates.
    Json(serde_json::Value),
    /// Sent as `application/x-www-form-urlencoded`.
    Form(Vec<(String, Template)>),
    /// Sent as is; the user sets `content-type` in `headers`.
    Raw(Template),
}

/// Expectations of a step. Which kind is allowed depends on the action: `Response` for
/// `request` steps, `Page` for everything else.
#[derive(Debug, Clone, PartialEq)]
#[expect(
    clippy::large_enum_variant,
    reason = "one per step, built once; boxing would only complicate the runner's matches"
)]
pub enum Expect {
    Page(PageExpect),
    Response(ResponseExpect),
}

impl fmt::Display for Expect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expect::Page(p) => {
                if let Some(target) = &p.target {
                    write!(f, "{target}")?;
                } else if let Some(url) = &p.url {
                    write!(f, "url {url}")?;
                } else if let Some(title) = &p.title {
                    write!(f, "title {title}")?;
                } else {
                    write!(f, "page")?;
                }
                Ok(())
            }
            Expect::Response(_) => write!(f, "response"),
        }
    }
}

/// Page expectations. They are retried until the step timeout, so no step needs sleeps.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PageExpect {
    /// The element the element checks below apply to.
    pub target: Option<Locator>,
    /// Element text (`text` = equals, `contains` = substring).
    pub text: Option<TextMatch>,
    /// Form control value.
    pub value: Option<Template>,
    /// `visible = true` / `false` (false also holds for a missing element).
    pub visible: Option<bool>,
    /// Number of elements matching `target`.
    pub count: Option<usize>,
    /// Attribute values of the element: name → expected.
    pub attributes: Vec<(String, Template)>,
    /// Page URL (`url` = equals, relative URLs resolved against the base; `url_contains`).
    pub url: Option<TextMatch>,
    /// Page title (`title` = equals, `title_contains`).
    pub title: Option<TextMatch>,
    /// JSONPath checks on the value of an `eval` step.
    pub json: Vec<JsonCheck>,
}

/// Expectations on an HTTP response. Checked once (a response does not change).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ResponseExpect {
    /// Any of these statuses passes.
    pub status: Vec<u16>,
    /// Header name (lower-case) → expected value (equals).
    pub headers: Vec<(String, Template)>,
    pub json: Vec<JsonCheck>,
    /// The body contains this text.
    pub body_contains: Option<Template>,
    /// The whole response arrived within this time.
    pub max_duration: Option<Duration>,
}

/// `"$.items[0].name" = "Blue Mug"`: the (first) value at the JSONPath equals `expected`.
/// String leaves of `expected` are templates.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonCheck {
    pub path: String,
    pub expected: serde_json::Value,
}

/// `capture = { name = … }`: stores a value in a variable for later steps.
#[derive(Debug, Clone, PartialEq)]
pub struct Capture {
    pub var: String,
    pub source: CaptureSource,
}

#[derive(Debug, Clone, PartialEq)]
pub enum CaptureSource {
    /// JSONPath into the response body (request steps) or the result (eval steps).
    Json(String),
    /// A response header (request steps).
    Header(String),
    /// A cookie of the browser context, by name.
    Cookie(String),
    /// An element's text, or one of its attributes.
    Element {
        target: Locator,
        attribute: Option<String>,
    },
    /// The page's current URL.
    Url,
}
