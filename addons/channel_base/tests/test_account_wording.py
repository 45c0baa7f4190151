"""Users read "Account", never "Credential" (issue 12): field labels and help, view
strings, menus and actions of the connector modules. Technical names are not checked."""

import re

from lxml import etree

from odoo.tests import TransactionCase, tagged

CONNECTOR_MODULES = ("channel_shipstation", "channel_iqreseller", "channel_iqmetrix")
CREDENTIAL_WORD = re.compile(r"\bcredential\b", re.IGNORECASE)
VIEW_TEXT_ATTRIBUTES = ("string", "help", "confirm", "placeholder", "title")


@tagged("post_install", "-at_install")
class TestAccountWording(TransactionCase):
    def records_of(self, model):
        data = self.env["ir.model.data"].search(
            [("module", "in", CONNECTOR_MODULES), ("model", "=", model)])
        return self.env[model].browse(data.mapped("res_id")).exists()

    def test_field_labels_and_help(self):
        fields = self.records_of("ir.model.fields")
        self.assertTrue(fields, "the connector modules are installed")
        wrong = [f"{field.model}.{field.name}: {field.field_description!r}"
                 for field in fields
                 if CREDENTIAL_WORD.search(field.field_description or "")
                 or CREDENTIAL_WORD.search(field.help or "")]
        self.assertEqual(wrong, [])

    def test_views_menus_and_actions(self):
        wrong = []
        for view in self.records_of("ir.ui.view"):
            arch = etree.fromstring(view.arch_db.encode())
            model_fields = self.env[view.model]._fields if view.model in self.env else {}
            for node in arch.iter():
                texts = [node.get(name) or "" for name in VIEW_TEXT_ATTRIBUTES]
                texts.append(node.text if isinstance(node.tag, str) else "")
                if node.tag == "field" and not node.get("string") \
                        and node.get("name") in model_fields:
                    texts.append(model_fields[node.get("name")].string or "")
                wrong += [f"{view.xml_id}: {text!r}" for text in texts
                          if CREDENTIAL_WORD.search(text or "")]
        for menu in self.records_of("ir.ui.menu"):
            if CREDENTIAL_WORD.search(menu.name):
                wrong.append(f"menu {menu.name!r}")
        actions = [*self.records_of("ir.actions.act_window"),
                   *self.records_of("ir.actions.server")]
        self.assertTrue(actions, "the connector modules' actions are checked")
        for action in actions:
            if CREDENTIAL_WORD.search(action.name or "") \
                    or CREDENTIAL_WORD.search(str(getattr(action, "help", "") or "")):
                wrong.append(f"action {action.name!r}")
        self.assertEqual(wrong, [])
