// `sqlx::migrate!` embeds gate-server/migrations at compile time: rebuild when a migration is
// added or changed (as `sqlx migrate build-script` writes it).
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
