//! The dashboard in a real browser: the app runs on a free loopback port over a fresh SQLite file with
//! a small demo estate; Debian's headless Chromium loads the dashboard, which must log nothing to the
//! console (no failed image, no script error), and every chart image must load (naturalWidth > 0).
//! Screenshots at desktop and phone widths go to `target/browser-artifacts/` for a human to look at.
//! Without Chromium the test is skipped, except in CI (`CI=true`), where it fails.

#[path = "common/browser.rs"]
mod browser;

use browser::{artifacts_dir, chromium, chromium_present, console_lines, get_as, DemoServer};

/// Reports each image's source and natural width into the DOM once the page has loaded, and any
/// resource that failed to load.
const PROBE: &str = r#"<script>
window.__failed = [];
window.addEventListener('error', function (e) { window.__failed.push(String(e.target && e.target.src || e.message)); }, true);
window.addEventListener('load', function () {
  var imgs = Array.prototype.map.call(document.images, function (i) { return [i.getAttribute('src'), i.naturalWidth]; });
  var out = document.createElement('pre');
  out.id = 'probe';
  out.textContent = JSON.stringify({ images: imgs, failed: window.__failed });
  document.body.appendChild(out);
});
</script>"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn dashboard_loads_without_console_errors_and_its_charts_render() {
    if !chromium_present() {
        return;
    }
    let app = DemoServer::start(300, "dashboard.sqlite").await;
    let (port, base) = (app.port, app.base.clone());
    let artifacts = artifacts_dir();
    let cookie = app.session_cookie().await;

    // 2024/25 has grid factors and the demo's tariffs: figures and charts. The current year may lack
    // its grid factor set: the page must still load cleanly and say why.
    for (path, shot) in [("/?fy=2024", "dashboard-2024-desktop.png"), ("/", "dashboard-current-desktop.png")] {
        let page_url = format!("{base}{}", app.signed(path).await);

        // The real page, as served: nothing on the console.
        let (dom, stderr) = tokio::task::spawn_blocking({
            let u = page_url.clone();
            move || chromium(&["--virtual-time-budget=15000".into(), "--dump-dom".into(), u])
        })
        .await
        .expect("join");
        assert!(dom.contains("<h2 id=\"chart-energy-by-month\">"), "{path}: the dashboard was drawn:\n{dom}");
        let console = console_lines(&stderr);
        assert!(console.is_empty(), "{path}: console messages:\n{}", console.join("\n"));

        // The same page with a probe added (as a file, its images still from the app): every image loaded.
        let (status, html) = tokio::task::spawn_blocking({
            let (p, c) = (path.to_string(), cookie.clone());
            move || get_as(port, &p, &c)
        })
        .await
        .expect("join")
        .expect("GET the dashboard");
        assert_eq!(status, 200, "{html}");
        // A page opened from a file sends no session cookie with its image requests, so the charts go in
        // as data: URLs holding exactly the bytes the app served this signed-in person.
        let html = {
            let (html, c) = (html.clone(), cookie.clone());
            tokio::task::spawn_blocking(move || inline_charts(port, &html, &c)).await.expect("join")
        };
        let probed = html.replacen("<head>", &format!("<head><base href=\"{base}/\">"), 1).replacen(
            "</body>",
            &format!("{PROBE}</body>"),
            1,
        );
        let file = artifacts.join(format!("{}.html", shot.trim_end_matches(".png")));
        std::fs::write(&file, probed).expect("write the probed page");
        let (dom, _) = tokio::task::spawn_blocking({
            let u = format!("file://{}", file.display());
            move || chromium(&["--virtual-time-budget=15000".into(), "--dump-dom".into(), u])
        })
        .await
        .expect("join");
        let probe = dom
            .split("<pre id=\"probe\">")
            .nth(1)
            .and_then(|r| r.split("</pre>").next())
            .unwrap_or_else(|| panic!("{path}: the probe did not run:\n{dom}"))
            .replace("&quot;", "\"")
            .replace("&amp;", "&");
        let report: serde_json::Value = serde_json::from_str(&probe).expect("probe JSON");
        let images = report["images"].as_array().expect("images");
        let charts: Vec<&serde_json::Value> =
            images.iter().filter(|i| i[0].as_str().is_some_and(|s| s.starts_with("data:image/svg+xml"))).collect();
        assert_eq!(charts.len(), 7, "{path}: seven chart images (of {} images)", images.len());
        for img in &charts {
            assert!(img[1].as_u64().unwrap_or(0) > 0, "{path}: chart image did not render: {img}");
        }
        assert_eq!(report["failed"].as_array().map(Vec::len), Some(0), "{path}: failed resources: {report}");

        let png = artifacts.join(shot);
        let shot_url = format!("{base}{}", app.signed(path).await);
        let args = vec![format!("--screenshot={}", png.display()), "--window-size=1280,5200".into(), shot_url];
        tokio::task::spawn_blocking(move || chromium(&args)).await.expect("join");
        assert!(std::fs::metadata(&png).map(|m| m.len()).unwrap_or(0) > 10_000, "no screenshot at {}", png.display());
    }
    let phone = artifacts.join("dashboard-2024-phone.png");
    let phone_url = format!("{base}{}", app.signed("/?fy=2024").await);
    let args = vec![format!("--screenshot={}", phone.display()), "--window-size=390,2400".into(), phone_url];
    tokio::task::spawn_blocking(move || chromium(&args)).await.expect("join");
    assert!(std::fs::metadata(&phone).map(|m| m.len()).unwrap_or(0) > 10_000, "no phone screenshot");
}

/// Replaces each chart image's address with a data: URL of what the app serves for it.
fn inline_charts(port: u16, html: &str, cookie: &str) -> String {
    use base64::Engine;
    let mut out = String::new();
    let mut rest = html;
    while let Some(at) = rest.find("src=\"/charts/") {
        out.push_str(&rest[..at + 5]);
        let after = &rest[at + 5..];
        let end = after.find('"').expect("end of src");
        let src = after[..end].replace("&amp;", "&");
        let (status, svg) = get_as(port, &src, cookie).expect("GET a chart");
        assert_eq!(status, 200, "{src}: {svg}");
        out.push_str("data:image/svg+xml;base64,");
        out.push_str(&base64::engine::general_purpose::STANDARD.encode(svg.as_bytes()));
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}
