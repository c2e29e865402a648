//! Cage and connector forms: the names the catalog's parts use for what plugs into what, checked at load so
//! that a typo (`osfp_twin`) is an error at its line rather than "no cable joins these cages" later.
//!
//! The parts keep the form as the text written (the media chooser compares forms by name); [`CageForm`] is
//! the set of names that text may take.

use std::fmt;

/// A cage a module or a cable plug goes into, or a fibre connector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum CageForm {
    /// OSFP, one port (NIC cages, XDR switch cages).
    Osfp,
    /// Twin-port OSFP (Quantum-2 and Spectrum-4 switch cages, DGX chassis cages).
    OsfpTwin,
    /// QSFP-DD.
    QsfpDd,
    /// QSFP112 (400G NICs).
    Qsfp112,
    /// QSFP56.
    Qsfp56,
    /// QSFP28 (100G).
    Qsfp28,
    /// SFP56.
    Sfp56,
    /// SFP28.
    Sfp28,
    /// RJ45 copper (1GbE management).
    Rj45,
    /// MPO-12 fibre connector.
    Mpo12,
    /// MPO-16 fibre connector.
    Mpo16,
    /// Duplex LC fibre connector.
    LcDuplex,
}

impl CageForm {
    /// Every form, in the order `name` lists them.
    pub const ALL: [CageForm; 12] = [
        CageForm::Osfp,
        CageForm::OsfpTwin,
        CageForm::QsfpDd,
        CageForm::Qsfp112,
        CageForm::Qsfp56,
        CageForm::Qsfp28,
        CageForm::Sfp56,
        CageForm::Sfp28,
        CageForm::Rj45,
        CageForm::Mpo12,
        CageForm::Mpo16,
        CageForm::LcDuplex,
    ];

    /// The name the catalog writes.
    pub fn name(self) -> &'static str {
        match self {
            CageForm::Osfp => "osfp",
            CageForm::OsfpTwin => "osfp-twin",
            CageForm::QsfpDd => "qsfp-dd",
            CageForm::Qsfp112 => "qsfp112",
            CageForm::Qsfp56 => "qsfp56",
            CageForm::Qsfp28 => "qsfp28",
            CageForm::Sfp56 => "sfp56",
            CageForm::Sfp28 => "sfp28",
            CageForm::Rj45 => "rj45",
            CageForm::Mpo12 => "mpo-12",
            CageForm::Mpo16 => "mpo-16",
            CageForm::LcDuplex => "lc-duplex",
        }
    }

    /// The form of a name.
    pub fn parse(name: &str) -> Option<CageForm> {
        CageForm::ALL.into_iter().find(|f| f.name() == name)
    }

    /// Whether it is a fibre connector (a cable end), not a cage.
    pub fn is_fibre_connector(self) -> bool {
        matches!(self, CageForm::Mpo12 | CageForm::Mpo16 | CageForm::LcDuplex)
    }

    /// A cable end: a form, or `N x` a form (`2x mpo-12`, a breakout's far ends), as `(count, form)`.
    pub fn parse_end(text: &str) -> Option<(u32, CageForm)> {
        match text.split_once("x ") {
            Some((n, form)) => {
                let n: u32 = n.trim().parse().ok().filter(|&n| (2..=64).contains(&n))?;
                CageForm::parse(form.trim()).map(|f| (n, f))
            }
            None => CageForm::parse(text).map(|f| (1, f)),
        }
    }

    /// Every name, for messages.
    pub fn names() -> impl Iterator<Item = &'static str> {
        CageForm::ALL.into_iter().map(CageForm::name)
    }
}

impl fmt::Display for CageForm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_ends_take_a_count() {
        for f in CageForm::ALL {
            assert_eq!(CageForm::parse(f.name()), Some(f));
        }
        assert_eq!(CageForm::parse("osfp_twin"), None);
        assert_eq!(CageForm::parse_end("osfp-twin"), Some((1, CageForm::OsfpTwin)));
        assert_eq!(CageForm::parse_end("2x mpo-12"), Some((2, CageForm::Mpo12)));
        assert_eq!(CageForm::parse_end("1x mpo-12"), None);
        assert_eq!(CageForm::parse_end("2x mpo12"), None);
        assert!(CageForm::Mpo12.is_fibre_connector() && !CageForm::Osfp.is_fibre_connector());
    }
}
