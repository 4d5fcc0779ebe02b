//! The columns of an asset file: our own names (the export's header) and the names other tools use.

use super::columns::ImportField;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AssetField {
    AssetTag,
    Category,
    Manufacturer,
    Model,
    Site,
    Department,
    Serial,
    Hostname,
    MacAddresses,
    IpAddress,
    AssignedUser,
    PurchaseDate,
    PurchaseCost,
    Supplier,
    WarrantyEnd,
    WarrantyMonths,
    LifeMonths,
    RefreshDate,
    LifecycleState,
    OnWatts,
    SleepWatts,
    OffWatts,
    ParentAssetTag,
    Notes,
}

use AssetField::*;

impl AssetField {
    /// The export's columns, in order: every field except `warranty_months`, which the export gives as
    /// `warranty_end`.
    pub fn exported() -> impl Iterator<Item = AssetField> {
        <AssetField as ImportField>::ALL.iter().copied().filter(|f| *f != WarrantyMonths)
    }
}

impl ImportField for AssetField {
    const ALL: &'static [AssetField] = &[
        AssetTag,
        Category,
        Manufacturer,
        Model,
        Site,
        Department,
        Serial,
        Hostname,
        MacAddresses,
        IpAddress,
        AssignedUser,
        PurchaseDate,
        PurchaseCost,
        Supplier,
        WarrantyEnd,
        WarrantyMonths,
        LifeMonths,
        RefreshDate,
        LifecycleState,
        OnWatts,
        SleepWatts,
        OffWatts,
        ParentAssetTag,
        Notes,
    ];

    fn name(self) -> &'static str {
        match self {
            AssetTag => "asset_tag",
            Category => "category",
            Manufacturer => "manufacturer",
            Model => "model",
            Site => "site",
            Department => "department",
            Serial => "serial",
            Hostname => "hostname",
            MacAddresses => "mac_addresses",
            IpAddress => "ip_address",
            AssignedUser => "assigned_user",
            PurchaseDate => "purchase_date",
            PurchaseCost => "purchase_cost",
            Supplier => "supplier",
            WarrantyEnd => "warranty_end",
            WarrantyMonths => "warranty_months",
            LifeMonths => "life_months",
            RefreshDate => "refresh_date",
            LifecycleState => "lifecycle_state",
            OnWatts => "on_watts",
            SleepWatts => "sleep_watts",
            OffWatts => "off_watts",
            ParentAssetTag => "parent_asset_tag",
            Notes => "notes",
        }
    }

    /// Snipe-IT: Asset Tag, Name, Serial, Model, Model No., Manufacturer, Category, Status, Location,
    /// Purchase Date, Purchase Cost, Supplier, Warranty (months), Warranty Expires, EOL, Notes, Checked
    /// Out To. GLPI: Inventory number, Name, Serial number, Type, Model, Manufacturer, Location, Status,
    /// User, Comments. NetBox: name, device_type, role, site, serial, asset_tag, status. Lansweeper:
    /// AssetName, Serialnumber, Manufacturer, Model, IPAddress, Mac, PurchaseDate, Warrantydate.
    /// Configuration Manager: Netbios_Name0, SerialNumber0, MACAddress0.
    fn aliases(self) -> &'static [&'static str] {
        match self {
            AssetTag => &["asset tag", "tag", "inventory number", "inventory no", "asset number", "asset no"],
            Category => &["device category", "type", "asset type", "device role", "role"],
            Manufacturer => &["make", "vendor", "manufacturer name"],
            Model => &["model name", "device type", "devicetype", "model number", "model no"],
            Site => &["location", "site name", "default location", "building", "office"],
            Department => &["dept", "department name", "business unit", "service area"],
            Serial => &["serial number", "serial no", "serialnumber", "serialnumber0", "serial number0"],
            Hostname => &[
                "host name",
                "name",
                "computer name",
                "device name",
                "assetname",
                "asset name",
                "netbios name0",
                "netbios name",
            ],
            MacAddresses => &["mac address", "mac", "macaddress", "macaddress0", "mac addresses0"],
            IpAddress => &["ip", "ipaddress", "ip address0", "primary ip", "primary ip4"],
            AssignedUser => &["assigned to", "checked out to", "user", "username", "primary user", "owner"],
            PurchaseDate => &["date of purchase", "buy date", "purchasedate", "purchased", "order date"],
            PurchaseCost => &["cost", "value", "price", "purchase price", "purchasecost"],
            Supplier => &["order supplier", "reseller"],
            WarrantyEnd => &[
                "warranty expires",
                "warranty expiry",
                "warranty end date",
                "warrantydate",
                "warranty expiration date",
                "warranty expiration",
            ],
            WarrantyMonths => &["warranty", "warranty duration", "warranty months"],
            LifeMonths => &["life", "lifetime months", "expected life months"],
            RefreshDate => &["eol", "end of life", "decommission date", "replacement date", "refresh due date"],
            LifecycleState => &["status", "state", "status label", "lifecycle"],
            OnWatts => &["watts on", "power on watts"],
            SleepWatts => &["watts sleep", "power sleep watts"],
            OffWatts => &["watts off", "power off watts"],
            ParentAssetTag => &["parent tag", "parent", "connected to"],
            Notes => &["comments", "comment", "description", "note"],
        }
    }
}
