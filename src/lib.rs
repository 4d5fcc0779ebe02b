//! greenict: a Green ICT energy and asset lifecycle tracker for UK councils and public bodies.
//!
//! The map, dependencies pointing one way (`web | cli → services → domain + store`):
//! - [`domain`]: pure values and rules (money, MAC addresses, lifecycle, refresh maths). No I/O.
//! - [`energy`]: pure energy, cost and carbon estimates, roll-ups and what-if savings. No I/O.
//! - [`auth`]: password hashing, random tokens and the sign-in throttling rule.
//! - [`tco`]: pure total cost of ownership and refresh planning (forecast, keep-longer what-if). No I/O.
//! - [`scheduling`]: pure power-schedule maths (policies, BST, bank holidays, catch-up); [`scheduler`]: the
//!   background task that plans, claims and sends power actions (Wake-on-LAN).
//! - [`store`]: sea-orm entities and the database connection (SQLite file by default, or PostgreSQL).
//! - [`charts`]: plotters charts from plain series (SVG, PNG, and the table and CSV behind them). No I/O.
//! - [`services`]: one function per user action; each runs in a transaction and writes an audit event.
//! - [`web`]: Rocket routes: the JSON API under `/api/v1`, HTML pages, static assets, health checks.
//! - [`agent`]: the PC agent `greenict-agent` (its own binary) and the wire protocol it shares with the service.
//! - [`cli`]: `serve`, `migrate`, `demo`.
//! - [`demo`]: the deterministic fictional council estate.
//! - [`config`], [`error`]: configuration layering and the one error type.

pub mod agent;
pub mod auth;
pub mod charts;
pub mod cli;
mod cli_users;
pub mod config;
pub mod demo;
pub mod domain;
pub mod energy;
pub mod error;
pub mod import;
pub mod reports;
pub mod scheduler;
pub mod scheduling;
pub mod services;
pub mod store;
pub mod tco;
pub mod web;

pub use web::build_rocket;
