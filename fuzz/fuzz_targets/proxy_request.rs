#![no_main]
//! `proxy_request`: the properties of [`gate_fuzz_properties::proxy_request`] for arbitrary input.

libfuzzer_sys::fuzz_target!(|data: &[u8]| gate_fuzz_properties::proxy_request::check(data));
