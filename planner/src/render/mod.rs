//! The deliverables drawn from a plan: drawings (SVG), tables (Markdown, HTML) and exports for other tools
//! (NetBox, Slurm, OpenSM's simulator).
//!
//! Every function here takes a [`Plan`](crate::Plan) and returns text; the model never knows how it is drawn.
//! Output is deterministic: the same plan gives the same bytes (no hash-map order, no clock).
//!
//! | file | function |
//! | --- | --- |
//! | `topology.svg` | [`topology::svg`] |
//! | `racks.svg` | [`racks::svg`] |
//! | `floorplan.svg` | [`floorplan::svg`] |
//! | `bom.md` | [`bom_md::markdown`] |
//! | `report.html` | [`html::report`] |
//! | `netbox-*.csv` | [`netbox::files`] |
//! | `topology.conf` | [`slurm::topology_conf`] |
//! | `ibnetdiscover.topo` | [`ibnet::topology`] |
//! | `gigapod export --dot` | [`dot::fabric`] |

pub mod bom_md;
pub mod dot;
mod draw;
pub mod floorplan;
pub mod html;
pub mod ibnet;
pub mod netbox;
pub mod racks;
pub mod slurm;
pub mod split;
pub mod topology;
