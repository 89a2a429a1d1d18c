#!/usr/bin/env bash
# Fails when shipped code imports Foundation, FoundationXML or FoundationNetworking: the tool must link as one
# fully static executable (README.md, "From a rescue system"). Tests may import what they like.
set -euo pipefail
cd "$(dirname "$0")/.."
if grep -rnE '^\s*(@[A-Za-z_]+ )*import (Foundation|FoundationXML|FoundationNetworking)\s*$' Sources; then
    echo "error: shipped sources above import Foundation/FoundationXML/FoundationNetworking; use FoundationEssentials" >&2
    exit 1
fi
echo "ok: Sources import FoundationEssentials only"
