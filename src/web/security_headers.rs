//! Security headers on every response: what the browser may load and run, no framing by other sites,
//! no MIME sniffing, no full URLs leaking to other sites in the Referer.

use rocket::fairing::{Fairing, Info, Kind};
use rocket::http::Header;
use rocket::{Request, Response};

pub struct SecurityHeaders;

/// Our pages use no inline script; the bundled API explorer (`/api/docs/`) needs inline script and
/// styles, so it alone gets them.
const CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
                   object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";
const CSP_API_DOCS: &str = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; \
                            script-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'self'; \
                            form-action 'self'; frame-ancestors 'none'";

#[rocket::async_trait]
impl Fairing for SecurityHeaders {
    fn info(&self) -> Info {
        Info { name: "security headers", kind: Kind::Response }
    }

    async fn on_response<'r>(&self, req: &'r Request<'_>, res: &mut Response<'r>) {
        let csp = if req.uri().path().starts_with("/api/docs") { CSP_API_DOCS } else { CSP };
        // A response that states its own, stricter policy keeps it (the self-contained report files).
        if res.headers().get_one("Content-Security-Policy").is_none() {
            res.set_header(Header::new("Content-Security-Policy", csp));
        }
        res.set_header(Header::new("X-Content-Type-Options", "nosniff"));
        res.set_header(Header::new("X-Frame-Options", "DENY"));
        res.set_header(Header::new("Referrer-Policy", "same-origin"));
        res.set_header(Header::new("Cross-Origin-Opener-Policy", "same-origin"));
        res.set_header(Header::new("Permissions-Policy", "camera=(), microphone=(), geolocation=()"));
        // Pages show who is signed in and what they may do: never keep them in shared caches.
        if res.headers().get_one("Cache-Control").is_none() && !req.uri().path().starts_with("/static") {
            res.set_header(Header::new("Cache-Control", "no-store"));
        }
    }
}
