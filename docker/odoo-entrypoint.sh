#!/bin/bash
# Install the connectors' extra Python packages into the odoo user's site, create the
# database on first start, then hand over to the official image's entrypoint (which waits
# for PostgreSQL and starts Odoo) serving that database with its scheduler.
#
#   CHANNEL_DB    database to create and serve (default channel_demo)
#   CHANNEL_DEMO  1 (default): demo data, i.e. a demo company, demo products and one
#                 account per platform on the sandbox; 0: a clean database for production.
#                 Only read when the database is created: a later start reuses it as it is.
set -e
pip3 install --user --break-system-packages --quiet -r /mnt/channel-connectors/requirements.txt

DB_NAME=${CHANNEL_DB:-channel_demo}
APPS=channel_shipstation,channel_iqreseller,channel_iqmetrix,channel_dsco,channel_shopify,channel_ebay,channel_shiphero

# Exit status 0 when every app of $APPS is installed in $DB_NAME (false when the database
# does not exist yet, or a first start stopped half-way: its install is then done again).
apps_installed() {
    python3 - "$DB_NAME" "$APPS" <<'PY'
import os, sys
import psycopg2
database, apps = sys.argv[1], tuple(sys.argv[2].split(","))
try:
    connection = psycopg2.connect(
        host=os.environ.get("HOST", "db"), port=os.environ.get("PORT", "5432"),
        user=os.environ.get("USER", "odoo"), password=os.environ.get("PASSWORD", "odoo"),
        dbname=database)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM ir_module_module"
                       " WHERE name IN %s AND state = 'installed'", (apps,))
        sys.exit(0 if cursor.fetchone()[0] == len(apps) else 1)
except psycopg2.Error:
    sys.exit(1)
PY
}

if [ "${1:-}" = "odoo" ]; then
    if ! apps_installed; then
        if [ "${CHANNEL_DEMO:-1}" = "0" ]; then demo_option=--without-demo=all; else demo_option=; fi
        echo "channel-connectors: creating database $DB_NAME with $APPS ${demo_option:-and demo data}"
        /entrypoint.sh "$@" --database "$DB_NAME" --init "$APPS" $demo_option \
            --workers=0 --max-cron-threads=0 --stop-after-init --no-http
    fi
    set -- "$@" --database "$DB_NAME" --db-filter "^${DB_NAME}\$"
fi
exec /entrypoint.sh "$@"
