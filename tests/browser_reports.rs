//! The members' report in a real browser: the app runs on a free loopback port over a fresh SQLite file
//! with a small demo estate; Debian's headless Chromium loads `/reports/members.html?fy=2024` as a signed-in
//! viewer, which must log nothing to the console (no resource blocked by the file's own
//! Content-Security-Policy, no error), and every chart (inline SVG) must be drawn with a size. A
//! screenshot goes to `target/browser-artifacts/` for a human to look at. Without Chromium the test is
//! skipped, except in CI (`CI=true`), where it fails.

#[path = "common/browser.rs"]
mod browser;

use browser::{artifacts_dir, chromium, chromium_present, console_lines, get_as, DemoServer};

/// Reports each inline chart's drawn size, the heading font and any failed resource, into the DOM.
const PROBE: &str = r#"<script>
window.__failed = [];
window.addEventListener('error', function (e) { window.__failed.push(String(e.target && e.target.src || e.message)); }, true);
window.addEventListener('load', function () {
  var svgs = Array.prototype.map.call(document.querySelectorAll('figure svg'), function (s) {
    var r = s.getBoundingClientRect(); return [Math.round(r.width), Math.round(r.height)];
  });
  var out = document.createElement('pre');
  out.id = 'probe';
  out.textContent = JSON.stringify({ svgs: svgs, images: document.images.length, failed: window.__failed,
    font: getComputedStyle(document.querySelector('h1')).fontFamily });
  document.body.appendChild(out);
});
</script>"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_members_report_loads_without_console_errors_and_its_charts_render() {
    if !chromium_present() {
        return;
    }
    let app = DemoServer::start(300, "reports.sqlite").await;
    let (port, base) = (app.port, app.base.clone());
    let artifacts = artifacts_dir();
    let path = "/reports/members.html?fy=2024";
    let signed = || async { format!("{base}{}", app.signed(path).await) };

    // The report as served, with its own Content-Security-Policy: nothing on the console.
    let page_url = signed().await;
    let (dom, stderr) = tokio::task::spawn_blocking(move || {
        chromium(&["--virtual-time-budget=15000".into(), "--dump-dom".into(), page_url])
    })
    .await
    .expect("join");
    assert!(dom.contains("ICT carbon report to members, 2024/25"), "the report was shown:\n{dom}");
    let console = console_lines(&stderr);
    assert!(console.is_empty(), "console messages:\n{}", console.join("\n"));

    // The same file with a probe added: every chart drawn with a size, the inline styles applied.
    let cookie = app.session_cookie().await;
    let (status, html) =
        tokio::task::spawn_blocking(move || get_as(port, path, &cookie)).await.expect("join").expect("GET the report");
    assert_eq!(status, 200, "{html}");
    let file = artifacts.join("members-2024-25-probed.html");
    std::fs::write(&file, html.replacen("</body>", &format!("{PROBE}</body>"), 1)).expect("write the probed file");
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
        .unwrap_or_else(|| panic!("the probe did not run:\n{dom}"))
        .replace("&quot;", "\"")
        .replace("&amp;", "&");
    let report: serde_json::Value = serde_json::from_str(&probe).expect("probe JSON");
    let svgs = report["svgs"].as_array().expect("svgs");
    assert_eq!(svgs.len(), 4, "four charts: {report}");
    for s in svgs {
        assert!(s[0].as_u64().unwrap_or(0) > 100 && s[1].as_u64().unwrap_or(0) > 100, "a chart drawn small: {report}");
    }
    assert_eq!(report["images"].as_u64(), Some(0), "no <img>: the charts are inline");
    assert_eq!(report["failed"].as_array().map(Vec::len), Some(0), "failed resources: {report}");
    assert!(report["font"].as_str().unwrap_or("").contains("DejaVu Sans"), "the inline styles applied: {report}");

    let png = artifacts.join("members-2024-25.png");
    let shot_url = signed().await;
    let args = vec![format!("--screenshot={}", png.display()), "--window-size=1100,4000".into(), shot_url];
    tokio::task::spawn_blocking(move || chromium(&args)).await.expect("join");
    assert!(std::fs::metadata(&png).map(|m| m.len()).unwrap_or(0) > 10_000, "no screenshot at {}", png.display());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_energy_audit_report_loads_without_console_errors() {
    if !chromium_present() {
        return;
    }
    let app = DemoServer::start(300, "energy-audit.sqlite").await;
    let base = app.base.clone();
    let path = "/reports/energy-audit.html?fy=2024&site=Civic%20Offices";
    let page_url = format!("{base}{}", app.signed(path).await);
    let (dom, stderr) = tokio::task::spawn_blocking(move || {
        chromium(&["--virtual-time-budget=15000".into(), "--dump-dom".into(), page_url])
    })
    .await
    .expect("join");
    assert!(dom.contains("Energy audit report for a site: Civic Offices, 2024/25"), "the report was shown:\n{dom}");
    assert_eq!(dom.matches("<svg").count(), 1, "the month chart inline");
    let console = console_lines(&stderr);
    assert!(console.is_empty(), "console messages:\n{}", console.join("\n"));

    let png = artifacts_dir().join("energy-audit-civic-offices-2024-25.png");
    let shot_url = format!("{base}{}", app.signed(path).await);
    let args = vec![format!("--screenshot={}", png.display()), "--window-size=1100,4000".into(), shot_url];
    tokio::task::spawn_blocking(move || chromium(&args)).await.expect("join");
    assert!(std::fs::metadata(&png).map(|m| m.len()).unwrap_or(0) > 10_000, "no screenshot at {}", png.display());
}
