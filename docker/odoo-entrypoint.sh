#!/bin/bash
# Install the connectors' extra Python packages into the odoo user's site, then hand over
# to the official image's entrypoint (which waits for PostgreSQL and starts Odoo).
set -e
pip3 install --user --break-system-packages --quiet -r /mnt/channel-connectors/requirements.txt
exec /entrypoint.sh "$@"
