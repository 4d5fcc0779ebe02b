//! `Cidr`: an IPv4 or IPv6 network written as network address and prefix length ("192.168.10.0/24"),
//! and the directed-broadcast address that Wake-on-LAN packets for it are sent to.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::{fmt, str::FromStr};

/// A network: its address has no host bits set, so it is kept normalised (IPv6 in its short form).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Cidr {
    network: IpAddr,
    prefix: u8,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetworkError(String);

impl fmt::Display for NetworkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for NetworkError {}

fn mask_v4(prefix: u8) -> u32 {
    if prefix == 0 {
        0
    } else {
        u32::MAX << (32 - u32::from(prefix))
    }
}

fn mask_v6(prefix: u8) -> u128 {
    if prefix == 0 {
        0
    } else {
        u128::MAX << (128 - u32::from(prefix))
    }
}

/// The network that `addr` lies in at `prefix` bits.
fn network_of(addr: IpAddr, prefix: u8) -> IpAddr {
    match addr {
        IpAddr::V4(a) => IpAddr::V4(Ipv4Addr::from(u32::from(a) & mask_v4(prefix))),
        IpAddr::V6(a) => IpAddr::V6(Ipv6Addr::from(u128::from(a) & mask_v6(prefix))),
    }
}

impl Cidr {
    pub fn network(&self) -> IpAddr {
        self.network
    }

    pub fn prefix(&self) -> u8 {
        self.prefix
    }

    pub fn is_ipv4(&self) -> bool {
        self.network.is_ipv4()
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.network, ip) {
            (IpAddr::V4(_), IpAddr::V4(_)) | (IpAddr::V6(_), IpAddr::V6(_)) => {
                network_of(ip, self.prefix) == self.network
            }
            _ => false,
        }
    }

    /// The directed-broadcast address (every host bit set). None exists for IPv6, nor for an IPv4 /31
    /// (a point-to-point link, RFC 3021) or /32 (a single host); the error says what to give instead.
    pub fn directed_broadcast(&self) -> Result<IpAddr, NetworkError> {
        match self.network {
            IpAddr::V6(_) => Err(NetworkError(format!(
                "{self} is an IPv6 network and IPv6 has no broadcast address; give broadcast_address, the IPv6 \
                 address Wake-on-LAN packets should go to (e.g. ff02::1, all nodes on the link)"
            ))),
            IpAddr::V4(_) if self.prefix >= 31 => Err(NetworkError(format!(
                "{self} is too small to have a broadcast address; give broadcast_address, an address inside {self} \
                 for Wake-on-LAN packets"
            ))),
            IpAddr::V4(a) => Ok(IpAddr::V4(Ipv4Addr::from(u32::from(a) | !mask_v4(self.prefix)))),
        }
    }

    /// Checks an address given for Wake-on-LAN packets: for IPv4 it must lie inside this network; for
    /// IPv6, which has no broadcast, any IPv6 address (usually a multicast group) is accepted.
    pub fn check_broadcast(&self, raw: &str) -> Result<IpAddr, NetworkError> {
        let ip = parse_ip(raw)?;
        match (self.network, ip) {
            (IpAddr::V4(_), IpAddr::V4(_)) if self.contains(ip) => Ok(ip),
            (IpAddr::V4(_), IpAddr::V4(_)) => {
                let hint = match self.directed_broadcast() {
                    Ok(b) => format!("its broadcast address is {b}"),
                    Err(_) => format!("give an address inside {self}"),
                };
                Err(NetworkError(format!("{ip} is outside the network {self}; {hint}")))
            }
            (IpAddr::V4(_), IpAddr::V6(_)) => Err(NetworkError(format!(
                "{ip} is an IPv6 address but {self} is an IPv4 network; give an IPv4 address inside it"
            ))),
            (IpAddr::V6(_), IpAddr::V6(_)) => Ok(ip),
            (IpAddr::V6(_), IpAddr::V4(_)) => Err(NetworkError(format!(
                "{ip} is an IPv4 address but {self} is an IPv6 network; give an IPv6 address such as ff02::1"
            ))),
        }
    }
}

/// One IPv4 or IPv6 address, e.g. "192.168.10.255" or "ff02::1".
pub fn parse_ip(raw: &str) -> Result<IpAddr, NetworkError> {
    raw.trim().parse::<IpAddr>().map_err(|_| {
        NetworkError(format!("'{}' is not an IP address; write e.g. 192.168.10.255 or ff02::1", raw.trim()))
    })
}

impl FromStr for Cidr {
    type Err = NetworkError;

