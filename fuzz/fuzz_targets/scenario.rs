#![no_main]
//! `scenario`: the properties of [`gate_fuzz_properties::scenario`] for arbitrary input.

libfuzzer_sys::fuzz_target!(|data: &[u8]| gate_fuzz_properties::scenario::check(data));
