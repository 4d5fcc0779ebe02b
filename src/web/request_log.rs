//! One log line per request (method, path, status, duration) and a request id that error messages quote.

use rocket::fairing::{Fairing, Info, Kind};
use rocket::http::Header;
use rocket::{Data, Request, Response};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

pub struct RequestLog;

struct Started(Instant);
struct RequestId(String);

static COUNTER: AtomicU64 = AtomicU64::new(0);

fn new_id() -> String {
    // Process start time in the id keeps ids distinct across restarts and instances sharing a log.
    static START: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    let start = START.get_or_init(|| chrono::Utc::now().timestamp_millis() as u64 % 0xff_ffff);
    format!("{start:06x}-{:x}", COUNTER.fetch_add(1, Ordering::Relaxed))
}

pub fn request_id(req: &Request<'_>) -> String {
    req.local_cache(|| RequestId(new_id())).0.clone()
}

#[rocket::async_trait]
impl Fairing for RequestLog {
    fn info(&self) -> Info {
        Info { name: "request log", kind: Kind::Request | Kind::Response }
    }

    async fn on_request(&self, req: &mut Request<'_>, _: &mut Data<'_>) {
        req.local_cache(|| Started(Instant::now()));
        req.local_cache(|| RequestId(new_id()));
    }

    async fn on_response<'r>(&self, req: &'r Request<'_>, res: &mut Response<'r>) {
        let ms = req.local_cache(|| Started(Instant::now())).0.elapsed().as_secs_f64() * 1000.0;
        let id = request_id(req);
        res.set_header(Header::new("X-Request-Id", id.clone()));
        tracing::info!(
            request_id = %id,
            method = %req.method(),
            path = %req.uri().path(),
            status = res.status().code,
            ms = format!("{ms:.2}"),
            "request"
        );
    }
}
