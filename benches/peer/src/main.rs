//! The peer of the server benchmark: the smallest axum service, one route returning a constant
//! JSON body the size of a commit status, on a loopback port it prints. Whatever gate's status
//! endpoint costs beyond this is gate's own (auth, store, rendering).

use axum::Router;
use axum::http::header;
use axum::routing::get;

const BODY: &str = r#"{"state":"success","description":"3 passed","target_url":"http://127.0.0.1/runs/1","runs":[],"failing":[],"flaky":[]}"#;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let app = Router::new().route(
        "/api/v1/commits/{sha}/status",
        get(|| async { ([(header::CONTENT_TYPE, "application/json")], BODY) }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    println!("peer listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app).await
}
