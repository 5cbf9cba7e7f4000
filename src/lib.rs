//! The `gate` command's pure parts that other crates check directly: [`import`], reading
//! history CSV files into the API's rows (the fuzz properties in `fuzz/properties` drive it
//! with arbitrary bytes). Everything else of the command is the binary's (`main.rs`).

pub mod import;
