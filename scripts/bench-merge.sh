#!/usr/bin/env bash
# bench-merge.sh [NODES] [VMS]: time `hvexclude merge` over NODES generated node reports of VMS VMs each (default
# 100 × 50), built from a real scan of the fleet cases' node1 (scripts/make-fleet-cases): each copy gets its own
# ComputerName, VMs (ids, local folders) and plan entries, and shares the CSV entries. Prints the wall time of the
# merge (best of 3) and the merged policy's size. Needs python3 and hivexsh; builds the release binary.
set -euo pipefail
cd "$(dirname "$0")/.."
nodes=${1:-100}
vms=${2:-50}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
swift build -c release --product hvexclude >/dev/null
bin=$(swift build -c release --show-bin-path)/hvexclude
python3 scripts/make-fleet-cases "$work/cases" >/dev/null
(cd "$work/cases/cluster/node1" && "$bin" scan C --drive D=D --map 'C:\ClusterStorage\Volume1=../csv1' --quiet > "$work/node1.json") || true
python3 - "$work" "$nodes" "$vms" <<'PY'
import copy, json, sys
work, nodes, vms = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
base = json.load(open(work + "/node1.json"))
template_vm = next(vm for vm in base["virtualMachines"] if vm["name"] == "Local1")
template_path = next(p for p in base["exclusions"]["paths"] if p["path"] == "D:\\VMs\\Local1")
for n in range(nodes):
    report = copy.deepcopy(base)
    report["host"]["computerName"] = {"value": "HV-%03d" % n, "source": {"hive": "SYSTEM", "key": "x"}}
    report["virtualMachines"] = [vm for vm in report["virtualMachines"] if vm["name"] != "Local1"]
    report["exclusions"]["paths"] = [p for p in report["exclusions"]["paths"] if p["path"] != "D:\\VMs\\Local1"]
    for v in range(vms):
        vm = copy.deepcopy(template_vm)
        vm["id"] = "%08X-0000-4000-8000-%012X" % (n, v)
        vm["name"] = "VM-%03d-%02d" % (n, v)
        vm["configurationFile"] = "D:\\VMs\\%s\\Virtual Machines\\%s.vmcx" % (vm["name"], vm["id"])
        report["virtualMachines"].append(vm)
        path = copy.deepcopy(template_path)
        path["path"] = "D:\\VMs\\%s" % vm["name"]
        report["exclusions"]["paths"].append(path)
    json.dump(report, open("%s/node-%03d.json" % (work, n), "w"))
PY
best=""
for run in 1 2 3; do
    start=$(date +%s.%N)
    "$bin" merge "$work"/node-*.json --quiet -o "$work/policy.json" || true
    end=$(date +%s.%N)
    t=$(echo "$end - $start" | bc)
    if [[ -z $best ]] || (( $(echo "$t < $best" | bc) )); then best=$t; fi
done
echo "merge of $nodes node reports × $vms VMs: best of 3 = ${best} s; policy $(wc -c < "$work/policy.json") bytes, $(python3 -c "import json,sys; p=json.load(open(sys.argv[1])); print(len(p['exclusions']['paths']), 'paths,', len(p['virtualMachines']), 'VMs')" "$work/policy.json")"
