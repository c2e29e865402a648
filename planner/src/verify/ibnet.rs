//! A streaming reader of `ibnetdiscover` output (and of the planner's own `ibnetdiscover.topo`, which has the
//! same shape).
//!
//! The file is read a line at a time (at most [`MAX_LINE`] bytes per line), so memory grows with the fabric, not
//! with the file. What it understands:
//!
//! - node blocks: `Switch <ports> "<id>" # "<description>" ...`, `Ca <ports> "<id>" # "<description>"` and
//!   `Rt ...` (routers), in any order;
//! - the GUID lines before a block (`switchguid=0x...`, `caguid=0x...`, `rtguid=0x...`; `sysimgguid`, `vendid`
//!   and `devid` are read past);
//! - port lines: `[<port>](<port guid>)? "<peer id>"[<peer port>](<peer port guid>)? # ... "<peer description>"
//!   lid <n> <width>x<speed>`, the optional `[ext N]` of a split port included, on switches and CAs alike;
//! - comments (`#`), blank lines, and anything else: an unknown line is counted and listed (the first
//!   [`MAX_WARNINGS`]) as a warning, never a failure, and so is a port line that cannot be parsed (a file cut
//!   short ends in one).
//!
//! What makes the file unreadable ([`ReadError`]): an I/O error, a line longer than [`MAX_LINE`] bytes, a NUL
//! byte (a binary file), or no node block at all.

use foldhash::HashMap;
use std::fmt;
use std::io::BufRead;

/// Longest line accepted, in bytes. ibnetdiscover's lines are well under 300 bytes (node descriptions are at most
/// 64 bytes).
pub const MAX_LINE: usize = 64 * 1024;

/// Highest port number accepted (InfiniBand numbers ports in 8 bits; split and XDR ports stay far below this).
pub const MAX_PORT: u32 = 4096;

/// Warnings kept with their line; the rest are only counted.
pub const MAX_WARNINGS: usize = 20;

/// What a node block is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum NodeKind {
    /// `Switch`.
    Switch,
    /// `Ca`: a host channel adapter.
    Ca,
    /// `Rt`: a router.
    Router,
}

/// The lane speed of an InfiniBand link, as ibnetdiscover names it (`SDR` ... `XDR`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub enum LaneSpeed {
    /// 2.5 Gb/s.
    Sdr,
    /// 5 Gb/s.
    Ddr,
    /// 10 Gb/s.
    Qdr,
    /// 10.3125 Gb/s (FDR10).
    Fdr10,
    /// 14 Gb/s.
    Fdr,
    /// 25 Gb/s.
    Edr,
    /// 50 Gb/s.
    Hdr,
    /// 100 Gb/s.
    Ndr,
    /// 200 Gb/s.
    Xdr,
}

impl LaneSpeed {
    /// The name ibnetdiscover prints.
    pub fn name(self) -> &'static str {
        match self {
            LaneSpeed::Sdr => "SDR",
            LaneSpeed::Ddr => "DDR",
            LaneSpeed::Qdr => "QDR",
            LaneSpeed::Fdr10 => "FDR10",
            LaneSpeed::Fdr => "FDR",
            LaneSpeed::Edr => "EDR",
            LaneSpeed::Hdr => "HDR",
            LaneSpeed::Ndr => "NDR",
            LaneSpeed::Xdr => "XDR",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "SDR" => LaneSpeed::Sdr,
            "DDR" => LaneSpeed::Ddr,
            "QDR" => LaneSpeed::Qdr,
            "FDR10" => LaneSpeed::Fdr10,
            "FDR" => LaneSpeed::Fdr,
            "EDR" => LaneSpeed::Edr,
            "HDR" => LaneSpeed::Hdr,
            "NDR" => LaneSpeed::Ndr,
            "XDR" => LaneSpeed::Xdr,
            _ => return None,
        })
    }
}

/// A link's width and lane speed, e.g. `4xNDR`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Rate {
    /// Lanes (1, 2, 4, 8 or 12).
    pub width: u8,
    /// Lane speed.
    pub speed: LaneSpeed,
}

