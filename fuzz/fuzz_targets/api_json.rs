#![no_main]
//! `api_json`: the properties of [`gate_fuzz_properties::api_json`] for arbitrary input.

libfuzzer_sys::fuzz_target!(|data: &[u8]| gate_fuzz_properties::api_json::check(data));
