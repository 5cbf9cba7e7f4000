#![no_main]
//! `config`: the properties of [`gate_fuzz_properties::config`] for arbitrary input.

libfuzzer_sys::fuzz_target!(|data: &[u8]| gate_fuzz_properties::config::check(data));
