//! IP allow-lists: single addresses or CIDR blocks, IPv4 and IPv6.

use std::net::IpAddr;

/// One allowed address or block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpBlock {
    network: IpAddr,
    prefix: u8,
}

impl IpBlock {
    /// Reads `10.1.0.0/16`, `192.168.1.7`, `fd00::/8` or `::1`.
    ///
    /// # Errors
    /// A message naming the text when it is not an address or block.
    pub fn parse(text: &str) -> Result<Self, String> {
        let bad = || format!("`{text}` is not an IP address or CIDR block such as 10.1.0.0/16");
        let (addr, prefix) = match text.split_once('/') {
            Some((addr, prefix)) => (addr, Some(prefix.parse::<u8>().map_err(|_| bad())?)),
            None => (text, None),
        };
        let network: IpAddr = addr.trim().parse().map_err(|_| bad())?;
        let max = if network.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(max);
        if prefix > max {
            return Err(bad());
        }
        Ok(Self { network, prefix })
    }

    /// Whether the block holds `ip` (an IPv4-mapped IPv6 address counts as IPv4).
    #[must_use]
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        let (a, b, bits) = match (self.network, ip) {
            (IpAddr::V4(n), IpAddr::V4(i)) => {
                (u128::from(n.to_bits()), u128::from(i.to_bits()), 32)
            }
            (IpAddr::V6(n), IpAddr::V6(i)) => (n.to_bits(), i.to_bits(), 128),
            _ => return false,
        };
        let host_bits = bits - u32::from(self.prefix);
        if host_bits >= 128 {
            return true;
        }
        (a >> host_bits) == (b >> host_bits)
    }
}

/// Whether `ip` may call, given the allow-list (empty: anyone).
#[must_use]
pub fn allowed(list: &[String], ip: IpAddr) -> bool {
    list.is_empty()
        || list
            .iter()
            .filter_map(|b| IpBlock::parse(b).ok())
            .any(|b| b.contains(ip))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("ip")
    }

    #[test]
    fn blocks_hold_exactly_their_addresses() {
        let block = IpBlock::parse("10.1.0.0/16").expect("block");
        assert!(block.contains(ip("10.1.200.3")));
        assert!(!block.contains(ip("10.2.0.1")));
        assert!(block.contains(ip("::ffff:10.1.0.9")));
        assert!(
            IpBlock::parse("127.0.0.1")
                .expect("single")
                .contains(ip("127.0.0.1"))
        );
        assert!(
            !IpBlock::parse("127.0.0.1")
                .expect("single")
                .contains(ip("127.0.0.2"))
        );
        assert!(
            IpBlock::parse("0.0.0.0/0")
                .expect("all")
                .contains(ip("8.8.8.8"))
        );
        assert!(
            IpBlock::parse("fd00::/8")
                .expect("v6")
                .contains(ip("fd12::1"))
        );
        for bad in ["10.0.0.0/33", "example.com", "10.0.0/8", ""] {
            assert!(IpBlock::parse(bad).is_err(), "{bad}");
        }
        assert!(allowed(&[], ip("1.2.3.4")));
        assert!(!allowed(&["192.168.0.0/24".into()], ip("1.2.3.4")));
    }
}