    /// Accepts "192.168.10.0/24" and "2001:db8:10::/64". An address with host bits set
    /// ("192.168.10.7/24") is refused, naming the network it lies in, since it is usually a typing slip.
    fn from_str(raw: &str) -> Result<Cidr, NetworkError> {
        let s = raw.trim();
        let Some((addr, prefix)) = s.split_once('/') else {
            return Err(NetworkError(format!(
                "'{s}' is not a network; write the network address and prefix length, e.g. 192.168.10.0/24 \
                 or 2001:db8:10::/64"
            )));
        };
        let ip: IpAddr = addr
            .parse()
            .map_err(|_| NetworkError(format!("'{addr}' in '{s}' is not an IP address; write e.g. 192.168.10.0/24")))?;
        let max: u8 = if ip.is_ipv4() { 32 } else { 128 };
        let bits = (!prefix.is_empty() && prefix.len() <= 3 && prefix.bytes().all(|b| b.is_ascii_digit()))
            .then(|| prefix.parse::<u8>().ok())
            .flatten()
            .filter(|p| *p <= max)
            .ok_or_else(|| {
                let family = if ip.is_ipv4() { "IPv4" } else { "IPv6" };
                NetworkError(format!(
                    "'/{prefix}' in '{s}' is not a prefix length; an {family} prefix is a whole number from 1 to {max}"
                ))
            })?;
        if bits == 0 {
            return Err(NetworkError(format!(
                "'{s}' covers every address, not one network segment; give the segment's own prefix, e.g. /24"
            )));
        }
        let network = network_of(ip, bits);
        if network != ip {
            return Err(NetworkError(format!(
                "'{s}' has host bits set: the network address for {ip} is {network}/{bits}; enter that, or check \
                 the prefix length"
            )));
        }
        Ok(Cidr { network, prefix: bits })
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.network, self.prefix)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cidr(s: &str) -> Cidr {
        s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn ipv4_networks_and_their_broadcasts() {
        let cases = [
            ("192.168.10.0/24", "192.168.10.255"),
            ("10.1.2.0/23", "10.1.3.255"),
            ("10.0.0.0/8", "10.255.255.255"),
            ("172.16.4.0/22", "172.16.7.255"),
            ("192.168.1.128/25", "192.168.1.255"),
            ("192.168.1.4/30", "192.168.1.7"),
            (" 10.20.0.0/16 ", "10.20.255.255"),
        ];
        for (raw, broadcast) in cases {
            let c = cidr(raw);
            assert_eq!(c.to_string(), raw.trim(), "{raw}");
            assert_eq!(c.directed_broadcast().unwrap(), ip(broadcast), "{raw}");
        }
    }

    #[test]
    fn host_bits_are_refused_naming_the_network() {
        let err = "192.168.10.7/24".parse::<Cidr>().unwrap_err().to_string();
        assert!(err.contains("192.168.10.0/24"), "{err}");
        let err = "10.1.3.0/23".parse::<Cidr>().unwrap_err().to_string();
        assert!(err.contains("10.1.2.0/23"), "{err}");
        let err = "2001:db8::1/64".parse::<Cidr>().unwrap_err().to_string();
        assert!(err.contains("2001:db8::/64"), "{err}");
    }

    #[test]
    fn slash_31_and_32_have_no_broadcast_but_accept_their_own_addresses() {
        let p2p = cidr("10.0.0.0/31");
        assert!(p2p.directed_broadcast().unwrap_err().to_string().contains("give broadcast_address"));
        assert_eq!(p2p.check_broadcast("10.0.0.1").unwrap(), ip("10.0.0.1"));
        assert!(p2p.check_broadcast("10.0.0.2").is_err());

        let host = cidr("10.0.0.5/32");
        assert!(host.directed_broadcast().is_err());
        assert_eq!(host.check_broadcast("10.0.0.5").unwrap(), ip("10.0.0.5"));
        let err = host.check_broadcast("10.0.0.6").unwrap_err().to_string();
        assert!(err.contains("inside 10.0.0.5/32"), "{err}");
        assert!("10.0.0.5/32".parse::<Cidr>().unwrap().contains(ip("10.0.0.5")));
    }

    #[test]
    fn given_ipv4_broadcast_must_lie_inside() {
        let c = cidr("192.168.10.0/24");
        assert_eq!(c.check_broadcast(" 192.168.10.255 ").unwrap(), ip("192.168.10.255"));
        assert_eq!(c.check_broadcast("192.168.10.63").unwrap(), ip("192.168.10.63"));
        let err = c.check_broadcast("192.168.11.255").unwrap_err().to_string();
        assert!(err.contains("outside") && err.contains("192.168.10.255"), "{err}");
        assert!(c.check_broadcast("ff02::1").unwrap_err().to_string().contains("IPv6"));
        assert!(c.check_broadcast("192.168.10").unwrap_err().to_string().contains("not an IP address"));
    }

    #[test]
    fn ipv6_is_normalised_has_no_broadcast_and_takes_any_ipv6_address() {
        let c = cidr("2001:DB8:0:10::/64");
        assert_eq!(c.to_string(), "2001:db8:0:10::/64");
        assert!(!c.is_ipv4());
        assert!(c.directed_broadcast().unwrap_err().to_string().contains("IPv6 has no broadcast"));
        assert_eq!(c.check_broadcast("ff02::1").unwrap(), ip("ff02::1"));
        assert_eq!(c.check_broadcast("2001:db8:99::1").unwrap(), ip("2001:db8:99::1"));
        assert!(c.check_broadcast("192.168.10.255").is_err());
        assert!(c.contains(ip("2001:db8:0:10::42")));
        assert!(!c.contains(ip("2001:db8:0:11::42")));
        assert!(!c.contains(ip("10.0.0.1")));
        assert_eq!(cidr("2001:db8::/128").prefix(), 128);
    }

    #[test]
    fn refuses_what_is_not_a_network() {
        let bad = [
            "",
            "192.168.10.0",
            "192.168.10.0/",
            "/24",
            "192.168.10.0/33",
            "192.168.10.0/-1",
            "192.168.10.0/+24",
            "192.168.10.0/ 24",
            "192.168.10.0/24/1",
            "192.168.10.0/0024",
            "300.1.1.0/24",
            "192.168.010.0/24",
            "192.168.10/24",
            "0.0.0.0/0",
            "::/0",
            "2001:db8::/129",
            "fe80::1%eth0/64",
            "net/24",
        ];
        for raw in bad {
            assert!(raw.parse::<Cidr>().is_err(), "{raw} should be refused");
        }
        assert!("192.168.10.0".parse::<Cidr>().unwrap_err().to_string().contains("e.g. 192.168.10.0/24"));
        assert!("10.0.0.0/33".parse::<Cidr>().unwrap_err().to_string().contains("1 to 32"));
    }
}
