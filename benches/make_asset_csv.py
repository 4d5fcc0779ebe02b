#!/usr/bin/env python3
"""Writes a deterministic asset CSV in greenict's own columns for the import benchmark.
Usage: make_asset_csv.py ROWS OUT.csv"""
import random, sys

rows, out = int(sys.argv[1]), sys.argv[2]
rng = random.Random(2026)
models = [("Dell", "OptiPlex 7010", "desktop"), ("HP", "EliteBook 840 G5", "laptop"),
          ("Dell", "P2422H 24in", "monitor"), ("Dell", "Wyse 5070", "thin_client"),
          ("Brother", "HL-L6400DW", "printer")]
sites = ["Civic Offices", "Central Library", "Northgate Depot", "Riverside Leisure Centre"]
depts = ["Planning", "Housing", "Highways", "Finance", "ICT", "Libraries"]
states = ["deployed"] * 6 + ["in_stock", "in_repair", "retired"]
header = ("asset_tag,category,manufacturer,model,site,department,serial,hostname,mac_addresses,ip_address,"
          "assigned_user,purchase_date,purchase_cost,supplier,warranty_end,life_months,refresh_date,"
          "lifecycle_state,on_watts,sleep_watts,off_watts,parent_asset_tag,notes")
with open(out, "w", newline="") as f:
    f.write(header + "\n")
    for i in range(1, rows + 1):
        maker, model, cat = models[rng.randrange(len(models))]
        y, m, d = rng.randint(2018, 2025), rng.randint(1, 12), rng.randint(1, 28)
        mac = "02:57:%02x:%02x:%02x:%02x" % (i >> 24 & 255, i >> 16 & 255, i >> 8 & 255, i & 255)
        f.write(f"BEN-{i:06d},{cat},{maker},{model},{sites[i % 4]},{depts[i % 6]},SN{i:08d},HOST-{i:06d},{mac},"
                f"10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255},User {i % 997},{y}-{m:02d}-{d:02d},"
                f"{rng.randint(100, 1500)}.{rng.randint(0, 99):02d},Pennine Computer Supplies Ltd,"
                f"{y + 3}-{m:02d}-{d:02d},,,{rng.choice(states)},,,,,\n")
