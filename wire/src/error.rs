//! The one shape of every error answer.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Every error answer: a message safe to show, and the request field it is about.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct ErrorBody {
    pub error: String,
    pub field: Option<String>,
}