impl Rate {
    /// Parses `4xNDR` (also `4XNDR`).
    pub fn parse(token: &str) -> Option<Rate> {
        let (w, s) = token.split_once(['x', 'X'])?;
        let width: u8 = w.parse().ok()?;
        if ![1, 2, 4, 8, 12].contains(&width) {
            return None;
        }
        Some(Rate {
            width,
            speed: LaneSpeed::parse(s)?,
        })
    }
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}x{}", self.width, self.speed.name())
    }
}

/// One node as the file names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopoNode {
    /// Its block's kind; from the id's `S-` / `H-` / `R-` prefix when only a peer reference names it.
    pub kind: Option<NodeKind>,
    /// The quoted id (`S-0002c90300000000`, or any unique string in an ibsim net file).
    pub id: String,
    /// Its node description: from its own block, else from a peer line's comment.
    pub desc: Option<String>,
    /// Its node GUID: from the `switchguid=` / `caguid=` line, else from a hex id after `S-` / `H-`.
    pub guid: Option<u64>,
    /// Ports it has (the block header's count).
    pub ports: Option<u32>,
    /// Whether its own block was read (not only peer references).
    pub has_block: bool,
}

/// One port line: `node`'s `port` is cabled to `peer`'s `peer_port`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopoPort {
    /// Index into [`Topology::nodes`].
    pub node: u32,
    /// 1-based port.
    pub port: u32,
    /// Index into [`Topology::nodes`].
    pub peer: u32,
    /// 1-based port of the peer.
    pub peer_port: u32,
    /// The link's rate, when the comment gives one.
    pub rate: Option<Rate>,
    /// A faceplate `cage/port` label in the comment (`(port 3/2)`, which the planner's file writes), when
    /// present.
    pub label: Option<(u32, u32)>,
    /// 1-based line in the file.
    pub line: u64,
}

/// A line the reader passed over, with why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Warning {
    /// 1-based line.
    pub line: u64,
    /// What was wrong with it.
    pub message: String,
}

/// Why a file cannot be read at all.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReadError {
    /// Reading failed.
    #[error("line {line}: cannot read: {source}")]
    Io {
        /// Line being read.
        line: u64,
        /// The cause.
        source: std::io::Error,
    },
    /// A line is longer than [`MAX_LINE`].
    #[error("line {line}: longer than {MAX_LINE} bytes: this is not ibnetdiscover output")]
    LineTooLong {
        /// The line.
        line: u64,
    },
    /// A NUL byte: a binary file.
    #[error("line {line}: holds a NUL byte: this is a binary file, not ibnetdiscover output")]
    Binary {
        /// The line.
        line: u64,
    },
    /// Not one `Switch` or `Ca` block.
    #[error("{lines} lines read and not one `Switch` or `Ca` block: this is not ibnetdiscover output")]
    NoNodes {
        /// Lines read.
        lines: u64,
    },
}

impl ReadError {
    /// The 1-based line the error is at (0 for the whole file).
    pub fn line(&self) -> u64 {
        match self {
            ReadError::Io { line, .. } | ReadError::LineTooLong { line } | ReadError::Binary { line } => *line,
            ReadError::NoNodes { .. } => 0,
        }
    }
}

/// A whole file, read: the nodes (by id) and every port line.
#[derive(Debug, Clone, Default)]
pub struct Topology {
    /// Every node named, by its block or by a peer reference.
    pub nodes: Vec<TopoNode>,
    /// Every port line, in file order.
    pub ports: Vec<TopoPort>,
    /// The first [`MAX_WARNINGS`] lines passed over.
    pub warnings: Vec<Warning>,
    /// All lines passed over.
    pub warnings_total: u64,
    /// Lines read.
    pub lines: u64,
    /// The last line had no newline (a file cut short, or one written without a final newline).
    pub no_final_newline: bool,
    index: HashMap<String, u32>,
}

impl Topology {
    fn intern(&mut self, id: &str) -> u32 {
        if let Some(&i) = self.index.get(id) {
            return i;
        }
        let i = self.nodes.len() as u32;
        let kind = match id.get(..2) {
            Some("S-") => Some(NodeKind::Switch),
            Some("H-") => Some(NodeKind::Ca),
            Some("R-") => Some(NodeKind::Router),
            _ => None,
        };
        let guid = id
            .get(2..)
            .filter(|h| kind.is_some() && !h.is_empty() && h.len() <= 16)
            .and_then(|h| u64::from_str_radix(h, 16).ok());
        self.nodes.push(TopoNode {
            kind,
            id: id.to_string(),
            desc: None,
            guid,
            ports: None,
            has_block: false,
        });
        self.index.insert(id.to_string(), i);
        i
    }

