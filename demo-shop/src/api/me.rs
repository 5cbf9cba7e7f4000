//! `GET /api/me`: who the session cookie belongs to.

use axum::Json;

use super::user::ApiUser;
use super::wire::MeBody;

pub async fn show(ApiUser(user): ApiUser) -> Json<MeBody> {
    Json(MeBody {
        username: user.username,
    })
}
