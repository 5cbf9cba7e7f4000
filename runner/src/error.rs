//! Why a step did not hold, classified so the run can tell the code under test's failures from
//! its own infrastructure's.

use chromiumoxide::error::CdpError;

use crate::page::ProbeError;
use crate::result::FailureKind;

#[derive(Debug, Clone)]
pub struct StepError {
    pub kind: FailureKind,
    pub message: String,
    pub expected: Option<String>,
    pub actual: Option<String>,
}

impl StepError {
    pub fn step(message: impl Into<String>) -> StepError {
        StepError {
            kind: FailureKind::Step,
            message: message.into(),
            expected: None,
            actual: None,
        }
    }

    pub fn assertion(
        message: impl Into<String>,
        expected: impl Into<String>,
        actual: impl Into<String>,
    ) -> StepError {
        StepError {
            kind: FailureKind::Assertion,
            message: message.into(),
            expected: Some(expected.into()),
            actual: Some(actual.into()),
        }
    }

    pub fn infra(message: impl Into<String>) -> StepError {
        StepError {
            kind: FailureKind::Infrastructure,
            message: message.into(),
            expected: None,
            actual: None,
        }
    }

    pub fn setup(message: impl Into<String>) -> StepError {
        StepError {
            kind: FailureKind::Setup,
            message: message.into(),
            expected: None,
            actual: None,
        }
    }

    pub fn is_infra(&self) -> bool {
        self.kind == FailureKind::Infrastructure
    }
}

/// Transport failures (connection gone, no answer) are infrastructure; protocol errors about the
/// page (bad node, navigation refused) are the step's.
impl From<CdpError> for StepError {
    fn from(err: CdpError) -> StepError {
        match err {
            CdpError::Ws(_)
            | CdpError::Io(_)
            | CdpError::NoResponse
            | CdpError::ChannelSendError(_)
            | CdpError::Timeout
            | CdpError::LaunchExit(..)
            | CdpError::LaunchTimeout(_)
            | CdpError::LaunchIo(..) => {
                StepError::infra(format!("browser connection failed: {err}"))
            }
            other => StepError::step(other.to_string()),
        }
    }
}

impl From<ProbeError> for StepError {
    fn from(err: ProbeError) -> StepError {
        match err {
            ProbeError::ContextGone => StepError::step("the page navigated away during the step"),
            ProbeError::Script(message) => StepError::step(message),
            ProbeError::Cdp(err) => err.into(),
            ProbeError::Timeout => StepError::step("the page did not answer (busy or hung)"),
        }
    }
}
