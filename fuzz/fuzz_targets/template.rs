#![no_main]
//! `template`: the properties of [`gate_fuzz_properties::template`] for arbitrary input.

libfuzzer_sys::fuzz_target!(|data: &[u8]| gate_fuzz_properties::template::check(data));
