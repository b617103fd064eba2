#!/usr/bin/env bash
# Regenerates deploy/man/castor.1 from the commands' own help text with ArgumentParser's
# generate-manual plugin (it builds every product in release mode first: a few minutes).
# Run it after changing a command, option or help text, and commit the result:
# deploy/install.sh installs the committed page, and ManualPageTests checks that it names
# every subcommand.
set -euo pipefail
cd "$(dirname "$0")/.."
swift package generate-manual
mkdir -p deploy/man
# The page's date is the generation date; everything else comes from the help text.
cp .build/plugins/GenerateManual/outputs/castor/castor.1 deploy/man/castor.1
echo "deploy/man/castor.1 updated ($(wc -l < deploy/man/castor.1) lines)"
