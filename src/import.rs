//! `gate import`'s pure part: [`parse`] reads a history CSV into the API's rows (or every
//! problem in it, by line and column); [`batch`] joins the files' rows into one request and
//! maps a field path of the server's checks back to a file's line and column. Reading the
//! files and talking to the server is `import_cmd`'s.

pub mod batch;
pub mod parse;
