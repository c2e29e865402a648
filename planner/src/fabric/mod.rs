//! The compute fabric (placeholder until the fabric module lands).
/// Fabric tiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tiers {
    /// Two while the endpoints fit.
    Auto,
    /// Two.
    Two,
    /// Three.
    Three,
}