    fn warn(&mut self, line: u64, message: String) {
        self.warnings_total += 1;
        if self.warnings.len() < MAX_WARNINGS {
            self.warnings.push(Warning { line, message });
        }
    }

    /// The node with this id.
    pub fn node_by_id(&self, id: &str) -> Option<u32> {
        self.index.get(id).copied()
    }
}

/// Reads ibnetdiscover output from `input`, a line at a time.
pub fn read(mut input: impl BufRead) -> Result<Topology, ReadError> {
    let mut t = Topology::default();
    let mut buf: Vec<u8> = Vec::with_capacity(256);
    let mut current: Option<u32> = None;
    let mut pending_guid: Option<u64> = None;
    let mut blocks = 0u64;
    loop {
        buf.clear();
        let line_no = t.lines + 1;
        let n = std::io::Read::take(&mut input, MAX_LINE as u64 + 1)
            .read_until(b'\n', &mut buf)
            .map_err(|source| ReadError::Io { line: line_no, source })?;
        if n == 0 {
            break;
        }
        t.lines = line_no;
        let ended = buf.last() == Some(&b'\n');
        if !ended && buf.len() > MAX_LINE {
            return Err(ReadError::LineTooLong { line: line_no });
        }
        t.no_final_newline = !ended;
        if buf.contains(&0) {
            return Err(ReadError::Binary { line: line_no });
        }
        let text = String::from_utf8_lossy(&buf);
        let line = text.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some((kind, rest)) = header_kind(line) {
            match parse_header(rest) {
                Some((ports, id, desc)) => {
                    let i = t.intern(id);
                    let node = &mut t.nodes[i as usize];
                    node.kind = Some(kind);
                    node.ports = Some(ports);
                    node.has_block = true;
                    if let Some(d) = desc {
                        node.desc = Some(d.to_string());
                    }
                    if let Some(g) = pending_guid.take() {
                        node.guid = Some(g);
                    }
                    current = Some(i);
                    blocks += 1;
                }
                None => {
                    current = None;
                    t.warn(line_no, format!("a node header that cannot be read: {}", clip(line)));
                }
            }
            continue;
        }
        if line.starts_with('[') {
            let Some(node) = current else {
                t.warn(line_no, format!("a port line outside any node block: {}", clip(line)));
                continue;
            };
            match parse_port(line) {
                Some(p) => {
                    let peer = t.intern(p.peer_id);
                    if let Some(d) = p.peer_desc {
                        let pn = &mut t.nodes[peer as usize];
                        if pn.desc.is_none() {
                            pn.desc = Some(d.to_string());
                        }
                    }
                    t.ports.push(TopoPort {
                        node,
                        port: p.port,
                        peer,
                        peer_port: p.peer_port,
                        rate: p.rate,
                        label: p.label,
                        line: line_no,
                    });
                }
                None => t.warn(line_no, format!("a port line that cannot be read: {}", clip(line))),
            }
            continue;
        }
        if let Some((key, value)) = line.split_once('=') {
            match key.trim() {
                "switchguid" | "caguid" | "rtguid" => {
                    pending_guid = parse_hex(value);
                    continue;
                }
                "sysimgguid" | "vendid" | "devid" => continue,
                _ => {}
            }
        }
        t.warn(line_no, format!("an unknown line, passed over: {}", clip(line)));
    }
    if blocks == 0 {
        return Err(ReadError::NoNodes { lines: t.lines });
    }
    Ok(t)
}

fn clip(line: &str) -> String {
    let mut s: String = line.chars().take(120).collect();
    if s.len() < line.len() {
        s.push_str("...");
    }
    gigapod_catalog::diagnostic::printable(&s).into_owned()
}

/// `0x200007(200007)` or `0x0002c903000e0b72`.
fn parse_hex(v: &str) -> Option<u64> {
    let v = v.trim();
    let v = v.split('(').next()?.trim();
    let v = v.strip_prefix("0x").or_else(|| v.strip_prefix("0X")).unwrap_or(v);
    u64::from_str_radix(v, 16).ok()
}

