//! Reporters: pure functions from [`crate::result::RunResult`] to files a person or a CI system
//! reads. They never look at the scenario model or the browser.
