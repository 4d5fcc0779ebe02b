//! Wake-on-LAN packets through the `wol-rs` crate (imported as `wol`): blocking UDP sends, always to
//! port 9, each repeated a few times since a single UDP datagram can be lost.

use std::net::IpAddr;

use crate::domain::MacAddress;

/// Sends the magic packet for `mac` to `broadcast`:9, `repeats` times (at least once). Blocking: call it
/// from `spawn_blocking`. Returns how many packets went.
pub fn send(mac: MacAddress, broadcast: IpAddr, repeats: u32) -> std::io::Result<u32> {
    let repeats = repeats.max(1);
    for _ in 0..repeats {
        wol::send_wol(wol::MacAddr(mac.0), Some(broadcast), None)?;
    }
    Ok(repeats)
}

/// Sends every job's packets; blocking. For each action: the detail to record, or why it failed.
pub fn send_all(
    jobs: Vec<crate::services::power_actions::WakeJob>,
    repeats: u32,
) -> Vec<(i32, Result<String, String>)> {
    jobs.into_iter()
        .map(|job| {
            let outcome = job.targets.and_then(|targets| {
                let mut packets = 0;
                for (mac, broadcast) in &targets {
                    packets += send(*mac, *broadcast, repeats)
                        .map_err(|e| format!("sending the magic packet for {mac} to {broadcast}:9 failed: {e}"))?;
                }
                let to: Vec<String> = targets.iter().map(|(m, b)| format!("{m} → {b}:9")).collect();
                let note = job.note.as_deref().map(|n| format!(" ({n})")).unwrap_or_default();
                Ok(format!("{packets} magic packet(s): {}{note}", to.join(", ")))
            });
            (job.action_id, outcome)
        })
        .collect()
}