fn header_kind(line: &str) -> Option<(NodeKind, &str)> {
    for (word, kind) in [
        ("Switch", NodeKind::Switch),
        ("Ca", NodeKind::Ca),
        ("Rt", NodeKind::Router),
    ] {
        if let Some(rest) = line.strip_prefix(word)
            && rest.starts_with([' ', '\t'])
        {
            return Some((kind, rest));
        }
    }
    None
}

/// `  64 "S-..."  # "desc" ...` -> (ports, id, desc).
fn parse_header(rest: &str) -> Option<(u32, &str, Option<&str>)> {
    let rest = rest.trim_start();
    let digits = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
    let ports: u32 = rest[..digits].parse().ok()?;
    let rest = rest[digits..].trim_start();
    let (id, rest) = quoted(rest)?;
    let desc = rest.split_once('#').and_then(|(_, c)| comment_desc(c));
    Some((ports, id, desc))
}

/// The text between the first `"` and the next one, and what follows.
fn quoted(s: &str) -> Option<(&str, &str)> {
    let s = s.strip_prefix('"')?;
    let end = s.find('"')?;
    Some((&s[..end], &s[end + 1..]))
}

/// The node description in a comment: from its first `"` to its last.
fn comment_desc(c: &str) -> Option<&str> {
    let a = c.find('"')?;
    let b = c.rfind('"')?;
    (b > a).then(|| &c[a + 1..b])
}

struct PortLine<'a> {
    port: u32,
    peer_id: &'a str,
    peer_port: u32,
    peer_desc: Option<&'a str>,
    rate: Option<Rate>,
    label: Option<(u32, u32)>,
}

/// `[n]`, then any `(guid)` / `[ext n]` groups and blanks.
fn bracket_number(s: &str) -> Option<(u32, &str)> {
    let s = s.strip_prefix('[')?;
    let end = s.find(']')?;
    let n: u32 = s[..end].trim().parse().ok()?;
    let mut rest = &s[end + 1..];
    loop {
        let t = rest.trim_start();
        if let Some(inner) = t.strip_prefix('(') {
            rest = &inner[inner.find(')')? + 1..];
        } else if let Some(inner) = t.strip_prefix("[ext") {
            rest = &inner[inner.find(']')? + 1..];
        } else {
            return Some((n, t));
        }
    }
}

