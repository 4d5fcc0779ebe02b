//! Where a Wake-on-LAN packet for an asset goes: the directed-broadcast address of the network segment
//! its IP address lies in, else every segment of its site. And the magic packet itself, for checking
//! what arrives. Pure.

use std::net::IpAddr;

use crate::domain::network::Cidr;
use crate::domain::MacAddress;

/// A network segment as the wake maths needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    pub id: i32,
    pub site_id: i32,
    pub cidr: Option<Cidr>,
    pub broadcast: Option<IpAddr>,
    pub wol_port: i32,
}

/// The broadcast addresses to send an asset's wake to, or why there are none.
pub fn broadcasts_for(ip: Option<IpAddr>, site_id: Option<i32>, segments: &[Segment]) -> Result<Vec<IpAddr>, String> {
    if let Some(ip) = ip {
        if let Some(s) = segments.iter().find(|s| s.cidr.is_some_and(|c| c.contains(ip)) && s.broadcast.is_some()) {
            return Ok(s.broadcast.into_iter().collect());
        }
    }
    let mut at_site: Vec<IpAddr> =
        segments.iter().filter(|s| Some(s.site_id) == site_id).filter_map(|s| s.broadcast).collect();
    at_site.dedup();
    if at_site.is_empty() {
        return Err(match (ip, site_id) {
            (_, None) => "the asset has no site, so no network segment to send the wake to; set its site".into(),
            (Some(ip), Some(_)) => {
                format!("no network segment contains {ip} and its site has none; add the site's network segment")
            }
            (None, Some(_)) => "its site has no network segment; add one with its broadcast address".into(),
        });
    }
    Ok(at_site)
}

/// The 102-byte magic packet: six 0xFF bytes then the MAC sixteen times.
pub fn magic_packet(mac: MacAddress) -> [u8; 102] {
    let mut p = [0xFFu8; 102];
    for i in 0..16 {
        p[6 + i * 6..12 + i * 6].copy_from_slice(&mac.0);
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(id: i32, site: i32, cidr: &str, b: &str) -> Segment {
        Segment {
            id,
            site_id: site,
            cidr: Some(cidr.parse().unwrap()),
            broadcast: Some(b.parse().unwrap()),
            wol_port: 9,
        }
    }

    #[test]
    fn the_segment_holding_the_ip_else_the_sites_segments() {
        let segs = [
            seg(1, 1, "10.1.1.0/24", "10.1.1.255"),
            seg(2, 1, "10.1.2.0/24", "10.1.2.255"),
            seg(3, 2, "10.2.0.0/16", "10.2.255.255"),
        ];
        assert_eq!(
            broadcasts_for(Some("10.2.3.4".parse().unwrap()), Some(1), &segs).unwrap(),
            vec!["10.2.255.255".parse::<IpAddr>().unwrap()]
        );
        assert_eq!(broadcasts_for(None, Some(1), &segs).unwrap().len(), 2);
        assert!(broadcasts_for(None, None, &segs).unwrap_err().contains("no site"));
        assert!(broadcasts_for(Some("192.168.0.1".parse().unwrap()), Some(9), &segs)
            .unwrap_err()
            .contains("192.168.0.1"));
    }

    #[test]
    fn magic_packet_layout() {
        let p = magic_packet("00:1a:2b:3c:4d:5e".parse().unwrap());
        assert_eq!(&p[..6], &[0xFF; 6]);
        assert_eq!(&p[6..12], &[0x00, 0x1a, 0x2b, 0x3c, 0x4d, 0x5e]);
        assert_eq!(&p[96..102], &[0x00, 0x1a, 0x2b, 0x3c, 0x4d, 0x5e]);
    }
}
