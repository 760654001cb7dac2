#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| appeal_fuzz::template(data));