fn parse_port(line: &str) -> Option<PortLine<'_>> {
    let (port, rest) = bracket_number(line)?;
    let (peer_id, rest) = quoted(rest)?;
    let (peer_port, rest) = bracket_number(rest)?;
    if port == 0 || peer_port == 0 || port > MAX_PORT || peer_port > MAX_PORT {
        return None;
    }
    let comment = rest.split_once('#').map(|(_, c)| c);
    let (mut rate, mut label, mut peer_desc) = (None, None, None);
    if let Some(c) = comment {
        peer_desc = comment_desc(c);
        let after = c.rfind('"').map_or(c, |i| &c[i + 1..]);
        rate = after.split_whitespace().find_map(Rate::parse);
        if let Some(i) = after.find("(port ") {
            let l = &after[i + 6..];
            label = l
                .find(')')
                .and_then(|e| l[..e].trim().split_once('/'))
                .and_then(|(c, p)| Some((c.parse().ok()?, p.parse().ok()?)));
        }
    }
    Some(PortLine {
        port,
        peer_id,
        peer_port,
        peer_desc,
        rate,
        label,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const REAL: &str = "#\n# Topology file: generated on Tue Dec  1 11:15:05 2026\n#\n\
# Initiated from node 0000000000200000 port 0000000000200000\n\nvendid=0x0\ndevid=0x0\nsysimgguid=0x200001\n\
switchguid=0x200001(200001)\n\
Switch\t8 \"S-0000000000200001\"\t\t# \"Switch2\" base port 0 lid 0 lmc 0\n\
[1]\t\"H-0000000000100003\"[1](100004) \t\t# \"Hca2\" lid 0 4xSDR\n\
[3]\t\"S-0000000000200000\"[3]\t\t# \"Switch1\" lid 0 4xNDR\n\
\nvendid=0x0\ndevid=0x0\nsysimgguid=0x100003\ncaguid=0x100003\n\
Ca\t2 \"H-0000000000100003\"\t\t# \"Hca2\"\n\
[1](100004) \t\"S-0000000000200001\"[1]\t\t# lid 0 lmc 0 \"Switch2\" lid 0 4xSDR\n";

    #[test]
    fn reads_real_ibnetdiscover_output() {
        let t = read(REAL.as_bytes()).unwrap();
        assert_eq!(t.warnings_total, 0, "{:?}", t.warnings);
        assert_eq!(t.ports.len(), 3);
        let sw = t.node_by_id("S-0000000000200001").unwrap() as usize;
        assert_eq!(t.nodes[sw].desc.as_deref(), Some("Switch2"));
        assert_eq!(t.nodes[sw].guid, Some(0x200001));
        assert_eq!(t.nodes[sw].kind, Some(NodeKind::Switch));
        let ca = t.node_by_id("H-0000000000100003").unwrap() as usize;
        assert_eq!(t.nodes[ca].desc.as_deref(), Some("Hca2"));
        assert_eq!(t.nodes[ca].guid, Some(0x100003));
        // Switch1 has no block: its description comes from the peer comment.
        let s1 = t.node_by_id("S-0000000000200000").unwrap() as usize;
        assert_eq!(t.nodes[s1].desc.as_deref(), Some("Switch1"));
        assert!(!t.nodes[s1].has_block);
        assert_eq!(t.ports[1].rate.unwrap().to_string(), "4xNDR");
        assert_eq!(t.ports[2].peer_port, 1);
        assert_eq!(t.ports[2].rate.unwrap().to_string(), "4xSDR");
    }

    #[test]
    fn planner_lines_and_ext_ports() {
        let text = "Switch\t64 \"S-0002c90300000000\"\t\t# \"leaf-su1-r1\" leaf qm9700\n\
[1]\t\"H-0002c90400000000\"[1]\t\t# \"srv1 HCA-1\" lid 0 4xNDR (port 1/1)\n\
[2][ext 2]\t\"S-0002c90300000009\"[7][ext 7]\t\t# \"spine-1\" lid 3 2xNDR\n";
        let t = read(text.as_bytes()).unwrap();
        assert_eq!(t.ports[0].label, Some((1, 1)));
        assert_eq!(t.ports[1].peer_port, 7);
        assert_eq!(
            t.ports[1].rate,
            Some(Rate {
                width: 2,
                speed: LaneSpeed::Ndr
            })
        );
        assert_eq!(t.nodes[0].guid, Some(0x0002c90300000000));
    }

    #[test]
    fn messy_input_warns_and_truncation_is_kept() {
        let text = "garbage here\n[1] \"x\"[1]\nSwitch 4 \"a\" # \"A\"\n[1] \"b\"[2] # \"B\" lid 0 4xNDR\n[2] \"b";
        let t = read(text.as_bytes()).unwrap();
        assert_eq!(t.ports.len(), 1);
        assert_eq!(t.warnings_total, 3);
        let huge = read(&b"Switch 4 \"a\"\n[4000000000] \"b\"[1]\n"[..]).unwrap();
        assert!(
            huge.ports.is_empty() && huge.warnings_total == 1,
            "a port beyond MAX_PORT is passed over"
        );
        assert_eq!(t.warnings[0].line, 1);
        assert_eq!(t.warnings[1].line, 2);
        assert_eq!(t.warnings[2].line, 5);
        assert!(t.no_final_newline);
        assert_eq!(t.nodes[1].desc.as_deref(), Some("B"));
    }

    #[test]
    fn unreadable_files_say_which_line() {
        assert!(matches!(
            read(&b"# only comments\n\n"[..]),
            Err(ReadError::NoNodes { lines: 2 })
        ));
        assert!(matches!(
            read(&b"Switch 4 \"a\"\n\0\n"[..]),
            Err(ReadError::Binary { line: 2 })
        ));
        let long = format!("Switch 4 \"a\"\n{}", "x".repeat(MAX_LINE + 10));
        assert!(matches!(read(long.as_bytes()), Err(ReadError::LineTooLong { line: 2 })));
    }
}
