//! The proxy end to end over real loopback sockets: an in-process [`gate_proxy::Proxy`] on
//! port 0 in front of small hyper upstreams that answer with their own name. One test binary,
//! so the crate links once. Nothing sleeps to wait: tests wait on conditions (an upstream's
//! counter, a chunk arriving, the state the admin API reports).

mod harness;
mod upstream;

mod admin;
mod counters;
mod forwarding;
mod routing;
mod state;
mod watchdog;
