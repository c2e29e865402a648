//! The NetBox CSVs against NetBox's own import rules, read from NetBox's source at v4.6.8 (commit
//! 3db98de783c02038775b78f9804a95681f78eb7b of netbox-community/netbox): each file's columns are among its import
//! form's `Meta.fields` (`netbox/dcim/forms/bulk_import.py`), the form's required columns are there and filled,
//! and every choice column holds one of the choice set's values (`netbox/dcim/choices.py`). CI cannot run a real
//! NetBox (it cannot fetch NetBox's source); `scripts/netbox-test.sh` imports two plans into a real one.

use gigapod_catalog::{Catalog, SourceFile};
use gigapod_planner::output;
use gigapod_planner::spec::Spec;
use std::collections::BTreeMap;
use std::path::Path;

/// An import form: its file, `Meta.fields`, the fields it requires, and its choice fields with their values.
struct Form {
    file: &'static str,
    fields: &'static str,
    required: &'static str,
    choices: &'static [(&'static str, &'static str)],
}

// Choice sets of netbox/dcim/choices.py (v4.6.8; WeightUnitChoices and DistanceUnitChoices of netbox/netbox/choices.py),
// and the interface and cable types gigapod writes, each of which is in InterfaceTypeChoices / CableTypeChoices
// there.
const SITE_STATUS: &str = "planned staging active decommissioning retired";
const LOCATION_STATUS: &str = "planned staging active decommissioning retired";
const RACK_STATUS: &str = "reserved available planned active deprecated";
const DEVICE_STATUS: &str = "offline active planned staged failed inventory decommissioning";
const FEED_STATUS: &str = "offline active planned failed";
const FEED_TYPE: &str = "primary redundant";
const FEED_SUPPLY: &str = "ac dc";
const FEED_PHASE: &str = "single-phase three-phase";
const FORM_FACTOR: &str =
    "2-post-frame 4-post-frame 4-post-cabinet wall-frame wall-frame-vertical wall-cabinet wall-cabinet-vertical";
const RACK_WIDTH: &str = "10 19 21 23";
const RACK_AIRFLOW: &str = "front-to-rear rear-to-front";
const DEVICE_AIRFLOW: &str = "front-to-rear rear-to-front left-to-right right-to-left side-to-rear rear-to-side bottom-to-top top-to-bottom passive mixed";
const WEIGHT_UNIT: &str = "kg g lb oz";
const DIMENSION_UNIT: &str = "mm in";
const FACE: &str = "front rear";
const LINK_STATUS: &str = "connected planned decommissioning";
const LENGTH_UNIT: &str = "km m cm mi ft in";
const ITEM_STATUS: &str = "offline active planned staged failed decommissioning";
const TERMINATION: &str = "dcim.interface dcim.frontport dcim.rearport dcim.consoleport dcim.consoleserverport dcim.powerport dcim.poweroutlet dcim.powerfeed circuits.circuittermination";
const INTERFACE_TYPES: &str = "1000base-t infiniband-sdr infiniband-ddr infiniband-qdr infiniband-fdr10 infiniband-fdr infiniband-edr infiniband-hdr infiniband-ndr infiniband-xdr 100gbase-x-qsfp28 200gbase-x-qsfp56 400gbase-x-qsfp112 400gbase-x-qsfpdd 400gbase-x-osfp 800gbase-x-qsfpdd 800gbase-x-osfp other";
const CABLE_TYPES: &str =
    "cat6 dac-active dac-passive mmf mmf-om1 mmf-om2 mmf-om3 mmf-om4 mmf-om5 smf smf-os1 smf-os2 aoc power";

