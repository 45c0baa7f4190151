"""Orders imported before 18.0.1.1.0 kept every number (ours and other systems') in
``iqmetrix_tracking_numbers``. Count them as sent by Odoo, so the feed's echo of them is
not taken for another system's numbers (which would never be withdrawn)."""


def migrate(cr, version):
    cr.execute(
        """UPDATE sale_order SET iqmetrix_tracking_history = iqmetrix_tracking_numbers
            WHERE iqmetrix_tracking_history IS NULL AND iqmetrix_tracking_numbers IS NOT NULL""")
