#![no_main]
//! `webhook`: the properties of [`gate_fuzz_properties::webhook`] for arbitrary input.

libfuzzer_sys::fuzz_target!(|data: &[u8]| gate_fuzz_properties::webhook::check(data));