const FORMS: &[Form] = &[
    Form {
        file: "netbox-sites.csv",
        fields: "name slug status region group tenant facility time_zone description physical_address shipping_address latitude longitude owner comments tags",
        required: "name slug status",
        choices: &[("status", SITE_STATUS)],
    },
    Form {
        file: "netbox-locations.csv",
        fields: "site parent name slug status tenant facility description owner comments tags",
        required: "site name slug status",
        choices: &[("status", LOCATION_STATUS)],
    },
    Form {
        file: "netbox-manufacturers.csv",
        fields: "name slug description owner comments tags",
        required: "name slug",
        choices: &[],
    },
    Form {
        file: "netbox-device-roles.csv",
        fields: "name slug parent color vm_role config_template description owner comments tags",
        required: "name slug",
        choices: &[],
    },
    Form {
        file: "netbox-rack-roles.csv",
        fields: "name slug color description owner comments tags",
        required: "name slug",
        choices: &[],
    },
    Form {
        file: "netbox-device-types.csv",
        fields: "manufacturer default_platform model slug part_number u_height exclude_from_utilization is_full_depth subdevice_role airflow description weight weight_unit owner comments tags",
        required: "manufacturer model slug",
        choices: &[("airflow", DEVICE_AIRFLOW), ("weight_unit", WEIGHT_UNIT)],
    },
    Form {
        file: "netbox-racks.csv",
        fields: "site location group name facility_id tenant status role rack_type form_factor serial asset_tag width u_height desc_units outer_width outer_height outer_depth outer_unit mounting_depth airflow weight max_weight weight_unit description owner comments tags",
        required: "site name status",
        choices: &[
            ("status", RACK_STATUS),
            ("form_factor", FORM_FACTOR),
            ("width", RACK_WIDTH),
            ("airflow", RACK_AIRFLOW),
            ("outer_unit", DIMENSION_UNIT),
            ("weight_unit", WEIGHT_UNIT),
        ],
    },
    Form {
        file: "netbox-power-panels.csv",
        fields: "site location name description owner comments tags",
        required: "site name",
        choices: &[],
    },
    Form {
        file: "netbox-power-feeds.csv",
        fields: "site power_panel location rack name status type mark_connected supply phase voltage amperage max_utilization tenant description owner comments tags",
        required: "site power_panel name status type supply phase",
        choices: &[
            ("status", FEED_STATUS),
            ("type", FEED_TYPE),
            ("supply", FEED_SUPPLY),
            ("phase", FEED_PHASE),
        ],
    },
    Form {
        file: "netbox-devices.csv",
        fields: "name role tenant manufacturer device_type platform serial asset_tag status site location rack position face latitude longitude parent device_bay airflow virtual_chassis vc_position vc_priority cluster description config_template owner comments tags",
        required: "role manufacturer device_type status site",
        choices: &[("status", DEVICE_STATUS), ("face", FACE), ("airflow", DEVICE_AIRFLOW)],
    },
    Form {
        file: "netbox-power-ports.csv",
        fields: "device name label type mark_connected maximum_draw allocated_draw description owner tags",
        required: "device name",
        choices: &[],
    },
    Form {
        file: "netbox-power-outlets.csv",
        fields: "device name label type color mark_connected power_port feed_leg description owner tags",
        required: "device name",
        choices: &[],
    },
    Form {
        file: "netbox-interfaces.csv",
        fields: "device name label parent bridge lag type speed duplex enabled mark_connected wwn vdcs mtu mgmt_only description poe_mode poe_type mode vlan_group untagged_vlan tagged_vlans qinq_svlan vrf rf_role rf_channel rf_channel_frequency rf_channel_width tx_power owner tags",
        required: "device name type",
        choices: &[("type", INTERFACE_TYPES)],
    },
    Form {
        file: "netbox-inventory-items.csv",
        fields: "device name label status role manufacturer parent part_id serial asset_tag discovered description owner tags component_type component_name",
        required: "device name status",
        choices: &[("status", ITEM_STATUS)],
    },
    Form {
        file: "netbox-cables.csv",
        fields: "side_a_site side_a_device side_a_power_panel side_a_type side_a_name side_b_site side_b_device side_b_power_panel side_b_type side_b_name type status profile tenant bundle label color length length_unit description owner comments tags",
        required: "side_a_type side_a_name side_b_type side_b_name",
        choices: &[
            ("side_a_type", TERMINATION),
            ("side_b_type", TERMINATION),
            ("type", CABLE_TYPES),
            ("status", LINK_STATUS),
            ("length_unit", LENGTH_UNIT),
        ],
    },
    Form {
        file: "netbox-power-cables.csv",
        fields: "side_a_site side_a_device side_a_power_panel side_a_type side_a_name side_b_site side_b_device side_b_power_panel side_b_type side_b_name type status profile tenant bundle label color length length_unit description owner comments tags",
        required: "side_a_type side_a_name side_b_type side_b_name",
        choices: &[
            ("side_a_type", TERMINATION),
            ("side_b_type", TERMINATION),
            ("type", CABLE_TYPES),
            ("status", LINK_STATUS),
        ],
    },
];

