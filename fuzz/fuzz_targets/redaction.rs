#![no_main]
//! `redaction`: the properties of [`gate_fuzz_properties::redaction`] for arbitrary input.

libfuzzer_sys::fuzz_target!(|data: &[u8]| gate_fuzz_properties::redaction::check(data));
