from dataclasses import dataclass, field

from odoo import api, models
from odoo.osv import expression
from odoo.tools import escape_psql

from ..exceptions import PermanentError
from ..tools import normalize_phone, parse_timestamp

ADDRESS_FIELDS = ("street", "street2", "city", "zip")


@dataclass
class PartnerMatch:
    partner: object
    shipping: object
    warnings: list = field(default_factory=list)


@dataclass
class ProductMatches:
    """What :meth:`ChannelMapping._products_by_skus` found: ``products`` {sku: product}
    for the known SKUs, ``unknown`` the others in input order (empty SKUs included)."""

    products: dict
    unknown: list


class ChannelMapping(models.AbstractModel):
    """Lookups every platform's mapping needs: partners from address dicts, countries
    and states by code or name, products by SKU, platform timestamps to UTC.

    An address dict uses these keys (all optional but ``name``): name, company_name,
    email, phone, street, street2, city, zip, state, country.
    """

    _name = "channel.mapping"
    _description = "Channel Mapping Helpers"

    # ------------------------------------------------------------------ places

    @api.model
    def _resolve_country(self, value):
        if not value:
            return self.env["res.country"], None
        value = str(value).strip()
        Country = self.env["res.country"]
        country = Country.search([("code", "=ilike", value)], limit=1) if len(value) == 2 else None
        if not country:
            country = Country.with_context(lang="en_US").search(
                [("name", "=ilike", value)], limit=1
            )
        if not country:
            return Country, self.env._("Unknown country %r", value)
        return country, None

    @api.model
    def _resolve_state(self, country, value):
        State = self.env["res.country.state"]
        if not value:
            return State, None
        value = str(value).strip()
        domain = [("country_id", "=", country.id)] if country else []
        state = State.search(domain + [("code", "=ilike", value)], limit=1)
        if not state:
            state = State.with_context(lang="en_US").search(
                domain + [("name", "=ilike", value)], limit=1
            )
        if not state or (not country and len(state) > 1):
            return State, self.env._("Unknown state %(state)r for country %(country)s",
                            state=value, country=country.code or "?")
        return state, None

    # ------------------------------------------------------------------ partners

    @api.model
    def _address_values(self, address, warnings, places=None):
        """Partner values of ``address``; ``places`` (a dict) caches country and state
        lookups across the addresses of one batch."""
        country, state = self._address_places(address, warnings, {} if places is None else places)
        if state and not country:
            country = state.country_id
        phone = address.get("phone")
        normalized = normalize_phone(phone, country.code if country else None)
        if phone and not normalized:
            warnings.append(
                self.env._("Phone number %r could not be parsed; kept as given.", phone)
            )
        name = (address.get("name") or address.get("company_name") or "").strip()
        if not name:
            warnings.append(self.env._("Address without a name."))
            name = address.get("email") or self.env._("Unknown customer")
        return {
            "name": name,
            "email": (address.get("email") or "").strip() or False,
            "phone": normalized or (phone or False),
            "street": address.get("street") or False,
            "street2": address.get("street2") or False,
            "city": address.get("city") or False,
            "zip": address.get("zip") or False,
            "country_id": country.id or False,
            "state_id": state.id or False,
        }

    @api.model
    def _address_places(self, address, warnings, places):
        key = (address.get("country"), address.get("state"))
        if key not in places:
            found = []
            country, warning = self._resolve_country(key[0])
            found.append(warning)
            state, warning = self._resolve_state(country, key[1])
            found.append(warning)
            places[key] = (country, state, [w for w in found if w])
        country, state, place_warnings = places[key]
        warnings.extend(place_warnings)
        return country, state

    @api.model
    def _find_or_create_partner(self, address, company=None):
        """The customer (matched by email, else by name and address) and its delivery
        address child, among the partners of ``company`` (default: the current company)
        and the shared ones. Unknown countries, states and unparsable phones are reported
        in ``warnings`` and never lose the rest of the address."""
        return self._partners_for_addresses([address or {}], company or self.env.company)[0]

    @api.model
    def _partners_for_addresses(self, addresses, company):
        """One :class:`PartnerMatch` per address dict, in input order, as
        :meth:`_find_or_create_partner` would give each: customers are matched by email
        (one query for every email of the batch, case-insensitive and exact), else by name
        and address; the missing ones are created in one ``create`` call (one partner per
        distinct email or address, shared by the addresses that have it)."""
        places, warnings = {}, [[] for _address in addresses]
        vals_list = [self._address_values(address or {}, warnings[index], places)
                     for index, address in enumerate(addresses)]
        by_email = self._partners_by_emails([v["email"] for v in vals_list if v["email"]], company)
        partners = [by_email.get(v["email"].lower()) if v["email"] else None for v in vals_list]
        for index, vals in enumerate(vals_list):
            if not partners[index]:
                partners[index] = self._search_in_company(
                    self._partner_model(), self._same_address_domain(vals, parent=False), company)
        self._create_missing_partners(addresses, vals_list, partners)
        return [PartnerMatch(partner, self._find_or_create_delivery(partner, vals), warning)
                for partner, vals, warning in zip(partners, vals_list, warnings, strict=True)]

    @api.model
    def _partner_model(self):
        return self.env["res.partner"].with_context(tracking_disable=True)

    @api.model
    def _partners_by_emails(self, emails, company):
        """{lowercased email: customer} in one query; ``company``'s own partner wins over a
        shared one. ``=ilike`` is a LIKE pattern, so the emails are escaped: "john_doe@x"
        must not match "johnXdoe@x"."""
        emails = list(dict.fromkeys(email.lower() for email in emails))
        if not emails:
            return {}
        email_domain = expression.OR([[("email", "=ilike", escape_psql(email))]
                                      for email in emails])
        found = {}
        for partner in self._partner_model().search_fetch(
                email_domain + [("parent_id", "=", False)] + self._company_domain(company),
                ["email", "company_id"]):
            key = (partner.email or "").strip().lower()
            if key not in found or (partner.company_id and not found[key].company_id):
                found[key] = partner
        return found

    @api.model
    def _create_missing_partners(self, addresses, vals_list, partners):
        """Fill the holes of ``partners`` with partners created in one call; addresses
        with the same email (or, without one, the same name and address) share one."""
        pending = {}
        for index, vals in enumerate(vals_list):
            if partners[index]:
                continue
            key = vals["email"].lower() if vals["email"] else tuple(sorted(vals.items()))
            if key not in pending:
                company_name = (addresses[index] or {}).get("company_name")
                pending[key] = (dict(vals, company_name=company_name or False), [])
            pending[key][1].append(index)
        created = self._partner_model().create([values for values, _indexes in pending.values()])
        for partner, (_values, indexes) in zip(created, pending.values(), strict=True):
            for index in indexes:
                partners[index] = partner

    @api.model
    def _company_domain(self, company):
        """Records of ``company`` or shared by every company (for batched lookups, which
        should then prefer ``company``'s own record, as :meth:`_search_in_company` does)."""
        return [("company_id", "in", [company.id, False])]

    @api.model
    def _search_in_company(self, Model, domain, company):
        """The first record of ``company`` matching ``domain``, else the first one shared by
        every company (``company_id`` empty); never another company's."""
        return (
            Model.search(domain + [("company_id", "=", company.id)], limit=1)
            or Model.search(domain + [("company_id", "=", False)], limit=1)
        )

    @api.model
    def _same_address_domain(self, vals, parent):
        domain = [("name", "=", vals["name"]), ("parent_id", "=", parent.id if parent else False)]
        for name in (*ADDRESS_FIELDS, "country_id"):
            domain.append((name, "=", vals[name]))
        return domain

    @api.model
    def _find_or_create_delivery(self, partner, vals):
        if all(partner[name] == vals[name] or (not partner[name] and not vals[name])
               for name in ADDRESS_FIELDS) and partner.name == vals["name"]:
            return partner
        Partner = self.env["res.partner"].with_context(tracking_disable=True)
        delivery = Partner.search(
            self._same_address_domain(vals, parent=partner) + [("type", "=", "delivery")],
            limit=1,
        )
        return delivery or Partner.create(dict(vals, parent_id=partner.id, type="delivery"))

    # ------------------------------------------------------------------ products

    @api.model
    def _find_product_by_sku(self, sku, credential=None):
        """The product of ``sku`` (see :meth:`_products_by_skus`), or an empty recordset."""
        found = self._products_by_skus([sku], credential or self.env.company)
        return found.products.get(sku) or self.env["product.product"]

    @api.model
    def _products_by_skus(self, skus, scope):
        """:class:`ProductMatches` of ``skus`` for ``scope``, a credential or a company.

        A credential's listings (``channel.product.binding``) win; the other SKUs match
        ``default_code`` among the scope company's products and the shared ones (the
        company's own first), in one query whatever the number of SKUs."""
        skus = list(dict.fromkeys(skus))
        credential = scope if scope and scope._name == "integration.credential" else None
        company = (credential.company_id if credential else scope) or self.env.company
        products = self._products_by_binding(credential, [sku for sku in skus if sku])
        wanted = [sku for sku in skus if sku and sku not in products]
        products.update(self._products_by_default_code(wanted, company))
        return ProductMatches(
            products={sku: products[sku] for sku in skus if sku in products},
            unknown=[sku for sku in skus if sku not in products],
        )

    @api.model
    def _products_by_binding(self, credential, skus):
        if not credential or not skus:
            return {}
        found = {}
        for binding in self.env["channel.product.binding"].search_fetch(
                [("credential_id", "=", credential.id), ("external_sku", "in", skus)],
                ["external_sku", "product_id"]):
            found.setdefault(binding.external_sku, binding.product_id)
        return found

    @api.model
    def _products_by_default_code(self, skus, company):
        if not skus:
            return {}
        found = {}
        for product in self.env["product.product"].search_fetch(
                [("default_code", "in", skus)] + self._company_domain(company),
                ["default_code", "company_id"]):
            current = found.get(product.default_code)
            if not current or (product.company_id and not current.company_id):
                found[product.default_code] = product
        return found

    @api.model
    def _require_products_by_sku(self, skus, credential=None):
        """{sku: product} for all ``skus``; PermanentError naming every unknown one."""
        found = self._products_by_skus(skus, credential or self.env.company)
        if found.unknown:
            raise PermanentError(self.env._("Unknown SKU: %s", ", ".join(
                str(sku) if sku else self.env._("(empty)") for sku in found.unknown)))
        return found.products

    # ------------------------------------------------------------------ timestamps

    @api.model
    def _parse_timestamp(self, value, credential=None):
        return parse_timestamp(value, credential.source_timezone if credential else None)