fn files_of(example: &str, sus: Option<u32>) -> Vec<(String, Vec<BTreeMap<String, String>>)> {
    let mut text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("examples").join(example)).unwrap();
    if let Some(n) = sus {
        text = text.replace("scalable_units = 1", &format!("scalable_units = {n}"));
    }
    let spec = Spec::parse(SourceFile::new("spec.toml", text)).unwrap();
    let plan = gigapod_planner::plan(&spec, Catalog::builtin()).unwrap();
    output::render(&plan)
        .unwrap()
        .into_iter()
        .filter(|f| f.name.starts_with("netbox-"))
        .map(|f| {
            let mut r = csv::Reader::from_reader(f.bytes.as_slice());
            let header: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
            let rows = r
                .records()
                .map(|rec| {
                    header
                        .iter()
                        .cloned()
                        .zip(rec.unwrap().iter().map(str::to_string))
                        .collect()
                })
                .collect();
            (f.name.to_string(), rows)
        })
        .collect()
}

#[test]
fn netbox_csvs_follow_netboxs_import_forms() {
    for (example, sus) in [
        ("gigapod-h200-air.toml", None),
        ("gigapod-h200-air.toml", Some(4)),
        ("gigapod-b200-dlc.toml", None),
        ("dgx-b300-xdr.toml", None),
    ] {
        let files = files_of(example, sus);
        let names: Vec<&str> = files.iter().map(|f| f.0.as_str()).collect();
        assert_eq!(
            names,
            gigapod_planner::render::netbox::FILES,
            "{example}: files or their order"
        );
        for (name, rows) in &files {
            let form = FORMS
                .iter()
                .find(|f| f.file == name)
                .unwrap_or_else(|| panic!("no form for {name}"));
            let fields: Vec<&str> = form.fields.split(' ').collect();
            assert!(!rows.is_empty(), "{example}: {name} is empty");
            for (line, row) in rows.iter().enumerate() {
                for col in row.keys() {
                    assert!(
                        fields.contains(&col.as_str()),
                        "{example}: {name}: `{col}` is no field of its import form"
                    );
                }
                for req in form.required.split(' ') {
                    assert!(
                        row.get(req).is_some_and(|v| !v.is_empty()),
                        "{example}: {name} line {}: required `{req}` is missing",
                        line + 2
                    );
                }
                for (col, values) in form.choices {
                    if let Some(v) = row.get(*col).filter(|v| !v.is_empty()) {
                        assert!(
                            values.split(' ').any(|c| c == v),
                            "{example}: {name} line {}: `{col}` = `{v}` is not one of NetBox's choices",
                            line + 2
                        );
                    }
                }
            }
        }
    }
}

/// Two plans share one NetBox: no device name, and no site, repeats between them.
#[test]
fn two_plans_have_no_name_in_common() {
    let a = files_of("gigapod-h200-air.toml", None);
    let b = files_of("gigapod-b200-dlc.toml", None);
    let names = |files: &[(String, Vec<BTreeMap<String, String>>)], file: &str| -> std::collections::BTreeSet<String> {
        files
            .iter()
            .find(|f| f.0 == file)
            .unwrap()
            .1
            .iter()
            .map(|r| r["name"].clone())
            .collect()
    };
    for file in ["netbox-devices.csv", "netbox-sites.csv"] {
        let (na, nb) = (names(&a, file), names(&b, file));
        assert!(
            na.is_disjoint(&nb),
            "{file}: {:?}",
            na.intersection(&nb).collect::<Vec<_>>()
        );
    }
}
