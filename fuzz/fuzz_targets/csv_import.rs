#![no_main]
//! `csv_import`: the properties of [`gate_fuzz_properties::csv_import`] for arbitrary input.

libfuzzer_sys::fuzz_target!(|data: &[u8]| gate_fuzz_properties::csv_import::check(data));
